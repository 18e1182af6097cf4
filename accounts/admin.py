from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Notification, User


class UserCreationForm(AdminUserCreationForm):
    """The admin's add form for our user: email or phone instead of a username."""

    class Meta:
        model = User
        fields = ["full_name", "email", "phone"]

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("Cần có email hoặc số điện thoại để đăng nhập."))
        return data


class UserAdminChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserCreationForm
    ordering = ["full_name"]
    list_display = ["full_name", "email", "phone", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["full_name", "email", "phone", "search_text"]
    fieldsets = [
        (None, {"fields": ["full_name", "email", "phone", "password", "must_change_password"]}),
        (_("Quyền"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Thời gian"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["full_name", "email", "phone", "usable_password", "password1", "password2"],
            },
        )
    ]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "recipient", "event", "created_at", "read_at"]
    list_filter = ["event"]
    search_fields = ["title", "recipient__search_text"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
