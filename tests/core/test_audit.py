"""The audit trail's selector (core.audit): who changed what and when, from → to as users read it,
personal data masked for whoever may not see it, the rows an UPDATE writes, and a number of queries
that does not grow with the number of changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from applicants import services as applicant_services
from applicants.models import Applicant
from core import audit
from core.concurrency import save_versioned
from programmes import plans
from projects import services as project_services
from tests.factories import ApplicantFactory, UserFactory, commune
from tests.programmes.test_plans import approved_plan, item_data
from tests.projects.utils import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(roles=[Role.STAFF], full_name="Phạm Thị Mai")


@pytest.fixture
def leader():
    return UserFactory(roles=[Role.LEADER])


def _edit(applicant, actor, **data):
    fresh = Applicant.objects.get(pk=applicant.pk)
    return applicant_services.applicant_update(
        applicant=fresh, actor=actor, data=data, expected_version=fresh.version
    )


def _changes(row):
    return {c.label: (c.old, c.new) for c in row.changes}


def test_an_edit_through_save_versioned_is_recorded_with_who_and_what(staff):
    """applicant_update writes with QuerySet.update() (save_versioned): its row is still written."""
    applicant = ApplicantFactory(revenue_vnd=1_000_000, phone="0912345678")
    _edit(applicant, staff, revenue_vnd=1_500_000_000, phone="0987654321", commune=commune("12364"))
    rows, more = audit.audit_rows(applicant.history.all(), sees_personal=True)
    assert not more
    assert [r.action for r in rows] == ["~", "+"]
    latest = rows[0]
    assert latest.who == "Phạm Thị Mai"
    changes = _changes(latest)
    assert changes["doanh thu năm (đồng)"] == ("1.000.000 đ", "1.500.000.000 đ")
    assert changes["số điện thoại"] == ("0912345678", "0987654321")
    old_commune, new_commune = changes["xã, phường"]
    assert "Phố Hiến" in old_commune and new_commune != old_commune and not new_commune.startswith("#")
    # bookkeeping columns are not changes
    assert "version" not in changes and "cập nhật" not in changes


def test_an_update_without_the_recording_leaves_no_row_and_record_history_adds_it(staff):
    applicant = ApplicantFactory()
    Applicant.objects.filter(pk=applicant.pk).update(name="Tên đổi bằng UPDATE")
    assert applicant.history.count() == 1  # simple-history does not see an UPDATE
    applicant.refresh_from_db()
    audit.record_history(applicant, user=staff, reason="Sửa theo hồ sơ giấy")
    rows, _more = audit.audit_rows(applicant.history.all(), sees_personal=True)
    assert rows[0].reason == "Sửa theo hồ sơ giấy" and rows[0].who == "Phạm Thị Mai"
    assert _changes(rows[0])["tên cơ sở"][1] == "Tên đổi bằng UPDATE"


def test_save_versioned_records_the_row_as_the_database_has_it(staff):
    """The instance in hand may hold an older value of a column the update leaves alone: the row
    is read back, so no phantom change appears."""
    applicant = ApplicantFactory(name="Tên cũ")
    stale = Applicant.objects.get(pk=applicant.pk)
    Applicant.objects.filter(pk=applicant.pk).update(sector="Mây tre đan")
    stale.name = "Tên mới"
    save_versioned(stale, expected_version=stale.version, fields=["name"], user=staff)
    rows, _more = audit.audit_rows(applicant.history.all(), sees_personal=True)
    assert rows[0].who == "Phạm Thị Mai"
    assert _changes(rows[0]) == {
        "tên cơ sở": ("Tên cũ", "Tên mới"),
        "ngành nghề sản xuất": ("—", "Mây tre đan"),
    }


def test_personal_data_is_masked_for_whoever_may_not_see_it(staff):
    applicant = ApplicantFactory(tax_code="034085001234", phone="0912345678", address="Thôn 1")
    _edit(applicant, staff, tax_code="034085009999", phone="0987654321", address="Thôn 2", name="Tên mới")
    hidden = _changes(audit.audit_rows(applicant.history.all(), sees_personal=False)[0][0])
    assert hidden["mã số thuế"] == (audit.MASK, audit.MASK)
    assert hidden["số điện thoại"] == (audit.MASK, audit.MASK)
    assert hidden["địa chỉ"] == (audit.MASK, audit.MASK)
    assert hidden["tên cơ sở"][1] == "Tên mới"
    shown = _changes(audit.audit_rows(applicant.history.all(), sees_personal=True)[0][0])
    assert shown["mã số thuế"] == ("034085001234", "034085009999")
    assert shown["số điện thoại"] == ("0912345678", "0987654321")


def test_an_enterprise_tax_code_is_not_personal_data(staff):
    applicant = ApplicantFactory(kind="sme", tax_code=None)
    _edit(applicant, staff, tax_code="0100109106")
    hidden = _changes(audit.audit_rows(applicant.history.all(), sees_personal=False)[0][0])
    assert hidden["mã số thuế"] == ("—", "0100109106")


def test_a_workflow_step_gives_its_label_and_user_and_choice_labels_and_dates_are_shown(staff, leader):
    plan = approved_plan(staff, leader)
    rows, _more = audit.audit_rows(*audit.histories_of(plan), sees_personal=True)
    approve = next(r for r in rows if r.reason == "Ghi quyết định phê duyệt")
    assert approve.who == leader.full_name
    changes = _changes(approve)
    assert changes["trạng thái"] == ("Đã trình", "Đã phê duyệt")
    assert changes["ngày quyết định phê duyệt"] == ("—", "20/12/2025")
    # the plan's items are on the same trail, named by their line
    item_rows = [r for r in rows if r.subject]
    assert item_rows and item_rows[-1].subject == "mục kế hoạch 1" and item_rows[-1].action == "+"
    assert rows[-1].action == "+" and rows[-1].who == "Phạm Thị Mai"  # the plan, created by staff


def test_a_project_edit_by_staff_is_recorded_with_the_user(staff):
    project = make_project(staff, title="Tên cũ")
    project_services.project_update(
        user=staff,
        project=project,
        expected_version=project.version,
        data={"title": "Tên mới"},
        lines={"KCQG": 300_000_000, "DOI_UNG": 300_000_000},
    )
    rows, _more = audit.audit_rows(project.history.all(), sees_personal=True)
    assert rows[0].who == "Phạm Thị Mai"
    assert _changes(rows[0])["tên đề án"] == ("Tên cũ", "Tên mới")


def _count_queries(histories):
    with CaptureQueriesContext(connection) as queries:
        audit.audit_rows(*histories, sees_personal=True)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_changes(staff, leader):
    plan = plans.plan_create(
        user=staff, year=2027, funding_source=approved_plan(staff, leader).funding_source
    )
    item = plans.plan_item_save(user=staff, plan=plan, data=item_data())
    plans.plan_item_save(user=staff, plan=plan, item=item, data=item_data(support=999))
    few = _count_queries(audit.histories_of(plan))  # one change
    for n in range(29):
        plans.plan_item_save(user=staff, plan=plan, item=item, data=item_data(support=1_000_000 + n))
    many = _count_queries(audit.histories_of(plan))
    assert few == many
    rows, _more = audit.audit_rows(*audit.histories_of(plan), sees_personal=True)
    assert len(rows) == 32  # the plan and its item created, 30 changes


def test_the_trail_keeps_the_latest_and_says_there_are_more(staff):
    applicant = ApplicantFactory()
    for n in range(5):
        _edit(applicant, staff, sector=f"Ngành {n}")
    rows, more = audit.audit_rows(applicant.history.all(), sees_personal=True, limit=3)
    assert more and len(rows) == 3
    assert _changes(rows[0])["ngành nghề sản xuất"] == ("Ngành 3", "Ngành 4")
    # the oldest row shown is still compared with the row before it (outside the window)
    assert _changes(rows[2])["ngành nghề sản xuất"] == ("Ngành 1", "Ngành 2")


def test_a_changed_foreign_key_is_labelled_in_one_query_whatever_the_number_of_values(staff, leader):
    """A đề án moved between plan items: the items' labels (whose __str__ reads their activity and
    variant) come in one query, not one per item."""
    from projects.services.plans import project_plan_item_set
    from tests.programmes.test_plans import DECISION, kcqg

    plan = plans.plan_create(user=staff, year=2026, funding_source=kcqg())
    items = [plans.plan_item_save(user=staff, plan=plan, data=item_data()) for _n in range(4)]
    plans.plan_transition(user=staff, plan=plan, step="submit")
    plans.plan_transition(user=leader, plan=plan, step="approve", data=DECISION)
    project = make_project(staff)

    def count():
        with CaptureQueriesContext(connection) as queries:
            rows, _more = audit.audit_rows(project.history.all(), sees_personal=True)
        return len(queries), rows

    project_plan_item_set(user=staff, project=project, item=items[0])
    project_plan_item_set(user=staff, project=project, item=items[1])
    few, _rows = count()
    for item in items[2:]:
        project_plan_item_set(user=staff, project=project, item=item)
    many, rows = count()
    assert few == many
    assert _changes(rows[0])["mục kế hoạch"] == (str(items[2]), str(items[3]))
    assert "2b" in str(items[3])


def test_every_field_the_trail_can_show_has_a_vietnamese_label():
    """The trail labels a change by the field's verbose_name: a field left without one shows
    Django's English default ("Current budget: — → DA-2026-KCQG-003 v1" on a đề án's trail)."""
    from django.apps import apps

    untranslated = []
    for model in apps.get_models():
        if not audit.has_history(model):
            continue
        history = getattr(model, model._meta.simple_history_manager_attribute).model
        for f in audit._tracked(history):
            if type(f.verbose_name) is str:  # Django's default, the field's name; ours are gettext_lazy
                untranslated.append(f"{model._meta.label}.{f.name}")
    assert untranslated == [], untranslated
