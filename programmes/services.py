"""Writes on the programme's frame that carry a rule."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role, is_staff_like
from core.concurrency import save_versioned
from core.text import clean_text

from .models import AdministrativeUnit, Collaborator, Programme, ReportingUnit, SelectionRound


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


COLLABORATOR_FIELDS = ("full_name", "commune", "position", "phone", "email", "appointment_decision")


def _collaborator_guard(actor):
    if not is_staff_like(actor):
        raise ValidationError(_("Chỉ cán bộ Sở mới quản lý được cộng tác viên."), code="forbidden")


def _check_no_overlap(collaborator: Collaborator) -> None:
    """Two collaborators of one commune may not be in office on the same day."""
    others = Collaborator.objects.select_for_update().filter(commune=collaborator.commune)
    if collaborator.pk:
        others = others.exclude(pk=collaborator.pk)
    if collaborator.ended_on:
        others = others.filter(appointed_on__lte=collaborator.ended_on)
    clash = others.exclude(ended_on__lt=collaborator.appointed_on).order_by("appointed_on").first()
    if clash:
        raise ValidationError(
            {
                "appointed_on": _(
                    "%(commune)s đã có cộng tác viên %(name)s từ %(start)s%(end)s: hai cộng tác viên của "
                    "một xã, phường không được cùng làm việc trong một thời gian. Kết thúc nhiệm vụ của "
                    "người trước rồi ghi người mới."
                )
                % {
                    "commune": collaborator.commune.full_name,
                    "name": clash.full_name,
                    "start": clash.appointed_on.strftime("%d/%m/%Y"),
                    "end": _(" đến %(date)s") % {"date": clash.ended_on.strftime("%d/%m/%Y")}
                    if clash.ended_on
                    else "",
                }
            },
            code="overlap",
        )


def _clean_collaborator_text(collaborator: Collaborator) -> None:
    for name in ("full_name", "position", "phone", "email", "appointment_decision", "end_reason"):
        setattr(collaborator, name, clean_text(getattr(collaborator, name)))


@transaction.atomic
def collaborator_create(
    *,
    actor,
    full_name: str,
    commune: AdministrativeUnit,
    appointed_on: datetime.date,
    position: str = "",
    phone: str = "",
    email: str = "",
    appointment_decision: str = "",
) -> Collaborator:
    """Record the collaborator of a commune (decision III.6.đ): staff and leaders only; no other
    collaborator of the commune in office from the appointment date on."""
    _collaborator_guard(actor)
    collaborator = Collaborator(
        full_name=full_name,
        commune=commune,
        appointed_on=appointed_on,
        position=position,
        phone=phone,
        email=email,
        appointment_decision=appointment_decision,
    )
    _clean_collaborator_text(collaborator)
    collaborator.full_clean()
    _check_no_overlap(collaborator)
    collaborator.save()
    return collaborator


@transaction.atomic
def collaborator_update(*, actor, collaborator: Collaborator, expected_version, **fields) -> Collaborator:
    """Change a collaborator's record (not its end: collaborator_end); refused when someone else
    saved it since the form was opened (core.concurrency)."""
    _collaborator_guard(actor)
    for name in (*COLLABORATOR_FIELDS, "appointed_on"):
        if name in fields:
            setattr(collaborator, name, fields[name])
    _clean_collaborator_text(collaborator)
    collaborator.full_clean()
    if collaborator.ended_on and collaborator.appointed_on > collaborator.ended_on:
        raise ValidationError(
            {"appointed_on": _("Ngày bắt đầu không được sau ngày kết thúc nhiệm vụ.")}, code="dates"
        )
    _check_no_overlap(collaborator)
    return save_versioned(
        collaborator,
        expected_version=expected_version,
        fields=[*(n if n != "commune" else "commune_id" for n in COLLABORATOR_FIELDS), "appointed_on"],
    )


@transaction.atomic
def collaborator_end(
    *, actor, collaborator: Collaborator, ended_on: datetime.date, reason: str, expected_version
) -> Collaborator:
    """End a collaborator's appointment on `ended_on` (in office that day), with the reason."""
    _collaborator_guard(actor)
    errors = {}
    reason = clean_text(reason)
    if not reason:
        errors["reason"] = _("Ghi lý do kết thúc nhiệm vụ.")
    if ended_on < collaborator.appointed_on:
        errors["ended_on"] = _("Ngày kết thúc không được trước ngày bắt đầu (%(date)s).") % {
            "date": collaborator.appointed_on.strftime("%d/%m/%Y")
        }
    if errors:
        raise ValidationError(errors, code="invalid")
    collaborator.ended_on = ended_on
    collaborator.end_reason = reason
    _check_no_overlap(collaborator)
    return save_versioned(collaborator, expected_version=expected_version, fields=["ended_on", "end_reason"])
