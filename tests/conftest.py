import os

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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # CI sets REQUIRE_MARKED_TESTS=postgresql,browser,production: there such a test skipped
    # (no PostgreSQL, no Chromium, no gunicorn) is a failure, not a quiet green run.
    outcome = yield
    report = outcome.get_result()
    required = {name.strip() for name in os.environ.get("REQUIRE_MARKED_TESTS", "").split(",")}
    markers = required.intersection(marker.name for marker in item.iter_markers()) - {""}
    if report.skipped and markers and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, but REQUIRE_MARKED_TESTS requires the tests marked "
            f"{', '.join(sorted(markers))} to run: {reason}"
        )


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
    from django.core.cache import cache, caches

    cache.clear()
    caches["rendered"].clear()
    yield
    cache.clear()
    caches["rendered"].clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
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
