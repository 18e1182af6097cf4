"""The one workflow engine: projects, support requests, unit reports and annual plans declare their
steps here and apply them the same way.

A `Workflow` is a table of `Step`s. Each step names the states it leaves from, the state it leads to,
the roles that may take it, the typed `Field`s it records (copied onto the history row and, where a
field says `copy_to`, onto the object) and the `handler` that does the step's own work (checks and
side effects that a field copy cannot express). `apply_step` is the whole engine: guard, copy,
handler, one immutable history row, the new state. Form defaults, buttons, the page's timeline and
test data read the same declarations.

State keys are ASCII constants; only labels are translated (a label is never a key).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .text import clean_text, nfc

# "note": free text kept on several lines (a comment, a reason); "text": one line, spaces collapsed.
FIELD_KINDS = frozenset({"text", "note", "date", "money", "choice", "document", "amounts", "number", "bool"})
# Kinds the engine never copies: a file is stored and an amount per source is written by the caller.
NOT_COPIED = frozenset({"document", "amounts"})


@dataclass(frozen=True)
class Field:
    """A typed value a step records. `kind` is one of FIELD_KINDS. `record`: copied onto the history
    row's attribute of the same name; `copy_to`: also copied onto the object's attribute of that
    name (a decision number the object keeps, for instance); `initial`: the key of the defaults
    the step's form starts from (see form_initial; the field's own name when empty)."""

    name: str
    kind: str
    label: str
    required: bool = True
    record: bool = True
    copy_to: str = ""
    initial: str = ""

    def __post_init__(self):
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class Step:
    """One row of a transition table."""

    key: str
    label: str
    sources: frozenset
    target: str
    roles: frozenset
    fields: tuple = ()
    button: str = "primary"
    handler: Callable[[StepContext], None] | None = None
    document_kind: str = ""  # the kind a step's uploaded file is stored as

    def allows(self, status: str) -> bool:
        return status in self.sources

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> frozenset:
        return frozenset(f.name for f in self.fields)


@dataclass
class StepContext:
    """What a handler works with: the locked object, the unsaved history row, the submitted data
    (already checked for presence), the acting user, the step, and a scratch dict for what the
    handler wants the caller to see afterwards (warnings, amounts…)."""

    obj: Any
    row: Any
    data: dict
    user: Any
    step: Step
    extra: dict = field(default_factory=dict)


def _missing(value) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or value == {} or value == [] or value == ()


def _copied(f: Field, value):
    if f.kind == "text" and isinstance(value, str):
        return clean_text(value)
    if f.kind == "note" and isinstance(value, str):
        return nfc(value).strip()
    if f.kind == "money" and value not in (None, ""):
        return int(value)
    return value


class Workflow:
    """A transition table with its lookups. `roles_of(user)` gives the set of role keys a user holds
    (accounts knows roles; core does not import it). `state_label(obj)` names the object's state in
    messages. `not_allowed_message` may name the object ("… đề án đang ở trạng thái …"); it takes
    %(step)s and %(status)s."""

    def __init__(
        self,
        steps: Iterable[Step],
        *,
        roles_of: Callable[[Any], set],
        state_label: Callable[[Any], str],
        status_attr: str = "status",
        not_allowed_message: str | None = None,
    ):
        self.steps = tuple(steps)
        self.by_key = {step.key: step for step in self.steps}
        if len(self.by_key) != len(self.steps):
            raise ValueError("duplicate step keys")
        self.roles_of = roles_of
        self.state_label = state_label
        self.status_attr = status_attr
        self.not_allowed_message = not_allowed_message

    def get(self, key: str) -> Step:
        step = self.by_key.get(key)
        if step is None:
            raise ValidationError(
                _("Bước “%(step)s” không có trong quy trình.") % {"step": key}, code="unknown_step"
            )
        return step

    def steps_from(self, status: str) -> list[Step]:
        return [step for step in self.steps if step.allows(status)]

    def steps_for(self, user, status: str) -> list[Step]:
        """The steps `user` may take from `status`: what the buttons show."""
        roles = self.roles_of(user)
        return [step for step in self.steps_from(status) if roles & step.roles]

    def guard(self, step: Step, *, user, obj, data: dict) -> None:
        """Role named, object in a from-state, every required field given; else a ValidationError
        (codes forbidden / not_allowed / required) and nothing changes."""
        if not (self.roles_of(user) & step.roles):
            raise ValidationError(
                _("Bạn không có quyền thực hiện bước “%(step)s”.") % {"step": step.label}, code="forbidden"
            )
        if not step.allows(getattr(obj, self.status_attr)):
            message = self.not_allowed_message or _(
                "Không thể “%(step)s” khi đang ở trạng thái “%(status)s”."
            )
            raise ValidationError(
                message % {"step": step.label, "status": self.state_label(obj)},
                code="not_allowed",
            )
        errors = {
            f.name: ValidationError(_("Bước này cần “%(field)s”.") % {"field": f.label}, code="required")
            for f in step.fields
            if f.required and _missing(data.get(f.name))
        }
        if errors:
            raise ValidationError(errors)


def apply_step(
    workflow: Workflow,
    *,
    obj,
    key: str,
    user,
    data: dict | None,
    new_row: Callable[..., Any],
    save_obj: Callable[[Any], None] | None = None,
    before_save: Callable[[StepContext], None] | None = None,
) -> StepContext:
    """Apply one step: guard, copy the declared fields, call the handler, write the history row,
    move the object to the step's target (bumping `version` where the object has one).

    `new_row(obj=, step=, user=, data=)` returns the unsaved history row; the caller runs this inside
    a transaction with the object locked, so a refusal (any ValidationError) changes nothing.
    `before_save(context)`, when given, runs after the step's handler and before the row is saved:
    the work every step of a workflow shares (storing the step's file, say). `save_obj` saves the
    object (default: full_clean and save)."""
    data = dict(data or {})
    step = workflow.get(key)
    workflow.guard(step, user=user, obj=obj, data=data)
    row = new_row(obj=obj, step=step, user=user, data=data)
    for f in step.fields:
        value = data.get(f.name)
        if _missing(value) or f.kind in NOT_COPIED:
            continue
        value = _copied(f, value)
        if f.record and hasattr(row, f.name):
            setattr(row, f.name, value)
        if f.copy_to:
            setattr(obj, f.copy_to, value)
    context = StepContext(obj=obj, row=row, data=data, user=user, step=step)
    if step.handler is not None:
        step.handler(context)
    if before_save is not None:
        before_save(context)
    row.full_clean()
    row.save()
    setattr(obj, workflow.status_attr, step.target)
    # the audit trail's row (core.audit) says which step changed the object and who took it
    obj._change_reason = str(step.label)[:100]
    obj._history_user = user
    if hasattr(obj, "version"):
        obj.version += 1
    if save_obj is not None:
        save_obj(obj)
    else:
        obj.full_clean()
        obj.save()
    return context


def form_initial(step: Step, defaults: dict) -> dict:
    """Initial values of a step's form: the declared fields that `defaults` names (under the
    field's `initial` key when it has one, else under its name)."""
    return {f.name: defaults[f.initial or f.name] for f in step.fields if (f.initial or f.name) in defaults}


def timeline(steps: Iterable[Step], history: Iterable[Any], *, key_attr: str = "step") -> list[dict]:
    """The page's timeline: every history row with its step's declaration (label and the fields it
    recorded, read from the row), in the order given."""
    by_key = {step.key: step for step in steps}
    entries = []
    for row in history:
        step = by_key.get(getattr(row, key_attr))
        values = []
        if step is not None:
            for f in step.fields:
                if f.record and f.kind not in NOT_COPIED and hasattr(row, f.name):
                    value = getattr(row, f.name)
                    if not _missing(value):
                        values.append((f, value))
        entries.append({"row": row, "step": step, "values": values})
    return entries
