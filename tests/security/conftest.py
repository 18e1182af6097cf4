import pytest
import time_machine
from django.db import transaction
from django.test import Client, override_settings

from .world import NOW, ROLES, build_world


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("matrix-media")


@pytest.fixture(autouse=True)
def _media_per_test(world_media):
    """The world's files stay where it wrote them for the whole module (tests/conftest.py would
    move MEDIA_ROOT for each test)."""
    with override_settings(MEDIA_ROOT=world_media):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """The world once per module (and per xdist worker), inside a transaction rolled back at the
    end; each test's own `db` transaction nests in it as a savepoint."""
    traveller = time_machine.travel(NOW, tick=False)
    traveller.start()
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=world_media), transaction.atomic():
        w = build_world()
        clients = {}
        for role in ROLES:
            client = Client()
            if w[role] is not None:
                client.force_login(w[role])
            clients[role] = client
        w["clients"] = clients
        try:
            yield w
        finally:
            transaction.set_rollback(True)
            traveller.stop()
