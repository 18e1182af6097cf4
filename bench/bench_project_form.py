"""Benchmark of the project form with many applicants (issue 10 item 11).

    .venv/bin/python bench/bench_project_form.py [--applicants 10000] [--runs 30]

Seeds a throwaway SQLite database (or the one in DATABASE_URL) with `--applicants` applicants, then
times, through the Django test Client as a staff user, the "new project" page twice: with the old
widget (a select listing every applicant, put back for the measure) and with the search-as-you-type
field; then the search endpoint itself. Prints the page size and median/p95 in milliseconds.
"""

import argparse

from common import analyze_database, setup_django, time_get


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    return parser.parse_args()


def seed(n):
    from accounts.models import User
    from accounts.roles import Role, grant_roles
    from applicants.models import Applicant
    from core.text import search_text, sort_key
    from programmes.models import AdministrativeUnit

    communes = list(AdministrativeUnit.objects.filter(is_active=True))
    trades = ["mây tre đan", "dệt may", "gốm sứ", "chế biến nông sản", "cơ khí", "đồ gỗ"]
    rows = []
    for i in range(n):
        name = f"Hộ kinh doanh {trades[i % len(trades)]} số {i}"
        rows.append(
            Applicant(
                kind="household",
                name=name,
                representative="Nguyễn Văn Đức",
                phone=f"09{i:08d}",
                address="Thôn 1",
                commune=communes[i % len(communes)],
                verification_status="verified",
                search_text=search_text(name, f"09{i:08d}"),
                sort_key=sort_key(name),
            )
        )
    Applicant.objects.bulk_create(rows, batch_size=2000)
    staff = User.objects.create_user(email="bench-staff@example.test", password="x", full_name="Cán bộ")
    grant_roles(staff, Role.STAFF)
    analyze_database()
    return staff


def main():
    args = parse_args()
    setup_django()
    from django import forms
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from projects.forms import ProjectForm

    setup_test_environment()
    staff = seed(args.applicants)
    client = Client()
    client.force_login(staff)
    url = reverse("projects:create")
    field = ProjectForm.base_fields["beneficiaries"]
    search_widget = field.widget
    print(f"{args.applicants} applicants, {args.runs} runs each")
    for label, widget in [
        ("before: one select", forms.SelectMultiple()),
        ("after: search field", search_widget),
    ]:
        field.widget = widget
        median, p95, response = time_get(client, url, args.runs)
        size = len(response.content) / 1024
        print(f"  new project page, {label:<20} {size:8.1f} KB  median {median:7.1f} ms  p95 {p95:7.1f} ms")
    field.widget = search_widget
    median, p95, response = time_get(
        client, reverse("projects:beneficiary_search"), args.runs, {"beneficiary_q": "may tre"}
    )
    size = len(response.content) / 1024
    print(
        f"  search 'may tre' (20 results)            {size:8.1f} KB  median {median:7.1f} ms  p95 {p95:7.1f} ms"
    )


if __name__ == "__main__":
    main()
