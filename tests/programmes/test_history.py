"""The rule tables staff edit keep their history (django-simple-history): who changed a support
rule, an advance condition, a required document or the project rules, and when. Reloading the
same reference files adds no history row; a real change does."""

import datetime

import pytest
from django.forms.models import model_to_dict

from accounts.models import User
from programmes import reference
from programmes.models import SupportRule
from projects.models import AdvanceCondition, ProjectRules, RequiredDocument

pytestmark = pytest.mark.django_db


def _form_data(rule, **changes):
    """The admin change form as a browser posts it: dates dd/mm/yyyy, unticked boxes absent."""
    data = {}
    for name, value in {**model_to_dict(rule), **changes}.items():
        if value is False:
            continue
        if value is None:
            value = ""
        elif value is True:
            value = "on"
        elif isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        data[name] = value
    return data


def test_editing_a_support_rule_in_the_admin_records_who_did_it(client):
    admin = User.objects.create_superuser(email="root@example.test", password="x", full_name="Quản trị")
    client.force_login(admin)
    rule = SupportRule.objects.get(code="TT28_MACHINERY")
    before = rule.history.count()
    response = client.post(
        f"/quan-tri/programmes/supportrule/{rule.pk}/change/",
        _form_data(rule, note="Đã đối chiếu với TT 64/2024/TT-BTC."),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert rule.note == "Đã đối chiếu với TT 64/2024/TT-BTC."
    assert rule.history.count() == before + 1
    latest = rule.history.first()
    assert (latest.history_user, latest.history_type, latest.note) == (admin, "~", rule.note)
    assert latest.prev_record.note != rule.note
    page = client.get(f"/quan-tri/programmes/supportrule/{rule.pk}/history/")
    assert page.status_code == 200 and "Quản trị" in page.content.decode()


def test_reloading_the_same_files_adds_no_history_but_a_change_does():
    rule = SupportRule.objects.get(code="TT28_MACHINERY")
    before = SupportRule.history.count()
    reference.load_reference(log=lambda m: None)
    assert SupportRule.history.count() == before
    SupportRule.objects.filter(pk=rule.pk).update(cap_vnd=1)  # drifted from the file, no history
    reference.load_reference(log=lambda m: None)
    assert SupportRule.history.count() == before + 1
    latest = rule.history.first()
    assert (latest.cap_vnd, latest.history_change_reason, latest.history_user) == (
        300_000_000,
        "load_reference",
        None,
    )


@pytest.mark.parametrize("model", [AdvanceCondition, RequiredDocument])
def test_project_rule_tables_keep_history(model):
    row = model.objects.first()
    before = row.history.count()
    row.save()
    assert row.history.count() == before + 1


def test_project_rules_keep_history():
    rules = ProjectRules.current()
    rules.settlement_deadline_day = 20
    rules.save()
    assert rules.history.first().settlement_deadline_day == 20
