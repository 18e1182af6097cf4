"""Project pages: thin views over the selectors and services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role
from applicants.selectors import applicant_search_for, applicants_visible_to
from core.exports import export_response
from core.forms import apply_service_errors
from core.money import group
from core.spreadsheets import claim_stash, drop_stash, read_table, release_stash, stash_rows, xlsx_response

from . import services
from .exports import PROJECT_EXPORT, SHEET, project_export_file
from .forms import (
    AdjustForm,
    ConfirmProgressForm,
    DocumentForm,
    FromRequestForm,
    ImportForm,
    OutputFormSet,
    PaymentForm,
    ProgressForm,
    ProjectForm,
    RecoveryForm,
    SharesForm,
    TransitionForm,
)
from .plan_pages import project_plan_context
from .resources import IMPORT_COLUMNS, import_projects
from .selectors import (
    PROJECT_PAGE_RELATED,
    adjust_initial,
    project_document,
    project_for,
    project_list_page,
    project_listing,
    project_page,
    project_steps,
    projects_of_applicant,
    step_initial,
)
from .workflow import STEPS_BY_KEY

ALL_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.APPLICANT, Role.OBSERVER)
LIST_ROLES = (Role.STAFF, Role.LEADER, Role.UNIT_REPORTER, Role.OBSERVER)
STAFF = (Role.STAFF, Role.LEADER)


def _errors_to_form(form, error):
    apply_service_errors(form, error)


@role_required(*LIST_ROLES)
def project_list(request):
    listing = project_listing(request.user, request)
    if listing.wants_export:
        return export_response(
            request,
            kind=PROJECT_EXPORT,
            count=listing.paginator.count,
            respond=lambda: xlsx_response(*project_export_file(listing.queryset), SHEET),
        )
    return render(request, "projects/list.html", project_list_page(request.user, listing))


@role_required(Role.APPLICANT)
def project_mine(request):
    return render(request, "projects/mine.html", {"rows": projects_of_applicant(request.user)})


def _page_forms(page):
    """The small forms of the project page, for what the selector says the user may do."""
    project = page["project"]
    forms = {"document_form": None, "progress_form": None, "payment_form": None, "recovery_form": None}
    if page["may_upload"]:
        forms["document_form"] = DocumentForm(kinds=None if page["is_staff"] else page["asked_kinds"])
    if page["progress_open"]:
        forms["progress_form"] = ProgressForm(initial={"version": project.version})
    if page["payment_kind"]:
        forms["payment_form"] = PaymentForm(
            initial={"version": project.version, "kind": page["payment_kind"]}
        )
    if page["recovery_open"]:
        forms["recovery_form"] = RecoveryForm(initial={"version": project.version})
    return forms


@role_required(*ALL_ROLES)
def project_detail(request, pk):
    page = project_page(request.user, project_for(request.user, pk, related=PROJECT_PAGE_RELATED))
    plan = project_plan_context(request.user, page["project"])
    return render(request, "projects/detail.html", page | _page_forms(page) | plan)


def _outputs(formset):
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and f.cleaned_data.get("label")]


BENEFICIARY_RESULTS = 20


@role_required(*STAFF)
def beneficiary_search(request):
    """The project form's search-as-you-type: at most 20 applicants the user may see whose name,
    tax code, phone… contain every word typed (htmx GET, a fragment of buttons)."""
    query = (request.GET.get("beneficiary_q") or request.GET.get("q") or "").strip()[:100]
    applicants = []
    if query:
        search = applicant_search_for(request.user)
        rows = search(applicants_visible_to(request.user), query).select_related("commune")
        applicants = list(rows.order_by("sort_key", "id")[:BENEFICIARY_RESULTS])
    return render(request, "projects/_beneficiary_results.html", {"applicants": applicants, "query": query})


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
        request.POST or None, request.FILES or None, step=spec, initial=step_initial(project, spec)
    )
    if spec not in project_steps(request.user, project):
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
    form = AdjustForm(request.POST or None, initial=adjust_initial(project))
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
                models_count=data["models_count"],
                planned_beneficiaries=data["planned_beneficiaries"],
                legal_basis=data["legal_basis"],
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


@role_required(*STAFF)
def beneficiary_shares(request, pk):
    """Each named beneficiary's share of the support (TT 28/2018/TT-BTC Điều 8: a per-facility cap
    binds each one): staff only, the version the page was opened at, all rows or none."""
    project = project_for(request.user, pk)
    beneficiaries = project.beneficiaries.select_related("commune").order_by("sort_key", "id")
    recorded = dict(project.beneficiary_shares.values_list("applicant_id", "amount"))
    form = SharesForm(
        request.POST or None,
        beneficiaries=beneficiaries,
        shares=recorded,
        initial={"version": project.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.beneficiary_shares_set(
                user=request.user,
                project=project,
                shares=form.shares(),
                expected_version=form.cleaned_data["version"] or 0,  # no version: stale
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "closed":
                messages.error(request, " ".join(error.messages))
                return redirect("projects:detail", pk=pk)
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Đã ghi phần hỗ trợ của từng cơ sở."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/shares.html", {"project": project, "form": form})


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
            funding_source=d["funding_source"],
            expected_version=d["version"] or 0,
        )

    form = PaymentForm(request.POST)
    return _record_on_page(
        request, pk, form, record, done=_("Đã ghi khoản chi."), invalid=_("Khoản chi chưa hợp lệ: %(e)s")
    )


@require_POST
@role_required(*STAFF)
def recovery_add(request, pk):
    def record(project, d):
        services.advance_recovery_record(
            user=request.user,
            project=project,
            amount=d["amount"],
            recovered_on=d["recovered_on"],
            reference=d["reference"],
            funding_source=d["funding_source"],
            document=d["file"],
            expected_version=d["version"] or 0,
        )

    form = RecoveryForm(request.POST, request.FILES)
    return _record_on_page(
        request,
        pk,
        form,
        record,
        done=_("Đã ghi thu hồi tạm ứng."),
        invalid=_("Thu hồi tạm ứng chưa hợp lệ: %(e)s"),
    )


@require_POST
@role_required(*STAFF)
def progress_confirm(request, pk):
    def record(project, d):
        entry = get_object_or_404(project.progress_entries, pk=d["entry"])
        services.progress_entry_confirm(user=request.user, entry=entry, expected_version=d["version"] or 0)

    form = ConfirmProgressForm(request.POST)
    return _record_on_page(
        request,
        pk,
        form,
        record,
        done=_("Đã xác nhận báo cáo tiến độ."),
        invalid=_("Không xác nhận được: %(e)s"),
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
    document = project_document(request.user, project_for(request.user, pk), doc_pk)
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.original_name)


IMPORT_KIND = "projects"


def _import_confirm(request, token):
    """Claim the preview (one confirm wins) and import it; None (with the message) when refused."""
    try:
        table = claim_stash(token, user=request.user, kind=IMPORT_KIND)
        try:
            result = import_projects(user=request.user, table=table, dry_run=False)
        except BaseException:
            release_stash(token)
            raise
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    if result.saved:
        drop_stash(token)
    else:
        release_stash(token)
    return result


@role_required(*STAFF)
def project_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": IMPORT_COLUMNS}
    if request.method == "POST" and request.POST.get("token"):
        result = _import_confirm(request, request.POST["token"])
        if result is None:
            return redirect("projects:import")
        if result.saved:
            messages.success(request, _("Đã nhập %(n)s đề án.") % {"n": group(len(result.instances))})
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
