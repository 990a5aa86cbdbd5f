"""The list of participants: who appears (confirmed, agreed, not anonymised), who may see it,
grouping, withdrawing consent, and a constant number of queries."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from registrations import services
from registrations.models import Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    RegistrationFactory,
    VerifiedUserFactory,
)

pytestmark = pytest.mark.django_db


def participants_url(event, language: str = "en", **query) -> str:
    with translation.override(language):
        url = reverse("registrations:participants", kwargs={"slug": event.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(event, **fields) -> Registration:
    return RegistrationFactory(event=event, listing_consent=True, **fields)


@pytest.fixture
def event():
    return OpenEventFactory()


@pytest.fixture
def viewer(event, client):
    """A confirmed delegate of the event (not listed themselves), signed in."""
    registration = RegistrationFactory(event=event, given_name="Viewer", family_name="Self")
    client.force_login(registration.user)
    return registration


def test_only_confirmed_delegates_who_agreed_are_listed(client, event, viewer):
    listed(event, given_name="Anna", family_name="Huber", organisation="IOM Austria")
    listed(event, given_name="Waiting", family_name="Person", status="waitlisted")
    listed(event, given_name="Pending", family_name="Person", status="pending")
    listed(event, given_name="Cancelled", family_name="Person", status="cancelled")
    RegistrationFactory(event=event, given_name="Private", family_name="Person")
    listed(event, given_name="Gone", family_name="Person", anonymised_at=timezone.now())
    listed(OpenEventFactory(), given_name="Other", family_name="Event")

    response = client.get(participants_url(event))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Anna Huber" in body
    assert "IOM Austria" in body
    for name in ["Waiting", "Pending", "Cancelled", "Private", "Gone", "Other", "Viewer"]:
        assert name not in body


def test_grouped_by_country_in_the_page_language_each_in_alphabetical_order(client, event, viewer):
    listed(event, given_name="Bernd", family_name="Becker", country="DE")
    listed(event, given_name="Anna", family_name="Huber", country="AT")
    listed(event, given_name="Alois", family_name="Auer", country="AT")
    listed(
        event,
        given_name="Здравка",
        family_name="Златанова",
        given_name_latin="Zdravka",
        family_name_latin="Zlatanova",
        country="BG",
    )

    groups = client.get(participants_url(event, "bg")).context["groups"]

    assert [(g.heading, [p.family_name for p in g.participants]) for g in groups] == [
        ("Австрия", ["Auer", "Huber"]),
        ("България", ["Златанова"]),
        ("Германия", ["Becker"]),
    ]
    body = client.get(participants_url(event, "bg")).content.decode()
    assert "Здравка Златанова (Zdravka Zlatanova)" in body
    assert "<h1>Участници</h1>" in body


def test_grouped_by_delegation_with_those_without_one_last(client, event, viewer):
    iom = DelegationFactory(event=event, name_en="IOM Austria", name_bg="МОМ Австрия")
    bg = DelegationFactory(event=event, name_en="Bulgaria", name_bg="България", country="BG")
    listed(event, given_name="Anna", family_name="Huber", delegation=iom)
    listed(event, given_name="Ivan", family_name="Petrov", delegation=bg)
    listed(event, given_name="Solo", family_name="Delegate")

    groups = client.get(participants_url(event, by="delegation")).context["groups"]

    assert [(g.heading, [p.given_name for p in g.participants]) for g in groups] == [
        ("Bulgaria", ["Ivan"]),
        ("IOM Austria", ["Anna"]),
        ("Without a delegation", ["Solo"]),
    ]


def test_an_unknown_grouping_shows_the_list_by_country(client, event, viewer):
    listed(event, given_name="Anna", family_name="Huber", country="AT")

    response = client.get(participants_url(event, by="<script>"))

    assert response.status_code == 200
    assert response.context["by"] == "country"
    assert [g.heading for g in response.context["groups"]] == ["Austria"]


def test_withdrawing_consent_removes_the_person_at_once(client, event, viewer):
    anna = listed(event, given_name="Anna", family_name="Huber")
    assert "Anna Huber" in client.get(participants_url(event)).content.decode()

    client.force_login(anna.user)
    with translation.override("en"):
        withdraw = reverse("registrations:listing_consent", kwargs={"reference": anna.reference})
    response = client.post(withdraw, {"consent": "0"}, follow=True)
    assert "You no longer appear in the list of participants." in response.content.decode()

    client.force_login(viewer.user)
    response = client.get(participants_url(event))
    assert "Anna Huber" not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    anna.refresh_from_db()
    assert anna.listing_consent is False
    entry = Entry.objects.filter(object_id=str(anna.pk), action="updated").get()
    assert entry.changes == {"listing_consent": [True, False]}
    assert entry.actor_id == anna.user_id


def test_consent_can_be_withdrawn_after_registration_has_closed(client, event):
    anna = listed(event, given_name="Anna", family_name="Huber")
    event.registration_closes = timezone.now() - datetime.timedelta(minutes=1)
    event.registration_opens = timezone.now() - datetime.timedelta(days=2)
    event.save()
    client.force_login(anna.user)

    page = client.get(anna.get_absolute_url()).content.decode()
    assert "Remove me from the list" in page
    client.post(
        reverse("registrations:listing_consent", kwargs={"reference": anna.reference}),
        {"consent": "0"},
    )

    anna.refresh_from_db()
    assert anna.listing_consent is False


def test_a_forged_consent_value_changes_nothing_and_says_so_in_the_page_language(client, event):
    anna = listed(event, given_name="Anna", family_name="Huber")
    client.force_login(anna.user)
    with translation.override("bg"):
        address = reverse("registrations:listing_consent", kwargs={"reference": anna.reference})

    response = client.post(address, {"consent": "yes please"}, follow=True)

    assert "Нищо не е променено: изберете дали да бъдете в списъка." in response.content.decode()
    anna.refresh_from_db()
    assert anna.listing_consent is True


def test_an_anonymised_registration_cannot_be_listed_again(event):
    anna = listed(event, anonymised_at=timezone.now())

    with pytest.raises(ValidationError, match="anonymised"):
        services.registration_listing_consent_set(registration=anna, consent=True, by=None)


def test_the_edit_page_still_offers_the_consent(client, event):
    anna = listed(event)
    client.force_login(anna.user)

    page = client.get(reverse("registrations:edit", kwargs={"reference": anna.reference}))

    assert 'name="listing_consent"' in page.content.decode()


def test_a_visitor_is_asked_to_sign_in(client, event):
    response = client.get(participants_url(event))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("status", ["waitlisted", "pending", "cancelled"])
def test_a_delegate_not_confirmed_is_told_who_may_see_the_list(client, event, status):
    registration = RegistrationFactory(event=event, status=status)
    listed(event, given_name="Anna", family_name="Huber")
    client.force_login(registration.user)

    response = client.get(participants_url(event, "bg"))

    body = response.content.decode()
    assert response.status_code == 403
    assert "Щом регистрацията ви бъде потвърдена, ще го намерите тук." in body
    assert "Huber" not in body


def test_a_confirmed_delegate_of_another_event_may_not_see_it(client, event):
    other = RegistrationFactory(event=OpenEventFactory())
    client.force_login(other.user)

    assert client.get(participants_url(event)).status_code == 403


def test_registration_managers_see_the_list(client, event):
    manager = VerifiedUserFactory(is_staff=True)
    manager.groups.add(Group.objects.get(name="Registration managers"))
    listed(event, given_name="Anna", family_name="Huber")
    client.force_login(manager)

    assert "Anna Huber" in client.get(participants_url(event)).content.decode()


def test_an_event_may_make_its_list_public(client, event):
    event.participants_public = True
    event.save()
    listed(event, given_name="Anna", family_name="Huber")
    RegistrationFactory(event=event, given_name="Private", family_name="Person")

    response = client.get(participants_url(event))
    body = response.content.decode()

    assert response.status_code == 200
    assert "Anna Huber" in body
    assert "Private" not in body
    # Never kept by a shared cache, so a withdrawn consent shows at once for visitors too.
    assert "no-store" in response["Cache-Control"]
    # The event's pages link to it then.
    detail = client.get(event.get_absolute_url()).content.decode()
    assert participants_url(event) in detail


def test_a_confirmed_delegate_finds_the_list_from_the_event_and_their_registration(
    client, event, viewer
):
    assert participants_url(event) in client.get(event.get_absolute_url()).content.decode()
    assert participants_url(event) in client.get(viewer.get_absolute_url()).content.decode()


@pytest.mark.parametrize("people", [2, 30])
def test_query_count_does_not_grow_with_the_list(client, django_assert_num_queries, people):
    event = OpenEventFactory(participants_public=True)
    for n in range(people):
        delegation = DelegationFactory(event=event) if n % 2 else None
        listed(event, delegation=delegation, country=["AT", "BG", "DE"][n % 3])
    # the event, the list with the delegations
    with django_assert_num_queries(2):
        response = client.get(participants_url(event, by="delegation"))
    assert len(response.context["groups"]) == people // 2 + 1
