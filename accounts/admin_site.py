"""The Django admin is for superusers only: portal roles (even `is_staff`) never open it."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .forms import ThrottledLoginMixin


class SuperuserAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Email/số điện thoại hoặc mật khẩu không đúng, hoặc tài khoản không phải quản trị hệ thống."
        ),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Email hoặc số điện thoại")

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_superuser:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class PortalAdminSite(admin.AdminSite):
    site_header = _("Quản trị cổng thông tin khuyến công")
    site_title = _("Quản trị khuyến công")
    index_title = _("Dữ liệu hệ thống")
    login_form = SuperuserAuthenticationForm

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_superuser
