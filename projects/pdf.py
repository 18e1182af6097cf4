"""The approval summary of a đề án (tóm tắt đề án trình phê duyệt) as a PDF on the NĐ 30/2020 base:
what a leader reads before signing the decision, and keeps with it once signed.

Its content follows the project dossier of TT 36/2013/TT-BCT (objective, beneficiaries, location,
duration, budget by source) with the appraisal result and the support ceiling checked under
TT 28/2018/TT-BTC Điều 8 (as amended by TT 64/2024/TT-BTC) or the provincial resolution."""

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import role_required
from accounts.roles import Role
from core.money import group
from core.pdf import pdf_response, render_pdf
from programmes.ceilings import ceiling_check, support_limit

from .models import APPROVED_STATUSES, Status
from .selectors import approved_figures_only, project_for
from .services import budget_lines
from .services.budget import cap_units

# From the appraisal on there is something to summarise for a decision.
SUMMARY_STATUSES = (Status.APPRAISED, *APPROVED_STATUSES)


def _last_step(project, step):
    return (
        project.transitions.filter(step=step).select_related("actor", "budget").order_by("-at", "-id").first()
    )


def _ceiling(project, support, on_date, communes):
    """The rule in force for the lead fund on the decision's date (today before a decision) in the
    project's communes and the limit it sets, with how the limit is reached."""
    units = {}

    def units_for(rule):  # counted once for the check and the limit shown
        if rule.pk not in units:
            units[rule.pk] = cap_units(project, rule)
        return units[rule.pk]

    check = ceiling_check(
        activity=project.activity,
        variant=project.variant,
        lead_fund=project.lead_fund,
        support=support,
        eligible_cost=project.eligible_cost,
        units_covered=units_for,
        on_date=on_date,
        communes=communes,
    )
    if check.rule is None:
        return {"rule": None, "message": check.message}
    limit, how = support_limit(check.rule, cost=project.eligible_cost, units=units_for(check.rule))
    return {
        "rule": check.rule,
        "limit": group(limit) if limit is not None else "—",
        "how": how,
        "ok": check.ok,
        "on_date": on_date,
    }


def approval_summary(user, pk):
    """The context of the approval summary of project `pk`, scoped like the project page
    (projects_visible_to: a project outside the user's scope, or not yet appraised, is a 404).
    An observer reads the decided figures only, so the appraisal is left out for them, as on
    the page."""
    from django.http import Http404

    project = project_for(user, pk)
    if project.status not in SUMMARY_STATUSES:
        raise Http404
    approval = _last_step(project, "approve") if project.status in APPROVED_STATUSES else None
    appraisal = None if approved_figures_only(user) else _last_step(project, "appraise")
    budget = approval.budget if approval and approval.budget_id else project.current_budget
    lines = budget_lines(project, budget)
    support = sum(amount for source, amount in lines.items() if source.is_state_support)
    total = sum(lines.values())
    on_date = project.decision_date or timezone.localdate()
    communes = list(project.communes.all())
    return {
        "project": project,
        "beneficiaries": list(project.beneficiaries.select_related("commune")),
        "communes": communes,
        "lines": [
            {"source": source, "amount": group(amount), "share": _share(amount, total)}
            for source, amount in lines.items()
        ],
        "lines_total": group(total),
        "lines_basis": _("theo quyết định phê duyệt") if approval else _("theo dự toán đề xuất"),
        "total_cost": group(project.total_cost),
        "eligible_cost": group(project.eligible_cost),
        "state_support": group(support),
        "ceiling": _ceiling(project, support, on_date, communes),
        "appraisal": appraisal,
        "approval": approval,
        # the document itself
        "title": _("Tóm tắt đề án khuyến công trình phê duyệt"),
        "subtitle": project.title,
        "symbol": "SCT-KC",
        "date": timezone.localdate(),
        "recipients": [_("Lãnh đạo Sở (để b/c);"), _("Lưu: VT, TTKC.")],
        "signature": {
            "authority": _("KT. GIÁM ĐỐC"),
            "position": _("PHÓ GIÁM ĐỐC"),
            "name": approval.actor.full_name if approval and approval.actor else "",
        },
    }


def _share(amount, total):
    if not total:
        return "—"
    percent = round(100 * amount / total, 1)
    return f"{percent:g}%".replace(".", ",")


@role_required(Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.APPLICANT, Role.OBSERVER)
def approval_summary_pdf(request, pk):
    """The summary as a PDF, named for the project ("Tóm tắt đề án DA-2026-KCQG-001.pdf")."""
    context = approval_summary(request.user, pk)
    filename = _("Tóm tắt đề án %(code)s.pdf") % {"code": context["project"].code}
    return pdf_response(render_pdf("projects/approval_summary.html", context, request=request), filename)
