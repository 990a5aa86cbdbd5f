"""Delegations managed by their heads: nominating, replacing and withdrawing members, the
nomination letter, the deadline after which unused places return to the event, and quota
changes from the admin."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from history.models import Entry
from outbox.models import Email
from registrations import services
from registrations.models import Delegation, Nomination, Notification, Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    UserFactory,
    VerifiedUserFactory,
    details,
)
from tests.registrations.test_views import form_data

pytestmark = pytest.mark.django_db
Status = Registration.Status


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def privacy_notice(db):
    return PrivacyNoticeFactory()


@pytest.fixture
def event(db):
    return OpenEventFactory(
        capacity=4,
        title_en="Crossroads",
        title_bg="Кръстопът",
        nomination_deadline=timezone.now() + datetime.timedelta(days=10),
    )


@pytest.fixture
def head(db):
    return VerifiedUserFactory(email="head@example.org")


@pytest.fixture
def delegation(event, head):
    return DelegationFactory(
        event=event, name_en="IOM Austria", name_bg="МОМ Австрия", quota=2, head=head
    )


def register(event, user=None, **kwargs):
    user = user or VerifiedUserFactory()
    return services.registration_create(
        event=event,
        user=user,
        details=kwargs.pop("details", details()),
        privacy_accepted=True,
        by=user,
        **kwargs,
    )


def nominate(delegation, head, email="maria@example.org", language="bg", **kwargs):
    return services.delegation_member_nominate(
        delegation=delegation,
        email=email,
        given_name=kwargs.pop("given_name", "Мария"),
        family_name=kwargs.pop("family_name", "Петрова"),
        language=language,
        by=head,
        **kwargs,
    )


def url(name: str, language: str = "en", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


# --- places kept for a delegation until its deadline ---------------------------------------


def test_a_delegation_with_a_quota_and_a_deadline_keeps_its_places_out_of_the_event(
    event, delegation
):
    for _ in range(2):
        register(event)
    assert register(event).status == Status.WAITLISTED  # 2 held + 2 kept of 4
    member = register(event, invitation_code=delegation.invitation_code)
    assert member.status == Status.CONFIRMED  # one of the kept places


def test_without_a_deadline_a_quota_keeps_no_places(event):
    event.nomination_deadline = None
    event.save()
    DelegationFactory(event=event, quota=3)
    assert [register(event).status for _ in range(4)] == [Status.CONFIRMED] * 4


# --- nominating ---------------------------------------------------------------------------


def test_a_nomination_invites_the_person_in_the_language_chosen_with_a_link_that_fills_the_form(
    client, event, delegation, head
):
    nomination = nominate(delegation, head, language="bg")
    [email] = Email.objects.all()
    assert email.to == "maria@example.org"
    assert email.subject == ("Покана за регистрация за Кръстопът с делегацията „МОМ Австрия“")
    link = (
        f"/bg/events/{event.slug}/register/?invitation={delegation.invitation_code}"
        f"&nomination={nomination.token}"
    )
    assert link in email.body
    [entry] = Entry.objects.filter(action="member_nominated")
    assert entry.changes == {"nomination": [None, nomination.pk]}  # no address in the history
    assert entry.actor_name == "head@example.org"

    nominee = VerifiedUserFactory(email="m.petrova@example.org")
    client.force_login(nominee)
    page = client.get(link)
    form = page.context["form"]
    assert form.initial["given_name"] == "Мария"
    assert form.initial["family_name"] == "Петрова"
    assert form.initial["language"] == "bg"
    assert form.initial["invitation_code"] == delegation.invitation_code
    response = client.post(
        link,
        form_data(
            given_name="Мария",
            family_name="Петрова",
            given_name_latin="Maria",
            family_name_latin="Petrova",
            invitation_code=delegation.invitation_code,
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get(user=nominee)
    assert registration.delegation == delegation
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.REGISTERED
    assert nomination.registration == registration


def test_a_nominee_registering_with_the_code_alone_answers_the_invitation_to_their_address(
    event, delegation, head
):
    nomination = nominate(delegation, head, email="Maria@Example.org")
    registration = register(
        event,
        VerifiedUserFactory(email="maria@example.org"),
        invitation_code=delegation.invitation_code,
    )
    nomination.refresh_from_db()
    assert (nomination.status, nomination.registration) == (
        Nomination.Status.REGISTERED,
        registration,
    )


def test_nominating_more_people_than_the_quota_is_refused(event, delegation, head):
    register(event, invitation_code=delegation.invitation_code)
    nominate(delegation, head)
    with pytest.raises(ValidationError) as refused:
        nominate(delegation, head, email="other@example.org")
    assert refused.value.messages == [
        "All 2 places of the delegation are taken or promised: withdraw a member or an "
        "invitation first."
    ]
    assert Nomination.objects.count() == 1


def test_the_same_person_cannot_be_invited_twice_or_once_a_member(event, delegation, head):
    nominate(delegation, head)
    with pytest.raises(ValidationError) as twice:
        nominate(delegation, head, email="MARIA@example.org")
    assert twice.value.message_dict == {"email": ["This person has already been invited."]}
    register(
        event,
        VerifiedUserFactory(email="ivan@example.org"),
        invitation_code=delegation.invitation_code,
    )
    with pytest.raises(ValidationError) as member:
        nominate(delegation, head, email="ivan@example.org")
    assert member.value.message_dict == {
        "email": ["This person is already a member of the delegation."]
    }


def test_after_the_deadline_nothing_can_be_nominated(event, delegation, head):
    later = timezone.now() + datetime.timedelta(days=11)
    with pytest.raises(ValidationError) as refused:
        nominate(delegation, head, now=later)
    assert refused.value.code == "deadline_passed"
    assert not Nomination.objects.exists()


# --- replacing and withdrawing -------------------------------------------------------------


def test_replacing_a_member_passes_the_place_to_the_new_person_not_to_the_waiting_list(
    event, delegation, head
):
    old = register(event, invitation_code=delegation.invitation_code)
    register(event), register(event)
    waiting = register(event)
    assert waiting.status == Status.WAITLISTED
    nomination = services.delegation_member_replace(
        delegation=delegation,
        registration=old,
        email="new@example.org",
        given_name="Ivan",
        family_name="Ivanov",
        language="en",
        by=head,
    )
    old.refresh_from_db()
    waiting.refresh_from_db()
    assert old.status == Status.CANCELLED
    assert waiting.status == Status.WAITLISTED
    assert nomination.replaces == old
    assert Notification.objects.filter(registration=old, kind="cancelled").exists()
    assert Email.objects.get().to == "new@example.org"
    [entry] = Entry.objects.filter(action="member_replaced")
    assert entry.changes == {"member": [old.reference, None], "nomination": [None, nomination.pk]}
    new = register(
        event,
        VerifiedUserFactory(email="new@example.org"),
        invitation_code=delegation.invitation_code,
    )
    assert new.status == Status.CONFIRMED


def test_a_refused_replacement_changes_nothing(event, delegation, head):
    old = register(event, invitation_code=delegation.invitation_code)
    with pytest.raises(ValidationError):
        services.delegation_member_replace(
            delegation=delegation,
            registration=old,
            email="new@example.org",
            given_name="<b>",
            family_name="Ivanov",
            language="en",
            by=head,
        )
    old.refresh_from_db()
    assert old.status == Status.CONFIRMED
    assert not Nomination.objects.exists()
    assert not Notification.objects.filter(kind="cancelled").exists()


def test_withdrawing_a_member_cancels_and_tells_them_and_keeps_the_place(event, delegation, head):
    member = register(event, invitation_code=delegation.invitation_code)
    services.delegation_member_withdraw(delegation=delegation, registration=member, by=head)
    member.refresh_from_db()
    assert member.status == Status.CANCELLED
    assert Notification.objects.filter(registration=member, kind="cancelled").exists()
    assert Entry.objects.get(action="member_withdrawn").actor_name == "head@example.org"
    assert [register(event).status for _ in range(3)] == [
        Status.CONFIRMED,
        Status.CONFIRMED,
        Status.WAITLISTED,
    ]


def test_a_head_cannot_withdraw_someone_of_another_delegation(event, delegation, head):
    stranger = register(event)
    with pytest.raises(ValidationError) as refused:
        services.delegation_member_withdraw(delegation=delegation, registration=stranger, by=head)
    assert refused.value.code == "not_a_member"
    stranger.refresh_from_db()
    assert stranger.status == Status.CONFIRMED


# --- the deadline -------------------------------------------------------------------------


def test_after_the_deadline_unused_places_go_to_the_waiting_list_and_the_head_is_told(
    event, delegation, head
):
    RegistrationFactory(user=head, language="bg")  # an earlier event: the head reads Bulgarian
    register(event, invitation_code=delegation.invitation_code)
    register(event), register(event)
    first, second = register(event), register(event)
    assert (first.status, second.status) == (Status.WAITLISTED, Status.WAITLISTED)

    later = event.nomination_deadline + datetime.timedelta(minutes=1)
    assert services.nomination_deadlines_run(now=later) == {"reminded": 0, "released": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Status.CONFIRMED, Status.WAITLISTED)
    delegation.refresh_from_db()
    assert delegation.places_released_at == later
    [entry] = Entry.objects.filter(action="places_released")
    assert entry.actor is None
    assert entry.changes == {"unused_places": [1, 0]}
    promoted = Entry.objects.get(action="promoted", object_id=str(first.pk))
    assert promoted.actor is None
    [email] = Email.objects.filter(to="head@example.org")
    assert email.subject == "Крайният срок за номиниране в делегацията „МОМ Австрия“ изтече"

    # Idempotent: a second run changes nothing and tells nobody again.
    assert services.nomination_deadlines_run(now=later) == {"reminded": 0, "released": 0}
    assert Email.objects.filter(to="head@example.org").count() == 1


def test_heads_are_reminded_once_a_few_days_before_the_deadline(event, delegation, head):
    too_early = event.nomination_deadline - datetime.timedelta(days=5)
    assert services.nomination_deadlines_run(now=too_early) == {"reminded": 0, "released": 0}
    soon = event.nomination_deadline - datetime.timedelta(days=2)
    assert services.nomination_deadlines_run(now=soon) == {"reminded": 1, "released": 0}
    assert services.nomination_deadlines_run(now=soon) == {"reminded": 0, "released": 0}
    [email] = Email.objects.all()
    assert email.subject == "The nomination deadline of the delegation “IOM Austria” is near"
    assert f"/en/events/{event.slug}/delegations/{delegation.pk}/" in email.body
    assert Entry.objects.get(action="deadline_reminder_sent").actor is None


def test_a_delegations_own_deadline_comes_before_the_events(event, delegation, head):
    delegation.nomination_deadline = timezone.now() - datetime.timedelta(hours=1)
    delegation.save()
    assert services.nomination_deadlines_run() == {"reminded": 0, "released": 1}
    assert register(event).status == Status.CONFIRMED


# --- staff: quota ---------------------------------------------------------------------------


@pytest.fixture
def manager_client(client):
    user = UserFactory(is_staff=True, email="manager@example.org")
    user.groups.add(Group.objects.get(name="Registration managers"))
    client.force_login(user)
    return client


def admin_form(delegation, **overrides):
    return {
        "event": delegation.event_id,
        "name_en": delegation.name_en,
        "name_bg": delegation.name_bg,
        "country": "AT",
        "head": delegation.head_id or "",
        "quota": delegation.quota or "",
        **overrides,
    }


def test_a_quota_changed_in_the_admin_is_recorded_and_the_head_told(
    manager_client, event, delegation
):
    waiting = [register(event) for _ in range(3)][-1]
    assert waiting.status == Status.WAITLISTED
    response = manager_client.post(
        reverse("admin:registrations_delegation_change", args=[delegation.pk]),
        admin_form(delegation, quota=1),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    delegation.refresh_from_db()
    assert delegation.quota == 1
    [entry] = Entry.objects.filter(action="quota_changed")
    assert entry.changes == {"quota": [2, 1]}
    assert entry.actor_name == "manager@example.org"
    [email] = Email.objects.all()
    assert email.to == "head@example.org"
    assert email.subject == "The quota of the delegation “IOM Austria” has changed"
    assert "0 of 1 places used." in email.body
    waiting.refresh_from_db()
    assert waiting.status == Status.CONFIRMED  # the place no longer kept went to the queue


def test_a_quota_below_the_members_is_refused_in_both_languages(manager_client, event, delegation):
    register(event, invitation_code=delegation.invitation_code)
    register(event, invitation_code=delegation.invitation_code)
    response = manager_client.post(
        reverse("admin:registrations_delegation_change", args=[delegation.pk]),
        admin_form(delegation, quota=1),
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["quota"] == [
        "The delegation already has 2 members: the quota cannot be lower."
    ]
    with translation.override("bg"), pytest.raises(ValidationError) as refused:
        services.delegation_quota_validate(delegation=delegation, quota=1)
    assert refused.value.message_dict["quota"] == [
        "Делегацията вече има 2 членове: квотата не може да е по-малка."
    ]
    assert Delegation.objects.get().quota == 2


# --- the head's pages -----------------------------------------------------------------------


@pytest.fixture
def head_client(client, head):
    client.force_login(head)
    return client


def test_the_head_nominates_from_the_delegation_page(head_client, event, delegation):
    page = url("registrations:delegation", slug=event.slug, pk=delegation.pk)
    response = head_client.post(
        page,
        {
            "given_name": "Maria",
            "family_name": "Petrova",
            "email": "maria@example.org",
            "language": "en",
        },
        follow=True,
    )
    assert response.redirect_chain == [(page, 302)]
    assert "An invitation to register is on its way to maria@example.org." in (
        response.content.decode()
    )
    assert "Maria Petrova (maria@example.org)" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Enter a valid email address."),
        ("bg", "Въведете валиден имейл адрес."),
    ],
)
def test_bad_nominations_are_refused_with_a_message_in_the_page_language(
    head_client, event, delegation, language, message
):
    response = head_client.post(
        url("registrations:delegation", language, slug=event.slug, pk=delegation.pk),
        {
            "given_name": "Maria",
            "family_name": "Petrova",
            "email": "not-an-address",
            "language": "xx",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Nomination.objects.exists()


def test_the_deadline_refusal_is_shown_in_bulgarian(head_client, event, delegation):
    delegation.nomination_deadline = timezone.now() - datetime.timedelta(hours=1)
    delegation.save()
    register(event, invitation_code=delegation.invitation_code)
    member = Registration.objects.get()
    response = head_client.post(
        url(
            "registrations:delegation_member_replace",
            "bg",
            slug=event.slug,
            pk=delegation.pk,
            reference=member.reference,
        ),
        {"given_name": "Ivan", "family_name": "Ivanov", "email": "i@example.org", "language": "bg"},
    )
    assert response.status_code == 200
    assert "Крайният срок за номиниране изтече" in response.content.decode()
    member.refresh_from_db()
    assert member.status == Status.CONFIRMED


def test_the_head_withdraws_a_member_after_confirming(head_client, event, delegation):
    member = register(event, invitation_code=delegation.invitation_code)
    page = url(
        "registrations:delegation_member_withdraw",
        slug=event.slug,
        pk=delegation.pk,
        reference=member.reference,
    )
    unconfirmed = head_client.post(page, {})
    assert unconfirmed.status_code == 200
    assert "Tick the box to confirm the withdrawal." in unconfirmed.content.decode()
    member.refresh_from_db()
    assert member.status == Status.CONFIRMED
    response = head_client.post(page, {"confirm": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == Status.CANCELLED


def test_only_the_head_sees_the_members_pages(client, event, delegation):
    member = register(event, invitation_code=delegation.invitation_code)
    client.force_login(member.user)
    for name, extra in [
        ("registrations:delegation", {}),
        ("registrations:delegation_member_withdraw", {"reference": member.reference}),
        ("registrations:delegation_member_replace", {"reference": member.reference}),
        ("registrations:delegation_letter_download", {}),
    ]:
        assert client.get(url(name, slug=event.slug, pk=delegation.pk, **extra)).status_code == 404


def test_the_head_uploads_a_pdf_letter_and_downloads_it_and_staff_see_it(
    head_client, manager_client_factory, event, delegation, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path
    content = pdf_bytes()
    response = head_client.post(
        url("registrations:delegation_letter", slug=event.slug, pk=delegation.pk),
        {"letter": SimpleUploadedFile("note-verbale.pdf", content, "application/pdf")},
    )
    assert response.status_code == 302
    delegation.refresh_from_db()
    assert delegation.nomination_letter.name.startswith("nomination-letters/")
    assert not delegation.nomination_letter.name.endswith("note-verbale.pdf")
    download = head_client.get(
        url("registrations:delegation_letter_download", slug=event.slug, pk=delegation.pk)
    )
    assert b"".join(download.streaming_content) == content
    assert "no-store" in download["Cache-Control"]
    assert Entry.objects.get(action="nomination_letter_uploaded").actor_name == "head@example.org"
    staff = manager_client_factory()
    change = staff.get(reverse("admin:registrations_delegation_change", args=[delegation.pk]))
    assert "Download the nomination letter (PDF)" in change.content.decode()
    assert "None yet" in change.content.decode()
    letter = staff.get(reverse("admin:registrations_delegation_letter", args=[delegation.pk]))
    assert b"".join(letter.streaming_content) == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("letter.pdf", b"MZ\x90\x00 not a pdf", "This file is not a PDF document."),
        ("letter.pdf", b"%PDF-1.7\n" + b"0" * 2048, "This file is not a PDF document."),
        (
            "letter.pdf",
            b"%PDF-1.7\n" + b"0" * 3000 + b"%%EOF",
            "The file is too large: at most 0 MB.",
        ),
    ],
)
def test_a_letter_that_is_not_a_small_pdf_is_refused_and_nothing_kept(
    head_client, event, delegation, settings, tmp_path, name, content, message
):
    settings.PRIVATE_ROOT = tmp_path
    if "large" in message:
        settings.NOMINATION_LETTER_MAX_BYTES = 1000
    response = head_client.post(
        url("registrations:delegation_letter", slug=event.slug, pk=delegation.pk),
        {"letter": SimpleUploadedFile(name, content, "application/pdf")},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    delegation.refresh_from_db()
    assert not delegation.nomination_letter
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.fixture
def manager_client_factory(db):
    from django.test import Client

    def make():
        user = UserFactory(is_staff=True, email="staff@example.org")
        user.groups.add(Group.objects.get(name="Registration managers"))
        staff = Client()
        staff.force_login(user)
        return staff

    return make


def test_the_form_of_a_delegation_with_a_kept_place_does_not_announce_the_waiting_list(
    client, event, delegation
):
    for _ in range(2):
        register(event)
    client.force_login(VerifiedUserFactory())
    full = "All places are taken"
    alone = client.get(url("registrations:register", slug=event.slug))
    assert full in alone.content.decode()
    invited = client.get(
        url("registrations:register", slug=event.slug) + f"?invitation={delegation.invitation_code}"
    )
    assert full not in invited.content.decode()


def test_the_head_withdraws_an_invitation_and_its_link_no_longer_fills_the_form(
    client, head_client, event, delegation, head
):
    nomination = nominate(delegation, head)
    response = head_client.post(
        url(
            "registrations:delegation_nomination_withdraw",
            slug=event.slug,
            pk=delegation.pk,
            nomination=nomination.pk,
        ),
        follow=True,
    )
    assert "The invitation to maria@example.org is withdrawn." in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN
    assert Entry.objects.get(action="nomination_withdrawn").actor_name == "head@example.org"
    again = head_client.post(
        url(
            "registrations:delegation_nomination_withdraw",
            slug=event.slug,
            pk=delegation.pk,
            nomination=nomination.pk,
        )
    )
    assert again.status_code == 404
    client.force_login(VerifiedUserFactory())
    form = client.get(
        url("registrations:register", slug=event.slug)
        + f"?invitation={delegation.invitation_code}&nomination={nomination.token}"
    ).context["form"]
    assert "given_name" not in form.initial


def test_the_delegation_page_makes_as_many_queries_for_two_members_as_for_twenty(
    head_client, event, head
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(members: int) -> int:
        delegation = DelegationFactory(event=event, head=head, quota=40)
        for n in range(members):
            RegistrationFactory(event=event, delegation=delegation)
            delegation.nominations.create(
                email=f"n{n}@example.org", given_name="Maria", family_name="Petrova", language="en"
            )
        page = url("registrations:delegation", slug=event.slug, pk=delegation.pk)
        head_client.get(page)  # warm the caches (site, menus)
        with CaptureQueriesContext(connection) as captured:
            assert head_client.get(page).status_code == 200
        return len(captured)

    assert queries_for(2) == queries_for(20)


def test_anonymising_a_registration_deletes_the_invitation_it_answered(event, delegation, head):
    nominate(delegation, head)
    maria = VerifiedUserFactory(email="maria@example.org")
    registration = register(event, maria, invitation_code=delegation.invitation_code)
    services.registration_anonymise(registration=registration, by=None)
    assert not Nomination.objects.exists()


def test_the_purge_deletes_the_events_unanswered_invitations(event, delegation, head):
    from privacy import services as privacy_services

    nominate(delegation, head)
    after = datetime.datetime.combine(
        event.end_date + datetime.timedelta(days=event.privacy_anonymise_days + 1),
        datetime.time(12),
        tzinfo=datetime.UTC,
    )
    privacy_services.personal_data_purge(now=after, dry_run=True)
    assert Nomination.objects.count() == 1
    privacy_services.personal_data_purge(now=after)
    assert not Nomination.objects.exists()


def test_staff_see_the_invitations_in_the_admin_and_save_the_delegation_as_before(
    client, event, delegation, head
):
    nominate(delegation, head)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    change = reverse("admin:registrations_delegation_change", args=[delegation.pk])
    assert "Мария Петрова (maria@example.org): Invited" in client.get(change).content.decode()
    response = client.post(change, admin_form(delegation, name_en="IOM Vienna"))
    assert response.status_code == 302
    assert Delegation.objects.get().name_en == "IOM Vienna"
