"""Reminders of the unit reports (issue 11, item 6): the members of expected, non-excused units that
have not submitted are told at the period's offsets (7, 3, 1 days before the deadline and the day
after), in the bell and by e-mail where they have one, exactly once even when the job runs twice;
the Sở officers get a daily digest in the last week. Frozen time with the server's clock in UTC and
the days in Asia/Ho_Chi_Minh."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.models import Notification
from accounts.notifications import Event
from core.models import EmailDelivery
from khuyencong.celery import app
from programmes.models import ReportingUnit
from reports import reminders, services
from reports.models import ExpectedUnit, UnitReport
from reports.tasks import remind_unit_reports
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
PHO_HIEN, TIEN_LU, OTHER, EXCUSED = "11953", "12364", "12391", "12184"


def at(day, hour=7, minute=0, second=0):
    return datetime.datetime(2026, 12, day, hour, minute, second, tzinfo=HCM)


@pytest.fixture(autouse=True)
def server_clock_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock():
    with time_machine.travel(at(2, 10), tick=False) as traveller:
        yield traveller


def unit(code):
    return ReportingUnit.objects.get(commune__code=code)


@pytest.fixture
def people(clock, staff):
    """Phố Hiến: an official with e-mail, one without, one inactive; Tiên Lữ's official (his unit
    submits); an excused unit's official; a unit with no members at all."""
    with_email = UserFactory(roles=["unit_reporter"], email="phohien@example.test")
    no_email = UserFactory(roles=["unit_reporter"], email=None)
    gone = UserFactory(roles=["unit_reporter"], email="gone@example.test", is_active=False)
    unit(PHO_HIEN).members.add(with_email, no_email, gone)
    submitter = UserFactory(roles=["unit_reporter"], email="tienlu@example.test")
    unit(TIEN_LU).members.add(submitter)
    excused = UserFactory(roles=["unit_reporter"], email="excused@example.test")
    unit(EXCUSED).members.add(excused)
    period = services.period_open(user=staff, year=2026)
    services.expected_unit_excuse(user=staff, period=period, unit=unit(EXCUSED), reason="Sáp nhập")
    report = UnitReport.objects.get(period=period, unit=unit(TIEN_LU))
    UnitReport.objects.filter(pk=report.pk).update(
        status=UnitReport.Status.SUBMITTED, first_submitted_at=at(3), submitted_at=at(3)
    )
    return {
        "period": period,
        "with_email": with_email,
        "no_email": no_email,
        "gone": gone,
        "submitter": submitter,
        "excused": excused,
        "staff": staff,
    }


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return remind_unit_reports.delay().get()


def test_the_reminders_are_declared_in_the_beat_schedule_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-unit-reports"]
    assert entry["task"] == "reports.tasks.remind_unit_reports" and entry["task"] in app.tasks
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_seven_days_before_the_right_people_are_told_exactly_once_when_the_job_runs_twice(
    people, clock, django_capture_on_commit_callbacks
):
    clock.move_to(at(15, 7))  # 15/12 07:00 in Hưng Yên is 15/12 00:00 UTC
    first = run(django_capture_on_commit_callbacks)
    second = run(django_capture_on_commit_callbacks)  # a second beat, or a retried task
    assert first["reminders"] >= 1 and second["reminders"] == first["reminders"]
    report = UnitReport.objects.get(period=people["period"], unit=unit(PHO_HIEN))
    rows = Notification.objects.filter(event=Event.REPORT_REMINDER, recipient__in=[people["with_email"]])
    assert rows.count() == 1
    row = rows.get()
    assert row.url == f"/bao-cao/don-vi/{report.pk}/"
    assert row.title == "Còn 7 ngày đến hạn gửi báo cáo năm 2026"
    assert "23:59 22/12/2026" in row.body
    told = set(Notification.objects.filter(event=Event.REPORT_REMINDER).values_list("recipient", flat=True))
    assert {people["with_email"].pk, people["no_email"].pk} <= told
    assert not told & {people["gone"].pk, people["submitter"].pk, people["excused"].pk, people["staff"].pk}
    # exactly one e-mail to the one Phố Hiến official with an address, none to the others
    assert [m.to for m in mail.outbox if "phohien" in m.to[0]] == [["phohien@example.test"]]
    addresses = {m.to[0] for m in mail.outbox}
    assert not addresses & {"tienlu@example.test", "excused@example.test", "gone@example.test"}
    assert len(mail.outbox) == len(addresses)  # nobody twice
    delivery = EmailDelivery.objects.get(address="phohien@example.test")
    assert delivery.status == "sent" and delivery.attempts == 1
    assert delivery.dedupe_key.endswith(
        f"unit-report:period:{people['period'].pk}:unit:{unit(PHO_HIEN).pk}:offset:7:2026-12-15"
    )
    message = next(m for m in mail.outbox if m.to == ["phohien@example.test"])
    assert message.subject == "Còn 7 ngày đến hạn gửi báo cáo năm 2026"
    assert f"/bao-cao/don-vi/{report.pk}/" in message.body and "UBND phường Phố Hiến" in message.body


def test_the_day_is_the_provinces_not_the_servers(people, clock, django_capture_on_commit_callbacks):
    """15/12 00:30 in Hưng Yên is still 14/12 in UTC: the reminder of 15/12 goes out; 14/12 23:30
    in Hưng Yên (already 14/12 16:30 UTC) is no reminder day."""
    clock.move_to(at(14, 23, 30))
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0, "digests": 0}
    assert Notification.objects.filter(event=Event.REPORT_REMINDER).count() == 0
    clock.move_to(at(15, 0, 30))
    assert run(django_capture_on_commit_callbacks)["reminders"] >= 1
    assert Notification.objects.filter(recipient=people["with_email"]).count() == 1


def test_each_offset_is_its_own_reminder_and_days_between_send_nothing(
    people, clock, django_capture_on_commit_callbacks
):
    user = people["with_email"]
    for day in (15, 16, 17, 18, 19, 20, 21, 22):
        clock.move_to(at(day, 8))
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
    titles = list(
        Notification.objects.filter(recipient=user, event=Event.REPORT_REMINDER)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )
    assert titles == [
        "Còn 7 ngày đến hạn gửi báo cáo năm 2026",
        "Còn 3 ngày đến hạn gửi báo cáo năm 2026",
        "Còn 1 ngày đến hạn gửi báo cáo năm 2026",
    ]
    assert [m.subject for m in mail.outbox if m.to == [user.email]] == titles


def test_the_day_after_the_deadline_the_units_still_missing_are_told_and_a_sent_report_stops_them(
    people, clock, django_capture_on_commit_callbacks
):
    clock.move_to(at(22, 23, 59, 59))
    run(django_capture_on_commit_callbacks)  # 22/12 is no reminder day by default
    assert Notification.objects.filter(recipient=people["with_email"]).count() == 0
    # another unit sends on the last evening: it is not told the day after
    other = UserFactory(roles=["unit_reporter"], email="other@example.test")
    unit(OTHER).members.add(other)
    UnitReport.objects.filter(period=people["period"], unit=unit(OTHER)).update(
        status=UnitReport.Status.SUBMITTED, first_submitted_at=at(22, 23), submitted_at=at(22, 23)
    )
    clock.move_to(at(23, 0, 0, 1))
    run(django_capture_on_commit_callbacks)
    run(django_capture_on_commit_callbacks)
    row = Notification.objects.get(recipient=people["with_email"])
    assert row.title == "Đã quá hạn gửi báo cáo năm 2026"
    assert Notification.objects.filter(recipient=people["no_email"]).count() == 1
    assert not Notification.objects.filter(recipient=other).exists()
    assert [m.to for m in mail.outbox if m.to[0] in ("phohien@example.test", "other@example.test")] == [
        ["phohien@example.test"]
    ]


def test_a_closed_period_reminds_nobody(people, clock, django_capture_on_commit_callbacks):
    services.period_close(user=people["staff"], period=people["period"])
    clock.move_to(at(23, 8))
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0, "digests": 0}
    assert not Notification.objects.filter(event=Event.REPORT_REMINDER).exists()
    assert mail.outbox == []


def test_the_staff_digest_goes_out_daily_in_the_last_week_once_a_day(
    people, clock, django_capture_on_commit_callbacks
):
    staff, leader = people["staff"], UserFactory(roles=["leader"])
    period = people["period"]
    expected = ExpectedUnit.objects.filter(period=period, excused=False).count()

    def digests(user):
        return Notification.objects.filter(recipient=user, url=f"/bao-cao/ky/{period.pk}/")

    clock.move_to(at(15, 7))  # eight days before the deadline's day: the reminders only
    assert run(django_capture_on_commit_callbacks)["digests"] == 0
    clock.move_to(at(16, 7))
    assert run(django_capture_on_commit_callbacks)["digests"] == 1
    run(django_capture_on_commit_callbacks)
    assert digests(staff).count() == 1
    row = digests(staff).get()
    assert row.title == f"Báo cáo năm 2026 ngày 16/12/2026: 1/{expected} đơn vị đã gửi"
    assert row.body == f"Đã gửi: 1; chưa gửi: {expected - 1}; còn 6 ngày đến hạn."
    message = next(m for m in mail.outbox if m.to == [staff.email])
    assert f"/bao-cao/ky/{period.pk}/" in message.body and f"Chưa gửi: {expected - 1}" in message.body
    assert [m.to for m in mail.outbox].count([staff.email]) == 1
    assert not digests(leader).exists()  # the officers' digest; leaders read the board
    for day in (17, 18, 19, 20, 21, 22):
        clock.move_to(at(day, 7))
        run(django_capture_on_commit_callbacks)
    clock.move_to(at(23, 7))
    assert run(django_capture_on_commit_callbacks)["digests"] == 0
    assert digests(staff).count() == 7
    assert [m.to for m in mail.outbox].count([staff.email]) == 7


def test_the_missing_units_take_a_bounded_number_of_queries(people, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        missing = reminders.units_missing(people["period"])
    units = {row.unit_id for row, _report in missing}
    assert unit(PHO_HIEN).pk in units
    assert unit(TIEN_LU).pk not in units and unit(EXCUSED).pk not in units
