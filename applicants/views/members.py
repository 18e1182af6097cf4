"""The member accounts of an applicant: the owner (or staff) adds and removes them, a member leaves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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


def _member_post(request, applicant, form, staff):
    """Staff add (or create) the account; an owner invites. Returns (added, redirect or None)."""
    data = form.cleaned_data
    try:
        if staff:
            added = services.applicant_member_add(
                applicant=applicant, actor=request.user, contact=data["contact"], full_name=data["full_name"]
            )
        else:
            services.applicant_member_invite(applicant=applicant, actor=request.user, contact=data["contact"])
    except ValidationError as error:
        apply_service_errors(form, error)
        return None, None
    if not staff:
        messages.success(
            request,
            _(
                "Đã ghi lời mời cho %(contact)s. Người đó trở thành thành viên khi đăng nhập bằng tài "
                "khoản của mình và chấp nhận lời mời."
            )
            % {"contact": data["contact"]},
        )
        return None, redirect("applicants:members", pk=applicant.pk)
    messages.success(request, _("Đã thêm %(name)s vào cơ sở.") % {"name": added.user.full_name})
    if not added.password:
        return added, redirect("applicants:members", pk=applicant.pk)
    return added, None


@role_required(Role.APPLICANT, *STAFF)
def members(request, pk):
    """The owner sees the accounts of an applicant and invites one by phone or email; staff add
    one (or create it with a one-time password)."""
    applicant = selectors.applicant_members_for(request.user, pk)
    staff = is_staff_like(request.user)
    form = MemberForm(request.POST or None, staff=staff)
    added = None
    if request.method == "POST" and form.is_valid():
        added, response = _member_post(request, applicant, form, staff)
        if response is not None:
            return response
        if added is not None:
            form = MemberForm(staff=staff)
    return render(
        request,
        "applicants/members.html",
        {
            "applicant": applicant,
            "people": selectors.applicant_member_list(applicant),
            "invitations": selectors.pending_invitations_of(applicant),
            "form": form,
            "added": added,
            "staff": staff,
        },
    )


@require_POST
@role_required(Role.APPLICANT, *STAFF)
def invitation_cancel(request, pk):
    applicant = selectors.applicant_members_for(request.user, pk)
    try:
        services.applicant_invitation_cancel(
            applicant=applicant, actor=request.user, invitation_id=int(request.POST.get("invitation", 0) or 0)
        )
    except (ValidationError, ValueError):
        messages.error(request, _("Yêu cầu không hợp lệ."))
    else:
        messages.success(request, _("Đã hủy lời mời."))
    return redirect("applicants:members", pk=applicant.pk)


@login_required
def invitations(request):
    """The invitations naming the signed-in person's phone or email, to accept or decline."""
    return render(
        request,
        "applicants/members_invitations.html",
        {"invitations": selectors.member_invitations_for(request.user)},
    )


# Where an answer returns to: the page it was given from (a fixed name, never an address).
_ANSWER_BACK = {"profile": "applicants:my_profile"}


@require_POST
@login_required
def invitation_answer(request, invitation_pk):
    """Accept (then the profile, which now shows the applicant) or decline, from the invitations
    page or the profile."""
    invitation = get_object_or_404(selectors.member_invitations_for(request.user), pk=invitation_pk)
    back = _ANSWER_BACK.get(request.POST.get("back", ""), "applicants:invitations")
    try:
        if request.POST.get("answer") == "accept":
            applicant = services.applicant_invitation_accept(invitation=invitation, user=request.user)
            messages.success(request, _("Bạn đã là thành viên của %(name)s.") % {"name": applicant.name})
            return redirect("applicants:my_profile")
        services.applicant_invitation_decline(invitation=invitation, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã từ chối lời mời."))
    return redirect(back)


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
