"""Template helpers for Vietnamese figures: money as 1.234.567 đ, codes and years unlocalised."""

from django import template
from django.utils.formats import number_format

from core.money import format_trieu, format_vnd

register = template.Library()


@register.filter
def vnd(value):
    """Whole đồng with dot thousands separators: 1234567 → '1.234.567 đ'."""
    return format_vnd(value)


@register.filter
def trieu(value):
    """Đồng shown in triệu đồng, as yearly reports use: 1250000000 → '1.250'."""
    return format_trieu(value)


@register.filter
def num(value):
    """A count with grouping: 12345 → '12.345'."""
    if value is None or value == "":
        return "—"
    return number_format(value, use_l10n=True, force_grouping=True)
