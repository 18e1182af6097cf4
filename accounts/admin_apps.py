"""django.contrib.admin with our site (superusers only). Kept apart from the site itself, because
settings import this module before the apps are ready."""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.PortalAdminSite"
