"""Delegations as their heads and members meet them: the invitation code, the head's
appointment and page, and the register form reached through the delegation's link."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from history.models import Entry
from outbox.models import Email
from registrations.models import (
    INVITATION_ALPHABET,
    Delegation,
    Registration,
    new_invitation_code,
)
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
)
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.django_db


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def event(db):
    return OpenEventFactory(capacity=50, title_en="Crossroads", title_bg="Кръстопът")


@pytest.fixture
def delegate(client):
    user = VerifiedUserFactory(email="anna.huber@example.org")
    client.force_login(user)
    return user


@pytest.fixture
def manager_client(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return client


# --- the code -----------------------------------------------------------------------------


def test_invitation_codes_are_three_groups_of_four_without_look_alike_characters():
    codes = {new_invitation_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        assert not set(code.replace("-", "")) - set(INVITATION_ALPHABET)
    assert not set("01OIL") & set(INVITATION_ALPHABET)


@pytest.mark.parametrize(
    "typed", ["k7qx-m3pt-9hwr", "K7QXM3PT9HWR", " k7qx m3pt 9hwr ", "K7QX-M3PT-9HWR"]
)
def test_a_code_typed_in_any_case_with_or_without_dashes_joins_the_delegation(
    client, delegate, event, typed
):
    delegation = DelegationFactory(event=event, invitation_code="K7QX-M3PT-9HWR")
    response = client.post(
        url("registrations:register", slug=event.slug), form_data(invitation_code=typed)
    )
    assert response.status_code == 302
    assert Registration.objects.get(user=delegate).delegation == delegation


def test_an_older_long_code_keeps_working_exactly_as_it_was_given(client, delegate, event):
    delegation = DelegationFactory(event=event, invitation_code="Ab3-_xYz9QrStUvWx0123456")
    client.post(
        url("registrations:register", slug=event.slug),
        form_data(invitation_code="Ab3-_xYz9QrStUvWx0123456"),
    )
    assert Registration.objects.get(user=delegate).delegation == delegation


def test_the_admin_shows_the_code_only_once_it_is_saved_and_it_is_the_saved_one(
    manager_client, event
):
    add = manager_client.get(reverse("admin:registrations_delegation_add")).content.decode()
    assert not re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", add)
    response = manager_client.post(
        reverse("admin:registrations_delegation_add"),
        {"event": event.pk, "name_en": "IOM Austria", "name_bg": "МОМ Австрия", "country": "AT"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    delegation = Delegation.objects.get()
    change = manager_client.get(
        reverse("admin:registrations_delegation_change", args=[delegation.pk])
    ).content.decode()
    assert re.findall(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", change) == [
        delegation.invitation_code
    ]


def test_after_ten_wrong_codes_even_the_right_one_is_refused_for_a_while(client, delegate, event):
    delegation = DelegationFactory(event=event)
    register = url("registrations:register", "bg", slug=event.slug)
    for attempt in range(10):
        html = client.post(register, form_data(invitation_code=f"WRNG-CODE-{attempt:04d}"))
        assert "Този код за покана не е валиден за това събитие." in html.content.decode()
    html = client.post(register, form_data(invitation_code=delegation.invitation_code))
    assert (
        "Твърде много грешни кодове за покана. Моля, опитайте отново след 15 минути."
        in html.content.decode()
    )
    assert not Registration.objects.exists()
    # The link's code on the way in counts too, and is refused alike.
    page = client.get(f"{register}?invitation={delegation.invitation_code}").content.decode()
    assert "Твърде много грешни кодове за покана." in page
    assert "Присъединявате се" not in page


def test_the_limit_counts_per_network_address_across_accounts(client, event):
    delegation = DelegationFactory(event=event)
    for n in range(10):
        client.force_login(VerifiedUserFactory())
        client.get(url("registrations:register", slug=event.slug) + f"?invitation=WRONG{n}")
    client.force_login(VerifiedUserFactory())
    page = client.get(
        url("registrations:register", slug=event.slug) + f"?invitation={delegation.invitation_code}"
    ).content.decode()
    assert "Too many wrong invitation codes. Please try again in 15 minutes." in page


def test_right_codes_do_not_count_towards_the_limit(client, delegate, event):
    delegation = DelegationFactory(event=event)
    page = (
        url("registrations:register", slug=event.slug) + f"?invitation={delegation.invitation_code}"
    )
    for _ in range(12):
        html = client.get(page).content.decode()
    assert "You are joining the delegation" in html


# --- the register form, reached through the delegation's link ------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("bg", "Присъединявате се към делегацията „МОМ Австрия“ (заети са 7 от 10 места)."),
        ("en", "You are joining the delegation “IOM Austria” (7 of 10 places used)."),
    ],
)
def test_the_form_names_the_delegation_and_its_places_before_anything_is_typed(
    client, delegate, event, language, text
):
    delegation = DelegationFactory(
        event=event, name_en="IOM Austria", name_bg="МОМ Австрия", quota=10
    )
    RegistrationFactory.create_batch(7, event=event, delegation=delegation)
    RegistrationFactory(event=event, delegation=delegation, status=Registration.Status.CANCELLED)
    code = delegation.invitation_code.lower().replace("-", "")
    html = client.get(
        url("registrations:register", language, slug=event.slug) + f"?invitation={code}"
    ).content.decode()
    assert text in html
    assert html.index(text) < html.index('name="given_name"')
    # The code is filled in as it is written on the delegation's page.
    assert f'value="{delegation.invitation_code}"' in html


@pytest.mark.parametrize(
    ("language", "full", "alone"),
    [
        (
            "bg",
            "Делегацията „МОМ Австрия“ е попълнена: всичките ѝ 2 места са заети.",
            "Регистрация без делегацията",
        ),
        (
            "en",
            "The delegation “IOM Austria” is full: all its 2 places are taken.",
            "Register without the delegation",
        ),
    ],
)
def test_a_full_delegation_is_said_before_the_form_with_the_way_to_register_alone(
    client, delegate, event, language, full, alone
):
    delegation = DelegationFactory(
        event=event, name_en="IOM Austria", name_bg="МОМ Австрия", quota=2
    )
    RegistrationFactory.create_batch(2, event=event, delegation=delegation)
    register = url("registrations:register", language, slug=event.slug)
    html = client.get(f"{register}?invitation={delegation.invitation_code}").content.decode()
    assert full in html
    assert f'<a class="button" href="{register}">{alone}</a>' in html
    assert 'name="given_name"' not in html
    alone_html = client.get(register).content.decode()
    assert 'name="given_name"' in alone_html
    assert full not in alone_html


def test_a_wrong_code_in_the_link_is_said_before_the_form(client, delegate, event):
    html = client.get(
        url("registrations:register", "bg", slug=event.slug) + "?invitation=ABCD-EFGH-JKMN"
    ).content.decode()
    message = "Този код за покана не е валиден за това събитие."
    assert message in html
    assert html.index(message) < html.index('name="given_name"')


# --- the head --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject", "places"),
    [
        (
            "bg",
            "Вие сте ръководител на делегацията „МОМ Австрия“ за Кръстопът",
            "Заети са 1 от 5 места.",
        ),
        (
            "en",
            "You are the head of the delegation “IOM Austria” at Crossroads",
            "1 of 5 places used.",
        ),
    ],
)
def test_a_head_appointed_in_the_admin_is_told_in_their_language_with_the_link(
    manager_client, event, language, subject, places
):
    delegation = DelegationFactory(
        event=event, name_en="IOM Austria", name_bg="МОМ Австрия", quota=5
    )
    RegistrationFactory(event=event, delegation=delegation)
    head = VerifiedUserFactory(email="head@example.org")
    RegistrationFactory(user=head, language=language)  # at an earlier event
    response = manager_client.post(
        reverse("admin:registrations_delegation_change", args=[delegation.pk]),
        {
            "event": event.pk,
            "name_en": "IOM Austria",
            "name_bg": "МОМ Австрия",
            "country": "AT",
            "head": head.pk,
            "quota": 5,
        },
        HTTP_HOST="localhost:8123",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    delegation.refresh_from_db()
    assert delegation.head == head
    [email] = Email.objects.all()
    assert email.to == "head@example.org"
    assert email.subject == subject
    assert places in email.body
    page = f"/{language}/events/{event.slug}/delegations/{delegation.pk}/"
    assert f"http://localhost:8123{page}" in email.body
    [entry] = Entry.objects.filter(action="head_appointed")
    assert entry.changes == {"head": [None, head.pk]}
    assert entry.actor_name == "manager@example.org"


def test_a_head_without_a_registration_is_told_in_the_sites_language(manager_client, event):
    head = VerifiedUserFactory(email="head@example.org")
    manager_client.post(
        reverse("admin:registrations_delegation_add"),
        {
            "event": event.pk,
            "name_en": "IOM Austria",
            "name_bg": "МОМ Австрия",
            "country": "AT",
            "head": head.pk,
        },
    )
    [email] = Email.objects.all()
    assert email.subject == "You are the head of the delegation “IOM Austria” at Crossroads"


def test_saving_a_delegation_without_changing_its_head_tells_nobody(manager_client, event):
    head = VerifiedUserFactory()
    delegation = DelegationFactory(event=event, head=head, name_en="IOM", name_bg="МОМ")
    manager_client.post(
        reverse("admin:registrations_delegation_change", args=[delegation.pk]),
        {
            "event": event.pk,
            "name_en": "IOM Vienna",
            "name_bg": "МОМ",
            "country": "AT",
            "head": head.pk,
        },
    )
    assert Delegation.objects.get().name_en == "IOM Vienna"
    assert not Email.objects.exists()


@pytest.mark.parametrize(
    ("language", "places", "link"),
    [
        ("bg", "Заети са 7 от 10 места.", "Регистрирайте се лично за събитието"),
        ("en", "7 of 10 places used.", "Register for this event yourself"),
    ],
)
def test_the_head_sees_the_places_used_and_registers_from_the_delegation_page(
    client, delegate, event, language, places, link
):
    delegation = DelegationFactory(event=event, head=delegate, quota=10)
    RegistrationFactory.create_batch(7, event=event, delegation=delegation)
    page = url("registrations:delegation", language, slug=event.slug, pk=delegation.pk)
    html = client.get(page).content.decode()
    assert places in html
    register = url("registrations:register", language, slug=event.slug)
    own = f"{register}?invitation={delegation.invitation_code}"
    assert f'<a class="button" href="{own}">{link}</a>' in html

    client.post(own, form_data(invitation_code=delegation.invitation_code))
    registration = Registration.objects.get(user=delegate)
    assert registration.delegation == delegation
    html = client.get(page).content.decode()
    assert link not in html
    assert registration.reference in html


def test_the_invitation_link_is_text_to_select_with_a_copy_button_for_scripts(
    client, delegate, event
):
    delegation = DelegationFactory(event=event, head=delegate)
    html = client.get(
        url("registrations:delegation", slug=event.slug, pk=delegation.pk)
    ).content.decode()
    link = f"http://testserver/en/events/{event.slug}/register/?invitation={delegation.invitation_code}"
    assert f'<code id="invitation-url">{link}</code>' in html
    assert re.search(
        r'<button type="button"[^>]*data-copy-target="invitation-url"[^>]*hidden>', html
    )
    assert '<script src="/static/js/copy-button.js" defer></script>' in html
    assert "<script>" not in html


# --- registering again --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "link"),
    [
        ("bg", "е отменена; можете да се регистрирате отново.", "Регистрирайте се отново"),
        ("en", "was cancelled; you can register again.", "Register again"),
    ],
)
def test_after_cancelling_the_event_page_and_the_registration_offer_to_register_again(
    client, delegate, event, language, text, link
):
    registration = RegistrationFactory(
        event=event, user=delegate, status=Registration.Status.CANCELLED
    )
    register = url("registrations:register", language, slug=event.slug)
    button = f'<a class="button" href="{register}">{link}</a>'
    event_page = client.get(url("events:detail", language, slug=event.slug)).content.decode()
    assert f"({registration.reference}) {text}" in event_page
    assert button in event_page
    detail = client.get(
        url("registrations:detail", language, reference=registration.reference)
    ).content.decode()
    assert text in detail
    assert button in detail
    assert client.get(register).status_code == 200


def test_an_active_registration_offers_no_registering_again(client, delegate, event):
    registration = RegistrationFactory(event=event, user=delegate)
    event_page = client.get(url("events:detail", slug=event.slug)).content.decode()
    assert f"You are registered ({registration.reference}): Confirmed." in event_page
    assert "Register again" not in event_page
    detail = client.get(url("registrations:detail", reference=registration.reference))
    assert "Register again" not in detail.content.decode()
