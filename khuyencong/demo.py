"""Demo data for `make run`: one user per role (two commune officials, two applicants), a few
collaborators, and another province's support levels as examples that are never in force.
Each app's demo rows are added here as the app grows (the reporting period of the demo's year is
open, reports.demo)."""

import datetime

from django.db import transaction

from accounts.models import User
from accounts.roles import Role, grant_roles
from programmes.models import AdministrativeUnit, Collaborator, ReportingUnit
from programmes.reference import load_example_rules
from reports.selectors import current_programme

DEMO_PASSWORD = "KhuyenCong@2026"

# (role(s), full name, email, phone, commune code for commune officials)
DEMO_USERS = [
    # The Sở officer appraises; the Trung tâm officer prepares the đề án (the appraiser is not the
    # preparer: programmes.ApprovalRules).
    ((Role.STAFF,), "Nguyễn Thị Hương (cán bộ Sở, thẩm định)", "canbo@khuyencong.test", "0912000001", None),
    (
        (Role.STAFF,),
        "Phạm Văn Tùng (cán bộ Trung tâm Khuyến công, lập đề án)",
        "trungtam@khuyencong.test",
        "0912000008",
        None,
    ),
    ((Role.LEADER,), "Trần Văn Minh (Phó Giám đốc Sở)", "lanhdao@khuyencong.test", "0912000002", None),
    (
        (Role.UNIT_REPORTER,),
        "Lê Văn Nam (UBND phường Phố Hiến)",
        "phohien@khuyencong.test",
        "0912000003",
        "11953",
    ),
    ((Role.UNIT_REPORTER,), "Phạm Thị Lan (UBND xã Tiên Lữ)", None, "0912000004", "12364"),
    ((Role.APPLICANT,), "Đỗ Văn Đức (Hộ kinh doanh mây tre đan)", None, "0912000005", None),
    (
        (Role.APPLICANT,),
        "Vũ Thị Mai (HTX Dệt may Phụng Công)",
        "htxphungcong@khuyencong.test",
        "0912000006",
        None,
    ),
    ((Role.OBSERVER,), "Hoàng Văn Sơn (Sở Tài chính)", "sotaichinh@khuyencong.test", "0912000007", None),
]


@transaction.atomic
def load_demo(log=print):
    programme = current_programme()
    load_example_rules(programme)
    rows = []
    for roles, name, email, phone, commune_code in DEMO_USERS:
        user = User.objects.filter(phone=phone).first() or User.objects.create_user(
            email=email, phone=phone, password=DEMO_PASSWORD, full_name=name
        )
        grant_roles(user, *roles)
        if commune_code:
            ReportingUnit.objects.get(commune__code=commune_code).members.add(user)
        rows.append((user, ", ".join(str(r.label) for r in roles)))
    if not User.objects.filter(is_superuser=True).exists():
        User.objects.create_superuser(
            email="admin@khuyencong.test",
            phone="0912000000",
            password=DEMO_PASSWORD,
            full_name="Quản trị hệ thống",
        )
    rows.append((User.objects.get(phone="0912000000"), "Quản trị hệ thống (admin)"))

    for code, name in [("11953", "Ngô Thị Thu"), ("12364", "Bùi Văn Hải"), ("12025", "Đặng Thị Yến")]:
        commune = AdministrativeUnit.objects.get(code=code)
        Collaborator.objects.get_or_create(
            commune=commune, full_name=name, defaults={"appointed_on": datetime.date(2026, 1, 15)}
        )

    __import__("applicants.demo").demo.load_demo(log)
    __import__("projects.demo").demo.load_demo(log)
    __import__("projects.demo_plans").demo_plans.load_demo(log)  # the annual plans, after the đề án
    __import__("reports.demo").demo.load_demo(log)

    log(f"Tài khoản dùng thử (mật khẩu chung: {DEMO_PASSWORD}):")
    for user, role in rows:
        log(f"  {role:<40} {user.email or '—':<30} {user.phone}  {who_is(user)}")


def who_is(user) -> str:
    """What a demo login stands for: the commune(s) an official reports for, the facility an
    applicant account owns, else its name."""
    communes = list(
        AdministrativeUnit.objects.filter(reporting_unit__members=user).values_list("full_name", flat=True)
    )
    facilities = list(user.owned_applicants.values_list("name", flat=True))
    return "; ".join(communes + facilities) or user.full_name
