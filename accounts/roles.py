"""The portal's roles. Each is a Group (created by migration); a user may hold several and
their scopes add up. Keys are ASCII constants; only labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Cán bộ Sở Công Thương")
    LEADER = "leader", _("Lãnh đạo Sở")
    UNIT_REPORTER = "unit_reporter", _("Cán bộ xã, phường, đơn vị phối hợp")
    APPLICANT = "applicant", _("Cơ sở, tổ chức, cá nhân")
    OBSERVER = "observer", _("Cơ quan theo dõi")


def user_roles(user):
    """The set of role keys a user holds, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role.values if r in names)
        user._role_cache = cached
    return cached


def has_role(user, *roles):
    return bool(user_roles(user) & set(roles))


def is_staff_like(user):
    """Staff and leaders manage the programme (a leader may do all that staff may)."""
    return has_role(user, Role.STAFF, Role.LEADER)


def grant_roles(user, *roles):
    from django.contrib.auth.models import Group

    for role in roles:
        group, _created = Group.objects.get_or_create(name=str(role))
        user.groups.add(group)
    user._role_cache = None
