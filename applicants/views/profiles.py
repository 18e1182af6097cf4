"""Registration, the applicant's own profile, its edit and the own-data download."""

import json

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, is_staff_like
from core.forms import apply_service_errors
from core.http import client_ip
from core.spreadsheets import xlsx_response

from .. import selectors, services
from ..forms import PROFILE_FIELDS, ApplicantForm, ArtisanTitleForm, RegistrationForm
from ..models import Applicant
from ..resources import personal_data_rows
from ._common import STAFF


def register(request):
    """Public self-registration: the account and the profile in one form (phone first)."""
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        title_form = ArtisanTitleForm(request.POST, prefix="artisan")
        try:  # counted before the form answers anything, "already exists" included
            services.applicant_registration_allow(
                phone=request.POST.get("phone", ""),
                email=request.POST.get("email", ""),
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.is_valid()
            form.add_error(None, error)
        if not form.errors and form.is_valid() and title_form.is_valid():
            try:
                applicant, user = services.applicant_register(
                    applicant=form.instance,
                    password=form.cleaned_data["password1"],
                    consent=form.cleaned_data["consent"],
                    artisan_title=title_form.as_data(),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                login(request, user, backend="accounts.backends.EmailOrPhoneBackend")
                messages.success(
                    request,
                    _("Đăng ký thành công. Hồ sơ của cơ sở đang chờ cán bộ Sở Công Thương xác minh."),
                )
                return redirect("applicants:my_profile")
    else:
        form = RegistrationForm()
        title_form = ArtisanTitleForm(prefix="artisan")
    context = {"form": form, "title_form": title_form, "notice": services.privacy_notice_current()}
    return render(request, "applicants/register.html", context)


def privacy_notice(request):
    """The notice in force, with its version (the one a consent given today records)."""
    return render(request, "applicants/privacy.html", {"notice": services.privacy_notice_current()})


@role_required(Role.APPLICANT)
def my_profile(request):
    """The applicant's profiles, and the invitations to join another one waiting for an answer."""
    applicants = selectors.own_applicants_with_consent(request.user)
    invitations = list(selectors.member_invitations_for(request.user))
    return render(
        request, "applicants/my_profile.html", {"applicants": applicants, "invitations": invitations}
    )


@require_POST
@role_required(Role.APPLICANT)
def consent(request, pk):
    """Withdraw consent, or give it again, from the profile: one button either way."""
    applicant = selectors.applicant_for(request.user, pk, edit=True)
    try:
        if request.POST.get("action") == "withdraw":
            services.privacy_consent_withdraw(applicant=applicant, actor=request.user)
            messages.success(
                request,
                _(
                    "Đã rút lại sự đồng ý xử lý dữ liệu cá nhân. Hồ sơ, đề án đã có được giữ như tài liệu "
                    "lưu trữ; cơ sở không gửi được đề nghị hỗ trợ mới cho đến khi đồng ý lại."
                ),
            )
        else:
            services.privacy_consent_give(applicant=applicant, actor=request.user)
            messages.success(request, _("Đã ghi nhận sự đồng ý xử lý dữ liệu cá nhân."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("applicants:my_profile")


def _lock(form, locked):
    """Identity fields of a verified profile are shown but not editable by the applicant."""
    if locked:
        for name in Applicant.IDENTITY_FIELDS:
            form.fields[name].disabled = True


@role_required(Role.APPLICANT, *STAFF)
def edit(request, pk):
    applicant = selectors.applicant_for(request.user, pk, edit=True)
    locked = applicant.is_verified and not is_staff_like(request.user)
    form = ApplicantForm(request.POST if request.method == "POST" else None, instance=applicant)
    _lock(form, locked)
    if request.method == "POST" and form.is_valid():
        try:
            services.applicant_update(
                applicant=applicant,
                actor=request.user,
                data={name: form.cleaned_data.get(name) for name in PROFILE_FIELDS},
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu hồ sơ cơ sở."))
            if is_staff_like(request.user):
                return redirect("applicants:detail", pk=applicant.pk)
            return redirect("applicants:my_profile")
    return render(request, "applicants/edit.html", {"form": form, "applicant": applicant, "locked": locked})


@role_required(Role.APPLICANT)
def my_data(request):
    """A person downloads everything the portal holds about them: JSON, or XLSX with
    `?format=xlsx` (easier to read for most people)."""
    data = selectors.personal_data(request.user)
    if request.GET.get("format") == "xlsx":
        headers, rows = personal_data_rows(data)
        return xlsx_response("du-lieu-cua-toi.xlsx", headers, rows, "Dữ liệu của tôi")
    payload = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(payload, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="du-lieu-cua-toi.json"'
    return response
