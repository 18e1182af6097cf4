"""Template helpers for Vietnamese figures: money as 1.234.567 đ, codes and years unlocalised."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def vnd(value):
    """Whole đồng with dot thousands separators: 1234567 → '1.234.567 đ'."""
    if value is None or value == "":
        return "—"
    return f"{number_format(int(value), decimal_pos=0, use_l10n=True, force_grouping=True)} đ"


@register.filter
def trieu(value):
    """Đồng shown in triệu đồng, as yearly reports use: 1250000000 → '1.250'."""
    if value is None or value == "":
        return "—"
    millions = (Decimal(int(value)) / 1_000_000).quantize(Decimal("0.001")).normalize()
    decimals = max(0, -millions.as_tuple().exponent)
    return number_format(millions, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def num(value):
    """A count with grouping: 12345 → '12.345'."""
    if value is None or value == "":
        return "—"
    return number_format(value, use_l10n=True, force_grouping=True)
