"""The member accounts of an applicant (design: an applicant may have several, one the owner)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User, fold_email
from accounts.notifications import Event, notify
from accounts.roles import Role, grant_roles, is_staff_like
from accounts.services import account_create, temporary_password_generate
from core.text import clean_text
from core.validators import normalize_phone, validate_phone

from ..models import Applicant
from ..selectors import is_member


@dataclass
class MemberAdded:
    user: User
    password: str  # a one-time password when the account was created here, else ""


def _may_manage_members(actor, applicant):
    return is_staff_like(actor) or (applicant.owner_id is not None and applicant.owner_id == actor.pk)


def _contact_error(message, code):
    return ValidationError({"contact": [ValidationError(message, code=code)]})


def _existing_account(contact):
    """(email, phone, the account with that email or phone or None) for what was typed."""
    if "@" in contact:
        email = fold_email(contact)
        return email, "", User.objects.filter(email=email).first()
    try:
        validate_phone(contact)
    except ValidationError as error:
        raise ValidationError({"contact": error.error_list}) from None
    phone = normalize_phone(contact)
    return "", phone, User.objects.filter(phone=phone).first()


@transaction.atomic
def applicant_member_add(
    *, applicant: Applicant, actor: User, contact: str, full_name: str = ""
) -> MemberAdded:
    """The owner (or staff) adds a member account by phone or email. An existing account is added
    as it is; otherwise an account is created with a one-time password that must be changed at
    first sign-in."""
    if not _may_manage_members(actor, applicant):
        raise ValidationError(
            _("Chỉ tài khoản chủ của cơ sở hoặc cán bộ Sở mới thêm được thành viên."), code="forbidden"
        )
    contact = clean_text(contact)
    if not contact:
        raise _contact_error(_("Vui lòng nhập số điện thoại hoặc email."), "required")
    email, phone, user = _existing_account(contact)
    password = ""
    if user is not None:
        if is_member(user, applicant):
            raise _contact_error(_("Tài khoản này đã là thành viên của cơ sở."), "already_member")
        if not user.is_active:
            raise _contact_error(
                _("Tài khoản này đang bị khóa. Vui lòng liên hệ Sở Công Thương."), "inactive"
            )
    else:
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
            full_name=full_name, phone=phone, email=email, password=password, must_change_password=True
        )
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
    if user_id != actor.pk and not _may_manage_members(actor, applicant):
        raise ValidationError(
            _("Chỉ tài khoản chủ của cơ sở hoặc cán bộ Sở mới bớt được thành viên."), code="forbidden"
        )
    if user_id == applicant.owner_id:
        raise ValidationError(_("Không bớt được tài khoản chủ của cơ sở."), code="owner")
    member = applicant.members.filter(pk=user_id).first()
    if member is None:
        raise ValidationError(_("Tài khoản này không phải thành viên của cơ sở."), code="not_member")
    applicant.members.remove(member)
    return member
