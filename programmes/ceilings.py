"""The one support-ceiling computation (TT 28/2018/TT-BTC Điều 8 as amended by TT 64/2024/TT-BTC
for national funds; a resolution of the provincial People's Council for local funds). The request
preview, the request check and every project check call `fund_limit` (the rule in force for a fund
in a territory, and the limit it sets); `lines_check` holds each
state line to its own fund's rule and the total to the stricter, at the date the caller names (today
while drafting, the decision date at approval and adjustment)."""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.money import format_vnd

from .selectors import rule_in_force


def _money(value):
    return format_vnd(value)


def _day(value):
    return date_format(value, "d/m/Y")


@dataclass
class FundCheck:
    """One state line (KCQG or KCĐP) against its own fund's rule: `rule` None when the fund has
    no rule in force; `limit` None when the rule bounds nothing (see support_limit)."""

    fund: object
    amount: int
    rule: object = None
    limit: int | None = None
    how: str = ""

    @property
    def ok(self) -> bool:
        return self.limit is None or self.amount <= self.limit


@dataclass
class CeilingCheck:
    """The verdict on a set of lines. `rule`/`limit`: the stricter of the funds' rules, the one
    the total was held to; `funds`: each line's own check; `unruled`: the funds that carry money
    with no rule in force (a flag while drafting; a legal basis is recorded at approval)."""

    ok: bool
    flagged: bool = False
    message: str = ""
    rule: object = None
    limit: int | None = None
    funds: list = field(default_factory=list)

    @property
    def unruled(self) -> list:
        return [c.fund for c in self.funds if c.rule is None and c.amount > 0]

    def for_fund(self, fund) -> FundCheck | None:
        return next((c for c in self.funds if c.fund == fund), None)


def _no_rule_message(activity, variant, fund, on_date):
    return _(
        "Chưa có quy định mức hỗ trợ tối đa cho hoạt động %(activity)s%(variant)s, nguồn %(fund)s "
        "tại ngày %(date)s: đề án được đánh dấu để cán bộ kiểm tra."
    ) % {
        "activity": activity.code,
        "variant": f" ({variant.label})" if variant else "",
        "fund": fund.short_name,
        "date": _day(on_date),
    }


def _over_message(check: FundCheck, *, support, total: bool):
    text = (
        _(
            "Tổng kinh phí hỗ trợ của Nhà nước %(support)s vượt mức tối đa %(limit)s (%(how)s) theo quy định "
            "chặt hơn “%(rule)s”, căn cứ %(basis)s."
        )
        if total
        else _(
            "Kinh phí hỗ trợ %(support)s vượt mức tối đa %(limit)s (%(how)s) theo quy định “%(rule)s”, "
            "căn cứ %(basis)s."
        )
    )
    return text % {
        "support": _money(support),
        "limit": _money(check.limit),
        "how": check.how,
        "rule": check.rule.label or check.rule.code,
        "basis": check.rule.legal_basis,
    }


def fund_limit(fund, *, activity, variant, cost, units, on_date, communes=None, amount: int = 0) -> FundCheck:
    """The rule that bounds `fund`'s line for the activity and variant on `on_date` in `communes`
    (programmes.selectors.rule_in_force: a former province's resolution where it still applies, a
    whole-province one elsewhere, none when nothing is in force) and the limit it sets on `cost`
    (support_limit). `units`: a number, or a callable giving what the project counts for the rule's
    cap unit. The one selection the project checks, the request's preview and its check read."""
    rule = rule_in_force(
        activity=activity, variant=variant, funding_source=fund, on_date=on_date, communes=communes
    )
    check = FundCheck(fund=fund, amount=amount, rule=rule)
    if rule is not None:
        count = units(rule) if callable(units) else units
        check.limit, check.how = support_limit(rule, cost=cost, units=count)
    return check


def lines_check(
    *, activity, variant, lead_fund, lines, eligible_cost, units_covered, on_date, communes=None
) -> CeilingCheck:
    """Each state line ≤ min(cap × units covered, max % × eligible cost) under its own fund's rule
    for the activity and variant in force on `on_date` (and in the project's `communes`), and the
    sum of the state lines under the stricter of those limits (TT 28/2018/TT-BTC Điều 8 as
    amended by TT 64/2024/TT-BTC for KCQG; a resolution of the provincial People's Council for
    KCĐP). `lines`: {FundingSource: amount}; lines that are not state support are left out, the
    lead fund is always checked. A fund with money and no rule: a flag, not a block (the
    approval asks for the legal basis used instead)."""
    state = {fund: int(amount) for fund, amount in lines.items() if fund.is_state_support}
    state.setdefault(lead_fund, 0)
    checks = []
    for fund in sorted(state, key=lambda f: (f.sort_order, f.code)):
        if fund != lead_fund and not state[fund]:
            continue
        checks.append(
            fund_limit(
                fund,
                activity=activity,
                variant=variant,
                cost=eligible_cost,
                units=units_covered,
                on_date=on_date,
                communes=communes,
                amount=state[fund],
            )
        )
    for check in checks:
        if not check.ok:
            return CeilingCheck(
                ok=False,
                rule=check.rule,
                limit=check.limit,
                funds=checks,
                message=_over_message(check, support=check.amount, total=False),
            )
    bounded = [c for c in checks if c.limit is not None]
    stricter = min(bounded, key=lambda c: c.limit) if bounded else None
    total = sum(c.amount for c in checks)
    if stricter is not None and total > stricter.limit:
        return CeilingCheck(
            ok=False,
            rule=stricter.rule,
            limit=stricter.limit,
            funds=checks,
            message=_over_message(stricter, support=total, total=True),
        )
    missing = [c.fund for c in checks if c.rule is None and (c.amount > 0 or c.fund == lead_fund)]
    return CeilingCheck(
        ok=True,
        flagged=bool(missing),
        message=" ".join(_no_rule_message(activity, variant, fund, on_date) for fund in missing),
        rule=stricter.rule if stricter else next((c.rule for c in checks if c.rule), None),
        limit=stricter.limit if stricter else None,
        funds=checks,
    )


def ceiling_check(
    *, activity, variant, lead_fund, support, eligible_cost, units_covered, on_date, communes=None
):
    """One amount of the lead fund against its rule (lines_check with a single line)."""
    return lines_check(
        activity=activity,
        variant=variant,
        lead_fund=lead_fund,
        lines={lead_fund: support},
        eligible_cost=eligible_cost,
        units_covered=units_covered,
        on_date=on_date,
        communes=communes,
    )


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
