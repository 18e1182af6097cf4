import datetime
from zoneinfo import ZoneInfo

import time_machine

from core.deadlines import days_left, end_of_day, is_late

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC
DEADLINE = datetime.date(2026, 12, 22)


def test_a_deadline_is_the_end_of_its_day_in_hanoi_time():
    end = end_of_day(DEADLINE)
    assert end.astimezone(UTC) == datetime.datetime(2026, 12, 22, 16, 59, 59, 999999, tzinfo=UTC)


def test_late_on_both_sides_of_the_deadline_with_the_clock_in_utc():
    assert not is_late(datetime.datetime(2026, 12, 22, 23, 59, 59, tzinfo=HCM), DEADLINE)
    assert is_late(datetime.datetime(2026, 12, 23, 0, 0, 1, tzinfo=HCM), DEADLINE)
    # 22/12 17:30 UTC is already 23/12 00:30 in Hưng Yên
    assert is_late(datetime.datetime(2026, 12, 22, 17, 30, tzinfo=UTC), DEADLINE)


def test_not_yet_submitted_is_judged_by_now():
    with time_machine.travel(datetime.datetime(2026, 12, 22, 16, 59, tzinfo=UTC), tick=False):
        assert not is_late(None, DEADLINE)
        assert days_left(DEADLINE) == 0
    with time_machine.travel(datetime.datetime(2026, 12, 22, 17, 1, tzinfo=UTC), tick=False):
        assert is_late(None, DEADLINE)
        assert days_left(DEADLINE) == -1
