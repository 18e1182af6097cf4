"""factory-boy factories for every app; each app adds its own below its banner."""

import datetime

import factory

from accounts.models import User
from accounts.roles import grant_roles
from programmes.models import AdministrativeUnit, Collaborator

# --- accounts ---------------------------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    full_name = factory.Faker("name", locale="vi_VN")
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

    full_name = factory.Faker("name", locale="vi_VN")
    commune = factory.LazyFunction(commune)
    appointed_on = datetime.date(2026, 1, 1)
