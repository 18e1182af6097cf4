"""The handlers of the unit report's workflow steps (reports.workflow names one per step with work
of its own). The engine has already checked the role, the state and the required fields; a
ValidationError here changes nothing (the caller's transaction rolls back)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.deadlines import end_of_day
from core.text import nfc
from core.workflow import StepContext


def _day(moment) -> str:
    return date_format(timezone.localtime(moment), "d/m/Y H:i")


def check_not_locked(report) -> None:
    if report.is_locked:
        raise ValidationError(
            _(
                "Kỳ báo cáo năm %(year)s đã khóa sổ: báo cáo không sửa, không gửi được nữa. Liên hệ Sở Công Thương nếu cần mở lại."
            )
            % {"year": report.period.year},
            code="locked",
        )


def submit(context: StepContext) -> None:
    """A unit official sends the report (first time or after a return). Lateness is judged by the
    first submission against the unit deadline; a returned report resubmitted after the day staff
    set becomes late, one resubmitted by then keeps what it had (decision VI.7.a; issue 11)."""
    report, user = context.obj, context.user
    if not report.unit.members.filter(pk=user.pk).exists():
        raise ValidationError(_("Bạn không phải cán bộ báo cáo của đơn vị này."), code="forbidden")
    check_not_locked(report)
    now = timezone.now()
    if now < report.period.opens_at:
        raise ValidationError(
            _("Kỳ báo cáo bắt đầu nhận báo cáo từ %(day)s.") % {"day": _day(report.period.opens_at)},
            code="not_open",
        )
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.late = now > report.period.unit_deadline
    elif report.wanted_back_by and now > end_of_day(report.wanted_back_by):
        report.late = True
    report.submitted_at, report.submitted_by = now, user
    context.row.late = report.late


def return_to_unit(context: StepContext) -> None:
    """Staff send the report back with what must change and the day they want it back (not before
    today). A locked report is reopened instead, with a reason."""
    report, wanted = context.obj, context.data["wanted_back_by"]
    check_not_locked(report)
    if wanted < timezone.localdate():
        raise ValidationError({"wanted_back_by": _("Hạn gửi lại không được trước hôm nay.")}, code="past")


def reopen(context: StepContext) -> None:
    """Staff reopen one unit's report after the period closed (or an accepted one), with the
    reason, which is recorded and shown to the unit."""
    report = context.obj
    if not (report.is_locked or report.status == report.Status.ACCEPTED):
        raise ValidationError(
            _(
                "Chỉ mở lại báo cáo của kỳ đã khóa sổ hoặc báo cáo đã tiếp nhận; báo cáo này đơn vị vẫn sửa được."
            ),
            code="not_locked",
        )
    wanted = context.data.get("wanted_back_by")
    if wanted and wanted < timezone.localdate():
        raise ValidationError({"wanted_back_by": _("Hạn gửi lại không được trước hôm nay.")}, code="past")
    reason = nfc(context.data["reason"]).strip()
    report.reopened_at, report.reopen_reason = timezone.now(), reason
    report.wanted_back_by = wanted or None
    context.row.comment = reason
