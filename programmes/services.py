"""Writes on the programme's frame that carry a rule."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, is_staff_like
from core.text import clean_text

from .models import Programme, ReportingUnit, SelectionRound


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


DUPLICATE_ROUND = _("Kỳ bình chọn này (năm và quyết định công nhận) đã được ghi.")


def _check_round(programme: Programme, *, year: int, recognition_date: datetime.date) -> dict:
    errors = {}
    if not programme.start_year <= year <= programme.end_year:
        errors["year"] = _("Năm bình chọn phải trong các năm của Chương trình (%(start)s-%(end)s).") % {
            "start": programme.start_year,
            "end": programme.end_year,
        }
    if recognition_date.year < year:
        errors["recognition_date"] = _("Ngày quyết định công nhận không được trước năm bình chọn.")
    elif recognition_date > timezone.localdate():
        errors["recognition_date"] = _("Ngày quyết định công nhận không được sau hôm nay.")
    return errors


@transaction.atomic
def selection_round_add(
    *,
    actor,
    programme: Programme,
    level: str,
    year: int,
    recognition_decision: str,
    recognition_date: datetime.date,
    products_recognised: int | None = None,
    note: str = "",
) -> SelectionRound:
    """Record a round of selecting typical rural industrial products (TT 26/2014/TT-BCT), by its
    year and its recognition decision: staff and leaders only; inside the programme's years, the
    decision dated in or after the round's year and not after today; one row per round (a round
    paid by two projects is one round)."""
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới ghi được kỳ bình chọn."), code="forbidden")
    errors = _check_round(programme, year=year, recognition_date=recognition_date)
    if errors:
        raise ValidationError(errors, code="invalid")
    round_ = SelectionRound(
        programme=programme,
        level=level,
        year=year,
        recognition_decision=clean_text(recognition_decision),
        recognition_date=recognition_date,
        products_recognised=products_recognised,
        note=clean_text(note),
    )
    round_.full_clean()
    try:
        with transaction.atomic():
            round_.save()
    except IntegrityError as error:  # the same round recorded by someone else at the same moment
        raise ValidationError(DUPLICATE_ROUND, code="duplicate") from error
    return round_
