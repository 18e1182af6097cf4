"""Staff (and commune officials') pages: the applicant list, one applicant, the verification queue
and decisions, paper dossiers, and the import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, has_role, is_staff_like
from core.exports import export_response
from core.forms import apply_service_errors
from core.listing import Listing
from core.money import group
from core.spreadsheets import claim_stash, drop_stash, read_table, release_stash, stash_rows, xlsx_response

from .. import selectors, services
from ..exports import APPLICANT_EXPORT, APPLICANT_SHEET, applicant_export_file, applicant_list_listing
from ..forms import ArtisanTitleForm, ImportForm, ReviewForm, StaffEntryForm
from ..models import Applicant
from ..resources import APPLICANT_COLUMNS, applicant_import
from ._common import STAFF


@role_required(*STAFF, Role.UNIT_REPORTER)
def applicant_list(request):
    listing = applicant_list_listing(request)
    show_ids = is_staff_like(request.user)
    if listing.wants_export:
        return export_response(
            request,
            kind=APPLICANT_EXPORT,
            count=listing.paginator.count,
            respond=lambda: xlsx_response(
                *applicant_export_file(request.user, listing.queryset), APPLICANT_SHEET
            ),
        )
    return render(
        request,
        "applicants/list.html",
        {
            "listing": listing,
            "show_ids": show_ids,
            "kinds": Applicant.Kind.choices,
            "statuses": Applicant.Verification.choices,
            "communes": selectors.communes_for_filter(request.user),
            "activities": selectors.activities_for_filter(),
        },
    )


@role_required(*STAFF, Role.UNIT_REPORTER, Role.APPLICANT)
def detail(request, pk):
    applicant = selectors.applicant_for(request.user, pk)
    staff = is_staff_like(request.user)
    sees_requests = staff or has_role(request.user, Role.APPLICANT)
    return render(
        request,
        "applicants/detail.html",
        {
            "applicant": applicant,
            "reviews": selectors.reviews_of(applicant),
            "titles": applicant.artisan_titles.all(),
            "requests": selectors.requests_of(request.user, applicant) if sees_requests else [],
            "show_ids": staff or selectors.is_member(request.user, applicant),
            "staff": staff,
            "review_form": ReviewForm(),
            "duplicates": selectors.possible_duplicates_of(request.user, applicant),
        },
    )


@role_required(*STAFF)
def verification_queue(request):
    listing = Listing(request, selectors.verification_queue(request.user), **selectors.QUEUE_LISTING)
    return render(
        request,
        "applicants/queue.html",
        {
            "listing": listing,
            "kinds": Applicant.Kind.choices,
            "communes": selectors.communes_for_filter(request.user),
            "review_form": ReviewForm(),
        },
    )


def _next_or_queue(request):
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "applicants:verification_queue"
    return target


@require_POST
@role_required(*STAFF)
def review(request, pk):
    applicant = selectors.applicant_for(request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.applicant_review(
                applicant=applicant,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi quyết định với hồ sơ %(name)s.") % {"name": applicant.name})
    else:
        messages.error(request, _("Quyết định không hợp lệ."))
    return redirect(_next_or_queue(request))


@role_required(*STAFF)
def staff_entry(request):
    """A paper dossier entered by staff on an applicant's behalf."""
    if request.method == "POST":
        form = StaffEntryForm(request.POST)
        title_form = ArtisanTitleForm(request.POST, prefix="artisan")
        if form.is_valid() and title_form.is_valid():
            try:
                result = services.applicant_enter_paper_dossier(
                    actor=request.user,
                    applicant=form.instance,
                    create_account=form.cleaned_data["create_account"],
                    paper_consent=form.cleaned_data["paper_consent"],
                    artisan_title=title_form.as_data(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("Đã nhập hồ sơ giấy của %(name)s.") % {"name": result.applicant.name}
                )
                return render(request, "applicants/staff_entry_done.html", {"result": result})
    else:
        form = StaffEntryForm()
        title_form = ArtisanTitleForm(prefix="artisan")
    return render(request, "applicants/staff_entry.html", {"form": form, "title_form": title_form})


def _import_confirm(request, context):
    token = request.POST["token"]
    try:
        table = claim_stash(token, user=request.user, kind="applicants")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("applicants:import")
    try:
        result = applicant_import(table, actor=request.user, dry_run=False)
    except ValidationError as error:
        release_stash(token)
        messages.error(request, " ".join(error.messages))
        return redirect("applicants:import")
    except BaseException:
        release_stash(token)
        raise
    if result.ok:
        drop_stash(token)
        messages.success(request, _("Đã nhập %(n)s cơ sở.") % {"n": group(len(result.instances))})
        return redirect("applicants:list")
    release_stash(token)
    context.update(result=result)
    return None


def _import_preview(request, context):
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return
    try:
        table = read_table(form.cleaned_data["file"])
        result = applicant_import(table, actor=request.user, dry_run=True)
    except ValidationError as error:
        form.add_error("file", error)
        return
    context.update(result=result, preview=result.instances[:50], total=len(table.rows))
    if result.ok:
        context["token"] = stash_rows(table, user=request.user, kind="applicants")


@role_required(*STAFF)
def import_applicants(request):
    """Upload → preview (every bad row with its line) → confirm: all or nothing."""
    context = {"form": ImportForm(), "columns": [h for h, _f in APPLICANT_COLUMNS]}
    if request.method == "POST" and "token" in request.POST:
        response = _import_confirm(request, context)
        if response is not None:
            return response
    elif request.method == "POST":
        _import_preview(request, context)
    return render(request, "applicants/import.html", context)


IMPORT_EXAMPLE = [
    "Hộ kinh doanh",
    "Hộ kinh doanh Nguyễn Văn A",
    "",
    "",
    "Nguyễn Văn A",
    "0912345678",
    "",
    "Thôn 1",
    "11953",
    "Mây tre đan",
    2015,
    3,
    500000000,
    300000000,
]


@role_required(*STAFF)
def import_template(request):
    return xlsx_response("mau-nhap-co-so.xlsx", [h for h, _f in APPLICANT_COLUMNS], [IMPORT_EXAMPLE], "Cơ sở")
