from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Cơ sở, đối tượng thụ hưởng")

    def ready(self):
        from . import exports  # noqa: F401  (registers the background exports with core.jobs)
