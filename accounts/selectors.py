"""Reads of accounts and notifications, always scoped to the user who asks."""

from django.db.models import Prefetch
from django.http import Http404

from khuyencong.text import fold, vi_sort_key

from .models import Notification, User
from .roles import is_staff_like


def reporting_unit_model():
    """ReportingUnit, reached through its link to users: `accounts` stays below `programmes`."""
    return User._meta.get_field("reporting_units").related_model


def users_manageable_by(actor):
    """The accounts staff and leaders manage on the portal: everyone but superusers (those are
    managed in the Django admin). Nobody else manages accounts."""
    if not is_staff_like(actor):
        return User.objects.none()
    return User.objects.filter(is_superuser=False)


def user_list(*, actor, query=""):
    """Accounts `actor` may manage, matching `query` (name, email or phone; case and diacritics
    ignored), in Vietnamese alphabetical order. Three queries whatever the number of rows."""
    users = users_manageable_by(actor).prefetch_related(
        "groups", Prefetch("reporting_units", queryset=reporting_unit_model().objects.order_by("name"))
    )
    for word in fold(query).split():
        users = users.filter(search_text__contains=word)
    return sorted(users, key=lambda u: vi_sort_key(u.full_name))


def user_get(*, actor, pk):
    """One account `actor` may manage; 404 otherwise."""
    try:
        return users_manageable_by(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reporting_units_for_choice():
    """Active reporting units: communes first, by the commune's own name (Phố Hiến, not "UBND Phường…"),
    then departments and organisations."""
    units = reporting_unit_model().objects.filter(is_active=True).select_related("commune")
    return sorted(
        units, key=lambda u: (u.kind != "commune", vi_sort_key(u.commune.name if u.commune else u.name))
    )


def notifications_of(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
