import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import AuditLog, Profile, Role, User

PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.USER
    is_verified = False
    password = factory.django.Password(PASSWORD)
    profile = factory.RelatedFactory("tests.accounts.factories.ProfileFactory", "user")

    class Params:
        verified = factory.Trait(is_verified=True)
        #: A verified content creator (shared/API.md "Roles").
        creator = factory.Trait(is_verified=True, role=Role.CREATOR)
        #: A verified administrator who can open the admin site and the staff APIs.
        staff = factory.Trait(is_verified=True, is_staff=True, is_superuser=True, role=Role.ADMIN)


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile

    display_name = factory.Faker("name")


class AuditLogFactory(DjangoModelFactory):
    class Meta:
        model = AuditLog

    action = "test.action"
