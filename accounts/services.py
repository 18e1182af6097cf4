"""Writes on accounts: staff create accounts and reset passwords, users change theirs, messages
are marked as read. Every function checks its rule and raises a Vietnamese ValidationError."""

import hashlib

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from core import throttle
from core.text import clean_text
from core.validators import normalize_phone

from .models import Notification, User, fold_email, fold_login
from .notifications import Event, notify
from .roles import Role, grant_roles, has_role, is_staff_like, user_roles

# No 0/O, 1/l/i: a temporary password is often read out over the phone.
_TEMP_PASSWORD_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password_generate():
    return get_random_string(10, _TEMP_PASSWORD_CHARS)


def _check_actor(actor, user=None, roles=()):
    """Staff and leaders manage accounts; only a leader grants or removes the leader role or
    changes a leader's account; nobody here touches a superuser (the admin does)."""
    if not is_staff_like(actor):
        raise PermissionDenied
    if user is not None and user.is_superuser:
        raise PermissionDenied
    is_leader = has_role(actor, Role.LEADER)
    touches_leader = Role.LEADER in roles or (user is not None and Role.LEADER in user_roles(user))
    if touches_leader and not is_leader:
        raise ValidationError(
            _("Chỉ lãnh đạo Sở mới được cấp, thu hồi quyền lãnh đạo hoặc sửa tài khoản lãnh đạo.")
        )


def _check_roles(roles):
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Vai trò không hợp lệ: %(roles)s.") % {"roles": ", ".join(sorted(unknown))})


def _set_roles(user, roles):
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    user.groups.add(*Group.objects.filter(name__in=roles))
    user._role_cache = None


def _validate_password(password, user):
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"temporary_password": exc.messages}) from None


def account_create(*, full_name, phone=None, email=None, password, must_change_password=False, roles=()):
    """The one way an account is made (staff creation, self-registration, paper dossiers, member
    accounts): the name in NFC, phone and email normalised, a clear message when either is taken."""
    phone = normalize_phone(phone) or None
    email = fold_email(clean_text(email))
    errors = {}
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = [
            _("Số điện thoại này đã tồn tại trong một tài khoản khác. Nếu là của bạn, hãy đăng nhập.")
        ]
    if email and User.objects.filter(email=email).exists():
        errors["email"] = [_("Email này đã tồn tại trong một tài khoản khác. Nếu là của bạn, hãy đăng nhập.")]
    if errors:
        raise ValidationError(errors)
    user = User(
        full_name=clean_text(full_name), phone=phone, email=email, must_change_password=must_change_password
    )
    user.full_clean(exclude=["password"])
    user.set_password(password)
    user.save()
    grant_roles(user, *roles)
    return user


@transaction.atomic
def user_create(
    *,
    actor: User,
    full_name: str,
    email: str | None = None,
    phone: str | None = None,
    roles=(),
    temporary_password: str = "",
) -> tuple[User, str]:
    """Staff create an account, often for a person without email (login by phone). The person
    must change the temporary password at first login. Returns the user and that password."""
    roles = [str(r) for r in roles]
    _check_actor(actor, roles=roles)
    _check_roles(roles)
    temporary_password = temporary_password or temporary_password_generate()
    _validate_password(temporary_password, User(full_name=full_name, email=email, phone=phone))
    user = account_create(
        full_name=full_name, phone=phone, email=email, password=temporary_password, must_change_password=True
    )
    _set_roles(user, roles)
    notify(
        recipients=[user],
        event=Event.ACCOUNT_CREATED,
        title=_("Tài khoản của bạn trên cổng khuyến công đã được tạo"),
        body=_(
            "Cán bộ Sở Công Thương đã tạo tài khoản cho bạn. Đăng nhập bằng %(login)s và mật khẩu tạm "
            "được cán bộ cung cấp; bạn sẽ được yêu cầu đổi mật khẩu ở lần đăng nhập đầu tiên."
        )
        % {"login": user.login_name},
        url="/tai-khoan/dang-nhap/",
    )
    return user, temporary_password


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    full_name: str,
    email: str | None,
    phone: str | None,
    roles=(),
    is_active: bool = True,
) -> User:
    """Staff change an account's contact details, roles and whether it is active (its reporting
    units are programmes' to set: programmes.services.user_reporting_units_set)."""
    roles = [str(r) for r in roles]
    _check_actor(actor, user=user, roles=roles)
    _check_roles(roles)
    if user.pk == actor.pk and not is_active:
        raise ValidationError(_("Bạn không thể tự khóa tài khoản của mình."))
    user.full_name, user.email, user.phone, user.is_active = (
        full_name,
        email or None,
        phone or None,
        is_active,
    )
    user.full_clean(exclude=["password"])
    user.save()
    _set_roles(user, roles)
    return user


@transaction.atomic
def user_set_temporary_password(*, actor: User, user: User, password: str = "") -> str:
    """Staff reset someone's password (typically a person without email) to a temporary one that
    must be changed at the next login. The password itself is never sent by email."""
    _check_actor(actor, user=user)
    if user.pk == actor.pk:
        raise ValidationError(_("Hãy dùng chức năng Đổi mật khẩu để đổi mật khẩu của chính bạn."))
    password = password or temporary_password_generate()
    _validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    notify(
        recipients=[user],
        event=Event.PASSWORD_RESET_BY_STAFF,
        title=_("Mật khẩu của bạn đã được đặt lại"),
        body=_(
            "Cán bộ Sở Công Thương đã đặt lại mật khẩu tài khoản của bạn. Hãy đăng nhập bằng mật khẩu tạm "
            "được cán bộ cung cấp và đổi mật khẩu. Nếu bạn không yêu cầu việc này, hãy liên hệ Sở Công Thương."
        ),
        url="/tai-khoan/dang-nhap/",
    )
    return password


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> User:
    """The user sets their own password (after a forced change, a reset or at will)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's own messages as read (another user's message answers 404)."""
    from django.shortcuts import get_object_or_404

    notification = get_object_or_404(Notification, pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


# --- Failed sign-ins and reset emails ------------------------------------------------------------
# A portal on the internet: repeated wrong passwords are slowed down per login (an account under
# attack) and per address (one machine trying many accounts); reset emails likewise, so that nobody
# can flood a mailbox. Offices share one address behind their router, so the per-address limits are
# higher. The counters are core.throttle's fixed windows, counted from the first event.
LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_IP_LIMIT = 20
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
PASSWORD_RESET_EMAIL_LIMIT = 3
PASSWORD_RESET_IP_LIMIT = 10
PASSWORD_RESET_WINDOW = 60 * 60


def _setting(name):
    """A limit above, unless settings override it."""
    return getattr(settings, name, globals()[name])


def _counter_keys(kind, login, ip, login_limit, ip_limit):
    """(cache key, limit) for the login as typed (email case, phone format ignored) and the
    address. Keys carry a hash, never the email or phone itself."""
    keys = []
    login = fold_login(login)
    if login:
        if "@" not in login:
            login = normalize_phone(login) or login
        digest = hashlib.sha256(login.encode()).hexdigest()[:32]
        keys.append((f"accounts:{kind}:login:{digest}", _setting(login_limit)))
    if ip:
        keys.append((f"accounts:{kind}:ip:{ip}", _setting(ip_limit)))
    return keys


def _login_failure_keys(login, ip):
    return _counter_keys("login-failures", login, ip, "LOGIN_FAILURE_LIMIT", "LOGIN_FAILURE_IP_LIMIT")


def _minutes_left(keys, window):
    """None while every counter is under its limit, else the minutes until the first one clears."""
    for key, limit in keys:
        minutes = throttle.minutes_left(key, limit=limit, window=window)
        if minutes is not None:
            return minutes
    return None


def _count(keys, window):
    for key, _limit in keys:
        throttle.count(key, window=window)


def login_throttle_check(*, login: str, ip: str) -> None:
    """Refuse a sign-in attempt, before any password is checked, while the login or the address
    has had too many failures in the window; the message says how long to wait."""
    minutes = _minutes_left(_login_failure_keys(login, ip), _setting("LOGIN_FAILURE_WINDOW"))
    if minutes is not None:
        raise ValidationError(
            _(
                "Bạn đã nhập sai mật khẩu quá nhiều lần. Để bảo vệ tài khoản, vui lòng chờ %(minutes)s phút "
                "rồi thử lại, hoặc dùng chức năng “Quên mật khẩu?”."
            )
            % {"minutes": minutes},
            code="throttled",
        )


def login_failure_record(*, login: str, ip: str) -> None:
    """Count one failed sign-in against the login and the address."""
    _count(_login_failure_keys(login, ip), _setting("LOGIN_FAILURE_WINDOW"))


def login_success_record(*, login: str) -> None:
    """A right password ends the count of its login (not of the address)."""
    for key, _limit in _login_failure_keys(login, ""):
        throttle.clear(key)


def password_reset_allow(*, email: str, ip: str) -> None:
    """Count one request for a reset email, or refuse it (nothing is sent) when this address or
    this email had too many in the hour. The count is per email typed, whether or not an account
    has it, so the message tells nothing about accounts."""
    keys = _counter_keys(
        "password-resets", email, ip, "PASSWORD_RESET_EMAIL_LIMIT", "PASSWORD_RESET_IP_LIMIT"
    )
    window = _setting("PASSWORD_RESET_WINDOW")
    minutes = _minutes_left(keys, window)
    if minutes is not None:
        raise ValidationError(
            _(
                "Đã có quá nhiều yêu cầu đặt lại mật khẩu. Vui lòng kiểm tra hộp thư (cả thư mục thư rác) "
                "hoặc chờ %(minutes)s phút rồi thử lại."
            )
            % {"minutes": minutes},
            code="throttled",
        )
    _count(keys, window)
