"""Support requests: the applicant's own, the form with its live ceiling preview, the page with
staff triage, and the staff list."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, is_staff_like
from core.exports import export_response
from core.forms import apply_service_errors
from core.spreadsheets import xlsx_response

from .. import selectors, services
from ..exports import REQUEST_EXPORT, REQUEST_SHEET, request_export_file, request_list_listing
from ..forms import SupportRequestForm, TriageForm
from ..models import Applicant, SupportRequest
from ..workflow import TRIAGE
from ._common import STAFF


@role_required(Role.APPLICANT)
def my_requests(request):
    applicants = list(selectors.own_applicants(request.user))
    requests = selectors.request_list(request.user)
    return render(request, "applicants/my_requests.html", {"applicants": applicants, "requests": requests})


def _ceiling_context(form, applicant):
    """The ceilings in force for what the form says, where `applicant` is (a rule may apply in a
    former province's communes only)."""
    return selectors.ceiling_preview(form.data if form.is_bound else {}, form.instance, applicant=applicant)


def _ceiling_partial(request, applicant):
    """The htmx answer while the form is typed: the ceiling box alone."""
    context = _ceiling_context(SupportRequestForm(request.GET), applicant)
    return render(request, "applicants/_ceiling.html", context)


@role_required(Role.APPLICANT, *STAFF)
def request_create(request, applicant_pk):
    applicant = selectors.applicant_for(request.user, applicant_pk, edit=True)
    if request.headers.get("HX-Request"):
        return _ceiling_partial(request, applicant)
    form = SupportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.support_request_create(
                applicant=applicant,
                actor=request.user,
                data=form.data_for_service(),
                submit="submit" in request.POST,
                declare_no_other_support=form.cleaned_data["no_other_support"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if created.code:
                messages.success(request, _("Đã gửi đề nghị. Mã theo dõi: %(code)s") % {"code": created.code})
            else:
                messages.success(request, _("Đã lưu nháp đề nghị."))
            return redirect("applicants:request_detail", pk=created.pk)
    # An applicant whose profile is not verified yet is told before typing a request that it could
    # not send (the service refuses it anyway).
    not_verified = not is_staff_like(request.user) and not applicant.is_verified
    context = {
        "form": form,
        "applicant": applicant,
        "not_verified": not_verified,
        **_ceiling_context(form, applicant),
    }
    return render(request, "applicants/request_form.html", context)


@role_required(Role.APPLICANT, *STAFF)
def request_edit(request, pk):
    support_request = selectors.request_for(request.user, pk)
    if support_request.status not in services.EDITABLE:
        raise Http404
    if request.headers.get("HX-Request"):
        return _ceiling_partial(request, support_request.applicant)
    form = SupportRequestForm(request.POST or None, instance=support_request)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_request_update(
                request=support_request,
                actor=request.user,
                data=form.data_for_service(),
                expected_version=form.cleaned_data["version"],
                submit="submit" in request.POST,
                declare_no_other_support=form.cleaned_data["no_other_support"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu đề nghị."))
            return redirect("applicants:request_detail", pk=support_request.pk)
    context = {"form": form, "applicant": support_request.applicant, "support_request": support_request}
    context.update(_ceiling_context(form, support_request.applicant))
    return render(request, "applicants/request_form.html", context)


@role_required(Role.APPLICANT, *STAFF)
def request_detail(request, pk):
    support_request = selectors.request_for(request.user, pk)
    ceilings = selectors.ceilings_for(
        activity=support_request.activity,
        variant=support_request.variant,
        cost=support_request.estimated_cost,
        communes=selectors.applicant_communes(support_request.applicant),
    )
    return render(
        request,
        "applicants/request_detail.html",
        {
            "r": support_request,
            "events": selectors.request_events(support_request),
            "staff": is_staff_like(request.user),
            "editable": support_request.status in services.EDITABLE,
            "triage_form": TriageForm(),
            "triage_steps": TRIAGE.steps_for(request.user, support_request.status),
            "ceilings": ceilings,
            "ceiling_cost": support_request.estimated_cost,
            "ceiling_checked": True,
        },
    )


@require_POST
@role_required(*STAFF)
def request_triage(request, pk):
    support_request = selectors.request_for(request.user, pk)
    form = TriageForm(request.POST)
    if form.is_valid():
        try:
            services.support_request_triage(
                request=support_request,
                actor=request.user,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã ghi bước xử lý đề nghị."))
    else:
        messages.error(request, _("Bước xử lý không hợp lệ."))
    return redirect("applicants:request_detail", pk=support_request.pk)


@role_required(*STAFF)
def request_list(request):
    listing = request_list_listing(request)
    if listing.wants_export:
        return export_response(
            request,
            kind=REQUEST_EXPORT,
            count=listing.paginator.count,
            respond=lambda: xlsx_response(*request_export_file(listing.queryset), REQUEST_SHEET),
        )
    return render(
        request,
        "applicants/request_list.html",
        {
            "listing": listing,
            "statuses": SupportRequest.Status.choices,
            "kinds": Applicant.Kind.choices,
            "communes": selectors.communes_for_filter(request.user),
            "activities": selectors.activities_for_filter(),
        },
    )
