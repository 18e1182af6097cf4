from django import template

from accounts.roles import Role
from accounts.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context):
    """The signed-in user's unread message count (one COUNT query)."""
    request = context.get("request")
    if request is None:
        return 0
    return unread_count(request.user)


@register.filter
def role_label(name):
    """A role key (Group name) as its Vietnamese label."""
    try:
        return Role(name).label
    except ValueError:
        return name
