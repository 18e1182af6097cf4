"""The khuyến công collaborators' pages (decision III.6.đ): staff and leaders list, add, edit and end
the appointment of each commune's collaborator; observers read the list without phone or email.
What the `collaborators` target counts is programmes.selectors.communes_with_active_collaborator."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import DateField
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import role_required
from accounts.roles import Role, is_staff_like
from core.forms import apply_service_errors
from core.listing import Listing, apply_search

from . import forms, selectors, services
from .models import Collaborator

MANAGERS = (Role.STAFF, Role.LEADER)
READERS = (*MANAGERS, Role.OBSERVER)


def _parse_date(value):
    """A dd/mm/yyyy date typed in the filter (the formats of every date field), or None."""
    try:
        return DateField(required=False).clean(value)
    except ValidationError:
        return None


def _active_on(queryset, value):
    on_date = _parse_date(value)
    if on_date is None:
        raise ValidationError(_("Nhập ngày theo dạng dd/mm/yyyy."))
    return selectors.active_collaborators_on(on_date, queryset)


def _by_commune(queryset, value):
    return apply_search(queryset, value, "commune__search_text")


@role_required(*READERS)
def collaborator_list(request):
    listing = Listing(
        request,
        selectors.collaborators_list(),
        filters={"xa": _by_commune, "dang_lam_viec_ngay": _active_on},
        search_field="commune__search_text",
    )
    active_value = request.GET.get("dang_lam_viec_ngay", "")
    bad_date = bool(active_value.strip()) and _parse_date(active_value.strip()) is None
    return render(
        request,
        "programmes/collaborators.html",
        {
            "listing": listing,
            "page": listing.page,
            "can_manage": is_staff_like(request.user),
            "bad_date": bad_date,
            "today": timezone.localdate(),
            "counted": selectors.communes_with_active_collaborator(timezone.localdate()),
        },
    )


@role_required(*MANAGERS)
def collaborator_create(request):
    form = forms.CollaboratorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("version", None)
        try:
            collaborator = services.collaborator_create(actor=request.user, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Đã ghi cộng tác viên %(name)s của %(commune)s.")
                % {"name": collaborator.full_name, "commune": collaborator.commune.full_name},
            )
            return redirect("programmes:collaborators")
    return render(request, "programmes/collaborator_form.html", {"form": form, "creating": True})


@role_required(*MANAGERS)
def collaborator_edit(request, pk):
    collaborator = get_object_or_404(Collaborator.objects.select_related("commune"), pk=pk)
    form = forms.CollaboratorForm(request.POST or None, instance=collaborator)
    end_form = forms.CollaboratorEndForm(
        initial={
            "version": collaborator.version,
            "ended_on": collaborator.ended_on,
            "reason": collaborator.end_reason,
        }
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.collaborator_update(
                actor=request.user, collaborator=collaborator, expected_version=version, **data
            )
        except ValidationError as exc:
            collaborator.refresh_from_db()  # the service may have set fields it did not save
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cộng tác viên %(name)s.") % {"name": collaborator.full_name})
            return redirect("programmes:collaborators")
    return render(
        request,
        "programmes/collaborator_form.html",
        {"form": form, "end_form": end_form, "collaborator": collaborator, "creating": False},
    )


@role_required(*MANAGERS)
def collaborator_end(request, pk):
    collaborator = get_object_or_404(Collaborator.objects.select_related("commune"), pk=pk)
    end_form = forms.CollaboratorEndForm(request.POST or None)
    if request.method == "POST" and end_form.is_valid():
        data = end_form.cleaned_data
        try:
            services.collaborator_end(
                actor=request.user,
                collaborator=collaborator,
                ended_on=data["ended_on"],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            apply_service_errors(end_form, exc)
        else:
            messages.success(
                request,
                _("Đã kết thúc nhiệm vụ của cộng tác viên %(name)s từ sau ngày %(date)s.")
                % {"name": collaborator.full_name, "date": data["ended_on"].strftime("%d/%m/%Y")},
            )
            return redirect("programmes:collaborators")
    collaborator.refresh_from_db()
    form = forms.CollaboratorForm(instance=collaborator)
    return render(
        request,
        "programmes/collaborator_form.html",
        {"form": form, "end_form": end_form, "collaborator": collaborator, "creating": False},
    )
