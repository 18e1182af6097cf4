"""Issue 10, item 8, for the rows already stored: logins are now folded (NFKC + casefold) when
saved and looked up, so an email saved before in another spelling could no longer sign in. The
data migration accounts/0007 re-folds stored emails, and refuses (naming the accounts) when two
of them would become one login."""

import importlib

import pytest
from django.apps import apps

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0007_refold_stored_emails")


def _store_raw(user, email):
    """Write an email as an older version of the portal did: not folded."""
    User.objects.filter(pk=user.pk).update(email=email)


def test_stored_emails_are_refolded_and_their_search_text_follows():
    old = UserFactory(full_name="Sở Tài chính", email="placeholder1@example.test")
    wide = UserFactory(full_name="Cán bộ", email="placeholder2@example.test")
    folded = UserFactory(email="da-gon@example.test")
    phone_only = UserFactory(email=None, phone="0912000444")
    blank = UserFactory(email="placeholder4@example.test", phone="0912000555")
    _store_raw(blank, "")
    _store_raw(old, " ſotaichinh@KhuyenCong.teſt")
    _store_raw(wide, "ＣａｎＢｏ@Example.test")
    before = User.objects.get(pk=folded.pk).search_text

    migration.refold_stored_emails(apps, None)

    old.refresh_from_db()
    wide.refresh_from_db()
    assert old.email == "sotaichinh@khuyencong.test" and "sotaichinh@khuyencong.test" in old.search_text
    assert wide.email == "canbo@example.test" and "canbo@example.test" in wide.search_text
    assert User.objects.get_by_login("SOTAICHINH@khuyencong.test") == old
    assert User.objects.get(pk=folded.pk).search_text == before
    assert User.objects.get(pk=phone_only.pk).email is None
    assert User.objects.get(pk=blank.pk).email is None  # signs in by its phone
    migration.refold_stored_emails(apps, None)  # a second run changes nothing
    assert User.objects.get(pk=old.pk).email == "sotaichinh@khuyencong.test"


def test_two_accounts_that_would_become_one_login_are_refused_and_named():
    first = UserFactory(full_name="Nguyễn Văn A", email="canbo@khuyencong.test")
    twin = UserFactory(full_name="Nguyễn Văn B", email="placeholder@example.test")
    other = UserFactory(email="placeholder3@example.test")
    _store_raw(twin, "CanBo@KhuyenCong.test")
    _store_raw(other, "Khac@Example.test")

    with pytest.raises(RuntimeError) as refused:
        migration.refold_stored_emails(apps, None)

    message = str(refused.value)
    assert "canbo@khuyencong.test" in message and "CanBo@KhuyenCong.test" in message
    assert f"#{first.pk}" in message and f"#{twin.pk}" in message
    assert "Nguyễn Văn A" in message and "Nguyễn Văn B" in message
    assert f"#{other.pk}" not in message
    # nothing changed, not even the accounts that did not collide
    assert User.objects.get(pk=other.pk).email == "Khac@Example.test"
    assert User.objects.get(pk=twin.pk).email == "CanBo@KhuyenCong.test"


def test_the_migration_runs_the_refold_and_goes_back_without_change():
    from django.db.migrations import RunPython

    (operation,) = migration.Migration.operations
    assert isinstance(operation, RunPython) and operation.code is migration.refold_stored_emails
    assert operation.reversible
