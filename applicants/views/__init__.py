"""The applicants' pages, by sub-domain: profiles (registration, own profile and data), members,
staff (lists, one applicant, verification, paper dossiers, import), requests (the form, the page
with triage, the lists) and the public lookup. urls.py keeps `views.<name>`."""

from .lookup import lookup
from .members import invitation_answer, invitation_cancel, invitations, member_leave, member_remove, members
from .profiles import consent, edit, my_data, my_profile, privacy_notice, register
from .requests import my_requests, request_create, request_detail, request_edit, request_list, request_triage
from .staff import (
    applicant_list,
    detail,
    import_applicants,
    import_template,
    review,
    staff_entry,
    verification_queue,
)

__all__ = [
    "applicant_list",
    "consent",
    "detail",
    "edit",
    "import_applicants",
    "import_template",
    "lookup",
    "invitation_answer",
    "invitation_cancel",
    "invitations",
    "member_leave",
    "member_remove",
    "members",
    "my_data",
    "my_profile",
    "my_requests",
    "privacy_notice",
    "register",
    "request_create",
    "request_detail",
    "request_edit",
    "request_list",
    "request_triage",
    "review",
    "staff_entry",
    "verification_queue",
]
