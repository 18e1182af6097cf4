from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KhuyencongConfig(AppConfig):
    """The project package as an app: shared template tags, text helpers and system checks. No models."""

    name = "khuyencong"
    verbose_name = _("Khuyến công")

    def ready(self):
        from . import checks  # noqa: F401
