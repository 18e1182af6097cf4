"""The support ceiling a request must respect when it is submitted."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import group

from ..selectors import Ceiling, ceilings_for


def _describe(rule):
    parts = []
    if rule.max_percent is not None:
        parts.append(_("tối đa %(p)s%% chi phí") % {"p": f"{rule.max_percent.normalize():f}"})
    if rule.cap_vnd is not None:
        parts.append(_("không quá %(cap)s đồng") % {"cap": group(rule.cap_vnd)})
    return ", ".join(parts)


def check_ceiling(
    *, activity, variant, cost: int, support: int, on_date=None, communes=None
) -> list[Ceiling]:
    """Refuse `support` above every ceiling in force where the request is carried out (`communes`:
    the applicant's; the same selection as the preview and the project, programmes.ceilings), with
    the reason and legal basis (TT 28/2018/TT-BTC as amended by TT 64/2024/TT-BTC). Returns the
    ceilings; an empty list means no rule is configured (the form warns, the request is allowed)."""
    ceilings = ceilings_for(activity=activity, variant=variant, cost=cost, on_date=on_date, communes=communes)
    bounded = [c for c in ceilings if c.amount is not None]
    if bounded and len(bounded) == len(ceilings):
        best = max(bounded, key=lambda c: c.amount)
        if support > best.amount:
            raise ValidationError(
                _(
                    "Kinh phí đề nghị hỗ trợ %(support)s đồng vượt mức tối đa %(cap)s đồng "
                    "(nguồn %(fund)s: %(rule)s; căn cứ %(basis)s)."
                )
                % {
                    "support": group(support),
                    "cap": group(best.amount),
                    "fund": best.fund,
                    "rule": _describe(best.rule),
                    "basis": best.rule.legal_basis,
                },
                code="above_ceiling",
            )
    return ceilings
