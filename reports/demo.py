"""Demo data for `make run`: the reporting period of the demo's year is open, so the commune
officials find their report (pre-filled from the demo projects) and staff the board. Idempotent."""

from django.utils import timezone

from accounts.models import User

from . import services
from .models import ReportingPeriod, period_defaults

# The year of the demo projects (projects.demo): their results fall in this period's data window.
DEMO_YEAR = 2026
STAFF_PHONE = "0912000001"  # khuyencong.demo's Sở officer


def load_demo(log=print):
    if ReportingPeriod.objects.filter(year=DEMO_YEAR).exists():
        return
    # Before 1 December the demo opens the input window now, so that a report can be sent.
    opens_at = min(period_defaults(DEMO_YEAR)["opens_at"], timezone.now())
    period = services.period_open(user=User.objects.get(phone=STAFF_PHONE), year=DEMO_YEAR, opens_at=opens_at)
    log(
        f"Kỳ báo cáo năm {period.year}: {period.expected.count()} đơn vị phải báo cáo, hạn 22/12/{period.year}."
    )
