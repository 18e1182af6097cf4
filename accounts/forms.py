from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
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
