import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection

from accounts.models import Notification
from accounts.roles import Role, has_role
from applicants import services
from applicants.models import Applicant, ApplicantReview, SupportRequest
from applicants.services import requests as requests_services
from programmes.models import ActivityType, ActivityVariant, FundingSource, SupportRule
from tests.factories import ApplicantFactory, SupportRequestFactory, UserFactory, commune, valid_mst

pytestmark = pytest.mark.django_db


def _new(**kw):
    data = dict(
        kind="household",
        name="Hộ kinh doanh Đỗ Văn Đức",
        tax_code="",
        representative="Đỗ Văn Đức",
        phone="0987 111 222",
        address="Thôn Đông",
        commune=commune(),
    )
    data.update(kw)
    return Applicant(**data)


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF])


# --- registration ------------------------------------------------------------------------------


def test_register_creates_account_and_pending_profile(staff):
    applicant, user = services.applicant_register(
        applicant=_new(tax_code="034085001234"), password="Mat-khau-123", consent=True
    )
    applicant.refresh_from_db()
    assert applicant.verification_status == "pending" and applicant.owner == user
    assert list(applicant.members.all()) == [user]
    assert user.phone == "0987111222" and user.email is None and user.check_password("Mat-khau-123")
    assert has_role(user, Role.APPLICANT)
    assert applicant.privacy_consent_at is not None and not applicant.entered_by_staff
    assert applicant.reviews.get().decision == "submitted"
    assert "nghe" not in applicant.search_text and "do van duc" in applicant.search_text
    assert Notification.objects.filter(recipient=staff, event="applicant_registered").exists()


def test_register_requires_consent():
    with pytest.raises(ValidationError) as err:
        services.applicant_register(applicant=_new(), password="Mat-khau-123", consent=False)
    assert err.value.error_dict["consent"][0].code == "consent"
    assert not Applicant.objects.filter(name="Hộ kinh doanh Đỗ Văn Đức").exists()


def test_register_refuses_a_bad_tax_code_for_the_kind():
    with pytest.raises(ValidationError) as err:
        services.applicant_register(
            applicant=_new(kind="sme", tax_code="034085001234"), password="Mat-khau-123", consent=True
        )
    assert list(err.value.message_dict) == ["tax_code"]
    assert err.value.error_dict["tax_code"][0].code.startswith("invalid_tax_code")


@pytest.mark.parametrize("field,value", [("tax_code", "0100109106"), ("registration_number", "01A8001234")])
def test_same_tax_code_or_registration_cannot_register_twice(field, value):
    ApplicantFactory(**{field: value})
    users_before = UserFactory._meta.model.objects.count()
    with pytest.raises(ValidationError) as err:
        services.applicant_register(
            applicant=_new(kind="sme", **{field: value}), password="Mat-khau-123", consent=True
        )
    assert "liên hệ" in err.value.message_dict[field][0]
    assert err.value.error_dict[field][0].code == "duplicate"
    assert UserFactory._meta.model.objects.count() == users_before


def test_same_name_in_same_commune_is_flagged_not_refused():
    ApplicantFactory(name="Hộ kinh doanh Đỗ Văn Đức", commune=commune("11953"))
    other_commune, _user = services.applicant_register(
        applicant=_new(name="HỘ KINH DOANH ĐỖ VĂN ĐỨC", phone="0987000001", commune=commune("12364")),
        password="Mat-khau-123",
        consent=True,
    )
    flagged, _user = services.applicant_register(
        applicant=_new(name="hộ kinh doanh đỗ văn đức", phone="0987000002"),
        password="Mat-khau-123",
        consent=True,
    )
    assert not other_commune.possible_duplicate
    assert flagged.possible_duplicate


def test_phone_already_used_by_an_account_is_refused():
    UserFactory(phone="0987111222")
    with pytest.raises(ValidationError) as err:
        services.applicant_register(applicant=_new(), password="Mat-khau-123", consent=True)
    assert "Số điện thoại này đã tồn tại" in err.value.message_dict["phone"][0]


# --- staff-entered dossiers --------------------------------------------------------------------


def test_staff_enter_paper_dossier_with_account(staff):
    entry = services.applicant_enter_paper_dossier(
        actor=staff,
        applicant=_new(tax_code=valid_mst(1), kind="sme"),
        create_account=True,
        paper_consent=True,
    )
    a = entry.applicant
    assert a.entered_by_staff and a.created_by == staff and a.verification_status == "verified"
    assert entry.user.check_password(entry.password) and entry.user.must_change_password
    assert a.owner == entry.user and has_role(entry.user, Role.APPLICANT)
    assert a.reviews.get().actor == staff


def test_staff_entry_without_account_and_not_by_others():
    applicant_user = UserFactory(roles=[Role.APPLICANT])
    with pytest.raises(ValidationError, match="Chỉ cán bộ Sở mới nhập được hồ sơ giấy"):
        services.applicant_enter_paper_dossier(
            actor=applicant_user, applicant=_new(), create_account=False, paper_consent=True
        )
    staff = UserFactory(roles=[Role.LEADER])
    entry = services.applicant_enter_paper_dossier(
        actor=staff, applicant=_new(phone=""), create_account=False, paper_consent=True
    )
    assert entry.user is None and entry.applicant.owner is None


# --- verification ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decision,status,event",
    [
        ("verified", "verified", "applicant_verified"),
        ("rejected", "rejected", "applicant_rejected"),
        ("changes_requested", "changes_requested", "applicant_changes_requested"),
    ],
)
def test_review_records_and_notifies(staff, decision, status, event):
    owner = UserFactory(roles=[Role.APPLICANT], email="coso@example.test")
    a = ApplicantFactory(verification_status="pending", owner=owner)
    with pytest.raises(ValidationError, match="Chỉ cán bộ Sở mới xác minh được hồ sơ"):
        services.applicant_review(applicant=a, actor=owner, decision=decision, reason="x")
    review = services.applicant_review(applicant=a, actor=staff, decision=decision, reason="Thiếu giấy phép")
    a.refresh_from_db()
    assert a.verification_status == status
    assert (review.actor, review.decision, review.reason) == (staff, decision, "Thiếu giấy phép")
    assert Notification.objects.filter(recipient=owner, event=event).exists()


def test_review_email_sent_after_commit(staff, django_capture_on_commit_callbacks):
    owner = UserFactory(roles=[Role.APPLICANT], email="coso@example.test")
    a = ApplicantFactory(verification_status="pending", owner=owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.applicant_review(applicant=a, actor=staff, decision="verified")
    assert mail.outbox and mail.outbox[0].to == ["coso@example.test"]


def test_reject_and_changes_need_a_reason(staff):
    a = ApplicantFactory(verification_status="pending")
    for decision in ("rejected", "changes_requested"):
        with pytest.raises(ValidationError, match="Vui lòng ghi lý do để cơ sở biết cần làm gì"):
            services.applicant_review(applicant=a, actor=staff, decision=decision, reason="  ")
    a.refresh_from_db()
    assert a.verification_status == "pending" and not a.reviews.exists()


def test_changes_requested_then_applicant_edits_and_profile_returns_to_queue(staff):
    a = ApplicantFactory(verification_status="pending")
    services.applicant_review(applicant=a, actor=staff, decision="changes_requested", reason="Ghi rõ địa chỉ")
    a.refresh_from_db()
    services.applicant_update(
        applicant=a, actor=a.owner, data={"address": "Số 5, thôn Đông"}, expected_version=a.version
    )
    a.refresh_from_db()
    assert a.verification_status == "pending" and a.address == "Số 5, thôn Đông"
    assert list(a.reviews.values_list("decision", flat=True)) == ["changes_requested", "resubmitted"]
    services.applicant_review(applicant=Applicant.objects.get(pk=a.pk), actor=staff, decision="verified")
    with pytest.raises(ValidationError, match="không xử lý được bước này") as err:  # already decided
        services.applicant_review(applicant=Applicant.objects.get(pk=a.pk), actor=staff, decision="verified")
    assert err.value.code == "not_allowed"


def test_verified_identity_changes_only_through_staff(staff):
    a = ApplicantFactory(verification_status="verified", kind="sme")
    with pytest.raises(ValidationError) as err:
        services.applicant_update(
            applicant=a, actor=a.owner, data={"name": "Tên khác"}, expected_version=a.version
        )
    assert "chỉ cán bộ" in err.value.messages[0] and err.value.code == "identity_locked"
    services.applicant_update(
        applicant=a, actor=a.owner, data={"sector": "Cơ khí"}, expected_version=a.version
    )
    a.refresh_from_db()
    services.applicant_update(applicant=a, actor=staff, data={"name": "Tên khác"}, expected_version=a.version)
    a.refresh_from_db()
    assert a.name == "Tên khác" and a.reviews.filter(decision="edited_by_staff").exists()


def test_stale_edit_is_refused():
    a = ApplicantFactory(verification_status="pending")
    services.applicant_update(applicant=a, actor=a.owner, data={"sector": "A"}, expected_version=a.version)
    with pytest.raises(ValidationError) as err:
        services.applicant_update(applicant=a, actor=a.owner, data={"sector": "B"}, expected_version=1)
    assert err.value.code == "stale"
    a.refresh_from_db()
    assert (a.sector, a.version) == ("A", 2)


@pytest.mark.parametrize("version", [None, 0, 99])
def test_an_edit_without_the_current_version_is_refused_and_writes_nothing(staff, version):
    """A form that lost its version must not overwrite a concurrent edit (issue 8)."""
    a = ApplicantFactory(verification_status="changes_requested")
    with pytest.raises(ValidationError) as err:
        services.applicant_update(applicant=a, actor=a.owner, data={"sector": "B"}, expected_version=version)
    assert err.value.code == "stale"
    a.refresh_from_db()
    assert a.version == 1 and not a.reviews.filter(decision="resubmitted").exists()
    r = SupportRequestFactory(applicant=ApplicantFactory(), status="returned", code="YC-2026-000042")
    with pytest.raises(ValidationError) as err:
        services.support_request_update(
            request=r, actor=r.applicant.owner, data={"title": "Khác"}, expected_version=version, submit=True
        )
    assert err.value.code == "stale"
    r.refresh_from_db()
    assert r.version == 1 and r.status == "returned" and not r.events.exists()


# --- support requests --------------------------------------------------------------------------


def _request_data(variant_key="machine", cost=400_000_000, counterpart=250_000_000):
    variant = ActivityVariant.objects.get(activity__code="2b", key=variant_key)
    return {
        "year": 2026,
        "activity": variant.activity,
        "variant": variant,
        "title": "Máy chẻ nan",
        "description": "Mua máy chẻ nan tự động",
        "estimated_cost": cost,
        "counterpart": counterpart,
    }


def test_submit_gets_code_history_and_support_is_the_rest_of_the_cost(staff):
    a = ApplicantFactory()
    r = services.support_request_create(applicant=a, actor=a.owner, data=_request_data(), submit=True)
    r.refresh_from_db()
    assert r.status == "submitted" and r.requested_support == 150_000_000
    assert r.code.startswith("YC-") and len(r.code) == len("YC-2026-000001")
    assert list(r.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "submitted")]
    assert Notification.objects.filter(recipient=staff, event="request_submitted").exists()


def test_unverified_applicant_cannot_submit():
    a = ApplicantFactory(verification_status="pending")
    with pytest.raises(ValidationError, match="chưa được xác minh") as err:
        services.support_request_create(applicant=a, actor=a.owner, data=_request_data(), submit=True)
    assert err.value.code == "not_verified"
    assert not SupportRequest.objects.filter(applicant=a).exists()


def test_ceiling_refuses_above_min_of_cap_and_percent_and_follows_rule_edits():
    a = ApplicantFactory()
    # 2b machine (KCQG): 50 % up to 300 million. Cost 700 million, support 320 million: above the cap.
    data = _request_data(cost=700_000_000, counterpart=380_000_000)
    with pytest.raises(ValidationError) as err:
        services.support_request_create(applicant=a, actor=a.owner, data=data, submit=True)
    message = err.value.messages[0]
    assert "300.000.000" in message and "TT 28/2018/TT-BTC" in message
    # cost 400 million, support 250 million: above 50 % (200 million)
    with pytest.raises(ValidationError, match="vượt mức tối đa 200.000.000 đồng"):
        services.support_request_create(
            applicant=a,
            actor=a.owner,
            data=_request_data(cost=400_000_000, counterpart=150_000_000),
            submit=True,
        )
    rule = SupportRule.objects.get(code="TT28_MACHINERY")
    rule.cap_vnd = 400_000_000
    rule.save()
    r = services.support_request_create(applicant=a, actor=a.owner, data=data, submit=True)
    assert r.status == "submitted"
    assert (
        services.ceilings_for(activity=r.activity, variant=r.variant, cost=700_000_000)[0].amount
        == 350_000_000
    )


def test_no_rule_warns_but_allows():
    a = ApplicantFactory()
    fair = ActivityType.objects.get(code="5b")
    assert services.ceilings_for(activity=fair, variant=None, cost=100) == []
    data = {**_request_data(), "activity": fair, "variant": None, "estimated_cost": 100, "counterpart": 0}
    assert services.support_request_create(applicant=a, actor=a.owner, data=data, submit=True).code


def test_ceilings_show_both_funds_when_both_have_rules():
    variant = ActivityVariant.objects.get(activity__code="2b", key="machine")
    SupportRule.objects.create(
        code="KCDP_TEST",
        activity=variant.activity,
        variant=variant,
        funding_source=FundingSource.objects.get(code="KCDP"),
        kind="ceiling",
        max_percent=40,
        cap_vnd=100_000_000,
        legal_basis="Nghị quyết thử",
        valid_from="2025-01-01",
        status="provincial",
    )
    ceilings = services.ceilings_for(activity=variant.activity, variant=variant, cost=400_000_000)
    assert [(c.fund, c.amount) for c in ceilings] == [("KCĐP", 100_000_000), ("KCQG", 200_000_000)]


def test_variant_of_another_activity_is_refused():
    a = ApplicantFactory()
    data = {**_request_data(), "variant": ActivityVariant.objects.get(activity__code="3c", key="trademark")}
    with pytest.raises(ValidationError) as err:
        services.support_request_create(applicant=a, actor=a.owner, data=data, submit=False)
    assert err.value.error_dict["variant"][0].code == "variant_mismatch"


@pytest.mark.parametrize(
    "action,status,event",
    [
        ("accept", "accepted", "request_accepted"),
        ("decline", "declined", "request_declined"),
        ("return", "returned", "request_returned"),
    ],
)
def test_triage_steps_are_history_and_notify(staff, action, status, event):
    r = SupportRequestFactory()
    reason = "" if action == "accept" else "Thiếu báo giá"
    services.support_request_triage(request=r, actor=staff, action=action, reason=reason)
    r.refresh_from_db()
    assert r.status == status
    last = r.events.last()
    assert (last.from_status, last.to_status, last.actor, last.comment) == (
        "submitted",
        status,
        staff,
        reason,
    )
    assert Notification.objects.filter(recipient=r.applicant.owner, event=event).exists()
    with pytest.raises(ValidationError, match="không thực hiện được bước này") as err:
        # nothing follows a decision but a resubmission
        services.support_request_triage(request=r, actor=staff, action="accept")
    assert err.value.code == "not_allowed"


def test_decline_and_return_need_a_reason_and_only_staff_triage(staff):
    r = SupportRequestFactory()
    for action in ("decline", "return"):
        with pytest.raises(ValidationError) as err:
            services.support_request_triage(request=r, actor=staff, action=action, reason="  ")
        assert err.value.message_dict == {"reason": ["Vui lòng ghi lý do."]}
        assert err.value.error_dict["reason"][0].code == "required"
    with pytest.raises(ValidationError, match="Chỉ cán bộ Sở mới xử lý được đề nghị"):
        services.support_request_triage(request=r, actor=r.applicant.owner, action="accept")
    with pytest.raises(ValidationError, match="không thực hiện được bước này"):
        services.support_request_triage(request=r, actor=staff, action="approve")
    r.refresh_from_db()
    assert r.status == "submitted" and not r.events.exists()


def test_return_edit_resubmit_keeps_code(staff):
    a = ApplicantFactory()
    r = services.support_request_create(applicant=a, actor=a.owner, data=_request_data(), submit=True)
    code = r.code
    services.support_request_triage(request=r, actor=staff, action="return", reason="Bổ sung báo giá")
    r.refresh_from_db()
    services.support_request_update(
        request=r,
        actor=a.owner,
        data={"description": "Đã có báo giá"},
        expected_version=r.version,
        submit=True,
    )
    r.refresh_from_db()
    assert r.status == "submitted" and r.code == code
    assert [e.to_status for e in r.events.all()] == ["draft", "submitted", "returned", "submitted"]
    services.support_request_triage(request=r, actor=staff, action="accept")
    with pytest.raises(ValidationError, match="Đề nghị đã gửi, không sửa được nữa"):
        services.support_request_update(
            request=r, actor=a.owner, data={}, expected_version=r.version, submit=False
        )


def test_tracking_code_collision_retries_with_next_number(monkeypatch):
    SupportRequestFactory(code="YC-2026-000001")
    a = ApplicantFactory()
    calls = []
    real = requests_services.next_tracking_code

    def stale_first(year):
        calls.append(year)
        # the first call returns a code another submission has just taken
        return "YC-2026-000001" if len(calls) == 1 else real(year)

    monkeypatch.setattr(requests_services, "next_tracking_code", stale_first)
    r = services.support_request_create(applicant=a, actor=a.owner, data=_request_data(), submit=True)
    assert len(calls) == 2 and r.code != "YC-2026-000001"
    assert SupportRequest.objects.filter(code=r.code).count() == 1


def test_code_is_unique_in_the_database():
    SupportRequestFactory(code="YC-2026-000777")
    with pytest.raises(IntegrityError):
        SupportRequestFactory(code="YC-2026-000777")


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_codes(committed_reference):
    applicants = [ApplicantFactory() for _ in range(4)]
    drafts = [
        services.support_request_create(applicant=a, actor=a.owner, data=_request_data(), submit=False)
        for a in applicants
    ]
    barrier = threading.Barrier(len(drafts))
    errors = []

    def submit(draft):
        try:
            barrier.wait(timeout=10)
            for _attempt in range(50):
                try:
                    services.support_request_update(
                        request=draft,
                        actor=draft.applicant.owner,
                        data={},
                        expected_version=draft.version,
                        submit=True,
                    )
                    return
                except Exception as exc:  # SQLite may say "database is locked": try again
                    if "locked" not in str(exc):
                        raise
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    codes = list(SupportRequest.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True))
    assert len(codes) == 4 and None not in codes and len(set(codes)) == 4


def test_review_history_is_ordered(staff):
    a = ApplicantFactory(verification_status="pending")
    services.applicant_review(applicant=a, actor=staff, decision="changes_requested", reason="a")
    services.applicant_review(applicant=a, actor=staff, decision="verified")
    assert list(ApplicantReview.objects.filter(applicant=a).values_list("decision", flat=True)) == [
        "changes_requested",
        "verified",
    ]


def test_member_add_only_by_owner_or_staff_and_grants_the_applicant_role():
    applicant = ApplicantFactory()
    member = UserFactory()
    applicant.members.add(member)
    newcomer = UserFactory(phone="0977222333")
    with pytest.raises(ValidationError, match="mới mời được thành viên"):
        services.applicant_member_invite(applicant=applicant, actor=member, contact="0977222333")
    # issue 10 item 2: an owner only invites; the newcomer accepts from its own account
    with pytest.raises(ValidationError, match="chủ tài khoản hãy gửi lời mời"):
        services.applicant_member_add(applicant=applicant, actor=applicant.owner, contact="0977222333")
    invitation = services.applicant_member_invite(
        applicant=applicant, actor=applicant.owner, contact="0977222333"
    )
    assert not applicant.members.filter(pk=newcomer.pk).exists()
    services.applicant_invitation_accept(invitation=invitation, user=newcomer)
    assert applicant.members.filter(pk=newcomer.pk).exists() and has_role(newcomer, Role.APPLICANT)
    with pytest.raises(ValidationError, match="mới bớt được thành viên"):
        services.applicant_member_remove(applicant=applicant, actor=newcomer, user_id=member.pk)
    staff = UserFactory(roles=[Role.STAFF])
    services.applicant_member_remove(applicant=applicant, actor=staff, user_id=member.pk)
    assert not applicant.members.filter(pk=member.pk).exists()
    with pytest.raises(ValidationError, match="Không bớt được tài khoản chủ của cơ sở"):
        services.applicant_member_remove(applicant=applicant, actor=staff, user_id=applicant.owner_id)
