"""Reminders of the unit reports (issue 11, item 6; design.md, Jobs): once a day the beat runs
`send_reminders()`, which, for every open period,

- on each of the period's reminder days (the unit deadline's day minus each offset: by default 7, 3
  and 1 days before, and -1, the day after) tells the members of every expected, non-excused unit
  that has not submitted: a message in the bell and an e-mail to those who have an address;
- on each of the last days before the deadline (DIGEST_DAYS, the deadline's day included) sends
  the Sở officers a digest: how many units are expected, have submitted, are missing, with the
  link to the board.

Days are the province's (Asia/Ho_Chi_Minh), whatever the server's clock zone. Each message carries
a key naming the period, the unit, the offset and the day (the digest: the period and the day),
so a retried task, the job run twice or two beats on the same day tell nobody twice: the bell's
rows and the e-mail delivery rows are UNIQUE on that key (accounts.notify, core.mail)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Event, notify
from accounts.roles import Role
from core.deadlines import local_zone
from core.mail import email_enqueue

from .models import ExpectedUnit, ReportingPeriod, UnitReport

# The digest goes out on the last days before the unit deadline, its own day included.
DIGEST_DAYS = 7
EVENT = Event.REPORT_REMINDER


def report_url(report_pk: int) -> str:
    return reverse("reports:unit_report", args=[report_pk])


def board_url(period_pk: int) -> str:
    return reverse("reports:period_board", args=[period_pk])


def local_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), local_zone()).date()


def deadline_day(period: ReportingPeriod) -> datetime.date:
    return timezone.localtime(period.unit_deadline, local_zone()).date()


def due_offsets(period: ReportingPeriod, today: datetime.date) -> list[int]:
    """The period's offsets whose reminder day is `today` (normally one or none)."""
    days_left = (deadline_day(period) - today).days
    return sorted({n for n in period.reminder_offsets or [] if n == days_left}, reverse=True)


def open_periods(now: datetime.datetime | None = None):
    now = now or timezone.now()
    return ReportingPeriod.objects.filter(is_closed=False, opens_at__lte=now)


def units_missing(period: ReportingPeriod) -> list[tuple[ExpectedUnit, UnitReport | None]]:
    """The expected, non-excused units of `period` whose report was never submitted, each with its
    report (None if it has none yet) and its active members: three queries."""
    rows = list(
        ExpectedUnit.objects.filter(period=period, excused=False)
        .select_related("unit")
        .prefetch_related(
            Prefetch("unit__members", queryset=User.objects.filter(is_active=True).order_by("pk"))
        )
    )
    reports = {
        r.unit_id: r
        for r in UnitReport.objects.filter(period=period, unit__in=[row.unit_id for row in rows]).only(
            "pk", "unit_id", "first_submitted_at", "status"
        )
    }
    missing = []
    for row in rows:
        report = reports.get(row.unit_id)
        if report is None or report.first_submitted_at is None:
            missing.append((row, report))
    return missing


def _day(value: datetime.date) -> str:
    return date_format(value, "d/m/Y")


def _deadline_text(period: ReportingPeriod) -> str:
    return date_format(timezone.localtime(period.unit_deadline, local_zone()), "H:i d/m/Y")


def reminder_text(period: ReportingPeriod, offset: int) -> tuple[str, str]:
    """The title and body of the reminder `offset` days before the deadline (negative: after)."""
    values = {"year": period.year, "deadline": _deadline_text(period), "days": abs(offset)}
    if offset > 0:
        title = _("Còn %(days)s ngày đến hạn gửi báo cáo năm %(year)s") % values
        body = _("Đơn vị chưa gửi báo cáo kết quả khuyến công năm %(year)s. Hạn gửi: %(deadline)s.") % values
    elif offset == 0:
        title = _("Hôm nay là hạn gửi báo cáo năm %(year)s") % values
        body = _("Đơn vị chưa gửi báo cáo kết quả khuyến công năm %(year)s. Hạn gửi: %(deadline)s.") % values
    else:
        title = _("Đã quá hạn gửi báo cáo năm %(year)s") % values
        body = (
            _(
                "Đơn vị chưa gửi báo cáo kết quả khuyến công năm %(year)s; hạn gửi là %(deadline)s. "
                "Đề nghị gửi ngay."
            )
            % values
        )
    return title, body


@dataclass
class Sent:
    """What one run did: units reminded (per period and offset) and digests sent."""

    reminders: int = 0
    digests: int = 0


def _email(*, user: User, dedupe: str, subject: str, template: str, context: dict) -> None:
    if not user.email:
        return
    body = render_to_string(template, {**context, "user": user, "site_url": settings.SITE_URL})
    email_enqueue(event=EVENT, to=user.email, subject=subject, body=body, dedupe=dedupe, recipient_id=user.pk)


def remind_unit(period: ReportingPeriod, row: ExpectedUnit, report, offset: int, today) -> int:
    """Tell the members of one unit, once for this period, offset and day. Returns how many members
    it reaches (0 for a unit without members)."""
    members = list(row.unit.members.all())
    if not members:
        return 0
    dedupe = f"unit-report:period:{period.pk}:unit:{row.unit_id}:offset:{offset}:{today.isoformat()}"
    title, body = reminder_text(period, offset)
    url = report_url(report.pk) if report else reverse("reports:unit_reports")
    notify(recipients=members, event=EVENT, title=title, body=body, url=url, email=False, dedupe=dedupe)
    context = {"period": period, "unit": row.unit, "title": title, "body": body, "url": url, "offset": offset}
    for user in members:  # the delivery rows' key sends each of them once, however often this runs
        _email(
            user=user,
            dedupe=dedupe,
            subject=title,
            template="reports/email/unit_reminder.txt",
            context=context,
        )
    return len(members)


def remind_units(period: ReportingPeriod, today: datetime.date) -> int:
    """The reminders of `period` due `today`: how many units were reminded."""
    offsets = due_offsets(period, today)
    if not offsets:
        return 0
    count = 0
    for row, report in units_missing(period):
        for offset in offsets:
            count += bool(remind_unit(period, row, report, offset, today))
    return count


def period_counts(period: ReportingPeriod) -> dict:
    """Expected (non-excused) units, and how many of them have submitted: one query."""
    counts = ExpectedUnit.objects.filter(period=period, excused=False).aggregate(
        expected=Count("pk"),
        submitted=Count(
            "pk",
            filter=Q(
                unit__unit_reports__period=period,
                unit__unit_reports__first_submitted_at__isnull=False,
            ),
        ),
    )
    counts["missing"] = counts["expected"] - counts["submitted"]
    return counts


def send_digest(period: ReportingPeriod, today: datetime.date) -> bool:
    """The staff digest of `period` for `today`, if today is one of its last DIGEST_DAYS days."""
    days_left = (deadline_day(period) - today).days
    if not 0 <= days_left < DIGEST_DAYS:
        return False
    staff = list(User.objects.filter(groups__name=Role.STAFF, is_active=True).distinct().order_by("pk"))
    if not staff:
        return False
    counts = period_counts(period)
    values = {**counts, "year": period.year, "days": days_left, "day": _day(today)}
    title = _("Báo cáo năm %(year)s ngày %(day)s: %(submitted)s/%(expected)s đơn vị đã gửi") % values
    body = _("Đã gửi: %(submitted)s; chưa gửi: %(missing)s; còn %(days)s ngày đến hạn.") % values
    dedupe = f"unit-report-digest:period:{period.pk}:{today.isoformat()}"
    url = board_url(period.pk)
    notify(recipients=staff, event=EVENT, title=title, body=body, url=url, email=False, dedupe=dedupe)
    context = {
        "period": period,
        "counts": counts,
        "deadline": _deadline_text(period),
        "title": title,
        "url": url,
    }
    for user in staff:
        _email(
            user=user,
            dedupe=dedupe,
            subject=title,
            template="reports/email/staff_digest.txt",
            context=context,
        )
    return True


def send_reminders(now: datetime.datetime | None = None) -> Sent:
    """The daily run (reports.tasks.remind_unit_reports): reminders and digests of every open
    period due today. Safe to run any number of times a day."""
    today = local_today(now)
    sent = Sent()
    with translation.override("vi"):
        for period in open_periods(now):
            sent.reminders += remind_units(period, today)
            sent.digests += send_digest(period, today)
    return sent
