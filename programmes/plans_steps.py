"""The handlers of the annual plan's steps (programmes.plans_workflow), and the decision-issuer
check that plans and đề án share (programmes.DecisionIssuer: KCQG by the Minister; KCĐP by the
provincial chairman, or as the provincial rules delegate). A ValidationError here changes nothing:
the caller's transaction rolls back."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import nfc
from core.workflow import StepContext

from .models import DecisionIssuer, FundingSource


def check_issuer(funding_source: FundingSource, issuer: str, message: str) -> None:
    """`issuer` is one `funding_source` allows; else a ValidationError on the issuer field with
    `message` (%(fund)s, %(allowed)s) and code issuer_not_allowed."""
    allowed = list(DecisionIssuer.objects.filter(funding_source=funding_source))
    if issuer not in {row.issuer for row in allowed}:
        names = ", ".join(str(row.get_issuer_display()) for row in allowed) or "—"
        raise ValidationError(
            {
                "issuer": ValidationError(
                    message % {"fund": funding_source.short_name, "allowed": names},
                    code="issuer_not_allowed",
                )
            }
        )


def submit(context: StepContext) -> None:
    """A plan is submitted with its items, each in the plan's year."""
    plan = context.obj
    items = list(plan.items.all())
    if not items:
        raise ValidationError(_("Kế hoạch chưa có mục nào nên không thể trình."), code="no_items")
    if any(item.year != plan.year for item in items):
        raise ValidationError(_("Mọi mục của kế hoạch phải thuộc năm %(year)s.") % {"year": plan.year})


def record_comment(context: StepContext) -> None:
    """What must change is the event's comment, kept as written."""
    context.row.comment = nfc(context.data.get("comment") or "").strip()


def approve(context: StepContext) -> None:
    """A leader records the approving decision: dated today at the latest (and not before the
    decision of the version it adjusts), by an issuer the plan's source allows."""
    plan, data = context.obj, context.data
    if data["decision_date"] > timezone.localdate():
        raise ValidationError({"decision_date": _("Ngày quyết định không được sau hôm nay.")})
    previous = plan.previous
    if previous is not None and previous.decision_date and data["decision_date"] < previous.decision_date:
        raise ValidationError(
            {
                "decision_date": _("Ngày quyết định điều chỉnh không được trước quyết định trước (%(day)s).")
                % {"day": previous.decision_date.strftime("%d/%m/%Y")}
            }
        )
    check_issuer(
        plan.funding_source,
        data["issuer"],
        _("Quyết định phê duyệt kế hoạch nguồn %(fund)s do %(allowed)s ban hành."),
    )
