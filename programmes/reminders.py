"""Reminders of the KCQG plan calendar (issue 12, item 1; TT 36/2013/TT-BCT Điều 10): once a day
the beat runs `send_plan_reminders()`. The KCQG plan of next year is prepared this year: its
dossiers go to the Sở before 20/05 and to the ministry's department before 15/06
(PlanCalendar.kcqg_deadlines). On each reminder day (each deadline's day minus each of
PlanCalendar.kcqg_reminder_offsets: by default 14, 7 and 1 days before), while that plan is not
yet submitted (no version of it is submitted or approved), every active staff member is told: a
message in the bell and an e-mail to those with an address.

Days are the province's (Asia/Ho_Chi_Minh). Each message carries a key naming the plan year, the
deadline and the offset, so the job run twice, retried or run by two beats tells nobody twice
(accounts.notify: the bell's rows and the e-mail delivery rows are UNIQUE on that key)."""

import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role
from core.deadlines import local_zone

from .models import AnnualPlan, FundingSource, PlanCalendar
from .selectors import current_programme

EVENT = Event.PLAN_REMINDER
DEADLINE_LABELS = {
    "province": gettext_lazy("hạn gửi hồ sơ kế hoạch KCQG về Sở Công Thương"),
    "ministry": gettext_lazy("hạn gửi hồ sơ kế hoạch KCQG về Cục (Bộ Công Thương)"),
}
# A plan that has left the draft: its dossier is on its way.
SENT = (AnnualPlan.Status.SUBMITTED, AnnualPlan.Status.APPROVED)


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), local_zone()).date()


def due_reminders(calendar: PlanCalendar, plan_year: int, today: datetime.date) -> list[tuple[str, int]]:
    """The (deadline, offset) pairs of the KCQG calendar of `plan_year` whose reminder day is
    `today` (normally one or none)."""
    offsets = set(calendar.kcqg_reminder_offsets or [])
    due = []
    for kind, day in calendar.kcqg_deadlines(plan_year).items():
        days_left = (day - today).days
        if days_left in offsets:
            due.append((kind, days_left))
    return due


def kcqg_plan_submitted(plan_year: int) -> bool:
    """Whether a version of the KCQG plan of `plan_year` has left the draft (submitted or approved)."""
    return AnnualPlan.objects.filter(
        year=plan_year, funding_source__code=FundingSource.KCQG, status__in=SENT
    ).exists()


def _plan_url(plan_year: int) -> str:
    """The draft of the plan when there is one, else the plans' list (where it is created)."""
    draft = (
        AnnualPlan.objects.filter(year=plan_year, funding_source__code=FundingSource.KCQG)
        .order_by("-revision")
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("programmes:plan_detail", args=[draft]) if draft else reverse("programmes:plan_list")


def reminder_text(plan_year: int, kind: str, deadline: datetime.date, offset: int) -> tuple[str, str]:
    values = {
        "year": plan_year,
        "days": offset,
        "deadline": deadline.strftime("%d/%m/%Y"),
        "what": DEADLINE_LABELS[kind],
    }
    if offset:
        title = _("Còn %(days)s ngày đến %(what)s năm %(year)s (%(deadline)s)") % values
    else:
        title = _("Hôm nay là %(what)s năm %(year)s (%(deadline)s)") % values
    body = (
        _(
            "Kế hoạch khuyến công quốc gia năm %(year)s chưa được trình. Theo lịch xây dựng kế hoạch, "
            "%(what)s là ngày %(deadline)s."
        )
        % values
    )
    return title, body


def send_plan_reminders(now: datetime.datetime | None = None) -> int:
    """The daily run (programmes.tasks.remind_kcqg_plan): the reminders due today of the KCQG plan
    of next year. Returns how many reminders (deadline and offset) went out; safe to run any
    number of times a day."""
    today = local_today(now)
    plan_year = today.year + 1
    programme = current_programme()
    if programme is None or plan_year not in programme.years:
        return 0
    calendar = PlanCalendar.current()
    due = due_reminders(calendar, plan_year, today)
    if not due or kcqg_plan_submitted(plan_year):
        return 0
    staff = list(User.objects.filter(groups__name=Role.STAFF, is_active=True).distinct().order_by("pk"))
    if not staff:
        return 0
    url = _plan_url(plan_year)
    deadlines = calendar.kcqg_deadlines(plan_year)
    with translation.override("vi"):
        for kind, offset in due:
            title, body = reminder_text(plan_year, kind, deadlines[kind], offset)
            notify(
                recipients=staff,
                event=EVENT,
                title=title,
                body=body,
                url=url,
                dedupe=f"kcqg-plan:{plan_year}:{kind}:offset:{offset}",
            )
    return len(due)
