"""factory-boy factories for every app; each app adds its own below its banner."""

import datetime

import factory

from accounts.models import User
from accounts.roles import grant_roles
from programmes.models import AdministrativeUnit, Collaborator

# --- accounts ---------------------------------------------------------------------------------

# Names for people, fixed rather than random: a random "Đức" or "Hạnh" once made a search test
# find a second row (the suite failed on one run in several). None of them shares a word with the
# names tests search for.
PEOPLE = ["Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Mai", "Hoàng Văn Sơn", "Vũ Thị Thu"]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    full_name = factory.Iterator(PEOPLE)
    email = factory.Sequence(lambda n: f"user{n}@example.test")
    phone = factory.Sequence(lambda n: f"09{n:08d}")
    password = factory.PostGenerationMethodCall("set_password", "matkhau-Test-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            grant_roles(self, *extracted)
        if create:
            self.save()


# --- programmes -------------------------------------------------------------------------------


def commune(code="11953"):
    return AdministrativeUnit.objects.get(code=code)


class CollaboratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collaborator

    full_name = factory.Iterator(PEOPLE)
    commune = factory.LazyFunction(commune)
    appointed_on = datetime.date(2026, 1, 1)


# --- applicants -------------------------------------------------------------------------------


def valid_mst(n):
    """The n-th valid 10-digit tax code of a test range (check digit per the MST rule)."""
    from applicants.validators import mst_check_digit

    base = 700000000 + n * 7
    while True:
        first = str(base).zfill(9)
        check = mst_check_digit(first)
        if check is not None:
            return first + str(check)
        base += 1


def _applicant_fields(obj):
    from applicants.services import applicant_prepare

    applicant_prepare(obj)


class ApplicantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applicants.Applicant"
        skip_postgeneration_save = True

    kind = "household"
    name = factory.Sequence(lambda n: f"Hộ kinh doanh số {n}")
    tax_code = factory.Sequence(lambda n: valid_mst(n))
    representative = factory.Iterator(PEOPLE)
    phone = factory.Sequence(lambda n: f"03{n:08d}")
    address = "Thôn 1"
    commune = factory.LazyFunction(commune)
    verification_status = "verified"
    owner = factory.SubFactory(UserFactory, roles=["applicant"])

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        _applicant_fields(obj)
        obj.save()
        if obj.owner_id:
            obj.members.add(obj.owner)
        return obj


class SupportRequestFactory(factory.django.DjangoModelFactory):
    """A submitted request with a tracking code (use status="draft", code=None for a draft)."""

    class Meta:
        model = "applicants.SupportRequest"

    applicant = factory.SubFactory(ApplicantFactory)
    year = 2026
    activity = factory.LazyFunction(
        lambda: __import__("programmes.models").models.ActivityType.objects.get(code="2b")
    )
    title = factory.Sequence(lambda n: f"Máy móc số {n}")
    description = "Cần hỗ trợ máy."
    estimated_cost = 400_000_000
    counterpart = 250_000_000
    requested_support = 150_000_000
    status = "submitted"
    code = factory.Sequence(lambda n: f"YC-2026-{n + 900000:06d}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from core.text import search_text

        obj = model_class(*args, **kwargs)
        obj.search_text = search_text(obj.code, obj.title, obj.applicant.name, obj.applicant.tax_code)
        obj.save()
        return obj


# --- projects ---------------------------------------------------------------------------------


def make_project(user, **kwargs):
    """A draft project built through projects.services (see tests/projects/utils.py for options)."""
    from tests.projects.utils import make_project as _make_project

    return _make_project(user, **kwargs)


def advance_project(leader, project, status):
    """Walk `project` along the transition table to `status` (a leader may take every step)."""
    from tests.projects.utils import advance

    return advance(leader, project, status)
