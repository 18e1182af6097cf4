"""Every write on applicants and support requests that carries a rule."""

import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role, grant_roles, is_staff_like
from accounts.services import account_create, temporary_password_generate
from core.concurrency import save_versioned
from core.money import group
from core.text import clean_text, fold, nfc, search_text, sort_key
from core.validators import normalize_phone, validate_phone
from programmes.ceilings import support_limit
from programmes.models import FundingSource
from programmes.selectors import rule_in_force

from .models import Applicant, ApplicantReview, ArtisanTitle, SupportRequest, SupportRequestEvent
from .validators import normalize_tax_code, validate_tax_code

CONTACT_DEPARTMENT = _(
    "Nếu đây là cơ sở của bạn, vui lòng liên hệ Trung tâm Khuyến công (Sở Công Thương) để được hỗ trợ."
)
TEXT_FIELDS = (
    "name",
    "registration_number",
    "representative",
    "representative_title",
    "address",
    "sector",
)


def _staff_users():
    return list(User.objects.filter(groups__name__in=[Role.STAFF, Role.LEADER], is_active=True).distinct())


# --- Applicants --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _kind_words_in(kind, language):
    return fold(str(dict(Applicant.Kind.choices).get(kind, "")))


def _kind_words(kind):
    """The folded label of a kind (cached: imports prepare thousands of rows)."""
    return _kind_words_in(kind, get_language())


def applicant_prepare(applicant):
    """Normalise the text of `applicant`, validate its tax code for its kind and refresh its search
    and sort columns. Raises ValidationError (a dict by field)."""
    for name in TEXT_FIELDS:
        setattr(applicant, name, clean_text(getattr(applicant, name)))
    applicant.email = clean_text(applicant.email).lower()
    applicant.phone = normalize_phone(applicant.phone)
    applicant.tax_code = normalize_tax_code(applicant.tax_code) or None
    applicant.registration_number = applicant.registration_number or None
    if applicant.tax_code:
        try:
            validate_tax_code(
                applicant.tax_code, allow_personal_id=applicant.kind in Applicant.PERSONAL_KINDS
            )
        except ValidationError as error:
            raise ValidationError({"tax_code": error.messages}) from None
    applicant.search_text = search_text(
        applicant.name,
        applicant.representative,
        applicant.tax_code,
        applicant.registration_number,
        applicant.phone,
        applicant.address,
        applicant.sector,
    )
    applicant.search_text = f"{applicant.search_text} {_kind_words(applicant.kind)}".strip()
    applicant.sort_key = sort_key(applicant.name)
    return applicant


def _check_duplicates(applicant):
    """Same tax code or registration number: refused. Same name in the same commune: flagged."""
    others = Applicant.objects.exclude(pk=applicant.pk)
    errors = {}
    if applicant.tax_code and others.filter(tax_code=applicant.tax_code).exists():
        errors["tax_code"] = [_("Mã số thuế này đã được đăng ký.") + " " + CONTACT_DEPARTMENT]
    if (
        applicant.registration_number
        and others.filter(registration_number=applicant.registration_number).exists()
    ):
        errors["registration_number"] = [_("Số đăng ký này đã được đăng ký.") + " " + CONTACT_DEPARTMENT]
    if errors:
        raise ValidationError(errors)
    folded = fold(applicant.name)
    applicant.possible_duplicate = any(
        fold(name) == folded
        for name in others.filter(commune_id=applicant.commune_id).values_list("name", flat=True)
    )


def _save_artisan_title(applicant, title):
    if applicant.kind != Applicant.Kind.ARTISAN or not title or not title.get("title"):
        return
    item = ArtisanTitle(
        applicant=applicant,
        title=title["title"],
        year=title.get("year"),
        craft=clean_text(title.get("craft")),
        decision=clean_text(title.get("decision")),
    )
    item.full_clean()
    item.save()


@transaction.atomic
def applicant_register(*, applicant: Applicant, password: str, consent: bool, artisan_title=None):
    """Self-registration (phone first, email optional): the account and the profile in one step.
    The account works at once; the profile waits for verification. Consent to the privacy notice
    is required (Nghị định 13/2023/NĐ-CP Điều 11)."""
    if not consent:
        raise ValidationError(
            {"consent": [_("Bạn cần đồng ý với thông báo xử lý dữ liệu cá nhân để đăng ký.")]}
        )
    applicant_prepare(applicant)
    _check_duplicates(applicant)
    user = account_create(
        full_name=applicant.representative,
        phone=applicant.phone,
        email=applicant.email,
        password=password,
        roles=[Role.APPLICANT],
    )
    applicant.owner = user
    applicant.created_by = user
    applicant.privacy_consent_at = timezone.now()
    applicant.verification_status = Applicant.Verification.PENDING
    applicant.full_clean()
    applicant.save()
    applicant.members.add(user)
    _save_artisan_title(applicant, artisan_title)
    ApplicantReview.objects.create(
        applicant=applicant, decision=ApplicantReview.Decision.SUBMITTED, actor=user
    )
    notify(
        recipients=_staff_users(),
        event=Event.APPLICANT_REGISTERED,
        title=_("Cơ sở đăng ký mới: %(name)s") % {"name": applicant.name},
        body=_("Hồ sơ đang chờ xác minh."),
        url=reverse("applicants:detail", args=[applicant.pk]),
        email=False,
    )
    return applicant, user


@dataclass
class StaffEntry:
    applicant: Applicant
    user: User | None
    password: str


@transaction.atomic
def applicant_enter_paper_dossier(*, actor, applicant: Applicant, create_account: bool, artisan_title=None):
    """Staff enter a paper dossier on an applicant's behalf: marked as entered by staff, verified
    by the staff member who checked the papers, and (when asked) given an account with a one-time
    password that the person must change at first sign-in."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới nhập được hồ sơ giấy."))
    applicant_prepare(applicant)
    _check_duplicates(applicant)
    password = ""
    user = None
    if create_account:
        if not applicant.phone and not applicant.email:
            raise ValidationError({"phone": [_("Cần số điện thoại hoặc email để tạo tài khoản.")]})
        password = temporary_password_generate()
        user = account_create(
            full_name=applicant.representative,
            phone=applicant.phone,
            email=applicant.email,
            password=password,
            must_change_password=True,
            roles=[Role.APPLICANT],
        )
    applicant.owner = user
    applicant.entered_by_staff = True
    applicant.created_by = actor
    applicant.verification_status = Applicant.Verification.VERIFIED
    applicant.full_clean()
    applicant.save()
    if user:
        applicant.members.add(user)
    _save_artisan_title(applicant, artisan_title)
    ApplicantReview.objects.create(
        applicant=applicant,
        decision=ApplicantReview.Decision.VERIFIED,
        actor=actor,
        reason=_("Hồ sơ giấy do cán bộ nhập và đối chiếu."),
    )
    if user:
        notify(
            recipients=[user],
            event=Event.ACCOUNT_CREATED,
            title=_("Tài khoản của %(name)s đã được tạo") % {"name": applicant.name},
            body=_("Cán bộ Sở Công Thương đã nhập hồ sơ của cơ sở và tạo tài khoản cho bạn."),
            url=reverse("applicants:my_profile"),
        )
    return StaffEntry(applicant=applicant, user=user, password=password)


@transaction.atomic
def applicant_update(*, applicant: Applicant, actor, data: dict, expected_version):
    """Edit a profile. Once verified, identity fields (kind, name, tax code, registration number,
    representative) change only through staff. An applicant who edits after being asked for changes
    sends the profile back to the queue."""
    staff = is_staff_like(actor)
    # Compare with the stored row: a bound ModelForm has already written its values on `applicant`.
    applicant = Applicant.objects.get(pk=applicant.pk)
    if not staff and applicant.verification_status == Applicant.Verification.REJECTED:
        raise ValidationError(_("Hồ sơ đã bị từ chối, không sửa được. Vui lòng liên hệ Sở Công Thương."))
    data = {name: (normalize_tax_code(v) or None) if name == "tax_code" else v for name, v in data.items()}
    changed = [name for name, value in data.items() if getattr(applicant, name) != value]
    locked = [n for n in changed if n in Applicant.IDENTITY_FIELDS]
    if applicant.is_verified and not staff and locked:
        labels = ", ".join(str(Applicant._meta.get_field(n).verbose_name) for n in locked)
        raise ValidationError(
            _("Hồ sơ đã được xác minh: chỉ cán bộ Sở mới sửa được %(fields)s.") % {"fields": labels}
        )
    for name, value in data.items():
        setattr(applicant, name, value)
    applicant_prepare(applicant)
    if {"tax_code", "registration_number", "name", "commune"} & set(changed):
        _check_duplicates(applicant)
    fields = list(data) + ["search_text", "sort_key", "possible_duplicate", "phone", "email", "tax_code"]
    if not staff and applicant.verification_status == Applicant.Verification.CHANGES_REQUESTED:
        applicant.verification_status = Applicant.Verification.PENDING
        fields.append("verification_status")
        ApplicantReview.objects.create(
            applicant=applicant, decision=ApplicantReview.Decision.RESUBMITTED, actor=actor
        )
    elif staff and locked:
        ApplicantReview.objects.create(
            applicant=applicant,
            decision=ApplicantReview.Decision.EDITED_BY_STAFF,
            actor=actor,
            reason=", ".join(locked),
        )
    applicant.full_clean()
    fields = list(dict.fromkeys(fields))
    try:
        save_versioned(applicant, expected_version=expected_version, fields=fields)
    except IntegrityError:
        raise ValidationError(
            _("Mã số thuế hoặc số đăng ký đã được đăng ký.") + " " + CONTACT_DEPARTMENT
        ) from None
    return applicant


@dataclass
class MemberAdded:
    user: User
    password: str  # a one-time password when the account was created here, else ""


def _may_manage_members(actor, applicant):
    return is_staff_like(actor) or (applicant.owner_id is not None and applicant.owner_id == actor.pk)


@transaction.atomic
def applicant_member_add(*, applicant: Applicant, actor, contact: str, full_name: str = ""):
    """The owner (or staff) adds a member account by phone or email (design: an applicant may have
    several member accounts, one the owner). An existing account is added as it is; otherwise an
    account is created with a one-time password that must be changed at first sign-in."""
    if not _may_manage_members(actor, applicant):
        raise ValidationError(_("Chỉ tài khoản chủ của cơ sở hoặc cán bộ Sở mới thêm được thành viên."))
    contact = clean_text(contact)
    if not contact:
        raise ValidationError({"contact": [_("Vui lòng nhập số điện thoại hoặc email.")]})
    if "@" in contact:
        email, phone = contact.lower(), ""
        user = User.objects.filter(email__iexact=email).first()
    else:
        try:
            validate_phone(contact)
        except ValidationError as error:
            raise ValidationError({"contact": error.messages}) from None
        email, phone = "", normalize_phone(contact)
        user = User.objects.filter(phone=phone).first()
    password = ""
    if user is not None:
        if user.pk == applicant.owner_id or applicant.members.filter(pk=user.pk).exists():
            raise ValidationError({"contact": [_("Tài khoản này đã là thành viên của cơ sở.")]})
        if not user.is_active:
            raise ValidationError(
                {"contact": [_("Tài khoản này đang bị khóa. Vui lòng liên hệ Sở Công Thương.")]}
            )
    else:
        full_name = clean_text(full_name)
        if not full_name:
            raise ValidationError(
                {
                    "full_name": [
                        _("Chưa có tài khoản với số điện thoại, email này: hãy nhập họ và tên để tạo.")
                    ]
                }
            )
        password = temporary_password_generate()
        user = account_create(
            full_name=full_name, phone=phone, email=email, password=password, must_change_password=True
        )
    grant_roles(user, Role.APPLICANT)
    applicant.members.add(user)
    notify(
        recipients=[user],
        event=Event.APPLICANT_MEMBER_ADDED,
        title=_("Bạn được thêm làm thành viên của %(name)s") % {"name": applicant.name},
        body=_("Bạn xem và gửi được hồ sơ, đề nghị hỗ trợ của cơ sở này."),
        url=reverse("applicants:my_profile"),
    )
    return MemberAdded(user=user, password=password)


@transaction.atomic
def applicant_member_remove(*, applicant: Applicant, actor, user_id: int):
    """The owner (or staff) removes a member, or a member leaves (someone added by mistake, or
    without wanting it, is not stuck); the owner account itself stays."""
    if user_id != actor.pk and not _may_manage_members(actor, applicant):
        raise ValidationError(_("Chỉ tài khoản chủ của cơ sở hoặc cán bộ Sở mới bớt được thành viên."))
    if user_id == applicant.owner_id:
        raise ValidationError(_("Không bớt được tài khoản chủ của cơ sở."))
    member = applicant.members.filter(pk=user_id).first()
    if member is None:
        raise ValidationError(_("Tài khoản này không phải thành viên của cơ sở."))
    applicant.members.remove(member)
    return member


REVIEW_EVENTS = {
    ApplicantReview.Decision.VERIFIED: (Applicant.Verification.VERIFIED, Event.APPLICANT_VERIFIED),
    ApplicantReview.Decision.REJECTED: (Applicant.Verification.REJECTED, Event.APPLICANT_REJECTED),
    ApplicantReview.Decision.CHANGES_REQUESTED: (
        Applicant.Verification.CHANGES_REQUESTED,
        Event.APPLICANT_CHANGES_REQUESTED,
    ),
}


@transaction.atomic
def applicant_review(*, applicant: Applicant, actor, decision: str, reason: str = ""):
    """Staff verify a profile, reject it with a reason, or ask for changes with a reason. Every
    decision is a history row; the applicant's people are told in the portal and by email."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới xác minh được hồ sơ."))
    if decision not in REVIEW_EVENTS:
        raise ValidationError(_("Quyết định không hợp lệ."))
    reason = clean_text(reason)
    if decision != ApplicantReview.Decision.VERIFIED and not reason:
        raise ValidationError({"reason": [_("Vui lòng ghi lý do để cơ sở biết cần làm gì.")]})
    applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
    if applicant.verification_status != Applicant.Verification.PENDING and not (
        applicant.verification_status == Applicant.Verification.CHANGES_REQUESTED
        and decision != ApplicantReview.Decision.CHANGES_REQUESTED
    ):
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không xử lý được bước này.")
            % {"status": applicant.get_verification_status_display()}
        )
    status, event = REVIEW_EVENTS[decision]
    applicant.verification_status = status
    applicant.save(update_fields=["verification_status", "updated_at"])
    review = ApplicantReview.objects.create(
        applicant=applicant, decision=decision, actor=actor, reason=reason
    )
    titles = {
        ApplicantReview.Decision.VERIFIED: _("Hồ sơ cơ sở %(name)s đã được xác minh"),
        ApplicantReview.Decision.REJECTED: _("Hồ sơ cơ sở %(name)s không được xác minh"),
        ApplicantReview.Decision.CHANGES_REQUESTED: _("Hồ sơ cơ sở %(name)s cần bổ sung"),
    }
    notify(
        recipients=applicant.users(),
        event=event,
        title=titles[decision] % {"name": applicant.name},
        body=reason,
        url=reverse("applicants:my_profile"),
    )
    return review


# --- Support requests --------------------------------------------------------------------------


@dataclass(frozen=True)
class Ceiling:
    rule: object
    fund: str
    amount: int | None  # None: no bound on this rule for the cost given

    @property
    def legal_basis(self):
        return self.rule.legal_basis


def ceilings_for(*, activity, variant, cost, on_date=None, units=1):
    """The support ceilings in force for an activity (and variant) under KCĐP and KCQG:
    min(cap × units, max % × cost) per rule (TT 28/2018/TT-BTC as amended by TT 64/2024/TT-BTC)."""
    on_date = on_date or timezone.localdate()
    result = []
    for code in (FundingSource.KCDP, FundingSource.KCQG):
        fund = FundingSource.objects.filter(code=code).first()
        if fund is None:
            continue
        rule = rule_in_force(activity=activity, variant=variant, funding_source=fund, on_date=on_date)
        if rule is None:
            continue
        amount, _how = support_limit(rule, cost=cost, units=units)
        result.append(Ceiling(rule=rule, fund=fund.short_name or fund.code, amount=amount))
    return result


def check_ceiling(*, activity, variant, cost, support, on_date=None):
    """Refuse `support` above every ceiling in force (with the reason and legal basis). Returns the
    ceilings; an empty list means no rule is configured (the form warns, the request is allowed)."""
    ceilings = ceilings_for(activity=activity, variant=variant, cost=cost, on_date=on_date)
    bounded = [c for c in ceilings if c.amount is not None]
    if bounded and len(bounded) == len(ceilings):
        best = max(bounded, key=lambda c: c.amount)
        if support > best.amount:
            raise ValidationError(
                _(
                    "Kinh phí đề nghị hỗ trợ %(support)s đồng vượt mức tối đa %(cap)s đồng "
                    "(nguồn %(fund)s: %(rule)s; căn cứ %(basis)s)."
                )
                % {
                    "support": group(support),
                    "cap": group(best.amount),
                    "fund": best.fund,
                    "rule": _describe(best.rule),
                    "basis": best.rule.legal_basis,
                },
                code="above_ceiling",
            )
    return ceilings


def _describe(rule):
    parts = []
    if rule.max_percent is not None:
        parts.append(_("tối đa %(p)s%% chi phí") % {"p": f"{rule.max_percent.normalize():f}"})
    if rule.cap_vnd is not None:
        parts.append(_("không quá %(cap)s đồng") % {"cap": f"{rule.cap_vnd:,}".replace(",", ".")})
    return ", ".join(parts)


# from status -> {action: (to status, event, reason required)}
TRIAGE = {
    SupportRequest.Status.SUBMITTED: {
        "accept": (SupportRequest.Status.ACCEPTED, Event.REQUEST_ACCEPTED, False),
        "decline": (SupportRequest.Status.DECLINED, Event.REQUEST_DECLINED, True),
        "return": (SupportRequest.Status.RETURNED, Event.REQUEST_RETURNED, True),
    },
}
EDITABLE = (SupportRequest.Status.DRAFT, SupportRequest.Status.RETURNED)
REQUEST_FIELDS = ("year", "activity", "variant", "title", "description", "estimated_cost", "counterpart")


def next_tracking_code(year):
    """The next free code of `year`: YC-<year>-<6 digits>."""
    prefix = f"YC-{year}-"
    last = (
        SupportRequest.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{number:06d}"


def _assign_code(request, attempts=20):
    """Give `request` a tracking code. The unique constraint decides between two submissions at
    the same moment: the loser retries with the next number."""
    year = timezone.localdate().year
    for _attempt in range(attempts):
        request.code = next_tracking_code(year)
        try:
            with transaction.atomic():
                SupportRequest.objects.filter(pk=request.pk).update(code=request.code)
            return request.code
        except IntegrityError:
            continue
    raise ValidationError(_("Hệ thống đang bận, chưa cấp được mã theo dõi. Vui lòng gửi lại."))


def _request_clean(request):
    request.title = clean_text(request.title)
    request.description = nfc(request.description or "").strip()
    errors = {}
    if request.variant_id and request.activity_id and request.variant.activity_id != request.activity_id:
        errors["variant"] = [_("Trường hợp này không thuộc hoạt động đã chọn.")]
    if request.estimated_cost is not None and request.counterpart is not None:
        if request.counterpart > request.estimated_cost:
            errors["counterpart"] = [_("Vốn đối ứng không được lớn hơn tổng kinh phí dự kiến.")]
        else:
            # What the state is asked for is the rest of the cost.
            request.requested_support = request.estimated_cost - request.counterpart
    if errors:
        raise ValidationError(errors)
    request.search_text = search_text(
        request.code, request.title, request.applicant.name, request.applicant.tax_code, request.activity.code
    )


def _event(request, *, from_status, actor, comment=""):
    SupportRequestEvent.objects.create(
        request=request, from_status=from_status, to_status=request.status, actor=actor, comment=comment
    )


def _submit(request, *, actor, from_status):
    if not request.applicant.is_verified:
        raise ValidationError(_("Hồ sơ cơ sở chưa được xác minh nên chưa gửi được đề nghị hỗ trợ."))
    check_ceiling(
        activity=request.activity,
        variant=request.variant,
        cost=request.estimated_cost,
        support=request.requested_support,
    )
    request.status = SupportRequest.Status.SUBMITTED
    request.submitted_at = timezone.now()
    if not request.code:
        _assign_code(request)
    SupportRequest.objects.filter(pk=request.pk).update(
        status=request.status, submitted_at=request.submitted_at, code=request.code
    )
    _request_clean(request)
    SupportRequest.objects.filter(pk=request.pk).update(search_text=request.search_text)
    _event(request, from_status=from_status, actor=actor)
    notify(
        recipients=_staff_users(),
        event=Event.REQUEST_SUBMITTED,
        title=_("Đề nghị hỗ trợ %(code)s của %(name)s")
        % {"code": request.code, "name": request.applicant.name},
        body=request.title,
        url=reverse("applicants:request_detail", args=[request.pk]),
        email=False,
    )


@transaction.atomic
def support_request_create(*, applicant: Applicant, actor, data: dict, submit: bool):
    """A new request (a draft, or submitted at once). Staff may enter one from a paper dossier."""
    staff = is_staff_like(actor)
    if not staff and not applicant.is_verified:
        raise ValidationError(_("Hồ sơ cơ sở chưa được xác minh nên chưa gửi được đề nghị hỗ trợ."))
    request = SupportRequest(applicant=applicant, created_by=actor, entered_by_staff=staff, **data)
    _request_clean(request)
    request.full_clean(exclude=["code"])
    request.status = SupportRequest.Status.DRAFT
    if submit:
        check_ceiling(
            activity=request.activity,
            variant=request.variant,
            cost=request.estimated_cost,
            support=request.requested_support,
        )
    request.save()
    _event(request, from_status="", actor=actor, comment=_("Tạo đề nghị"))
    if submit:
        _submit(request, actor=actor, from_status=SupportRequest.Status.DRAFT)
    return request


@transaction.atomic
def support_request_update(*, request: SupportRequest, actor, data: dict, expected_version, submit: bool):
    """Edit a draft or a returned request; `submit` sends (or resends) it."""
    if request.status not in EDITABLE:
        raise ValidationError(_("Đề nghị đã gửi, không sửa được nữa."))
    for name, value in data.items():
        setattr(request, name, value)
    _request_clean(request)
    request.full_clean(exclude=["code"])
    if submit:
        check_ceiling(
            activity=request.activity,
            variant=request.variant,
            cost=request.estimated_cost,
            support=request.requested_support,
        )
    save_versioned(
        request, expected_version=expected_version, fields=list(data) + ["search_text", "requested_support"]
    )
    if submit:
        _submit(request, actor=actor, from_status=request.status)
    return request


@transaction.atomic
def support_request_triage(*, request: SupportRequest, actor, action: str, reason: str = ""):
    """Staff accept a submitted request (it may then become a project), decline it with a reason,
    or return it for more information (the applicant edits and resubmits). Each step is history."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới xử lý được đề nghị."))
    request = SupportRequest.objects.select_for_update().select_related("applicant").get(pk=request.pk)
    step = TRIAGE.get(request.status, {}).get(action)
    if step is None:
        raise ValidationError(
            _("Đề nghị đang ở trạng thái “%(status)s”, không thực hiện được bước này.")
            % {"status": request.get_status_display()}
        )
    to_status, event, needs_reason = step
    reason = (reason or "").strip()
    if needs_reason and not reason:
        raise ValidationError({"reason": [_("Vui lòng ghi lý do.")]})
    from_status = request.status
    request.status = to_status
    request.version += 1
    request.save(update_fields=["status", "version", "updated_at"])
    _event(request, from_status=from_status, actor=actor, comment=reason)
    notify(
        recipients=request.applicant.users(),
        event=event,
        title=_("Đề nghị %(code)s: %(status)s")
        % {"code": request.code, "status": request.get_status_display()},
        body=reason,
        url=reverse("applicants:request_detail", args=[request.pk]),
    )
    return request
