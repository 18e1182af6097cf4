"""`{% audit_trail obj %}`: the object's audit trail (core.audit) for staff and leaders, collapsed;
opening it loads the latest changes (htmx, from the "see all" page's `?latest=1`), with a link to
all of them, which is also what a browser without script follows. Reading the history rows and
comparing their ~90 columns was a tenth of the project page for a section most visits never open
(issue 14). Nobody else sees the section (applicants, commune officials and observers read the page
without it)."""

from django import template
from django.urls import reverse

from core import audit

from ..roles import is_staff_like

register = template.Library()


def may_see_audit(user) -> bool:
    return is_staff_like(user)


@register.inclusion_tag("core/_audit.html", takes_context=True)
def audit_trail(context, obj):
    request = context.get("request")
    user = getattr(request, "user", None)
    slug = audit.page_slug(obj) if obj is not None else None
    if slug is None or not may_see_audit(user):
        return {"show": False}
    see_all = reverse("audit_log", args=[slug, obj.pk])
    return {"show": True, "see_all": see_all, "latest": f"{see_all}?latest=1"}
