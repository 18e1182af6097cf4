"""SME size classes of Nghị định 80/2021/NĐ-CP Điều 5 (self-declared figures).

A class applies when the insured employees are within its bound AND the annual revenue OR the total
capital is within its bound; the smallest class that applies wins."""

from django.utils.translation import gettext_lazy as _

BILLION = 1_000_000_000

# sector group -> [(class, max insured employees, max revenue, max capital)], smallest first.
BOUNDS = {
    "industry": [
        ("micro", 10, 3 * BILLION, 3 * BILLION),
        ("small", 100, 50 * BILLION, 20 * BILLION),
        ("medium", 200, 200 * BILLION, 100 * BILLION),
    ],
    "trade": [
        ("micro", 10, 10 * BILLION, 3 * BILLION),
        ("small", 50, 100 * BILLION, 50 * BILLION),
        ("medium", 100, 300 * BILLION, 100 * BILLION),
    ],
}

SME_LABELS = {
    "micro": _("Doanh nghiệp siêu nhỏ"),
    "small": _("Doanh nghiệp nhỏ"),
    "medium": _("Doanh nghiệp vừa"),
    "large": _("Vượt ngưỡng doanh nghiệp nhỏ và vừa"),
}


def sme_class(*, sector_group, employees, revenue, capital):
    if employees is None or (revenue is None and capital is None):
        return None
    for name, max_employees, max_revenue, max_capital in BOUNDS.get(sector_group, BOUNDS["industry"]):
        within_money = (revenue is not None and revenue <= max_revenue) or (
            capital is not None and capital <= max_capital
        )
        if employees <= max_employees and within_money:
            return name
    return "large"
