"""Deadlines in the province's time (Asia/Ho_Chi_Minh): a deadline date is the end of its day there,
whatever the server's clock zone. Used by the settlement flag and the unit reports."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last instant of `day` in the province's zone: 22/12 → 22/12 23:59:59.999999 (+07:00)."""
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=local_zone())


def is_late(submitted_at: datetime.datetime | None, deadline: datetime.date | datetime.datetime) -> bool:
    """Whether something done at `submitted_at` (or not yet done: now) missed `deadline` (a date
    means the end of that day in the province's zone)."""
    if not isinstance(deadline, datetime.datetime):
        deadline = end_of_day(deadline)
    moment = submitted_at or timezone.now()
    return moment > deadline


def days_left(deadline: datetime.date | datetime.datetime, now: datetime.datetime | None = None) -> int:
    """Whole days from today (in the province's zone) to the deadline's day; negative when past."""
    if isinstance(deadline, datetime.datetime):
        deadline = timezone.localtime(deadline, local_zone()).date()
    today = timezone.localtime(now or timezone.now(), local_zone()).date()
    return (deadline - today).days
