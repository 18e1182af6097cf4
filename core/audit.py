"""The audit trail: who changed what and when on an object, read from its django-simple-history
rows and shown to staff on the object's page (templates/core/_audit.html).

A model opts in with `history = HistoricalRecords(...)`; the rows are written on every `save()`
(HistoryRequestMiddleware gives them the signed-in user). A write that goes through
`QuerySet.update()` bypasses them, so such writers call `record_history` afterwards
(core.concurrency.save_versioned does). `audit_rows` turns the latest rows of one or more history
querysets into what a person reads: when, who, why, and each changed field from → to, labelled by its
verbose_name and shown as users see it (VND, dd/mm/yyyy, choice labels). A model may name its
personal data with a classmethod `is_personal_value(name, value)`: those values are masked unless
the viewer may see them.

The number of queries does not grow with the number of rows: the rows of each queryset with the
row before each (one annotated query), the rows before the window (one query), and one query per
foreign key that changed, for its labels.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .money import format_vnd, group

AUDIT_LIMIT = 50
# Bookkeeping columns nobody reads as a change.
IGNORED_FIELDS = frozenset({"id", "version", "updated_at", "search_text", "sort_key"})
MASK = "•••"
# A long passage is shown by its start (the page itself has the whole text).
TEXT_LIMIT = 200


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class AuditRow:
    when: datetime.datetime
    who: str
    action: str  # "+" created, "~" changed, "-" deleted
    reason: str = ""
    subject: str = ""
    changes: list[Change] = field(default_factory=list)
    baseline_missing: bool = False

    @property
    def action_label(self):
        return {"+": _("Tạo mới"), "-": _("Xóa")}.get(self.action, _("Sửa"))


def has_history(model) -> bool:
    return getattr(model._meta, "simple_history_manager_attribute", None) is not None


def record_history(instance, *, user=None, reason: str = "") -> None:
    """Write the history row of a change made with `QuerySet.update()` (which simple-history does
    not see), from the row as the database now has it (the instance in hand may hold older values
    of the columns the update left alone). The user is the one given, else the instance's
    `_history_user`, else the request's (the middleware), as for a save()."""
    model = type(instance)
    if not has_history(model):
        return
    manager = getattr(model, model._meta.simple_history_manager_attribute)
    current = model._base_manager.get(pk=instance.pk)
    user = user or getattr(instance, "_history_user", None)
    if user is not None:
        current._history_user = user
    reason = reason or getattr(instance, "_change_reason", "") or ""
    manager.bulk_history_create([current], update=True, default_change_reason=reason)


def _tracked(history_model):
    return [f for f in history_model.tracked_fields if f.name not in IGNORED_FIELDS]


def _fetch(history, limit):
    """The latest `limit` + 1 rows of a history queryset with the id of the row before each."""
    model = history.model
    before = (
        model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return list(
        history.select_related("history_user")
        .annotate(previous_history_id=Subquery(before))
        .order_by("-history_date", "-history_id")[: limit + 1]
    )


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("Hệ thống")
    return getattr(user, "full_name", "") or str(user)


def _show(f, value, labels, *, masked) -> str:  # noqa: C901 (one branch per kind of field)
    if value is None or value == "":
        return "—"
    if masked:
        return MASK
    if f.is_relation:
        return labels.get((f.name, value), f"#{value}")
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return _("Có") if value else _("Không")
    if isinstance(f, models.DateTimeField):
        return date_format(timezone.localtime(value), "d/m/Y H:i")
    if isinstance(f, models.DateField):
        return date_format(value, "d/m/Y")
    if type(f) is models.BigIntegerField:  # money is whole đồng, unless the model says otherwise
        plain = f.name in getattr(f.model, "AUDIT_NUMBERS", ())
        return group(value) if plain else format_vnd(value)
    if isinstance(f, models.FileField):
        return str(value).rsplit("/", 1)[-1]
    return Truncator(str(value)).chars(TEXT_LIMIT)


def _diff(record, previous, fields):
    return [f for f in fields if getattr(record, f.attname) != getattr(previous, f.attname)]


def _labels(pending):
    """{(field name, id): label} for the foreign keys that changed: one query per field."""
    labels = {}
    for (name, related), ids in pending.items():
        # what a label's __str__ reads one step away (a plan item's activity) comes in the same query
        joined = [f.name for f in related._meta.concrete_fields if f.many_to_one]
        for pk, obj in related._base_manager.select_related(*joined).in_bulk(ids).items():
            labels[(name, pk)] = str(getattr(obj, "full_name", "") or obj)
    return labels


def audit_rows(*histories, sees_personal: bool, limit: int = AUDIT_LIMIT):
    """The latest `limit` changes over the history querysets given (an object's, its items'…),
    newest first, and whether there are more. A model whose rows need naming on a shared trail
    (the items of a plan) names the field that tells them apart in `AUDIT_SUBJECT`."""
    fetched = []
    for history in histories:
        records = _fetch(history, limit)
        before_ids = [r.previous_history_id for r in records if r.previous_history_id]
        previous = history.model.objects.in_bulk(before_ids) if before_ids else {}
        fetched.extend((r, previous.get(r.previous_history_id)) for r in records)
    fetched.sort(key=lambda pair: (pair[0].history_date, pair[0].history_id), reverse=True)
    more = len(fetched) > limit
    fetched = fetched[:limit]

    diffs = []
    for record, previous in fetched:
        fields = _tracked(type(record))
        changed = (
            _diff(record, previous, fields) if previous is not None and record.history_type == "~" else []
        )
        if record.history_type == "~" and previous is not None and not changed:
            continue  # a version bump or a bookkeeping column only
        diffs.append((record, previous, changed))
    labels = _labels(_pending_labels(diffs))
    return [
        _row(record, previous, changed, labels, sees_personal) for record, previous, changed in diffs
    ], more


def _subject_field(model):
    name = getattr(model, "AUDIT_SUBJECT", "")
    return model._meta.get_field(name) if name else None


def _pending_labels(diffs) -> dict:
    """{(field name, related model): ids} of the foreign keys to show: those that changed, and the
    subjects that are foreign keys (the indicator of a report's figure)."""
    pending = {}
    for record, previous, changed in diffs:
        subject = _subject_field(record.instance_type)
        if subject is not None and subject.is_relation:
            pending.setdefault((subject.name, subject.related_model), set()).add(
                getattr(record, subject.attname)
            )
        for f in changed:
            if f.is_relation:
                values = (getattr(record, f.attname), getattr(previous, f.attname))
                pending.setdefault((f.name, f.related_model), set()).update(
                    v for v in values if v is not None
                )
    return pending


def _row(record, previous, changed, labels, sees_personal) -> AuditRow:
    model = record.instance_type
    personal = getattr(model, "is_personal_value", None)
    row = AuditRow(
        when=record.history_date,
        who=_who(record),
        action=record.history_type,
        reason=record.history_change_reason or "",
        baseline_missing=record.history_type == "~" and previous is None,
    )
    subject = _subject_field(model)
    if subject is not None:
        value = getattr(record, subject.attname)
        shown = labels.get((subject.name, value), value) if subject.is_relation else value
        row.subject = f"{model._meta.verbose_name} {shown}"
    for f in changed:
        old, new = getattr(previous, f.attname), getattr(record, f.attname)
        hide_old = not sees_personal and personal is not None and personal(f.name, old)
        hide_new = not sees_personal and personal is not None and personal(f.name, new)
        row.changes.append(
            Change(
                label=str(f.verbose_name),
                old=_show(f, old, labels, masked=hide_old),
                new=_show(f, new, labels, masked=hide_new),
            )
        )
    return row


def histories_of(obj) -> list:
    """The history querysets an object's trail reads: its own, and those its model adds (a plan's
    items) through a method `audit_histories()`."""
    extra = getattr(obj, "audit_histories", None)
    if extra is not None:
        return list(extra())
    model = type(obj)
    return [getattr(obj, model._meta.simple_history_manager_attribute).all()]


# The "see all" pages: slug → (model, getter(user, pk) that answers 404 outside the user's scope).
# The apps that own the objects register them (khuyencong.audit), so core imports none of them.
PAGES: dict[str, tuple] = {}


def register_page(slug: str, model, getter) -> None:
    PAGES[slug] = (model, getter)


def page_slug(obj) -> str | None:
    for slug, (model, _getter) in PAGES.items():
        if isinstance(obj, model):
            return slug
    return None
