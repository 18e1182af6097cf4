from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "phone", "is_active", "is_superuser"]
    search_fields = ["full_name", "email", "phone"]
    fieldsets = [
        (None, {"fields": ["full_name", "email", "phone", "password", "must_change_password"]}),
        (_("Quyền"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Thời gian"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["full_name", "email", "phone", "password1", "password2"]})
    ]
