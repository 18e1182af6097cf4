"""The staff account pages (create, edit): accounts' services for the person, programmes' for the
units they report for, in one transaction; mounted in the `accounts` namespace by khuyencong/urls.py.
And the programme's own staff pages (programmes/urls.py): the selection rounds."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.forms import TemporaryPasswordForm
from accounts.permissions import role_required
from accounts.roles import Role, user_roles
from core.forms import apply_service_errors

from . import forms, selectors, services

MANAGERS = (Role.STAFF, Role.LEADER)


@never_cache  # the answer shows a temporary password: no browser or proxy may keep it
@role_required(*MANAGERS)
def user_create(request):
    form = forms.AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("reporting_units")
        try:
            with transaction.atomic():
                services.user_reporting_units_check(roles=data["roles"], units=units)
                user, password = account_services.user_create(actor=request.user, **data)
                services.user_reporting_units_set(user=user, roles=data["roles"], units=units)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return render(
                request,
                "accounts/temporary_password.html",
                {"account": user, "password": password, "created": True},
            )
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@role_required(*MANAGERS)
def user_edit(request, pk):
    account = account_selectors.user_get(actor=request.user, pk=pk)
    initial = {
        "full_name": account.full_name,
        "email": account.email,
        "phone": account.phone,
        "roles": sorted(user_roles(account)),
        "reporting_units": [str(pk) for pk in account.reporting_units.values_list("pk", flat=True)],
        "is_active": account.is_active,
    }
    form = forms.AccountEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("reporting_units")
        try:
            with transaction.atomic():
                account_services.user_update(actor=request.user, user=account, **data)
                services.user_reporting_units_set(user=account, roles=data["roles"], units=units)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tài khoản %(name)s.") % {"name": account.full_name})
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "account": account, "password_form": TemporaryPasswordForm(), "creating": False},
    )


@role_required(*MANAGERS)
def selection_rounds(request):
    """The current programme's selection rounds (what its selection-rounds target counts), and the
    form that adds one."""
    programme = selectors.current_programme()
    if programme is None:
        raise Http404
    form = forms.SelectionRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.selection_round_add(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi kỳ bình chọn năm %(year)s (%(decision)s).")
                % {"year": round_.year, "decision": round_.recognition_decision},
            )
            return redirect("programmes:selection_rounds")
    return render(
        request,
        "programmes/selection_rounds.html",
        {"programme": programme, "rounds": selectors.selection_rounds_of(programme), "form": form},
    )
