from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The bottom layer: shared code that imports no portal app (text, money, forms helpers,
    optimistic locking, uploads, spreadsheets, throttle, the workflow engine, jobs, deadlines, PDF,
    charts, e-mail delivery). Its models are infrastructure and reference users only through
    settings.AUTH_USER_MODEL."""

    name = "core"
    verbose_name = _("Hạ tầng dùng chung")
