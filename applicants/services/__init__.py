"""Every write on applicants and support requests that carries a rule, by sub-domain: profiles
(registration, paper dossiers, edits), privacy (consent to the notice), declarations (no other
state support), members, review (verification), requests (drafts, edits,
submission), ceilings (the check at submission) and triage. Callers keep `from applicants import
services` and `services.<name>`."""

from ..selectors import Ceiling, ceilings_for
from .ceilings import check_ceiling
from .declarations import DECLARATION_TEXT, no_other_support_declare
from .members import (
    MemberAdded,
    applicant_invitation_accept,
    applicant_invitation_cancel,
    applicant_invitation_decline,
    applicant_member_add,
    applicant_member_invite,
    applicant_member_remove,
    may_join,
)
from .privacy import (
    privacy_consent_give,
    privacy_consent_record,
    privacy_consent_withdraw,
    privacy_notice_current,
)
from .profiles import (
    CONTACT_DEPARTMENT,
    StaffEntry,
    applicant_enter_paper_dossier,
    applicant_prepare,
    applicant_register,
    applicant_registration_allow,
    applicant_update,
)
from .requests import (
    EDITABLE,
    REQUEST_FIELDS,
    next_tracking_code,
    support_request_create,
    support_request_update,
)
from .review import REVIEW_EVENTS, applicant_review
from .triage import support_request_triage

__all__ = [
    "applicant_registration_allow",
    "CONTACT_DEPARTMENT",
    "DECLARATION_TEXT",
    "EDITABLE",
    "REQUEST_FIELDS",
    "REVIEW_EVENTS",
    "Ceiling",
    "MemberAdded",
    "StaffEntry",
    "applicant_enter_paper_dossier",
    "applicant_invitation_accept",
    "applicant_invitation_cancel",
    "applicant_invitation_decline",
    "applicant_member_add",
    "applicant_member_invite",
    "may_join",
    "applicant_member_remove",
    "applicant_prepare",
    "applicant_register",
    "applicant_review",
    "applicant_update",
    "ceilings_for",
    "check_ceiling",
    "next_tracking_code",
    "no_other_support_declare",
    "privacy_consent_give",
    "privacy_consent_record",
    "privacy_consent_withdraw",
    "privacy_notice_current",
    "support_request_create",
    "support_request_triage",
    "support_request_update",
]
