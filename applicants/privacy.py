"""The first version of the privacy notice, seeded from fixtures/privacy-notice.txt (by the
migration, and again on a flushed database); staff publish later versions in the admin."""

import datetime
from pathlib import Path

from django.conf import settings

NOTICE_FILE = Path(settings.BASE_DIR) / "fixtures" / "privacy-notice.txt"
FIRST_VERSION = "1.0"
FIRST_VALID_FROM = datetime.date(2026, 1, 1)


def seed_first_notice(model):
    """Create version 1.0 from the fixture file when no notice exists (`model` is PrivacyNotice,
    or the migration's historical model)."""
    if model.objects.exists():
        return None
    return model.objects.create(
        version=FIRST_VERSION,
        text=NOTICE_FILE.read_text(encoding="utf-8").strip(),
        valid_from=FIRST_VALID_FROM,
    )
