"""Demo annual plans for `make run` (issue 12), loaded after the demo projects (projects.demo):

- the 2026 KCĐP plan, approved by the provincial chairman's decision, with an item for each of
  the demo KCĐP đề án's activities (and one for the multi-year đề án's first year);
- the 2026 KCQG plan, submitted by staff and waiting for the leader;
- the 2027 KCĐP plan in draft (the multi-year đề án's second year among its items).

The demo đề án of 2026 go on the items of their activity: the approved ones by the ORM (the
service refuses to move an approved đề án: an approved đề án changes its item only by an adjusting
decision; these were approved before the demo had plans), the others through the service. One
multi-year đề án (đề án điểm, a draft) spreads its KCĐP support over 2026 and 2027 (PlanShare rows
adding up to its lead-fund line). Idempotent: a plan of a year and source that exists is left as it
is, an item already given is kept, shares are written once."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from programmes import plans
from programmes.models import ActivityType, AdministrativeUnit, AnnualPlan, FundingSource, PlanItem

from . import services
from .demo import APPRAISER_PHONE, PREPARER_PHONE
from .models import APPROVED_STATUSES, BudgetLine, PlanShare, Project
from .services.plans import project_plan_item_set

DECISION_DAY = datetime.date(2026, 1, 15)
MULTI_YEAR_TITLE = "Đề án điểm: mô hình trình diễn sản xuất gốm mỹ nghệ 2026–2027"
MULTI_YEAR_SHARES = {2026: 200_000_000, 2027: 300_000_000}

# (year, source, status, note, items: (activity, variant, label, quantity, unit, support, counterpart))
DEMO_PLANS = [
    (
        2026,
        "KCDP",
        AnnualPlan.Status.APPROVED,
        "Kế hoạch khuyến công địa phương năm 2026 (Quyết định 1966/QĐ-UBND, mục VI.1.b)",
        [
            ("1a", "default", "Đào tạo khởi sự doanh nghiệp", 2, "lớp", 200_000_000, 0),
            (
                "2a",
                "new_tech",
                "Mô hình trình diễn gốm mỹ nghệ (năm thứ nhất)",
                1,
                "mô hình",
                200_000_000,
                300_000_000,
            ),
            ("3a", "provincial_round", "Bình chọn sản phẩm CNNT tiêu biểu cấp tỉnh", 1, "kỳ", 400_000_000, 0),
            (
                "3c",
                "trademark",
                "Đăng ký nhãn hiệu sản phẩm làng nghề",
                2,
                "nhãn hiệu",
                60_000_000,
                60_000_000,
            ),
        ],
    ),
    (
        2026,
        "KCQG",
        AnnualPlan.Status.SUBMITTED,
        "Kế hoạch khuyến công quốc gia năm 2026 của tỉnh",
        [
            (
                "2a",
                "new_tech",
                "Mô hình trình diễn kỹ thuật dệt thổ cẩm",
                1,
                "mô hình",
                400_000_000,
                900_000_000,
            ),
            (
                "2b",
                "machine",
                "Máy móc tiên tiến cho cơ sở mây tre đan",
                2,
                "cơ sở",
                300_000_000,
                350_000_000,
            ),
            ("2b", "line", "Dây chuyền sấy, đóng gói nông sản", 1, "cơ sở", 400_000_000, 500_000_000),
        ],
    ),
    (
        2027,
        "KCDP",
        AnnualPlan.Status.DRAFT,
        "Dự thảo kế hoạch khuyến công địa phương năm 2027",
        [
            ("1a", "default", "Đào tạo khởi sự doanh nghiệp", 2, "lớp", 200_000_000, 0),
            (
                "2a",
                "new_tech",
                "Mô hình trình diễn gốm mỹ nghệ (năm thứ hai)",
                1,
                "mô hình",
                300_000_000,
                200_000_000,
            ),
            ("3a", "provincial_round", "Bình chọn sản phẩm CNNT tiêu biểu cấp tỉnh", 1, "kỳ", 400_000_000, 0),
        ],
    ),
]


def _activity(code: str) -> ActivityType:
    return ActivityType.objects.get(programme__is_current=True, code=code)


def _make_plan(staff, leader, year, code, status, note, items) -> AnnualPlan:
    source = FundingSource.objects.get(code=code)
    plan = AnnualPlan.objects.filter(year=year, funding_source=source).order_by("-revision").first()
    if plan is not None:
        return plan
    plan = plans.plan_create(user=staff, year=year, funding_source=source, note=note)
    for activity, variant, label, quantity, unit, support, counterpart in items:
        act = _activity(activity)
        plans.plan_item_save(
            user=staff,
            plan=plan,
            data={
                "activity": act,
                "variant": act.variants.get(key=variant),
                "label": label,
                "planned_quantity": quantity,
                "unit": unit,
                "planned_support": support,
                "expected_counterpart": counterpart,
            },
        )
    if status != AnnualPlan.Status.DRAFT:
        plans.plan_transition(user=staff, plan=plan, step="submit")
    if status == AnnualPlan.Status.APPROVED:
        plans.plan_transition(
            user=leader,
            plan=plan,
            step="approve",
            data={
                "decision_number": "18/QĐ-UBND",
                "decision_date": min(DECISION_DAY, timezone.localdate()),
                "issuer": "province_chair",  # a KCĐP plan: the provincial chairman (DecisionIssuer)
                "comment": "Phê duyệt kế hoạch khuyến công địa phương năm 2026",
            },
        )
    return AnnualPlan.objects.get(pk=plan.pk)


def _item_for(project: Project, plan: AnnualPlan) -> PlanItem | None:
    """The item of `plan` for the đề án's activity and variant."""
    return plan.items.filter(activity=project.activity_id, variant=project.variant_id).first()


def _attach(staff, projects, by_source) -> int:
    """Put each demo đề án without an item on the item of its activity in its year's plan."""
    attached = 0
    for project in projects:
        plan = by_source.get((project.year, project.lead_fund_id))
        item = _item_for(project, plan) if plan else None
        if item is None or project.plan_item_id:
            continue
        if project.status in APPROVED_STATUSES:
            Project.objects.filter(pk=project.pk).update(plan_item=item)
        else:
            project_plan_item_set(user=staff, project=project, item=item)
        attached += 1
    return attached


def _multi_year(preparer, plan_2026: AnnualPlan, plan_2027: AnnualPlan) -> Project:
    """The đề án điểm over 2026 and 2027 (a draft), its KCĐP support split by year."""
    project = Project.objects.filter(title=MULTI_YEAR_TITLE).first()
    if project is None:
        activity = _activity("2a")
        support = sum(MULTI_YEAR_SHARES.values())
        project, _warnings = services.project_create(
            user=preparer,
            data={
                "title": MULTI_YEAR_TITLE,
                "year": 2026,
                "activity": activity,
                "variant": activity.variants.get(key="new_tech"),
                "lead_fund": FundingSource.objects.get(code="KCDP"),
                "implementing_unit": "Trung tâm Khuyến công và Xúc tiến thương mại tỉnh Hưng Yên",
                "total_cost": 1_000_000_000,
                "start_date": datetime.date(2026, 6, 1),
                "end_date": datetime.date(2027, 10, 31),
                "objectives": "Chuyển giao công nghệ lò nung gốm tiết kiệm năng lượng trong hai năm",
            },
            lines={"KCDP": support, "DOI_UNG": 1_000_000_000 - support},
            outputs=[{"label": "Mô hình trình diễn", "quantity": 1, "unit": "mô hình"}],
            communes=[AdministrativeUnit.objects.get(code="12025")],
        )
    if not project.plan_shares.exists():
        lead = BudgetLine.objects.get(budget=project.current_budget_id, funding_source=project.lead_fund_id)
        shares = {2026: _item_for(project, plan_2026), 2027: _item_for(project, plan_2027)}
        if None in shares.values() or lead.amount != sum(MULTI_YEAR_SHARES.values()):
            return project
        for year, item in shares.items():
            PlanShare.objects.create(
                project=project, plan_item=item, year=year, amount=MULTI_YEAR_SHARES[year]
            )
        Project.objects.filter(pk=project.pk).update(plan_item=shares[2026])
    return project


@transaction.atomic
def load_demo(log=print):
    staff = User.objects.filter(phone=APPRAISER_PHONE, groups__name=Role.STAFF).first()
    preparer = User.objects.filter(phone=PREPARER_PHONE, groups__name=Role.STAFF).first()
    leader = User.objects.filter(groups__name=Role.LEADER).first()
    if staff is None or preparer is None or leader is None:
        log("Kế hoạch mẫu: bỏ qua (thiếu tài khoản cán bộ hoặc lãnh đạo).")
        return
    made = [_make_plan(staff, leader, *row) for row in DEMO_PLANS]
    by_source = {(p.year, p.funding_source_id): p for p in made}
    projects = Project.objects.filter(year=2026).exclude(title=MULTI_YEAR_TITLE).order_by("pk")
    attached = _attach(staff, projects, by_source)
    kcdp = FundingSource.objects.get(code="KCDP").pk
    _multi_year(preparer, by_source[(2026, kcdp)], by_source[(2027, kcdp)])
    log(f"Kế hoạch mẫu: {', '.join(str(p) for p in made)}; gắn {attached} đề án vào mục kế hoạch.")
