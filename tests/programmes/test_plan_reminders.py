"""Reminders of the KCQG plan calendar (issue 12, item 1): 14, 7 and 1 days before the dossiers of
next year's KCQG plan are due at the Sở (20/05) and at the ministry's department (15/06), every
active staff member is told in the bell and by e-mail, once even when the job runs twice, while
that plan is not submitted. Frozen time with the server's clock in UTC and the days in
Asia/Ho_Chi_Minh."""

import datetime
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import Notification
from accounts.notifications import Event
from core.models import EmailDelivery
from khuyencong.celery import app
from programmes import plans, reminders
from programmes.models import ActivityType, FundingSource, PlanCalendar, Programme
from programmes.tasks import remind_kcqg_plan
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(month, day, hour=7, minute=0, year=2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HCM)


@pytest.fixture(autouse=True)
def server_clock_in_utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def clock():
    with time_machine.travel(at(4, 1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def people(clock):
    return {
        "staff": UserFactory(roles=["staff"], email="canbo@example.test"),
        "no_email": UserFactory(roles=["staff"], email=None),
        "gone": UserFactory(roles=["staff"], email="gone@example.test", is_active=False),
        "leader": UserFactory(roles=["leader"], email="lanhdao@example.test"),
        "applicant": UserFactory(roles=["applicant"], email="coso@example.test"),
    }


def run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return remind_kcqg_plan.delay().get()


def told(user):
    return list(
        Notification.objects.filter(recipient=user, event=Event.PLAN_REMINDER)
        .order_by("created_at", "pk")
        .values_list("title", flat=True)
    )


def kcqg_plan(user, *, year=2027, submit=False, source="KCQG"):
    plan = plans.plan_create(user=user, year=year, funding_source=FundingSource.objects.get(code=source))
    plans.plan_item_save(
        user=user,
        plan=plan,
        data={
            "activity": ActivityType.objects.get(programme__is_current=True, code="2b"),
            "planned_support": 1,
        },
    )
    if submit:
        plans.plan_transition(user=user, plan=plan, step="submit")
    return plan


def test_the_reminders_are_declared_in_the_beat_schedule_daily_at_seven():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-kcqg-plan"]
    assert entry["task"] == "programmes.tasks.remind_kcqg_plan" and entry["task"] in app.tasks
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_fourteen_days_before_the_sos_deadline_staff_are_told_once_when_the_job_runs_twice(
    people, clock, django_capture_on_commit_callbacks
):
    clock.move_to(at(5, 6))  # 06/05 07:00 in Hưng Yên is 06/05 00:00 UTC: 14 days before 20/05
    assert run(django_capture_on_commit_callbacks) == {"reminders": 1}
    assert run(django_capture_on_commit_callbacks) == {"reminders": 1}  # a second beat, a retry
    title = "Còn 14 ngày đến hạn gửi hồ sơ kế hoạch KCQG về Sở Công Thương năm 2027 (20/05/2026)"
    assert told(people["staff"]) == [title] and told(people["no_email"]) == [title]
    for user in ("gone", "leader", "applicant"):
        assert told(people[user]) == [], user
    row = Notification.objects.get(recipient=people["staff"])
    assert row.url == "/chuong-trinh/ke-hoach/"  # no plan yet: the list, where it is created
    assert "chưa được trình" in row.body
    assert [m.to for m in mail.outbox] == [["canbo@example.test"]]
    assert mail.outbox[0].subject == title
    delivery = EmailDelivery.objects.get(address="canbo@example.test")
    assert delivery.dedupe_key.endswith("kcqg-plan:2027:province:offset:14")


def test_the_day_is_the_provinces_not_the_servers(people, clock, django_capture_on_commit_callbacks):
    """05/05 23:30 in Hưng Yên (16:30 UTC) is no reminder day; 06/05 00:30 there (still 05/05 in
    UTC) is."""
    clock.move_to(at(5, 5, 23, 30))
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0}
    clock.move_to(at(5, 6, 0, 30))
    assert run(django_capture_on_commit_callbacks) == {"reminders": 1}
    assert len(told(people["staff"])) == 1


def test_each_offset_of_each_deadline_is_its_own_reminder_and_days_between_send_nothing(
    people, clock, django_capture_on_commit_callbacks
):
    day = datetime.date(2026, 5, 1)
    while day <= datetime.date(2026, 6, 20):
        clock.move_to(at(day.month, day.day, 8))
        run(django_capture_on_commit_callbacks)
        run(django_capture_on_commit_callbacks)
        day += datetime.timedelta(days=1)
    sos, ministry = "về Sở Công Thương năm 2027 (20/05/2026)", "về Cục (Bộ Công Thương) năm 2027 (15/06/2026)"
    assert told(people["staff"]) == [
        f"Còn 14 ngày đến hạn gửi hồ sơ kế hoạch KCQG {sos}",
        f"Còn 7 ngày đến hạn gửi hồ sơ kế hoạch KCQG {sos}",
        f"Còn 1 ngày đến hạn gửi hồ sơ kế hoạch KCQG {sos}",
        f"Còn 14 ngày đến hạn gửi hồ sơ kế hoạch KCQG {ministry}",
        f"Còn 7 ngày đến hạn gửi hồ sơ kế hoạch KCQG {ministry}",
        f"Còn 1 ngày đến hạn gửi hồ sơ kế hoạch KCQG {ministry}",
    ]
    assert [m.subject for m in mail.outbox] == told(people["staff"])


def test_a_submitted_kcqg_plan_stops_the_reminders_a_draft_does_not(
    people, clock, django_capture_on_commit_callbacks
):
    draft = kcqg_plan(people["staff"])
    kcqg_plan(people["staff"], source="KCDP", submit=True)  # another source's plan changes nothing
    clock.move_to(at(5, 13))  # 7 days before 20/05
    assert run(django_capture_on_commit_callbacks) == {"reminders": 1}
    assert Notification.objects.get(recipient=people["staff"]).url == f"/chuong-trinh/ke-hoach/{draft.pk}/"
    plans.plan_transition(user=people["staff"], plan=draft, step="submit")
    clock.move_to(at(5, 19))  # 1 day before 20/05
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0}
    clock.move_to(at(6, 1))  # 14 days before 15/06
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0}
    assert len(told(people["staff"])) == 1
    # returned to the staff (a draft again): the next reminder goes out
    plans.plan_transition(user=people["leader"], plan=draft, step="return", data={"comment": "Sửa mục 1"})
    clock.move_to(at(6, 8))
    assert run(django_capture_on_commit_callbacks) == {"reminders": 1}
    assert len(told(people["staff"])) == 2


def test_the_offsets_are_data(people, clock, django_capture_on_commit_callbacks):
    calendar = PlanCalendar.current()
    calendar.kcqg_reminder_offsets = [3, 0]
    calendar.full_clean()
    calendar.save()
    for day in (6, 13, 17, 19, 20):
        clock.move_to(at(5, day))
        run(django_capture_on_commit_callbacks)
    assert told(people["staff"]) == [
        "Còn 3 ngày đến hạn gửi hồ sơ kế hoạch KCQG về Sở Công Thương năm 2027 (20/05/2026)",
        "Hôm nay là hạn gửi hồ sơ kế hoạch KCQG về Sở Công Thương năm 2027 (20/05/2026)",
    ]
    calendar.kcqg_reminder_offsets = [7, -1]
    with pytest.raises(ValidationError) as err:
        calendar.full_clean()
    assert "kcqg_reminder_offsets" in err.value.error_dict


def test_the_default_offsets_are_fourteen_seven_and_one():
    assert PlanCalendar().kcqg_reminder_offsets == [14, 7, 1]
    assert PlanCalendar.current().kcqg_reminder_offsets == [14, 7, 1]


def test_no_reminder_for_a_plan_year_beyond_the_programme(people, clock, django_capture_on_commit_callbacks):
    programme_end = Programme.objects.get(is_current=True).end_year
    clock.move_to(at(5, 6, year=programme_end))  # the plan of programme_end + 1 is another programme's
    assert run(django_capture_on_commit_callbacks) == {"reminders": 0}
    assert reminders.due_reminders(
        PlanCalendar.current(), programme_end + 1, datetime.date(programme_end, 5, 6)
    )
