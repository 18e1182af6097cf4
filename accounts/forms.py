from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from core.http import client_ip
from core.text import clean_text
from core.validators import looks_like_phone, normalize_phone

from .roles import Role
from .services import (
    login_failure_record,
    login_success_record,
    login_throttle_check,
    user_change_password,
)

CONTACT_STAFF = _(
    "Tài khoản đăng nhập bằng số điện thoại không nhận được email đặt lại mật khẩu. Vui lòng liên hệ "
    "cán bộ Sở Công Thương (Trung tâm Khuyến công) để được cấp mật khẩu tạm."
)


class ThrottledLoginMixin:
    """Too many wrong passwords for a login or from an address: refused for a while, before the
    password is even checked (so guessing on does not help), with a Vietnamese message."""

    def clean(self):
        login = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request) if self.request is not None else ""
        if login and self.cleaned_data.get("password"):
            login_throttle_check(login=login, ip=ip)
        try:
            data = super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                login_failure_record(login=login, ip=ip)
            raise
        if self.user_cache is not None:
            login_success_record(login=login)
        return data


class LoginForm(ThrottledLoginMixin, auth_forms.AuthenticationForm):
    """Sign in with an email or a phone number."""

    username = forms.CharField(
        label=_("Email hoặc số điện thoại"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("Email/số điện thoại hoặc mật khẩu không đúng. Vui lòng kiểm tra lại."),
        "inactive": _("Tài khoản này đã bị khóa. Vui lòng liên hệ Sở Công Thương."),
    }


class PasswordChangeForm(BootstrapMixin, auth_forms.PasswordChangeForm):
    """Changing one's own password also ends a forced change."""

    def save(self, commit=True):
        return user_change_password(user=self.user, new_password=self.cleaned_data["new_password1"])


class SetPasswordForm(BootstrapMixin, auth_forms.SetPasswordForm):
    """The last step of a reset by email: the new password is the user's own."""

    def save(self, commit=True):
        return user_change_password(user=self.user, new_password=self.cleaned_data["new_password1"])


class PasswordResetForm(BootstrapMixin, auth_forms.PasswordResetForm):
    """Reset by email (case-insensitive). A phone number gets the advice to contact staff."""

    email = forms.CharField(
        label=_("Email"), max_length=254, widget=forms.TextInput(attrs={"autocomplete": "email"})
    )

    def clean_email(self):
        value = clean_text(self.cleaned_data["email"])
        if looks_like_phone(value):
            raise ValidationError(CONTACT_STAFF, code="phone")
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError(_("Nhập đúng địa chỉ email của tài khoản."), code="invalid") from None
        return value

    def save(self, **kwargs):
        """The link names the portal's public address (SITE_URL), never the Host header of the
        request that asked for it, and the email says how long the link stays valid."""
        site = urlsplit(settings.SITE_URL)
        kwargs["domain_override"] = site.netloc
        kwargs["use_https"] = site.scheme == "https"
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        }
        return super().save(**kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        """The reset email goes through the mail queue like every other: with a broker the page
        never waits for the mail server, and a server that is down is logged, not shown as an
        error (Django's own send would wait on it in the request)."""
        import uuid

        from django.template.loader import render_to_string

        from core.mail import email_enqueue

        from .notifications import Event

        user = context["user"]
        html = render_to_string(html_email_template_name, context) if html_email_template_name else ""
        email_enqueue(
            event=Event.PASSWORD_RESET_LINK,
            to=to_email,
            subject=render_to_string(subject_template_name, context),
            body=render_to_string(email_template_name, context),
            dedupe=f"reset:{uuid.uuid4().hex}",  # each request is its own email; a retry is not
            recipient_id=user.pk,
            html=html,
            after_commit=False,  # nothing to commit: the link is the whole of it
        )


class UserForm(BootstrapMixin, forms.Form):
    """Staff create or edit an account. Email is optional: many people sign in by phone."""

    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    roles = forms.MultipleChoiceField(
        label=_("Vai trò"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_full_name(self):
        value = clean_text(self.cleaned_data["full_name"])
        if not value:
            raise ValidationError(_("Nhập họ và tên."))
        return value

    def clean_email(self):
        return clean_text(self.cleaned_data["email"]).lower() or None

    def clean_phone(self):
        return normalize_phone(clean_text(self.cleaned_data["phone"])) or None

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("email") and not data.get("phone"):
            raise ValidationError(_("Cần có email hoặc số điện thoại để người dùng đăng nhập."))
        return data


class UserCreateForm(UserForm):
    temporary_password = forms.CharField(
        label=_("Mật khẩu tạm"),
        required=False,
        help_text=_(
            "Để trống để hệ thống tạo mật khẩu tạm. Người dùng phải đổi mật khẩu khi đăng nhập lần đầu."
        ),
    )


class UserEditForm(UserForm):
    is_active = forms.BooleanField(label=_("Đang hoạt động"), required=False)


class TemporaryPasswordForm(BootstrapMixin, forms.Form):
    temporary_password = forms.CharField(
        label=_("Mật khẩu tạm"),
        required=False,
        help_text=_("Để trống để hệ thống tạo mật khẩu tạm."),
    )
