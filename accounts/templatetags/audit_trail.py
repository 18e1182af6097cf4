"""`{% audit_trail obj %}`: the object's audit trail (core.audit) for staff and leaders, collapsed,
the latest changes with a link to all of them. Nobody else sees the section (applicants, commune
officials and observers read the page without it)."""

from django import template
from django.urls import reverse

from core import audit

from ..roles import is_staff_like

register = template.Library()


def may_see_audit(user) -> bool:
    return is_staff_like(user)


@register.inclusion_tag("core/_audit.html", takes_context=True)
def audit_trail(context, obj, limit=audit.AUDIT_LIMIT):
    request = context.get("request")
    user = getattr(request, "user", None)
    if obj is None or not may_see_audit(user):
        return {"show": False}
    rows, more = audit.audit_rows(*audit.histories_of(obj), sees_personal=is_staff_like(user), limit=limit)
    slug = audit.page_slug(obj)
    return {
        "show": True,
        "rows": rows,
        "more": more,
        "see_all": reverse("audit_log", args=[slug, obj.pk]) if slug else "",
    }
