"""The registration admin's search: the same results as Django's own search, in a form that
PostgreSQL answers from trigram indexes (registrations 0008, accounts 0002)."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from registrations.models import Registration
from tests.factories import OpenEventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return user


@pytest.fixture
def people(db):
    event = OpenEventFactory()
    other = OpenEventFactory()
    rows = [
        # reference, given, family, given (Latin), family (Latin), organisation, email
        ("EMN30-K3QXA", "Радослав", "Стаменков", "Radoslav", "Stamenkov", "МОМ България", "rs"),
        ("EMN30-M7PTH", "Мария", "Стаменкова", "Maria", "Stamenkova", "МВР", "maria.s"),
        ("EMN30-9HWRB", "Anna", "Huber", "", "", "IOM Austria", "anna.huber"),
        ("EMN30-Q2ZXC", "Jan", "de Vries", "", "", "Ministry of Justice", "jdv"),
        ("EMN30-HUBER", "Lukas", "Müller", "", "", "Huber & Partners", "lm"),
        ("EMN30-T4KLM", "Елена", "Тодорова", "Elena", "Todorova", "IOM Bulgaria", "et"),
    ]
    for reference, given, family, given_latin, family_latin, organisation, email in rows:
        RegistrationFactory(
            event=event,
            reference=reference,
            given_name=given,
            family_name=family,
            given_name_latin=given_latin,
            family_name_latin=family_latin,
            organisation=organisation,
            user=UserFactory(email=f"{email}@example.org"),
        )
    RegistrationFactory(
        event=other, reference="EMN31-STAME", family_name="Stamenkov", organisation="BAMF"
    )
    return event


EVERYONE = {
    "EMN30-K3QXA",
    "EMN30-M7PTH",
    "EMN30-9HWRB",
    "EMN30-Q2ZXC",
    "EMN30-HUBER",
    "EMN30-T4KLM",
    "EMN31-STAME",
}


def _listed(client, query: str) -> set[str]:
    with translation.override("en"):
        url = reverse("admin:registrations_registration_changelist")
    html = client.get(url, {"q": query}).content.decode()
    return set(re.findall(r'class="field-reference"><a [^>]*>([^<]+)</a>', html))


def _djangos_own(user, query: str) -> set[str]:
    """What Django's own `ModelAdmin.get_search_results` finds, as the admin did before."""
    model_admin = admin.site._registry[Registration]
    request = RequestFactory().get("/", {"q": query})
    request.user = user
    found, _duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, Registration.objects.all(), query
    )
    return set(found.values_list("reference", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Стаменков", {"EMN30-K3QXA", "EMN30-M7PTH"}),  # a family name in Cyrillic
        ("STAMENKOVA", {"EMN30-M7PTH"}),  # in any case
        ("stamenkov", {"EMN30-K3QXA", "EMN30-M7PTH", "EMN31-STAME"}),  # its Latin spelling
        ("Radoslav Stamenkov", {"EMN30-K3QXA"}),  # every word, each in some field
        ("Мария", {"EMN30-M7PTH"}),
        ("huber", {"EMN30-9HWRB", "EMN30-HUBER"}),  # a name, a reference, an organisation
        ("anna.huber@example", {"EMN30-9HWRB"}),  # the account's email
        ("@example.org", EVERYONE),
        ("emn30-k3qx", {"EMN30-K3QXA"}),  # part of a reference
        ("IOM", {"EMN30-9HWRB", "EMN30-T4KLM"}),  # an organisation
        ('"Ministry of Justice"', {"EMN30-Q2ZXC"}),  # a quoted phrase
        ("МОМ", {"EMN30-K3QXA"}),
        ("de", {"EMN30-Q2ZXC"}),  # two letters: no trigram to look up, still found
        ("de Vries", {"EMN30-Q2ZXC"}),
        ("Ministry of", {"EMN30-Q2ZXC"}),
        ("nobody", set()),
    ],
)
def test_search_finds_what_djangos_own_search_found(client, manager, people, query, expected):
    assert _listed(client, query) == expected
    assert _djangos_own(manager, query) == expected


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("query", "expected"),
    [("стаменкова", {"EMN30-M7PTH"}), ("мария", {"EMN30-M7PTH"}), ("МОМ", {"EMN30-K3QXA"})],
)
def test_search_ignores_the_case_of_cyrillic_too(client, manager, people, query, expected):
    # SQLite folds the case of ASCII letters only; PostgreSQL (UPPER) of every script.
    assert _listed(client, query) == expected
    assert _djangos_own(manager, query) == expected


@pytest.mark.postgresql
def test_search_can_be_answered_from_the_trigram_indexes(manager, people):
    model_admin = admin.site._registry[Registration]
    request = RequestFactory().get("/", {"q": "stamenkov"})
    request.user = manager
    found, _duplicates = model_admin.get_search_results(
        request, Registration.objects.all(), "stamenkov"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # A few rows are read faster without the trigram indexes: forbid reading a table
        # through anything else, as a table of 50,000 makes the planner choose.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = found.explain()
    used = set(re.findall(r"Bitmap Index Scan on (\w+_trgm)", plan))
    assert used == {
        "registrations_registration_reference_trgm",
        "registrations_registration_given_name_trgm",
        "registrations_registration_family_name_trgm",
        "registrations_registration_given_name_latin_trgm",
        "registrations_registration_family_name_latin_trgm",
        "registrations_registration_organisation_trgm",
        "accounts_user_email_trgm",
    }
