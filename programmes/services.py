"""Writes on the programme's frame that carry a rule."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.roles import Role

from .models import ReportingUnit


def user_reporting_units_check(*, roles: Iterable[str], units: Iterable[ReportingUnit]) -> None:
    """A commune or partner-department official reports for at least one unit; nobody else is tied
    to a unit (a unit's members are who its reminders and scope reach)."""
    roles, units = set(map(str, roles)), list(units)
    if Role.UNIT_REPORTER in roles and not units:
        raise ValidationError(
            {
                "reporting_units": _(
                    "Cán bộ xã, phường, đơn vị phối hợp phải thuộc ít nhất một đơn vị báo cáo."
                )
            },
            code="unit_required",
        )
    if units and Role.UNIT_REPORTER not in roles:
        raise ValidationError(
            {
                "reporting_units": _(
                    "Chỉ tài khoản có vai trò cán bộ xã, phường, đơn vị phối hợp mới được gắn với đơn vị báo cáo."
                )
            },
            code="units_without_role",
        )


def user_reporting_units_set(*, user, roles: Iterable[str], units: Iterable[ReportingUnit]) -> None:
    """The units `user` reports for (the staff account page composes this with accounts' own
    services in one transaction)."""
    units = list(units)
    user_reporting_units_check(roles=roles, units=units)
    user.reporting_units.set(units)
