"""Accounts pages under load: the staff user list and search with 5,000 accounts, and the bell and
message list of a user with 20,000 messages.

    .venv/bin/python bench/bench_accounts.py

Seeds a throwaway test database (in-memory SQLite by default, `test_<name>` on the server named by
DATABASE_URL) with bulk inserts, requests each page through Django's test client and prints median
and p95 in milliseconds."""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import time_get  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "khuyencong.settings_test")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

USERS = 5_000
MESSAGES = 20_000
RUNS = 30


def seed():
    from accounts.models import Notification, User
    from accounts.roles import Role, grant_roles
    from core.text import search_text
    from programmes.models import ReportingUnit
    from programmes.reference import load_reference

    load_reference(log=lambda _m: None)
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]
    middle = ["Văn", "Thị", "Đức", "Minh", "Thu"]
    given = ["An", "Bình", "Đào", "Hương", "Lan", "Nam", "Sơn", "Tâm", "Yến", "Đức"]
    users = []
    for i in range(USERS):
        name = f"{family[i % 10]} {middle[(i // 10) % 5]} {given[(i // 50) % 10]} {i}"
        phone = f"09{i:08d}"
        email = f"user{i}@example.test" if i % 3 else None
        users.append(
            User(
                full_name=name,
                phone=phone,
                email=email,
                password="x",
                search_text=search_text(name, email, phone),
            )
        )
    User.objects.bulk_create(users, batch_size=1000)
    groups = {g.name: g for g in Group.objects.all()}
    through = User.groups.through
    roles = list(Role.values)
    ids = list(User.objects.values_list("pk", flat=True))
    through.objects.bulk_create(
        [through(user_id=pk, group_id=groups[roles[n % len(roles)]].pk) for n, pk in enumerate(ids)],
        batch_size=2000,
    )
    units = list(ReportingUnit.objects.filter(kind="commune"))
    members = ReportingUnit.members.through
    members.objects.bulk_create(
        [
            members(reportingunit_id=units[n % len(units)].pk, user_id=pk)
            for n, pk in enumerate(ids)
            if roles[n % len(roles)] == Role.UNIT_REPORTER
        ],
        batch_size=2000,
    )
    staff = User.objects.create_user(phone="0912999999", password="x", full_name="Cán bộ đo tải")
    grant_roles(staff, Role.STAFF)
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=staff,
                event="test",
                title=f"Thông báo {i}",
                body="Nội dung",
                url="/",
                read_at=now if i % 4 else None,
            )
            for i in range(MESSAGES)
        ],
        batch_size=2000,
    )
    return staff


def measure(client, label, path, params=None):
    median, p95, _response = time_get(client, path, RUNS, params=params, warmup=0)
    print(f"{label:<55} median {median:7.1f} ms   p95 {p95:7.1f} ms")


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        staff = seed()
        print(
            f"seeded {USERS} accounts and {MESSAGES} messages in {time.perf_counter() - started:.1f} s "
            f"on {connection.vendor}; {RUNS} requests each"
        )
        client = Client()
        client.force_login(staff)
        measure(client, f"user list, {USERS} accounts (page 1 of 50 rows)", "/tai-khoan/nguoi-dung/")
        measure(
            client,
            "user search 'nguyen van' (diacritics ignored)",
            "/tai-khoan/nguoi-dung/",
            {"q": "nguyen van"},
        )
        measure(client, "user search by phone '0900001'", "/tai-khoan/nguoi-dung/", {"q": "0900001"})
        measure(client, f"dashboard with the bell ({MESSAGES // 4} unread)", "/tai-khoan/")
        measure(client, f"message list, {MESSAGES} messages (page 1)", "/tai-khoan/thong-bao/")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
