"""Benchmark of the applicant and support-request staff lists, and of the applicant import.

    .venv/bin/python bench/bench_applicants.py [--applicants 10000] [--requests 20000] [--runs 30] [--import-rows 5000]

Seeds a throwaway SQLite database (or the one in DATABASE_URL) with bulk inserts: applicants of every
kind across the 104 communes and support requests in every state. Then times, through the Django
test Client as a staff user:
  - the applicant list with a diacritic-insensitive search and a filter,
  - the support-request list with a search and a filter,
and prints median and p95 in milliseconds; then imports an XLSX of new applicant rows through the
all-or-nothing import runner (parse, validate every row, write) and prints the time.
"""

import argparse
import io
import random
import re
import time

from common import analyze_database, setup_django, time_get


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--import-rows", type=int, default=5_000)
    return parser.parse_args()


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi", "Đặng", "Ngô"]
GIVEN = ["Văn Đức", "Thị Hương", "Văn Minh", "Thị Lan", "Quang Hải", "Thị Mai", "Văn Sơn", "Đức Anh"]
TRADES = ["mây tre đan", "dệt may", "gốm sứ", "chế biến nông sản", "cơ khí", "đồ gỗ", "thêu ren", "làm hương"]
PREFIX = {
    "household": "Hộ kinh doanh",
    "cooperative": "HTX",
    "sme": "Công ty TNHH",
    "artisan": "Nghệ nhân",
    "craft_village": "Làng nghề",
    "cooperative_group": "Tổ hợp tác",
}


def _mst(n):
    from applicants.validators import mst_check_digit

    base = 200000000 + n * 3
    while mst_check_digit(str(base)) is None:
        base += 1
    return f"{base}{mst_check_digit(str(base))}"


def seed(n_applicants, n_requests):
    from django.db import connection

    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from applicants.models import Applicant, SupportRequest
    from applicants.services import applicant_prepare
    from core.text import search_text
    from programmes.models import ActivityType, AdministrativeUnit

    started = time.perf_counter()
    rng = random.Random(2026)
    staff = User.objects.create_user(phone="0912888001", password="bench-Pass-123", full_name="Cán bộ bench")
    grant_roles(staff, Role.STAFF)
    communes = list(AdministrativeUnit.objects.all())
    kinds = list(PREFIX)
    applicants = []
    for i in range(n_applicants):
        kind = kinds[i % len(kinds)]
        person = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
        trade = rng.choice(TRADES)
        a = Applicant(
            kind=kind,
            name=f"{PREFIX[kind]} {trade} {person} {i}",
            tax_code=_mst(i),
            representative=person,
            phone=f"03{i:08d}",
            address=f"Thôn {i % 50}",
            commune=rng.choice(communes),
            sector=trade,
            verification_status=rng.choice(
                ["pending", "verified", "verified", "verified", "changes_requested"]
            ),
            insured_employees=rng.randint(1, 150),
            revenue_vnd=rng.randint(1, 100) * 100_000_000,
        )
        applicant_prepare(a)
        applicants.append(a)
    Applicant.objects.bulk_create(applicants, batch_size=1000)
    applicants = list(Applicant.objects.only("id", "name", "tax_code"))
    activities = list(ActivityType.objects.all())
    statuses = ["submitted", "accepted", "returned", "declined", "submitted"]
    requests = []
    for i in range(n_requests):
        a = applicants[i % len(applicants)]
        activity = rng.choice(activities)
        cost = rng.randint(1, 50) * 20_000_000
        code = f"YC-{2025 + i % 2}-{i + 1:06d}"
        title = f"Hỗ trợ {rng.choice(TRADES)} {i}"
        requests.append(
            SupportRequest(
                applicant=a,
                code=code,
                year=2025 + i % 2,
                activity=activity,
                title=title,
                description=title,
                estimated_cost=cost,
                counterpart=cost // 2,
                requested_support=cost - cost // 2,
                status=rng.choice(statuses),
                search_text=search_text(code, title, a.name, a.tax_code, activity.code),
            )
        )
    SupportRequest.objects.bulk_create(requests, batch_size=1000)
    print(
        f"Seeded {n_applicants:,} applicants and {n_requests:,} requests in "
        f"{time.perf_counter() - started:.1f} s ({connection.vendor})."
    )
    return staff


def import_file(rows):
    from openpyxl import Workbook

    from applicants.resources import APPLICANT_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append([h for h, _f in APPLICANT_COLUMNS])
    for i in range(rows):
        ws.append(
            [
                "Hộ kinh doanh",
                f"Hộ kinh doanh nhập tệp {i}",
                _mst(900_000 + i),
                "",
                f"Người đại diện {i}",
                f"05{i:08d}",
                "",
                f"Thôn {i % 30}",
                "11953",
                "Mây tre đan",
                2015,
                5,
                500_000_000,
                300_000_000,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def main():
    args = parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    from applicants.models import Applicant
    from applicants.resources import applicant_import
    from core.spreadsheets import read_table

    staff = seed(args.applicants, args.requests)
    analyze_database()
    settings.DEBUG = False
    client = Client()
    client.force_login(staff)

    print(f"\nStaff lists, {args.runs} timed requests each (ms):")
    for label, url in [
        ("applicants: search 'nguyen van' + kind=household", "/co-so/danh-sach/?q=nguyen+van&kind=household"),
        ("applicants: search 'may tre' + commune", "/co-so/danh-sach/?q=may+tre&commune=11953"),
        ("requests: search 'duc' + status=submitted", "/co-so/de-nghi/danh-sach/?q=duc&status=submitted"),
        ("requests: year=2026 + activity=2b", "/co-so/de-nghi/danh-sach/?year=2026&activity=2b"),
    ]:
        median, p95, response = time_get(client, url, args.runs)
        found = re.search(r"([\d.]+) dòng — trang", response.content.decode())
        count = found.group(1) if found else "?"
        print(f"  {label:<52} median {median:7.1f}  p95 {p95:7.1f}  ({count} rows match)")

    data = import_file(args.import_rows)
    before = Applicant.objects.count()
    start = time.perf_counter()
    table = read_table(data)
    parsed = time.perf_counter()
    result = applicant_import(table, actor=staff, dry_run=False)
    done = time.perf_counter()
    assert result.ok, result.errors[:3]
    assert Applicant.objects.count() == before + args.import_rows
    print(
        f"\nImport of {args.import_rows:,} applicant rows from XLSX: {done - start:.2f} s "
        f"(read {parsed - start:.2f} s, validate and write {done - parsed:.2f} s)"
    )


if __name__ == "__main__":
    main()
