"""Reads of accounts and notifications, always scoped to the user who asks."""

from django.core.paginator import Paginator
from django.http import Http404

from core.text import fold, vi_sort_key

from .models import Notification, User
from .roles import Role, is_staff_like


def _active_with_roles(*roles):
    return User.objects.filter(groups__name__in=roles, is_active=True).distinct().order_by("pk")


def staff_and_leaders():
    """Who is told when work arrives for the department (a new registration, a submitted request):
    active staff and leaders, each once."""
    return _active_with_roles(Role.STAFF, Role.LEADER)


def leaders():
    """Who is told when a decision waits for a leader (an appraised project): active leaders."""
    return _active_with_roles(Role.LEADER)


def users_manageable_by(actor):
    """The accounts staff and leaders manage on the portal: everyone but superusers (those are
    managed in the Django admin). Nobody else manages accounts."""
    if not is_staff_like(actor):
        return User.objects.none()
    return User.objects.filter(is_superuser=False)


def user_list(*, actor, query="", page_number=1, per_page=50):
    """One page of the accounts `actor` may manage, matching `query` (name, email or phone; case
    and diacritics ignored), in Vietnamese alphabetical order. Sorting reads only ids and names;
    the page's rows come with their roles and units: four queries whatever the number of rows."""
    users = users_manageable_by(actor)
    for word in fold(query).split():
        users = users.filter(search_text__contains=word)
    ordered = sorted(users.values_list("pk", "full_name"), key=lambda row: vi_sort_key(row[1]))
    page = Paginator([pk for pk, _name in ordered], per_page).get_page(page_number)
    rows = User.objects.filter(pk__in=list(page.object_list)).prefetch_related("groups", "reporting_units")
    by_pk = {user.pk: user for user in rows}
    page.object_list = [by_pk[pk] for pk in page.object_list]
    return page


def user_get(*, actor, pk):
    """One account `actor` may manage; 404 otherwise."""
    try:
        return users_manageable_by(actor).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def notifications_of(user):
    return Notification.objects.filter(recipient=user)


def unread_count(user):
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
