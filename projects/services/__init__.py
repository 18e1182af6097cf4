"""Every write on a project that carries a rule. Keyword-only, transactional, Vietnamese errors.

A package by sub-domain (budget and ceilings, creation and editing, documents, the workflow's
steps and transitions, adjustments, progress, payments); the public names are re-exported here so
callers keep `from projects import services` and `from projects.services import …`."""

from .adjustments import project_adjust
from .budget import budget_lines
from .create_update import (
    EDITABLE_FIELDS,
    RECORDED_FIELDS,
    project_create,
    project_create_from_request,
    project_update,
)
from .documents import missing_documents, project_document_add, removes_files_on_error, required_documents
from .money import approval_rule, beneficiary_shares_set, net_paid
from .payments import PaymentPosition, advance_rule, payment_position, payment_record
from .progress import progress_entry_add, progress_entry_confirm
from .recoveries import advance_recovery_record
from .transitions import project_transition

__all__ = [
    "EDITABLE_FIELDS",
    "RECORDED_FIELDS",
    "PaymentPosition",
    "advance_recovery_record",
    "advance_rule",
    "approval_rule",
    "beneficiary_shares_set",
    "budget_lines",
    "missing_documents",
    "net_paid",
    "payment_position",
    "payment_record",
    "progress_entry_add",
    "progress_entry_confirm",
    "project_adjust",
    "project_create",
    "project_create_from_request",
    "project_document_add",
    "project_transition",
    "project_update",
    "removes_files_on_error",
    "required_documents",
]
