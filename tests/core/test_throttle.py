"""The one throttle: a fixed window that opens with the first event and closes `window` seconds
later, whatever happens in between."""

import datetime

import pytest
import time_machine
from django.core.cache import cache

from core import throttle

START = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_hit_allows_up_to_the_limit_per_key():
    assert [throttle.hit("k", limit=3, window=60) for _ in range(4)] == [True, True, True, False]
    assert throttle.hit("other", limit=3, window=60)


def test_the_window_is_fixed_from_the_first_event():
    with time_machine.travel(START, tick=False) as clock:
        assert throttle.count("k", window=600) == 1
        clock.shift(datetime.timedelta(minutes=9))
        assert throttle.count("k", window=600) == 2  # a later event does not extend the window
        assert throttle.minutes_left("k", limit=2, window=600) == 1
        assert throttle.seconds_left("k", limit=2, window=600) == 60
        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        assert throttle.seconds_left("k", limit=2, window=600) is None
        assert throttle.count("k", window=600) == 1


def test_minutes_left_rounds_up_and_says_none_under_the_limit():
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            throttle.count("k", window=900)
        assert throttle.minutes_left("k", limit=6, window=900) is None
        assert throttle.minutes_left("k", limit=5, window=900) == 15
        clock.shift(datetime.timedelta(minutes=10, seconds=30))
        assert throttle.minutes_left("k", limit=5, window=900) == 5


def test_clear_closes_the_window():
    for _ in range(3):
        throttle.count("k", window=60)
    throttle.clear("k")
    assert throttle.seconds_left("k", limit=1, window=60) is None
    assert throttle.count("k", window=60) == 1
