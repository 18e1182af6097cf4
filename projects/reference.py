"""The projects app's own catalogues, loaded from fixtures/: the required documents of each step
per activity and the progress an advance needs per activity. Idempotent; staff edit them later."""

import csv
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from programmes.models import ActivityType, Programme

from .models import AdvanceCondition, RequiredDocument

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def _rows(name):
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_project_reference(log=print):
    programme = Programme.objects.filter(is_current=True).first()
    if programme is None:
        log("No current programme: run load_reference first.")
        return
    activities = {a.code: a for a in ActivityType.objects.filter(programme=programme)}
    for row in _rows("required-documents.csv"):
        activity = activities[row["activity_code"]] if row["activity_code"] else None
        RequiredDocument.objects.update_or_create(
            activity=activity,
            variant_key=row.get("variant_key", ""),
            step=row["step"],
            kind=row["kind"],
            defaults={"provider": row["provider"], "note": row["note"]},
        )
    for row in _rows("advance-conditions.csv"):
        AdvanceCondition.objects.update_or_create(
            activity=activities[row["activity_code"]],
            defaults={
                "measure": row.get("measure") or AdvanceCondition.Measure.SPENT_SHARE,
                "min_progress_percent": Decimal(row["min_progress_percent"]),
                "legal_basis": row["legal_basis"],
                "no_advance": row.get("no_advance", "").strip() in ("1", "true", "x"),
            },
        )
    log(
        f"Project reference data: {RequiredDocument.objects.count()} required documents, "
        f"{AdvanceCondition.objects.count()} advance conditions."
    )
