"""Every admin page of every model answers, for a superuser, on the demo data.

A safety net over the whole back office: list, search, add and change pages, in both
languages, including a few malformed parameters that must not become server errors.
"""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from registrations import services
from tests.factories import UserFactory, VerifiedUserFactory, details

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def superuser_client(client):
    from events.models import Event

    call_command("load_demo")
    # The demonstration copy, since registration is open there (not for the 2018 conference).
    event = Event.objects.get(slug="emn-demo")
    services.registration_create(
        event=event,
        user=VerifiedUserFactory(),
        details=details(),
        privacy_accepted=True,
        sessions=event.sessions.filter(capacity__isnull=False)[:1],
        by=None,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _url(view: str, *args, language: str) -> str:
    with translation.override(language):
        return reverse(f"admin:{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
@pytest.mark.parametrize("language", ["bg", "en"])
def test_admin_pages_answer(superuser_client, model, language):
    name = f"{model._meta.app_label}_{model._meta.model_name}"
    pages = [
        _url(f"{name}_changelist", language=language),
        _url(f"{name}_changelist", language=language) + "?q=%D0%B0&o=1.-2&p=999&e=1",
    ]
    if admin.site._registry[model].has_add_permission(_superuser_request()):
        pages.append(_url(f"{name}_add", language=language) + "?event=abc")
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        pages.append(_url(f"{name}_change", obj.pk, language=language))
        pages.append(_url(f"{name}_history", obj.pk, language=language))
    for page in pages:
        assert superuser_client.get(page).status_code == 200, page


def _superuser_request():
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    return request
