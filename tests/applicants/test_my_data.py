"""The own-data download (NĐ 13/2023/NĐ-CP Điều 9, right of access) carries the privacy consents
(the notice version, when given, on paper or not, when withdrawn) and the declarations of no other
state support, in the JSON and in the XLSX, and nothing of anyone else's."""

import datetime
import io
import json

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from applicants.services.declarations import no_other_support_declare
from applicants.services.privacy import privacy_consent_give, privacy_consent_record, privacy_consent_withdraw
from programmes.models import ActivityType

pytestmark = pytest.mark.django_db

ZONE = datetime.timezone(datetime.timedelta(hours=7))
GIVEN = datetime.datetime(2026, 2, 3, 9, 0, tzinfo=ZONE)
WITHDRAWN = datetime.datetime(2026, 3, 4, 10, 0, tzinfo=ZONE)
GIVEN_AGAIN = datetime.datetime(2026, 4, 5, 11, 0, tzinfo=ZONE)
DECLARED = datetime.datetime(2026, 4, 6, 8, 30, tzinfo=ZONE)


@pytest.fixture
def history(people, own, other):
    """A consent given on paper by staff, withdrawn by the applicant, given again on the portal; a
    declaration for the own request; someone else's consent and declaration."""
    applicant, request = own
    user, staff = people["applicant"], people["staff"]
    activity = ActivityType.objects.get(programme__is_current=True, code="2b")
    with time_machine.travel(GIVEN, tick=False):
        privacy_consent_record(applicant=applicant, actor=staff, on_paper=True)
        privacy_consent_record(applicant=other[0], actor=staff, on_paper=True)
    with time_machine.travel(WITHDRAWN, tick=False):
        privacy_consent_withdraw(applicant=applicant, actor=user)
    with time_machine.travel(GIVEN_AGAIN, tick=False):
        privacy_consent_give(applicant=applicant, actor=user)
    with time_machine.travel(DECLARED, tick=False):
        no_other_support_declare(
            applicant=applicant, actor=user, year=2026, activity=activity, support_request=request
        )
        no_other_support_declare(applicant=other[0], actor=staff, year=2026, activity=activity, on_paper=True)
    return applicant, request


def _at(text):
    return datetime.datetime.fromisoformat(text)


def test_the_json_carries_consents_and_declarations(people, client_for, history):
    applicant, request = history
    payload = json.loads(client_for(people["applicant"]).get(reverse("applicants:my_data")).content)
    (mine,) = payload["applicants"]
    consents = mine["privacy_consents"]
    assert [c["notice_version"] for c in consents] == ["1.0", "1.0"]
    latest, first = consents
    assert _at(latest["given_at"]) == GIVEN_AGAIN and latest["withdrawn_at"] is None
    assert latest["on_paper"] is False
    assert _at(first["given_at"]) == GIVEN and _at(first["withdrawn_at"]) == WITHDRAWN
    assert first["on_paper"] is True
    assert first["notice_valid_from"]  # the notice's own date
    (declaration,) = mine["declarations"]
    assert declaration == {
        "year": 2026,
        "activity": declaration["activity"],
        "support_request": request.code,
        "statement": declaration["statement"],
        "on_paper": False,
        "declared_at": declaration["declared_at"],
    }
    assert _at(declaration["declared_at"]) == DECLARED
    assert declaration["activity"].startswith("2b") and "nhà nước" in declaration["statement"]


def test_the_xlsx_carries_consents_and_declarations(people, client_for, history, other):
    applicant, request = history
    response = client_for(people["applicant"]).get(reverse("applicants:my_data") + "?format=xlsx")
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()]
    section = f"Cơ sở: {applicant.name}"
    consents = [r for r in rows if r[0] == f"{section} — đồng ý xử lý dữ liệu cá nhân"]
    labels = {r[1] for r in consents}
    assert {"Phiên bản thông báo", "Đồng ý lúc", "Rút lại lúc", "Bằng giấy"} <= labels
    given = [r[2] for r in consents if r[1] == "Đồng ý lúc"]
    assert all(isinstance(v, datetime.datetime) for v in given) and len(given) == 2
    withdrawn = [r[2] for r in consents if r[1] == "Rút lại lúc"]
    assert withdrawn.count(None) == 1 and any(isinstance(v, datetime.datetime) for v in withdrawn)
    declarations = [r for r in rows if r[0] == f"{section} — cam kết không nhận hỗ trợ khác"]
    by_label = {r[1]: r[2] for r in declarations}
    assert by_label["Đề nghị hỗ trợ"] == request.code and by_label["Năm"] == 2026
    assert isinstance(by_label["Cam kết lúc"], datetime.datetime)
    assert by_label["Bằng giấy"] == "Không"
    assert not any(other[0].name in str(r[0]) for r in rows)
