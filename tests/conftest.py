import pytest
from django.db import connection

from tests import factories

pytest_plugins = ["tests.browser"]


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://… to include it"
    )
    for item in items:
        if "postgresql" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _source_language():
    # A request to /bg/… leaves Bulgarian active in the thread; each test starts in English.
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits count in the cache; one test's sign-ups must not limit the next.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Hashing passwords properly is slow on purpose; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def event(db):
    return factories.EventFactory()


@pytest.fixture
def staff_user(db):
    return factories.UserFactory(is_staff=True)


@pytest.fixture
def agenda_editor(db):
    from django.contrib.auth.models import Group

    user = factories.UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Agenda editors"))
    return user
