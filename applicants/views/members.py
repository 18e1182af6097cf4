"""The member accounts of an applicant: the owner (or staff) adds and removes them, a member leaves."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import role_required
from accounts.roles import Role, is_staff_like
from core.forms import apply_service_errors

from .. import selectors, services
from ..forms import MemberForm
from ._common import STAFF


@role_required(Role.APPLICANT, *STAFF)
def members(request, pk):
    """The owner (or staff) sees the accounts of an applicant and adds one by phone or email."""
    applicant = selectors.applicant_members_for(request.user, pk)
    form = MemberForm(request.POST or None)
    added = None
    if request.method == "POST" and form.is_valid():
        try:
            added = services.applicant_member_add(
                applicant=applicant,
                actor=request.user,
                contact=form.cleaned_data["contact"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s vào cơ sở.") % {"name": added.user.full_name})
            if not added.password:
                return redirect("applicants:members", pk=applicant.pk)
            form = MemberForm()
    return render(
        request,
        "applicants/members.html",
        {
            "applicant": applicant,
            "people": selectors.applicant_member_list(applicant),
            "form": form,
            "added": added,
            "staff": is_staff_like(request.user),
        },
    )


@require_POST
@role_required(Role.APPLICANT, *STAFF)
def member_remove(request, pk):
    applicant = selectors.applicant_members_for(request.user, pk)
    try:
        member = services.applicant_member_remove(
            applicant=applicant, actor=request.user, user_id=int(request.POST.get("user", 0) or 0)
        )
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [_("Yêu cầu không hợp lệ.")])))
    else:
        messages.success(request, _("Đã bớt %(name)s khỏi cơ sở.") % {"name": member.full_name})
    return redirect("applicants:members", pk=applicant.pk)


@require_POST
@role_required(Role.APPLICANT)
def member_leave(request, pk):
    """A member (not the owner) leaves an applicant."""
    applicant = get_object_or_404(selectors.own_applicants(request.user), pk=pk)
    try:
        services.applicant_member_remove(applicant=applicant, actor=request.user, user_id=request.user.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Bạn đã rời khỏi %(name)s.") % {"name": applicant.name})
    return redirect("applicants:my_profile")
