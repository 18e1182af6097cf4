"""The member accounts of an applicant (design: an applicant may have several, one the owner).

The owner invites a person by phone or email; the person accepts from their own account before
anything changes (issue 10 item 2: adding an account outright told the owner who holds a phone or
email, showed their name, and gave them the applicant role). Staff, who check papers in person,
may still add an applicant account, or create one with a one-time password."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User, fold_email
from accounts.notifications import Event, notify
from accounts.roles import Role, grant_roles, is_staff_like, user_roles
from accounts.services import account_create, temporary_password_generate
from core import throttle
from core.mail import email_enqueue
from core.text import clean_text
from core.validators import normalize_phone, validate_phone

from ..models import Applicant, MemberInvitation
from ..selectors import is_member

# Invitations an owner may send in the window (settings MEMBER_INVITE_LIMIT / _WINDOW override).
MEMBER_INVITE_LIMIT = 10
MEMBER_INVITE_WINDOW = 3600  # seconds


@dataclass
class MemberAdded:
    user: User
    password: str  # a one-time password when the account was created here, else ""


def _may_manage_members(actor, applicant):
    return is_staff_like(actor) or (applicant.owner_id is not None and applicant.owner_id == actor.pk)


def _contact_error(message, code):
    return ValidationError({"contact": [ValidationError(message, code=code)]})


def _contact(contact):
    """(email, phone) for what was typed: an email folded like the accounts', a phone normalised."""
    contact = clean_text(contact)
    if not contact:
        raise _contact_error(_("Vui lòng nhập số điện thoại hoặc email."), "required")
    if "@" in contact:
        return fold_email(contact), ""
    try:
        validate_phone(contact)
    except ValidationError as error:
        raise ValidationError({"contact": error.error_list}) from None
    return "", normalize_phone(contact)


def _account_with(email, phone):
    if email:
        return User.objects.filter(email=email).first()
    return User.objects.filter(phone=phone).first()


def may_join(user) -> bool:
    """Only a plain applicant account (or one with no role yet) becomes a member: never a staff,
    leader, observer or commune account, nor a Django admin; adding one would widen what it sees
    or let an applicant reach it."""
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    return user_roles(user) <= {Role.APPLICANT}


def _check_may_manage(actor, applicant, verb):
    if not _may_manage_members(actor, applicant):
        raise ValidationError(
            _("Chỉ tài khoản chủ của cơ sở hoặc cán bộ Sở mới %(verb)s thành viên.") % {"verb": verb},
            code="forbidden",
        )


def _limit(name):
    return getattr(settings, name, globals()[name])


def _tell_invited(invitation, email, phone):
    """One fixed message, whoever sent the invitation: the text names nothing the inviter typed
    but the portal's own page where the invitation is answered."""
    url = reverse("applicants:invitations")
    title = _("Bạn có lời mời tham gia một cơ sở trên Cổng khuyến công")
    body = _("Đăng nhập vào Cổng khuyến công, mục “Lời mời”, để xem và chấp nhận hoặc từ chối lời mời.")
    user = _account_with(email, phone)
    if user is not None:
        if may_join(user) and not is_member(user, invitation.applicant):
            notify(
                recipients=[user],
                event=Event.APPLICANT_MEMBER_ADDED,
                title=title,
                body=body,
                url=url,
                dedupe=f"invitation:{invitation.pk}",
            )
    elif email:
        email_enqueue(
            event=Event.APPLICANT_MEMBER_ADDED,
            to=email,
            subject=title,
            body=f"{body}\n\n{settings.SITE_URL}{url}",
            dedupe=f"invitation:{invitation.pk}",
        )


@transaction.atomic
def applicant_member_invite(*, applicant: Applicant, actor: User, contact: str) -> MemberInvitation:
    """The owner (or staff) invites a person by phone or email. The answer is the same whether or
    not an account holds that contact; the person becomes a member only by accepting. Limited to
    MEMBER_INVITE_LIMIT invitations per hour per inviter."""
    _check_may_manage(actor, applicant, _("mời được"))
    email, phone = _contact(contact)
    if not throttle.hit(
        f"applicants:invite:{actor.pk}",
        limit=_limit("MEMBER_INVITE_LIMIT"),
        window=_limit("MEMBER_INVITE_WINDOW"),
    ):
        raise ValidationError(
            _("Bạn đã gửi quá nhiều lời mời. Vui lòng thử lại sau một giờ."), code="throttled"
        )
    invitation, created = MemberInvitation.objects.get_or_create(
        applicant=applicant,
        contact=email or phone,
        status=MemberInvitation.Status.PENDING,
        defaults={"invited_by": actor},
    )
    if created:
        _tell_invited(invitation, email, phone)
    return invitation


def _invitation_for(invitation: MemberInvitation, user: User) -> MemberInvitation:
    """The pending invitation, locked, if it names one of `user`'s contacts."""
    locked = MemberInvitation.objects.select_for_update().select_related("applicant").get(pk=invitation.pk)
    if locked.status != MemberInvitation.Status.PENDING or locked.contact not in {user.email, user.phone}:
        raise ValidationError(_("Lời mời này không còn hiệu lực."), code="not_pending")
    return locked


@transaction.atomic
def applicant_invitation_accept(*, invitation: MemberInvitation, user: User) -> Applicant:
    """The invited person accepts from their own account: only then does it become a member (and
    get the applicant role). Staff, leader, observer and commune accounts cannot accept."""
    invitation = _invitation_for(invitation, user)
    if not may_join(user):
        raise ValidationError(
            _(
                "Tài khoản của cán bộ, lãnh đạo, cơ quan theo dõi hoặc đơn vị không làm thành viên của "
                "cơ sở được. Hãy dùng một tài khoản khác."
            ),
            code="privileged",
        )
    applicant = invitation.applicant
    if not is_member(user, applicant):
        grant_roles(user, Role.APPLICANT)
        applicant.members.add(user)
    invitation.status = MemberInvitation.Status.ACCEPTED
    invitation.answered_by, invitation.answered_at = user, timezone.now()
    invitation.save(update_fields=["status", "answered_by", "answered_at"])
    notify(
        recipients=[applicant.owner] if applicant.owner_id else [],
        event=Event.APPLICANT_MEMBER_ADDED,
        title=_("%(name)s đã chấp nhận lời mời làm thành viên") % {"name": user.full_name},
        url=reverse("applicants:members", args=[applicant.pk]),
        email=False,
    )
    return applicant


@transaction.atomic
def applicant_invitation_decline(*, invitation: MemberInvitation, user: User) -> MemberInvitation:
    invitation = _invitation_for(invitation, user)
    invitation.status = MemberInvitation.Status.DECLINED
    invitation.answered_by, invitation.answered_at = user, timezone.now()
    invitation.save(update_fields=["status", "answered_by", "answered_at"])
    return invitation


@transaction.atomic
def applicant_invitation_cancel(*, applicant: Applicant, actor: User, invitation_id: int) -> None:
    _check_may_manage(actor, applicant, _("hủy được lời mời"))
    MemberInvitation.objects.filter(
        pk=invitation_id, applicant=applicant, status=MemberInvitation.Status.PENDING
    ).update(status=MemberInvitation.Status.CANCELLED, answered_by=actor, answered_at=timezone.now())


def _staff_new_account(full_name, email, phone):
    full_name = clean_text(full_name)
    if not full_name:
        raise ValidationError(
            {
                "full_name": [
                    ValidationError(
                        _("Chưa có tài khoản với số điện thoại, email này: hãy nhập họ và tên để tạo."),
                        code="required",
                    )
                ]
            }
        )
    password = temporary_password_generate()
    user = account_create(
        full_name=full_name, phone=phone, email=email or "", password=password, must_change_password=True
    )
    return user, password


@transaction.atomic
def applicant_member_add(
    *, applicant: Applicant, actor: User, contact: str, full_name: str = ""
) -> MemberAdded:
    """Staff (who have checked the person's papers) add a member account by phone or email. An
    existing plain applicant account is added as it is; otherwise an account is created with a
    one-time password that must be changed at first sign-in. An owner invites instead."""
    if not is_staff_like(actor):
        raise ValidationError(
            _("Chỉ cán bộ Sở mới thêm được thành viên; chủ tài khoản hãy gửi lời mời."), code="forbidden"
        )
    email, phone = _contact(contact)
    user = _account_with(email, phone)
    password = ""
    if user is not None:
        if is_member(user, applicant):
            raise _contact_error(_("Tài khoản này đã là thành viên của cơ sở."), "already_member")
        if not may_join(user):
            raise _contact_error(
                _("Tài khoản này bị khóa hoặc là tài khoản cán bộ, cơ quan, đơn vị: không thêm được."),
                "privileged",
            )
    else:
        user, password = _staff_new_account(full_name, email, phone)
    grant_roles(user, Role.APPLICANT)
    applicant.members.add(user)
    notify(
        recipients=[user],
        event=Event.APPLICANT_MEMBER_ADDED,
        title=_("Bạn được thêm làm thành viên của %(name)s") % {"name": applicant.name},
        body=_("Bạn xem và gửi được hồ sơ, đề nghị hỗ trợ của cơ sở này."),
        url=reverse("applicants:my_profile"),
    )
    return MemberAdded(user=user, password=password)


@transaction.atomic
def applicant_member_remove(*, applicant: Applicant, actor: User, user_id: int) -> User:
    """The owner (or staff) removes a member, or a member leaves (someone added by mistake, or
    without wanting it, is not stuck); the owner account itself stays."""
    if user_id != actor.pk:
        _check_may_manage(actor, applicant, _("bớt được"))
    if user_id == applicant.owner_id:
        raise ValidationError(_("Không bớt được tài khoản chủ của cơ sở."), code="owner")
    member = applicant.members.filter(pk=user_id).first()
    if member is None:
        raise ValidationError(_("Tài khoản này không phải thành viên của cơ sở."), code="not_member")
    applicant.members.remove(member)
    return member
