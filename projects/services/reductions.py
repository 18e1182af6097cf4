"""An approval of less state support than proposed (issue 9 A7): the beneficiary commits to the
larger counterpart share, or the decision reduces the scale (fewer models, fewer planned
facilities). Called by the approval's handler (projects.services.steps.approve)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import format_vnd
from core.workflow import StepContext


def _commitment(context: StepContext) -> bool:
    """The beneficiary's written commitment to the larger counterpart share, when the leader gives
    one: who and which document, dated on or before the decision."""
    data = context.data
    text = (data.get("counterpart_commitment") or "").strip()
    day = data.get("counterpart_commitment_date")
    if not text and day is None:
        return False
    if not text or day is None:
        raise ValidationError(
            {
                "counterpart_commitment": ValidationError(
                    _("Cam kết tăng vốn đối ứng cần cả văn bản (số, của cơ sở nào) và ngày của văn bản."),
                    code="commitment_incomplete",
                )
            }
        )
    if day > data["decision_date"]:
        raise ValidationError(
            {
                "counterpart_commitment_date": ValidationError(
                    _("Văn bản cam kết đối ứng không được sau ngày quyết định phê duyệt."),
                    code="commitment_after_decision",
                )
            }
        )
    return True


def _scale(context: StepContext) -> dict:
    """The smaller scale the decision approves, {field: number}: fewer models, or fewer facilities
    planned for a group đề án. A figure that is not smaller than the proposal's is refused."""
    project, data = context.obj, context.data
    reduced = {}
    for name in ("models_count", "planned_beneficiaries"):
        value = data.get(name)
        if value in (None, ""):
            continue
        current = getattr(project, name)
        if current is None or int(value) >= current:
            label = context.step.field(name).label
            raise ValidationError(
                {
                    name: ValidationError(
                        _("%(label)s phải nhỏ hơn số của đề án trình (%(current)s).")
                        % {"label": label, "current": current if current is not None else "—"},
                        code="scale_not_reduced",
                    )
                }
            )
        reduced[name] = int(value)
    return reduced


def reduced_approval(context: StepContext, cut: int) -> bool:
    """Approving less state support than proposed (`cut` đồng less) records the beneficiary's
    commitment to the larger counterpart share or reduces the scale in the same decision (issue 9
    A7; NĐ 45/2012/NĐ-CP: the counterpart is the beneficiary's). Returns whether the counterpart
    takes the cut (the commitment); with a smaller scale the total cost shrinks by the cut instead.
    Nothing of the kind is recorded on an approval of the whole proposal."""
    project, row = context.obj, context.row
    if cut <= 0:
        if _scale(context):
            raise ValidationError(
                _("Chỉ giảm quy mô khi phê duyệt kinh phí hỗ trợ thấp hơn đề xuất."), code="scale_without_cut"
            )
        row.counterpart_commitment, row.counterpart_commitment_date = "", None
        return True
    committed, scale = _commitment(context), _scale(context)
    if committed == bool(scale):
        message = (
            _(
                "Kinh phí hỗ trợ được duyệt thấp hơn đề xuất %(cut)s: ghi cam kết tăng vốn đối ứng của cơ sở "
                "thụ hưởng (văn bản, ngày) hoặc giảm quy mô (số mô hình, số cơ sở dự kiến) trong quyết định."
            )
            if not committed
            else _("Ghi cam kết tăng vốn đối ứng hoặc giảm quy mô, không ghi cả hai trong một quyết định.")
        )
        raise ValidationError(message % {"cut": format_vnd(cut)}, code="reduction_unexplained")
    for name, value in scale.items():
        setattr(project, name, value)
    if scale:
        project.total_cost -= cut
        project.eligible_cost = max(0, min(project.eligible_cost - cut, project.total_cost))
    return committed
