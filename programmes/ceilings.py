"""The one support-ceiling computation (TT 28/2018/TT-BTC Điều 8 as amended by TT 64/2024/TT-BTC
for national funds; a resolution of the provincial People's Council for local funds). The request
preview, the request check and every project check call `support_limit`; the rules that choose which
rule applies (per fund, per line, at which date) are settled by the law-and-journeys issue, here."""

from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.money import format_vnd

from .selectors import rule_in_force


def _money(value):
    return format_vnd(value)


def _day(value):
    return date_format(value, "d/m/Y")


@dataclass
class CeilingCheck:
    ok: bool
    flagged: bool = False
    message: str = ""
    rule: object = None
    limit: int | None = None


def ceiling_check(*, activity, variant, lead_fund, support, eligible_cost, units_covered, on_date):
    """State support ≤ min(cap × units covered, max % × eligible cost) under the rule of the
    activity, variant and lead fund in force on `on_date` (TT 28/2018/TT-BTC Điều 8 as amended by
    TT 64/2024/TT-BTC for national funds; a resolution of the provincial People's Council for local
    funds). No rule configured: a warning and a flag, not a block."""
    rule = rule_in_force(
        activity=activity, variant=variant, funding_source=lead_fund, on_date=on_date, kind="ceiling"
    )
    if rule is None:
        return CeilingCheck(
            ok=True,
            flagged=True,
            message=_(
                "Chưa có quy định mức hỗ trợ tối đa cho hoạt động %(activity)s%(variant)s, nguồn %(fund)s "
                "tại ngày %(date)s: đề án được đánh dấu để cán bộ kiểm tra."
            )
            % {
                "activity": activity.code,
                "variant": f" ({variant.label})" if variant else "",
                "fund": lead_fund.short_name,
                "date": _day(on_date),
            },
        )
    # units_covered: a number, or what the project counts for the rule's cap unit (a callable)
    units = units_covered(rule) if callable(units_covered) else units_covered
    limit, how = support_limit(rule, cost=eligible_cost, units=units)
    if support > limit:
        return CeilingCheck(
            ok=False,
            rule=rule,
            limit=limit,
            message=_(
                "Kinh phí hỗ trợ %(support)s vượt mức tối đa %(limit)s (%(how)s) theo quy định “%(rule)s”, "
                "căn cứ %(basis)s."
            )
            % {
                "support": _money(support),
                "limit": _money(limit),
                "how": how,
                "rule": rule.label or rule.code,
                "basis": rule.legal_basis,
            },
        )
    return CeilingCheck(ok=True, rule=rule, limit=limit)


def support_limit(rule, *, cost, units=1):
    """min(cap × units, max % × cost) under `rule`, with how it was reached in words.
    (None, "") when the rule bounds neither (no cap, or a percentage without a cost)."""
    bounds = []
    if rule.cap_vnd is not None:
        bounds.append((rule.cap_vnd * units, _("%(cap)s × %(units)s %(unit)s")))
    if rule.max_percent is not None and cost is not None:
        bounds.append((int(rule.max_percent * cost // 100), _("%(percent)s%% chi phí được tính hỗ trợ")))
    if not bounds:
        return None, ""
    limit, how = min(bounds, key=lambda b: b[0])
    return limit, how % {
        "cap": _money(rule.cap_vnd or 0),
        "units": units,
        "unit": rule.get_cap_unit_display() if rule.cap_unit else _("đơn vị tính"),
        "percent": f"{rule.max_percent.normalize():f}" if rule.max_percent is not None else "",
    }
