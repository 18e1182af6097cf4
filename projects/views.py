"""Project pages: thin views over the selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q, Sum
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role, is_staff_like
from core.forms import apply_service_errors
from core.listing import Listing, int_filter
from core.spreadsheets import drop_stash, load_stash, read_table, stash_rows, xlsx_response
from programmes.models import ActivityType, ContentArea, FundingSource

from . import services
from .forms import (
    AdjustForm,
    DocumentForm,
    FromRequestForm,
    ImportForm,
    OutputFormSet,
    PaymentForm,
    ProgressForm,
    ProjectForm,
    TransitionForm,
)
from .models import (
    CURRENT_SUPPORT,
    BudgetLine,
    BudgetVersion,
    Payment,
    Project,
    RequiredDocument,
    Status,
)
from .resources import EXPORT_HEADERS, IMPORT_COLUMNS, export_rows, import_projects
from .selectors import (
    documents_missing_from_applicants,
    late_to_report,
    may_download_documents,
    may_see_personal_data,
    may_upload_documents,
    project_for,
    project_history,
    projects_visible_to,
    settlement_overdue,
    step_initial,
    with_late_flag,
    with_settlement_overdue,
)
from .workflow import STEPS_BY_KEY, steps_for

ALL_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.APPLICANT, Role.OBSERVER)
LIST_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.OBSERVER)
STAFF = (Role.STAFF, Role.LEADER)


def _errors_to_form(form, error):
    apply_service_errors(form, error)


def _source_filter(queryset, value):
    """Projects whose current budget has a line of that funding source."""
    return queryset.filter(
        pk__in=BudgetLine.objects.filter(
            funding_source__code=value, budget__project__current_budget=F("budget")
        ).values("budget__project")
    )


def _commune_filter(queryset, value):
    through_c = Project.communes.through.objects.filter(administrativeunit__code=value).values("project")
    through_b = Project.beneficiaries.through.objects.filter(applicant__commune__code=value).values("project")
    return queryset.filter(Q(pk__in=through_c) | Q(pk__in=through_b))


def _beneficiary_filter(queryset, value):
    return queryset.filter(
        pk__in=Project.beneficiaries.through.objects.filter(applicant_id=int(value)).values("project")
    )


LIST_FILTERS = {
    "year": int_filter("year"),
    "status": "status",
    "activity": "activity__code",
    "area": int_filter("activity__content_area__number"),
    "fund": _source_filter,
    "commune": _commune_filter,
    "beneficiary": _beneficiary_filter,
}
LIST_SORTS = {
    "code": ("code", "id"),
    "title": ("sort_key", "id"),
    "year": ("year", "code"),
    "status": ("status", "code"),
    "total": ("total_cost", "id"),
    "support": ("support_shown", "id"),
}


# The money columns the list totals over its filtered rows.
LIST_TOTALS = {
    "total_cost": Sum("total_cost"),
    "state_support": Sum("support_shown"),
    "accepted_support": Sum("accepted_support"),
}


def _listing(request, queryset):
    exporting = request.GET.get("format") == "xlsx"
    return Listing(
        request,
        queryset,
        filters=LIST_FILTERS,
        sorts=LIST_SORTS,
        default_sort="-year",
        totals=None if exporting else LIST_TOTALS,  # counted with the rows in one query
    )


@role_required(*LIST_ROLES)
def project_list(request):
    queryset = (
        with_settlement_overdue(with_late_flag(projects_visible_to(request.user)))
        .annotate(support_shown=CURRENT_SUPPORT)
        .select_related("activity", "variant", "lead_fund")
        .prefetch_related("beneficiaries", "communes")
    )
    listing = _listing(request, queryset)
    if listing.wants_export:
        stamp = timezone.localdate().strftime("%Y%m%d")
        return xlsx_response(f"de-an-{stamp}.xlsx", EXPORT_HEADERS, export_rows(listing.queryset), "Đề án")
    totals = listing.totals
    labels = {key: str(label) for key, label in Status.choices}
    rows = list(listing.page.object_list)
    for p in rows:
        p.status_label = labels[p.status]
    context = {
        "listing": listing,
        "rows": rows,
        "totals": totals,
        "statuses": list(labels.items()),
        "activities": [
            (code, label if len(label) <= 40 else label[:39] + "…")
            for code, label in ActivityType.objects.filter(programme__is_current=True).values_list(
                "code", "short_label"
            )
        ],
        "areas": ContentArea.objects.filter(programme__is_current=True),
        "funds": FundingSource.objects.all(),
        "personal": may_see_personal_data(request.user),
        "can_create": is_staff_like(request.user),
    }
    return render(request, "projects/list.html", context)


@role_required(Role.APPLICANT)
def project_mine(request):
    rows = list(
        projects_visible_to(request.user)
        .select_related("activity", "lead_fund")
        .prefetch_related("beneficiaries")
        .order_by("-year", "code")
    )
    documents_missing_from_applicants(rows)
    return render(request, "projects/mine.html", {"rows": rows})


def _detail_context(request, project):
    user = request.user
    budgets = list(
        BudgetVersion.objects.filter(project=project)
        .prefetch_related("lines__funding_source")
        .order_by("number")
    )
    transitions = project_history(user, project)
    documents = list(project.documents.select_related("uploaded_by"))
    have = {d.kind for d in documents}
    checklist = [
        {
            "row": row,
            "done": row.kind in have,
            "step": STEPS_BY_KEY[row.step].label if row.step in STEPS_BY_KEY else row.step,
        }
        for row in services.required_documents(project).select_related("activity")
    ]
    asked_kinds = [
        c["row"].kind for c in checklist if c["row"].provider == RequiredDocument.Provider.APPLICANT
    ]
    staff = is_staff_like(user)
    uploader = may_upload_documents(user, project)
    return {
        "project": project,
        "budgets": budgets,
        "current_lines": services.budget_lines(project),
        "transitions": transitions,
        "documents": documents,
        "checklist": checklist,
        "steps": steps_for(user, project.status),
        "payments": project.payments.all(),
        "position": services.payment_position(project),
        "progress": project.progress_entries.all(),
        "late": late_to_report(project),
        "settlement_overdue": is_staff_like(user) and settlement_overdue(project),
        "outputs": project.outputs.all(),
        "beneficiaries": project.beneficiaries.select_related("commune"),
        "communes": project.communes.all(),
        "personal": may_see_personal_data(user),
        "show_documents": staff or has_role(user, Role.APPLICANT, Role.UNIT_REPORTER),
        "may_download": may_download_documents(user, project),
        "is_staff": staff,
        "is_leader": has_role(user, Role.LEADER),
        "document_form": DocumentForm(kinds=None if staff else asked_kinds) if uploader else None,
        "progress_form": ProgressForm(initial={"version": project.version})
        if staff and project.status == Status.IN_PROGRESS
        else None,
        "payment_form": PaymentForm(
            initial={
                "version": project.version,
                # what the status allows: advances before acceptance, the payment after it
                "kind": Payment.Kind.FINAL if project.status == Status.ACCEPTED else Payment.Kind.ADVANCE,
            }
        )
        if staff and project.status in (Status.CONTRACTED, Status.IN_PROGRESS, Status.ACCEPTED)
        else None,
    }


@role_required(*ALL_ROLES)
def project_detail(request, pk):
    project = project_for(request.user, pk)
    return render(request, "projects/detail.html", _detail_context(request, project))


def _outputs(formset):
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and f.cleaned_data.get("label")]


@role_required(*STAFF)
def project_create(request):
    form = ProjectForm(request.POST or None)
    formset = OutputFormSet(request.POST or None, prefix="outputs")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            project, warnings = services.project_create(
                user=request.user,
                data=form.data_dict(),
                lines=form.lines(),
                outputs=_outputs(formset),
                beneficiaries=form.cleaned_data["beneficiaries"],
                communes=form.cleaned_data["communes"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, _("Đã tạo đề án %(code)s.") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(
        request, "projects/form.html", {"form": form, "formset": formset, "title": _("Lập đề án mới")}
    )


@role_required(*STAFF)
def project_from_request(request):
    form = FromRequestForm(request.POST or None, initial={"support_request": request.GET.get("request")})
    if request.method == "POST" and form.is_valid():
        try:
            project, warnings = services.project_create_from_request(
                user=request.user,
                support_request=form.cleaned_data["support_request"],
                lead_fund=form.cleaned_data["lead_fund"],
                implementing_unit=form.cleaned_data["implementing_unit"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, _("Đã tạo đề án %(code)s từ đề nghị hỗ trợ.") % {"code": project.code})
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/from_request.html", {"form": form})


@role_required(*STAFF)
def project_edit(request, pk):
    project = project_for(request.user, pk)
    if not project.is_editable:
        messages.error(request, _("Đề án không còn sửa được; sau phê duyệt chỉ điều chỉnh bằng quyết định."))
        return redirect("projects:detail", pk=pk)
    form = ProjectForm(request.POST or None, instance=project)
    initial = [{"label": o.label, "quantity": o.quantity, "unit": o.unit} for o in project.outputs.all()]
    formset = OutputFormSet(request.POST or None, prefix="outputs", initial=initial)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            project, warnings = services.project_update(
                user=request.user,
                project=project,
                expected_version=form.cleaned_data["version"] or 0,
                data=form.data_dict(),
                lines=form.lines(),
                outputs=_outputs(formset),
                beneficiaries=form.cleaned_data["beneficiaries"],
                communes=form.cleaned_data["communes"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            for w in warnings:
                messages.warning(request, w)
            messages.success(request, _("Đã lưu đề án."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/form.html",
        {"form": form, "formset": formset, "title": _("Sửa đề án"), "project": project},
    )


@role_required(*STAFF)
def project_transition(request, pk, step):
    project = project_for(request.user, pk)
    spec = STEPS_BY_KEY.get(step)
    if spec is None:
        raise Http404
    form = TransitionForm(
        request.POST or None, request.FILES or None, step=spec, initial=step_initial(project, step)
    )
    if spec not in steps_for(request.user, project.status):
        messages.error(request, _("Bạn không thể thực hiện bước này ở trạng thái hiện tại."))
        return redirect("projects:detail", pk=pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_transition(
                user=request.user,
                project=project,
                step=step,
                data=form.step_data(),
                expected_version=form.cleaned_data.get("version") or 0,  # no version: stale
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Đã thực hiện: %(step)s.") % {"step": spec.label})
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/transition.html", {"project": project, "form": form, "step": spec})


@role_required(Role.LEADER)
def project_adjust(request, pk):
    project = project_for(request.user, pk)
    initial = {
        "version": project.version,
        "total_cost": project.total_cost,
        "eligible_cost": project.eligible_cost,
        "units_covered": project.units_covered,
    }
    for source, amount in services.budget_lines(project).items():
        initial[f"amount_{source.code}"] = amount
    initial["beneficiaries"] = list(project.beneficiaries.all())
    initial["communes"] = list(project.communes.all())
    form = AdjustForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_adjust(
                user=request.user,
                project=project,
                expected_version=data["version"],
                decision_number=data["decision_number"],
                decision_date=data["decision_date"],
                lines=form.lines(),
                total_cost=data["total_cost"],
                eligible_cost=data["eligible_cost"],
                units_covered=data["units_covered"],
                reason=data["reason"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                beneficiaries=data["beneficiaries"],
                communes=data["communes"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Đã ghi điều chỉnh; dự toán cũ vẫn được lưu trong lịch sử."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/adjust.html", {"project": project, "form": form})


def _form_errors(form):
    """A form's errors named by the fields' Vietnamese labels (never their code names)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return "; ".join(parts)


def _record_on_page(request, pk, form, record, *, done, invalid):
    """The small forms of the project page: validate, call the service, say what happened there."""
    project = project_for(request.user, pk)
    if form.is_valid():
        try:
            record(project, form.cleaned_data)
            messages.success(request, done)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, invalid % {"e": _form_errors(form)})
    return redirect("projects:detail", pk=pk)


@require_POST
@role_required(*STAFF)
def progress_add(request, pk):
    def record(project, d):
        services.progress_entry_add(
            user=request.user,
            project=project,
            month=d["month"],
            percent=d["percent"],
            spent=d["spent"],
            notes=d["notes"],
            document=d["file"],
            expected_version=d["version"] or 0,
        )

    form = ProgressForm(request.POST, request.FILES)
    return _record_on_page(
        request,
        pk,
        form,
        record,
        done=_("Đã ghi báo cáo tiến độ."),
        invalid=_("Báo cáo tiến độ chưa hợp lệ: %(e)s"),
    )


@require_POST
@role_required(*STAFF)
def payment_add(request, pk):
    def record(project, d):
        services.payment_record(
            user=request.user,
            project=project,
            kind=d["kind"],
            amount=d["amount"],
            paid_on=d["paid_on"],
            reference=d["reference"],
            expected_version=d["version"] or 0,
        )

    form = PaymentForm(request.POST)
    return _record_on_page(
        request, pk, form, record, done=_("Đã ghi khoản chi."), invalid=_("Khoản chi chưa hợp lệ: %(e)s")
    )


@require_POST
@role_required(Role.STAFF, Role.LEADER, Role.APPLICANT)
def document_upload(request, pk):
    def record(project, d):
        services.project_document_add(user=request.user, project=project, kind=d["kind"], uploaded=d["file"])

    form = DocumentForm(request.POST, request.FILES)
    return _record_on_page(
        request, pk, form, record, done=_("Đã tải tài liệu lên."), invalid=_("Tài liệu chưa hợp lệ: %(e)s")
    )


@role_required(*ALL_ROLES)
def document_download(request, pk, doc_pk):
    project = project_for(request.user, pk)
    if not may_download_documents(request.user, project):
        raise Http404  # observers and commune officials: no files (personal ID numbers)
    document = get_object_or_404(project.documents, pk=doc_pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)


IMPORT_KIND = "projects"


@role_required(*STAFF)
def project_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": IMPORT_COLUMNS}
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        try:
            table = load_stash(token, user=request.user, kind=IMPORT_KIND)
            result = import_projects(user=request.user, table=table, dry_run=False)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("projects:import")
        if result.saved:
            drop_stash(token)
            messages.success(request, _("Đã nhập %(n)s đề án.") % {"n": len(result.instances)})
            return redirect(reverse("projects:list"))
        context.update(result=result)
    elif request.method == "POST" and form.is_valid():
        try:
            table = read_table(form.cleaned_data["file"])
            result = import_projects(user=request.user, table=table, dry_run=True)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            context.update(result=result, preview=[r.project for r in result.instances][:50])
            if result.ok:
                context["token"] = stash_rows(table, user=request.user, kind=IMPORT_KIND)
    return render(request, "projects/import.html", context)
