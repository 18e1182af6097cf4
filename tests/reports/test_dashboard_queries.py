"""The dashboard reads in a constant number of queries whatever the data (issue 12, Done when): the
same count with N and 3N đề án (each with budget lines, beneficiaries, payments, recoveries,
shares over two years, settlements)."""

import datetime
import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applicants.models import Applicant
from programmes.models import AdministrativeUnit
from projects.models import (
    AdvanceRecovery,
    BudgetLine,
    BudgetVersion,
    Payment,
    PlanShare,
    Project,
    ProjectTransition,
    Status,
    TransitionAmount,
)
from tests.factories import CollaboratorFactory
from tests.projects.utils import activity, fund

pytestmark = pytest.mark.django_db

URL = "/bao-cao/tong-quan/"
STATUSES = [
    Status.DRAFT,
    Status.APPROVED,
    Status.IN_PROGRESS,
    Status.ACCEPTED,
    Status.SETTLED,
    Status.CANCELLED,
]
_serial = itertools.count()


def seed(n):
    """`n` more đề án in every state, with what each section reads (bulk inserts)."""
    acts = [activity(c) for c in ("2a", "2b", "3a", "3c")]
    communes = list(AdministrativeUnit.objects.order_by("code")[:5])
    sources = {c: fund(c) for c in ("KCQG", "KCDP", "DOI_UNG")}
    today = datetime.date(2026, 6, 15)
    projects = []
    for _i in range(n):
        k = next(_serial)
        status = STATUSES[k % len(STATUSES)]
        lead = "KCQG" if k % 2 else "KCDP"
        done = status in (Status.ACCEPTED, Status.SETTLED)
        projects.append(
            Project(
                code=f"Q-{k}",
                title=f"Đề án {k}",
                year=2026,
                activity=acts[k % 4],
                lead_fund=sources[lead],
                implementing_unit="TT",
                total_cost=300,
                eligible_cost=300,
                state_support=100,
                status=status,
                end_date=today - datetime.timedelta(days=k % 3),
                started_on=datetime.date(2026, 3, 1),
                acceptance_date=datetime.date(2026, 5, 1) if done else None,
            )
        )
    projects = Project.objects.bulk_create(projects)
    budgets = BudgetVersion.objects.bulk_create(
        [BudgetVersion(project=p, number=1, total_cost=300, eligible_cost=300) for p in projects]
    )
    for p, b in zip(projects, budgets, strict=True):
        p.current_budget = b
    Project.objects.bulk_update(projects, ["current_budget"])
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                kind="household",
                name=f"Hộ {p.code}",
                representative="A",
                phone="0900000000",
                address="x",
                commune=communes[i % 5],
            )
            for i, p in enumerate(projects)
        ]
    )
    lines, payments, recoveries, shares, settles = [], [], [], [], []
    for i, (p, b) in enumerate(zip(projects, budgets, strict=True)):
        lines += [
            BudgetLine(budget=b, funding_source=p.lead_fund, amount=100),
            BudgetLine(budget=b, funding_source=sources["DOI_UNG"], amount=200),
        ]
        payments.append(Payment(project=p, kind="advance", amount=60, paid_on=datetime.date(2026, 4, 1)))
        recoveries.append(
            AdvanceRecovery(
                project=p, funding_source=p.lead_fund, amount=10, recovered_on=today, reference="TH"
            )
        )
        if i % 3 == 0:
            shares += [PlanShare(project=p, year=2026, amount=40), PlanShare(project=p, year=2027, amount=60)]
        if p.status == Status.SETTLED:
            settles.append(
                ProjectTransition(project=p, step="settle", from_status="accepted", to_status="settled")
            )
    BudgetLine.objects.bulk_create(lines)
    Payment.objects.bulk_create(payments)
    AdvanceRecovery.objects.bulk_create(recoveries)
    if shares:
        from programmes.models import AnnualPlan, PlanItem

        plan = AnnualPlan.objects.first() or AnnualPlan.objects.create(
            programme=projects[0].activity.programme, year=2026, funding_source=sources["KCQG"]
        )
        item = PlanItem.objects.filter(plan=plan).first() or PlanItem.objects.create(
            plan=plan, line=1, activity=acts[0], year=2026, planned_support=1000
        )
        for share in shares:
            share.plan_item = item
        PlanShare.objects.bulk_create(shares)
    settles = ProjectTransition.objects.bulk_create(settles)
    TransitionAmount.objects.bulk_create(
        [TransitionAmount(transition=t, funding_source=t.project.lead_fund, amount=50) for t in settles]
    )
    Project.beneficiaries.through.objects.bulk_create(
        [
            Project.beneficiaries.through(project_id=p.pk, applicant_id=a.pk)
            for p, a in zip(projects, applicants, strict=True)
        ]
    )
    Project.communes.through.objects.bulk_create(
        [
            Project.communes.through(project_id=p.pk, administrativeunit_id=communes[i % 5].pk)
            for i, p in enumerate(projects)
        ]
    )


def _count(client, params):
    cache.clear()  # the computation, not the figures kept from the last visit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [{}, {"year": 2026, "fund": "KCQG", "area": 2, "commune": "Phường Phố Hiến"}],
    ids=["default", "filtered"],
)
def test_the_same_number_of_queries_with_n_and_3n_projects(
    client, staff, frozen_clock, params, django_assert_num_queries
):
    CollaboratorFactory()
    client.force_login(staff)
    seed(12)
    first = _count(client, params)
    assert first <= 45
    seed(24)
    cache.clear()
    with django_assert_num_queries(first):
        client.get(URL, params)


def test_observers_page_is_bounded_too(client, observer, frozen_clock, django_assert_max_num_queries):
    client.force_login(observer)
    seed(12)
    with django_assert_max_num_queries(45):
        assert client.get(URL).status_code == 200
