"""What the project services share: the staff check, the row lock, the version check, the search
columns and the people a project's news goes to."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import is_staff_like
from core.concurrency import STALE_MESSAGE
from core.text import search_text, sort_key

from ..models import Project


def day(value: datetime.date) -> str:
    return date_format(value, "d/m/Y")


def require_staff(user: User) -> None:
    if not is_staff_like(user):
        raise ValidationError(_("Chỉ cán bộ Sở được thực hiện thao tác này."), code="forbidden")


def lock_project(project: Project) -> Project:
    """The project re-read under a row lock (only its own row: PostgreSQL cannot lock the nullable
    side of a join), with what the rules read."""
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("activity", "variant", "lead_fund")
        .get(pk=project.pk)
    )


def check_version(project: Project, expected_version: int | str | None) -> None:
    """Forms on the project page carry the version they were opened at (None: a caller without a
    form, such as demo data); a stale one is refused. Called under the project's row lock."""
    if expected_version is not None and project.version != int(expected_version):
        raise ValidationError(STALE_MESSAGE, code="stale")


def bump_version(project: Project) -> None:
    Project.objects.filter(pk=project.pk).update(version=project.version + 1)
    project.version += 1


def refresh_search(project: Project) -> None:
    names = [a.name for a in project.beneficiaries.all()] + [c.full_name for c in project.communes.all()]
    project.search_text = search_text(project.code, project.title, project.implementing_unit, *names)
    project.sort_key = sort_key(project.title)
    Project.objects.filter(pk=project.pk).update(search_text=project.search_text, sort_key=project.sort_key)


def beneficiary_users(project: Project) -> list[User]:
    users = []
    for applicant in project.beneficiaries.select_related("owner").prefetch_related("members"):
        users.append(applicant.owner)
        users.extend(applicant.members.all())
    return [u for u in users if u is not None]
