"""Who may open what: every URL pattern of the project, asked for by every role.

The matrix below says, for each URL pattern (by name; an unnamed one by its route), what each
role must get: 200, a redirect (to a sign-in page, mostly), 403, 404 or 405. The test walks
Django's URL resolver, so a pattern that is not in the matrix fails, with its name, until it
is added there. Every URL is filled with delegate A's objects where it takes one (A's
registration and its documents, calendar address, delegation, account, messages…), and no
page may show A's name, email address or reference to anyone who may not see them.

A is Здравка Златанова (Zdravka Zlatanova), of one delegation, whose head is "head of A"; B is
a delegate of another delegation of the same event. The agenda editor and the registration
manager are staff in the groups the migrations make; MFA for staff is off under pytest.

Django's "view on site" (admin:view_on_site) asks for permission here: an agenda editor gets
404 for a registration, whose address holds its reference (emn_conference/admin_site.py).
"""

import re
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone, translation
from django.utils.http import int_to_base36

from outbox.models import Email
from privacy.models import PurgeRecord
from registrations import services
from registrations.models import (
    CheckIn,
    ExportJob,
    ExportRecord,
    IssuedDocument,
    LetterTemplate,
    Notification,
    Registration,
)
from tests.factories import (
    PASSPORT,
    AnnouncementFactory,
    DelegationFactory,
    OpenEventFactory,
    OrganisationFactory,
    PrivacyNoticeFactory,
    RoomFactory,
    SessionFactory,
    SessionSpeakerFactory,
    TrackFactory,
    VerifiedUserFactory,
    details,
    sofia,
)
from tests.groups import ensure_staff_groups

LANGUAGES = ["bg", "en"]

# --- the people --------------------------------------------------------------------------

ROLES = [
    "anonymous",
    "delegate_a",
    "delegate_b",
    "head_of_a",
    "agenda_editor",
    "registration_manager",
    "superuser",
]
# What each role may see of A; the others, nothing. The head of A's delegation sees its
# members' names and references, not their email addresses.
A_SHOWN_TO = {
    "delegate_a": {"name", "email", "reference"},
    "head_of_a": {"name", "reference"},
    "registration_manager": {"name", "email", "reference"},
    "superuser": {"name", "email", "reference"},
}

# What of A a page shows to anyone who may open it, whatever their role.
CASE_SHOWS = {
    "registrations:verify": {"Zdravka", "Zlatanova"},
    # A certificate of attendance names its holder as registered.
    "registrations:verify [certificate]": {"Здравка", "Златанова"},
}

A_NAMES = {
    "given_name": "Здравка",
    "family_name": "Златанова",
    "given_name_latin": "Zdravka",
    "family_name_latin": "Zlatanova",
}
A_EMAIL = "zdravka.zlatanova@example.org"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One event with everything a URL can name, made once for the whole module (inside a
    transaction that is rolled back at the end, so other modules never see it)."""
    private_root = tmp_path_factory.mktemp("private")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_ROOT=private_root, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        world = _build_world(private_root)
        # A client per role, signed in once for the module.
        world.clients = {"anonymous": Client()}
        for role, user in world.users.items():
            world.clients[role] = Client()
            world.clients[role].force_login(user)
        yield world
        transaction.set_rollback(True)


def _build_world(private_root) -> SimpleNamespace:
    ensure_staff_groups()  # an earlier transactional test may have emptied the database
    PrivacyNoticeFactory()
    organisation = OrganisationFactory()
    event = OpenEventFactory(slug="matrix", reference_prefix="MTX", capacity=50)
    event.organisers.add(organisation)
    room = RoomFactory(venue=event.venue)
    session = SessionFactory(event=event, room=room, track=TrackFactory(event=event), capacity=20)
    speaker = SessionSpeakerFactory(session=session).speaker
    news = AnnouncementFactory(event=event)
    letter = LetterTemplate.objects.create(
        event=event,
        letterhead_en="Ministry of the Interior",
        place_en="Sofia",
        body_en="We invite {name} to {event}.",
        signatory_name_en="Head of the EMN National Contact Point",
        signatory_position_en="Director",
    )
    head = VerifiedUserFactory(email="head.of.delegation@example.org")
    delegation_a = DelegationFactory(event=event, head=head, organisation=organisation)
    delegation_b = DelegationFactory(event=event, country="DE")

    a_user = VerifiedUserFactory(email=A_EMAIL, first_name="Zdravka", last_name="Zlatanova")
    b_user = VerifiedUserFactory(email="bernd.becker@example.org")
    editor = VerifiedUserFactory(email="editor@example.org", is_staff=True)
    editor.groups.add(Group.objects.get(name="Agenda editors"))
    manager = VerifiedUserFactory(email="manager@example.org", is_staff=True)
    manager.groups.add(Group.objects.get(name="Registration managers"))
    superuser = VerifiedUserFactory(email="superuser@example.org", is_staff=True, is_superuser=True)
    # Not a column of the matrix: `test_check_in_staff_see_nobody_outside_the_check_in` walks it.
    door = VerifiedUserFactory(email="door@example.org")
    door.groups.add(Group.objects.get(name="Check-in staff"))

    a = services.registration_create(
        event=event,
        user=a_user,
        details=details(**A_NAMES, country="BG", language="bg", needs_visa_letter=True, **PASSPORT),
        privacy_accepted=True,
        sessions=[session],
        invitation_code=delegation_a.invitation_code,
        by=a_user,
    )
    services.visa_letter_approve(registration=a, by=manager)
    b = services.registration_create(
        event=event,
        user=b_user,
        details=details(given_name="Bernd", family_name="Becker", country="DE"),
        privacy_accepted=True,
        invitation_code=delegation_b.invitation_code,
        by=b_user,
    )
    # A's delegation has its nomination letter and an invitation not answered yet.
    delegation_a.nomination_letter.save("letter.pdf", ContentFile(b"%PDF-1.7\n%%EOF"))
    nomination = delegation_a.nominations.create(
        email="nominee@example.org", given_name="Maria", family_name="Petrova", language="bg"
    )
    # A background export of the event's attendees, made for the registration manager (the
    # file is written here: the exports have tests of their own).
    record = ExportRecord.objects.create(
        user=manager, via="admin", event=event, dataset="attendees", format="csv", rows=2
    )
    job = ExportJob(
        requested_by=manager,
        via="admin",
        event=event,
        kind=ExportJob.Kind.LIST,
        dataset="attendees",
        format="csv",
        language="en",
        status=ExportJob.Status.DONE,
        total=2,
        done=2,
        record=record,
        filename="attendees.csv",
        finished_at=timezone.now(),
    )
    job.file.save("attendees.csv", ContentFile(f"{a.reference},{a.full_name}\n".encode()))
    account_mail = Email.objects.create(
        to=A_EMAIL, from_email="conference@example.org", subject="Confirm your email address"
    )
    authenticator = Authenticator.objects.create(
        user=a_user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    purge = PurgeRecord.objects.create(
        event=event, step=PurgeRecord.Step.SENSITIVE, registrations=0
    )
    # A message from the organisers to A: its record lists A among the recipients.
    message, _sent = services.message_send(
        key=uuid.uuid4(),
        event=event,
        texts={
            "subject_bg": "Програмата",
            "subject_en": "The programme",
            "body_bg": "Уважаеми {name}, програмата е готова.",
            "body_en": "Dear {name}, the programme is ready.",
        },
        registrations=Registration.objects.filter(pk=a.pk),
        filters={},
        audience=[],
        by=manager,
    )
    a.refresh_from_db()
    letter_token = a.issued_documents.get(kind=IssuedDocument.Kind.VISA_LETTER).token
    # A was checked in at the door on the first day: A gets a certificate of attendance.
    CheckIn.objects.create(
        registration=a, day=event.start_date, scanned_at=sofia(event.start_date, 9), by=door
    )
    certificate_token = services.certificate_issue(registration=a, by=a_user).token
    return SimpleNamespace(
        letter_token=letter_token,
        certificate_token=certificate_token,
        private_root=private_root,
        event=event,
        session=session,
        speaker=speaker,
        news=news,
        delegation_a=delegation_a,
        nomination=nomination,
        a=a,
        b=b,
        job=job,
        users={
            "delegate_a": a_user,
            "delegate_b": b_user,
            "head_of_a": head,
            "agenda_editor": editor,
            "registration_manager": manager,
            "superuser": superuser,
            "checkin_staff": door,
        },
        # The object each admin page of a model is asked for: A's, wherever there is one.
        admin_objects={
            "auth.group": Group.objects.get(name="Agenda editors"),
            "account.emailaddress": EmailAddress.objects.get(user=a_user),
            "mfa.authenticator": authenticator,
            "outbox.email": account_mail,
            "accounts.user": a_user,
            "events.organisation": organisation,
            "events.venue": event.venue,
            "events.room": room,
            "events.speaker": speaker,
            "events.announcement": news,
            "events.session": session,
            "events.event": event,
            "registrations.registration": a,
            "registrations.delegation": delegation_a,
            "registrations.privacynotice": a.privacy_notice,
            "registrations.lettertemplate": letter,
            "registrations.exportjob": job,
            "registrations.exportrecord": record,
            "registrations.notification": Notification.objects.filter(registration=a).first(),
            "registrations.message": message,
            "privacy.purgerecord": purge,
        },
    )


@pytest.fixture(autouse=True)
def _world_files(settings, _test_settings, world):
    # The export job's file was written under the module's private directory.
    settings.PRIVATE_ROOT = world.private_root


# --- the URL patterns, walked from the resolver --------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern as the matrix knows it: `key` is its name (with namespaces), or its
    route when it has none; the admin's app index is one key per app, "admin:app_list [app]"."""

    key: str
    name: str | None
    route: str  # after the language prefix
    language: str | None  # the prefix it was found under; None outside i18n_patterns


def _walk(patterns, *, language=None, route="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            localised = isinstance(pattern.pattern, LocalePrefixPattern)
            yield from _walk(
                pattern.url_patterns,
                language=translation.get_language() if localised else language,
                route=route + ("" if localised else str(pattern.pattern)),
                namespace=":".join(filter(None, [namespace, pattern.namespace])),
            )
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        full = route + str(pattern.pattern)
        if name == "admin:app_list":
            [labels] = re.findall(r"\(\?P<app_label>([\w|]+)\)", full)
            for label in labels.split("|"):
                yield Pattern(f"{name} [{label}]", name, full, language)
        else:
            yield Pattern(name or full, name, full, language)


def url_patterns() -> dict[tuple[str, str | None], Pattern]:
    """Every URL pattern of the project by (key, language prefix): those under i18n_patterns
    once per language, the others once."""
    found = {}
    for language in LANGUAGES:
        with translation.override(language):
            for pattern in _walk(get_resolver().url_patterns):
                found[pattern.key, pattern.language] = pattern
    return found


# --- what each role must get ---------------------------------------------------------------


@dataclass(frozen=True)
class Redirect:
    """A redirect (302) to the page of the URL name `to`."""

    to: str

    def __repr__(self) -> str:
        return f"302 to {self.to}"


LOGIN = Redirect("account_login")  # the site's sign-in page
ADMIN_LOGIN = Redirect("admin:login")  # the admin's, which sends on to the site's
HOME = Redirect("events:home")
MINE = Redirect("registrations:mine")  # where allauth sends someone signed in already
OWN = Redirect("registrations:detail")  # one's own registration
REAUTH = Redirect("account_reauthenticate")  # "confirm your password first"
REAUTH_CODE = Redirect("account_request_reauthentication_code")
CHANGE_PASSWORD = Redirect("account_change_password")
INDEX = Redirect("admin:index")


def row(anonymous, a, b, head, editor, manager, superuser) -> dict:
    """One line of the matrix, in the order of ROLES."""
    return dict(zip(ROLES, [anonymous, a, b, head, editor, manager, superuser], strict=True))


def signed_in(answer) -> dict:
    """Anyone signed in gets `answer`; the others are asked to sign in."""
    return row(LOGIN, answer, answer, answer, answer, answer, answer)


def staff(editor, manager, superuser) -> dict:
    """An admin page: delegates, signed in or not, are sent to the admin's log-in."""
    return row(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, editor, manager, superuser)


def to_change_page(model: str) -> dict:
    """The admin's short object address: staff are sent on to the change page."""
    change = Redirect(f"admin:{model}_change")
    return staff(change, change, change)


# fmt: off
#                   anonymous A     B     head  editor manager superuser
EVERYONE =   row(   200,      200,  200,  200,  200,   200,    200)
SIGNED_IN =  row(   LOGIN,    200,  200,  200,  200,   200,    200)
NOBODY =     row(   404,      404,  404,  404,  404,   404,    404)
A_ONLY =     row(   LOGIN,    200,  404,  404,  404,   404,    404)
# Sign-in and sign-up pages: those signed in already are sent on to their registrations.
SIGNED_OUT = row(   200,      MINE, MINE, MINE, MINE,  MINE,   MINE)

MATRIX: dict[str, dict] = {
    # --- Public pages of the event.
    "events:home":                  EVERYONE,
    "events:detail":                EVERYONE,
    "events:agenda":                EVERYONE,
    "events:agenda_grid":           EVERYONE,
    "events:grid_styles":           EVERYONE,
    "events:now":                   EVERYONE,
    "events:track_styles":          EVERYONE,
    "events:session":               EVERYONE,
    "events:session_ics":           EVERYONE,
    "events:schedule_ics":          EVERYONE,
    "events:schedule_xml":          EVERYONE,
    "events:schedule_json":         EVERYONE,
    "events:speakers":              EVERYONE,
    "events:speaker":               EVERYONE,
    "events:news":                  EVERYONE,
    "events:news_detail":           EVERYONE,

    # --- Delegate pages. A and B are registered already: the form sends them to their own.
    #                                 anonymous A    B    head  editor manager superuser
    "registrations:register":     row(LOGIN,    OWN, OWN, 200,  200,   200,    200),
    "registrations:delegation":   row(LOGIN,    404, 404, 200,  404,   404,    404),
    # The head's pages of A's delegation: A's own place in it, its letter.
    "registrations:delegation_member_replace":  row(LOGIN, 404, 404, 200, 404, 404, 404),
    "registrations:delegation_member_withdraw": row(LOGIN, 404, 404, 200, 404, 404, 404),
    "registrations:delegation_letter":          row(LOGIN, 404, 404, 405, 404, 404, 404),
    "registrations:delegation_letter_download": row(LOGIN, 404, 404, 200, 404, 404, 404),
    "registrations:delegation_nomination_withdraw": row(LOGIN, 404, 404, 405, 404, 404, 404),
    "registrations:mine":         SIGNED_IN,
    # The list of participants: the event's confirmed delegates (A and B) and the staff who
    # may see registrations. A has not agreed to be listed, so it names nobody.
    "registrations:participants": row(LOGIN,    200, 200, 403,  403,   200,    200),
    # A's registration and every document of it, by its reference.
    "registrations:detail":       A_ONLY,
    "registrations:edit":         A_ONLY,
    "registrations:cancel":       A_ONLY,
    "registrations:badge":        A_ONLY,
    "registrations:confirmation": A_ONLY,
    "registrations:visa_letter":  A_ONLY,
    "registrations:certificate":  A_ONLY,
    "registrations:calendar_renew": row(LOGIN,  405, 404, 404,  404,   404,    404),
    "registrations:listing_consent": row(LOGIN, 405, 404, 404,  404,   404,    404),
    # A's calendar: its secret address is the key, whoever holds it; it names nobody.
    "registrations:personal_calendar":                EVERYONE,
    "registrations:personal_calendar [forged token]": NOBODY,
    # The organisers' dashboard: staff who may see registrations; to others it does not exist.
    "registrations:dashboard":    row(404,      404, 404, 404,  404,   200,    200),
    # A's visa letter's verification page: its address is the key, for the consulate holding
    # the letter; it names A as in the passport, and nothing else of A (CASE_SHOWS).
    "registrations:verify":                EVERYONE,
    "registrations:verify [forged token]": NOBODY,
    # A's certificate of attendance's: the same, naming A as registered (CASE_SHOWS).
    "registrations:verify [certificate]":  EVERYONE,
    # Check-in at the door: for check-in staff (a group of its own, walked below) and the
    # superuser. The device's list and its sync answer 403, so the page's script clears
    # what it keeps; the sync is POST only.
    #                                 anonymous A    B    head  editor manager superuser
    "registrations:checkin":       row(LOGIN,   404, 404, 404,  404,   404,    200),
    "registrations:checkin_list":  row(403,     403, 403, 403,  403,   403,    200),
    "registrations:checkin_sync":  row(403,     403, 403, 403,  403,   403,    405),
    "registrations:checkin_badge": row(LOGIN,   404, 404, 404,  404,   404,    200),
    # Privacy notices, and accepting a new one (nobody here has one to accept).
    "registrations:privacy_notice":      EVERYONE,
    "registrations:privacy_notice_site": EVERYONE,
    "registrations:privacy_accept":      signed_in(MINE),
    # Everyone's own data, and deleting one's own account.
    "privacy:data":                      SIGNED_IN,
    "privacy:data_json":                 SIGNED_IN,
    "privacy:delete":                    SIGNED_IN,

    # --- Accounts (allauth). Mail links are tried with a key that is not valid.
    "account_login":                         SIGNED_OUT,
    "account_signup":                        SIGNED_OUT,
    "account_logout":                        row(HOME, 200, 200, 200, 200, 200, 200),
    "account_inactive":                      EVERYONE,
    "account_reauthenticate":                SIGNED_IN,
    "account_request_reauthentication_code": SIGNED_IN,
    "account_confirm_reauthentication_code": signed_in(REAUTH_CODE),
    "account_email":                         SIGNED_IN,
    "account_email_verification_sent":       EVERYONE,
    "account_confirm_email":                 EVERYONE,
    "account_change_password":               SIGNED_IN,
    "account_set_password":                  signed_in(CHANGE_PASSWORD),
    "account_reset_password":                EVERYONE,
    "account_reset_password_done":           EVERYONE,
    "account_reset_password_from_key":       EVERYONE,
    "account_reset_password_from_key_done":  EVERYONE,
    "account_confirm_login_code":            signed_in(MINE),
    # Two-factor authentication: A has an authenticator app, the others have none. Setting
    # one up or changing it asks for the password again first.
    #                                  anonymous A       B       head    editor  manager super
    "mfa_index":                       SIGNED_IN,
    "mfa_authenticate":                signed_in(MINE),
    "mfa_reauthenticate":          row(LOGIN,    200,    REAUTH, REAUTH, REAUTH, REAUTH, REAUTH),
    "mfa_activate_totp":               signed_in(REAUTH),
    "mfa_deactivate_totp":         row(LOGIN,    REAUTH, 404,    404,    404,    404,    404),
    "mfa_view_recovery_codes":         signed_in(404),
    "mfa_generate_recovery_codes":     signed_in(REAUTH),
    "mfa_download_recovery_codes":     signed_in(404),

    # --- The admin: the site's pages.
    #                    anonymous    A            B            head         editor manager super
    "admin:login":  row(LOGIN,       403,         403,         403,         INDEX, INDEX,  INDEX),
    "admin:logout": row(INDEX,       INDEX,       INDEX,       INDEX,       405,   405,    405),
    #                                                editor manager superuser
    "admin:index":                             staff(200,   200,    200),
    "admin:password_change":                   staff(200,   200,    200),
    "admin:password_change_done":              staff(200,   200,    200),
    "admin:jsi18n":                            staff(200,   200,    200),
    # Searching accounts for a delegation's head, with A's address as the term.
    "admin:autocomplete":                      staff(403,   200,    200),
    # "View on site" for A's registration: only staff who may see registrations are sent
    # on to its page (which is A's only); the editor does not learn its reference.
    "admin:view_on_site":                      staff(404,   OWN,    OWN),
    "admin/(?P<url>.*)$":                      staff(404,   404,    404),
    "admin:app_list [account]":                staff(404,   404,    200),
    "admin:app_list [accounts]":               staff(404,   200,    200),
    "admin:app_list [auth]":                   staff(404,   404,    200),
    "admin:app_list [events]":                 staff(200,   200,    200),
    "admin:app_list [mfa]":                    staff(404,   404,    200),
    "admin:app_list [outbox]":                 staff(404,   404,    200),
    "admin:app_list [privacy]":                staff(404,   200,    200),
    "admin:app_list [registrations]":          staff(404,   200,    200),

    # --- The admin, model by model (the object: A's, wherever there is one).
    #                                                editor manager superuser
    "admin:auth_group_changelist":             staff(403,   403,    200),
    "admin:auth_group_add":                    staff(403,   403,    200),
    "admin:auth_group_change":                 staff(403,   403,    200),
    "admin:auth_group_history":                staff(403,   403,    200),
    "admin:auth_group_delete":                 staff(403,   403,    200),
    "admin/auth/group/<path:object_id>/":      to_change_page("auth_group"),

    "admin:account_emailaddress_changelist":   staff(403,   403,    200),
    "admin:account_emailaddress_add":          staff(403,   403,    200),
    "admin:account_emailaddress_change":       staff(403,   403,    200),
    "admin:account_emailaddress_history":      staff(403,   403,    200),
    "admin:account_emailaddress_delete":       staff(403,   403,    200),
    "admin/account/emailaddress/<path:object_id>/": to_change_page("account_emailaddress"),

    "admin:mfa_authenticator_changelist":      staff(403,   403,    200),
    "admin:mfa_authenticator_add":             staff(403,   403,    200),
    "admin:mfa_authenticator_change":          staff(403,   403,    200),
    "admin:mfa_authenticator_history":         staff(403,   403,    200),
    "admin:mfa_authenticator_delete":          staff(403,   403,    200),
    "admin/mfa/authenticator/<path:object_id>/": to_change_page("mfa_authenticator"),

    # Account mail: a record, read-only.
    "admin:outbox_email_changelist":           staff(403,   403,    200),
    "admin:outbox_email_add":                  staff(403,   403,    403),
    "admin:outbox_email_change":               staff(403,   403,    200),
    "admin:outbox_email_history":              staff(403,   403,    200),
    "admin:outbox_email_delete":               staff(403,   403,    403),
    "admin/outbox/email/<path:object_id>/":    to_change_page("outbox_email"),

    # Accounts: registration managers look delegates up (to name a head), nothing more.
    "admin:accounts_user_changelist":          staff(403,   200,    200),
    "admin:accounts_user_add":                 staff(403,   403,    200),
    "admin:accounts_user_change":              staff(403,   200,    200),
    "admin:accounts_user_history":             staff(403,   200,    200),
    "admin:accounts_user_delete":              staff(403,   403,    403),
    "admin:auth_user_password_change":         staff(403,   403,    200),
    "admin/accounts/user/<path:object_id>/":   to_change_page("accounts_user"),

    # The agenda: agenda editors' (who may not delete an event); managers may look at
    # events, sessions and organisations.
    "admin:events_event_changelist":           staff(200,   200,    200),
    "admin:events_event_add":                  staff(200,   403,    200),
    "admin:events_event_change":               staff(200,   200,    200),
    "admin:events_event_history":              staff(200,   200,    200),
    "admin:events_event_delete":               staff(403,   403,    200),
    "admin/events/event/<path:object_id>/":    to_change_page("events_event"),
    # What personal data the event still holds: for those who may see registrations.
    "admin:events_event_personal_data":        staff(403,   200,    200),

    "admin:events_session_changelist":         staff(200,   200,    200),
    "admin:events_session_add":                staff(200,   403,    200),
    "admin:events_session_change":             staff(200,   200,    200),
    "admin:events_session_history":            staff(200,   200,    200),
    # A is signed up for it: the page says so without naming A to an agenda editor.
    "admin:events_session_delete":             staff(200,   403,    200),
    "admin/events/session/<path:object_id>/":  to_change_page("events_session"),

    "admin:events_organisation_changelist":    staff(200,   200,    200),
    "admin:events_organisation_add":           staff(200,   403,    200),
    "admin:events_organisation_change":        staff(200,   200,    200),
    "admin:events_organisation_history":       staff(200,   200,    200),
    "admin:events_organisation_delete":        staff(200,   403,    200),
    "admin/events/organisation/<path:object_id>/": to_change_page("events_organisation"),

    "admin:events_venue_changelist":           staff(200,   403,    200),
    "admin:events_venue_add":                  staff(200,   403,    200),
    "admin:events_venue_change":               staff(200,   403,    200),
    "admin:events_venue_history":              staff(200,   403,    200),
    "admin:events_venue_delete":               staff(200,   403,    200),
    "admin/events/venue/<path:object_id>/":    to_change_page("events_venue"),

    "admin:events_room_changelist":            staff(200,   403,    200),
    "admin:events_room_add":                   staff(200,   403,    200),
    "admin:events_room_change":                staff(200,   403,    200),
    "admin:events_room_history":               staff(200,   403,    200),
    "admin:events_room_delete":                staff(200,   403,    200),
    "admin/events/room/<path:object_id>/":     to_change_page("events_room"),

    "admin:events_speaker_changelist":         staff(200,   403,    200),
    "admin:events_speaker_add":                staff(200,   403,    200),
    "admin:events_speaker_change":             staff(200,   403,    200),
    "admin:events_speaker_history":            staff(200,   403,    200),
    "admin:events_speaker_delete":             staff(200,   403,    200),
    "admin/events/speaker/<path:object_id>/":  to_change_page("events_speaker"),

    "admin:events_announcement_changelist":    staff(200,   403,    200),
    "admin:events_announcement_add":           staff(200,   403,    200),
    "admin:events_announcement_change":        staff(200,   403,    200),
    "admin:events_announcement_history":       staff(200,   403,    200),
    "admin:events_announcement_delete":        staff(200,   403,    200),
    "admin/events/announcement/<path:object_id>/": to_change_page("events_announcement"),

    # Registrations: made by delegates and never deleted, so nobody adds or deletes one here.
    "admin:registrations_registration_changelist": staff(403, 200,  200),
    "admin:registrations_registration_add":    staff(403,   403,    403),
    "admin:registrations_registration_change": staff(403,   200,    200),
    "admin:registrations_registration_history": staff(403,  200,    200),
    "admin:registrations_registration_delete": staff(403,   403,    403),
    "admin:registrations_registration_export": staff(403,   200,    200),
    # A's visa letter (it quotes the passport) and its approval: visa officers only.
    "admin:registrations_registration_visa_letter_preview": staff(403, 403, 200),
    "admin:registrations_registration_visa_letter_approve": staff(403, 403, 200),
    "admin/registrations/registration/<path:object_id>/": to_change_page(
        "registrations_registration"),
    # Writing to the delegates the list shows: for those who may send messages.
    "admin:registrations_registration_message": staff(403,  200,    200),

    "admin:registrations_delegation_changelist": staff(403, 200,    200),
    "admin:registrations_delegation_add":      staff(403,   200,    200),
    "admin:registrations_delegation_change":   staff(403,   200,    200),
    "admin:registrations_delegation_history":  staff(403,   200,    200),
    "admin:registrations_delegation_delete":   staff(403,   200,    200),
    "admin:registrations_delegation_letter":   staff(403,   200,    200),
    "admin/registrations/delegation/<path:object_id>/": to_change_page(
        "registrations_delegation"),

    "admin:registrations_privacynotice_changelist": staff(403, 200, 200),
    "admin:registrations_privacynotice_add":   staff(403,   200,    200),
    "admin:registrations_privacynotice_change": staff(403,  200,    200),
    "admin:registrations_privacynotice_history": staff(403, 200,    200),
    "admin:registrations_privacynotice_delete": staff(403,  403,    200),
    "admin/registrations/privacynotice/<path:object_id>/": to_change_page(
        "registrations_privacynotice"),

    "admin:registrations_lettertemplate_changelist": staff(403, 200, 200),
    "admin:registrations_lettertemplate_add":  staff(403,   200,    200),
    "admin:registrations_lettertemplate_change": staff(403, 200,    200),
    "admin:registrations_lettertemplate_history": staff(403, 200,   200),
    "admin:registrations_lettertemplate_delete": staff(403, 403,    200),
    "admin/registrations/lettertemplate/<path:object_id>/": to_change_page(
        "registrations_lettertemplate"),

    # Messages to delegates and the export log: records, read-only.
    "admin:registrations_notification_changelist": staff(403, 200,  200),
    "admin:registrations_notification_add":    staff(403,   403,    403),
    "admin:registrations_notification_change": staff(403,   200,    200),
    "admin:registrations_notification_history": staff(403,  200,    200),
    "admin:registrations_notification_delete": staff(403,   403,    403),
    "admin/registrations/notification/<path:object_id>/": to_change_page(
        "registrations_notification"),

    # Messages staff wrote, with their recipients: written from the registration list.
    "admin:registrations_message_changelist": staff(403,  200,    200),
    "admin:registrations_message_add":        staff(403,  403,    403),
    "admin:registrations_message_change":     staff(403,  200,    200),
    "admin:registrations_message_history":    staff(403,  200,    200),
    "admin:registrations_message_delete":     staff(403,  403,    403),
    "admin/registrations/message/<path:object_id>/": to_change_page("registrations_message"),

    "admin:registrations_exportrecord_changelist": staff(403, 200,  200),
    "admin:registrations_exportrecord_add":    staff(403,   403,    403),
    "admin:registrations_exportrecord_change": staff(403,   200,    200),
    "admin:registrations_exportrecord_history": staff(403,  200,    200),
    "admin:registrations_exportrecord_delete": staff(403,   403,    403),
    "admin/registrations/exportrecord/<path:object_id>/": to_change_page(
        "registrations_exportrecord"),

    # A background export (with A in it) that the registration manager asked for: for those
    # who may export. To others it does not exist (the history page sends them to the index).
    "admin:registrations_exportjob_changelist": staff(403,  200,    200),
    "admin:registrations_exportjob_add":       staff(403,   403,    403),
    "admin:registrations_exportjob_change":    staff(403,   200,    200),
    "admin:registrations_exportjob_history":   staff(INDEX, 200,    200),
    "admin:registrations_exportjob_delete":    staff(403,   403,    403),
    "admin:registrations_exportjob_progress":  staff(404,   200,    200),
    "admin:registrations_exportjob_status":    staff(404,   200,    200),
    "admin:registrations_exportjob_download":  staff(404,   200,    200),
    "admin/registrations/exportjob/<path:object_id>/": to_change_page(
        "registrations_exportjob"),

    # The log of the retention purges (counts, never values): a record, read-only.
    "admin:privacy_purgerecord_changelist":    staff(403,   200,    200),
    "admin:privacy_purgerecord_add":           staff(403,   403,    403),
    "admin:privacy_purgerecord_change":        staff(403,   200,    200),
    "admin:privacy_purgerecord_history":       staff(403,   200,    200),
    "admin:privacy_purgerecord_delete":        staff(403,   403,    403),
    "admin/privacy/purgerecord/<path:object_id>/": to_change_page("privacy_purgerecord"),
}
# fmt: on


# --- the URL each case asks for ------------------------------------------------------------

# What fills a URL's arguments, by the argument's name: A's objects, wherever there is one.
ARGUMENTS = {
    "slug": lambda world, pattern: world.event.slug,
    "reference": lambda world, pattern: world.a.reference,
    "token": lambda world, pattern: world.a.calendar_token,
    "speaker_slug": lambda world, pattern: world.speaker.slug,
    "news_slug": lambda world, pattern: world.news.slug,
    # The admin's pages of a model: its object in `world.admin_objects`.
    "object_id": lambda world, pattern: _admin_object(world, pattern).pk,
    "app_label": lambda world, pattern: pattern.key.partition(" [")[2].rstrip("]"),
    "url": lambda world, pattern: "no-such-page/",
}
# Where the argument's name does not say which object, by case.
CASE_ARGUMENTS = {
    "registrations:delegation": lambda world: {"pk": world.delegation_a.pk},
    "registrations:delegation_member_replace": lambda world: {"pk": world.delegation_a.pk},
    "registrations:delegation_member_withdraw": lambda world: {"pk": world.delegation_a.pk},
    "registrations:delegation_letter": lambda world: {"pk": world.delegation_a.pk},
    "registrations:delegation_letter_download": lambda world: {"pk": world.delegation_a.pk},
    "registrations:delegation_nomination_withdraw": lambda world: {
        "pk": world.delegation_a.pk,
        "nomination": world.nomination.pk,
    },
    "admin:registrations_delegation_letter": lambda world: {"pk": world.delegation_a.pk},
    "admin:events_event_personal_data": lambda world: {"pk": world.event.pk},
    "registrations:personal_calendar [forged token]": lambda world: {"token": "forged-token"},
    "registrations:verify": lambda world: {"token": world.letter_token},
    "registrations:verify [forged token]": lambda world: {"token": "forged-token"},
    "registrations:verify [certificate]": lambda world: {"token": world.certificate_token},
    "events:session": lambda world: {"pk": world.session.pk},
    "events:session_ics": lambda world: {"pk": world.session.pk},
    "admin:registrations_exportjob_progress": lambda world: {"pk": world.job.pk},
    "admin:registrations_exportjob_status": lambda world: {"pk": world.job.pk},
    "admin:registrations_exportjob_download": lambda world: {"pk": world.job.pk},
    "admin:auth_user_password_change": lambda world: {"id": world.users["delegate_a"].pk},
    "admin:view_on_site": lambda world: {
        "content_type_id": ContentType.objects.get_for_model(world.a).pk,
        "object_id": world.a.pk,
    },
    # Links from mail, with a key that is not valid (a valid one is the mail's secret).
    "account_confirm_email": lambda world: {"key": "forged-key"},
    "account_reset_password_from_key": lambda world: {
        "uidb36": int_to_base36(world.users["delegate_a"].pk),
        "key": "forged-key",
    },
}
# Query strings a page needs to show anything.
QUERIES = {
    # Choosing a delegation's head searches the accounts: A's address is the term.
    "admin:autocomplete": "?app_label=registrations&model_name=delegation&field_name=head"
    "&term=zdravka",
}


def _admin_object(world, pattern: Pattern):
    app_label, model_name = pattern.route.split("/")[1:3]
    label = f"{app_label}.{model_name}"
    assert label in world.admin_objects, f"Make an object of {label} in _build_world."
    return world.admin_objects[label]


def case_url(case: str, pattern: Pattern, world) -> str:
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern.route)
    arguments = CASE_ARGUMENTS[case](world) if case in CASE_ARGUMENTS else {}
    missing = [name for name in names if name not in arguments and name not in ARGUMENTS]
    assert not missing, f"{case}: say in CASE_ARGUMENTS what fills its {missing}."
    for name in names:
        if name not in arguments:
            arguments[name] = ARGUMENTS[name](world, pattern)
    with translation.override(pattern.language):
        if pattern.name is not None:
            url = reverse(pattern.name, kwargs=arguments)
        else:
            # An unnamed pattern: its route with the arguments put in.
            path = re.sub(
                r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>",
                lambda match: str(arguments[match[1] or match[2]]),
                pattern.route,
            )
            prefix = f"/{pattern.language}/" if pattern.language else "/"
            url = prefix + path.replace("^", "").replace("$", "")
    return url + QUERIES.get(case, "")


# --- the test ------------------------------------------------------------------------------

PATTERNS = url_patterns()
# Every pattern, and every case of the matrix with arguments of its own ("name [variant]").
CASES = sorted(
    {key for key, _language in PATTERNS}
    | {case for case in MATRIX if any(k == case.partition(" [")[0] for k, _ in PATTERNS)}
)


def _languages(case: str) -> list[str | None]:
    """The language prefixes the case's pattern has (None: it is outside i18n_patterns)."""
    key = case if any(k == case for k, _language in PATTERNS) else case.partition(" [")[0]
    return sorted((language for k, language in PATTERNS if k == key), key=str)


def _pattern_of(case: str, language: str | None) -> Pattern:
    return PATTERNS.get((case, language)) or PATTERNS[case.partition(" [")[0], language]


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _redirect_target(response) -> str | None:
    """The URL name of the page a redirect sends to (else its address, or None)."""
    location = response.get("Location")
    if location is None:
        return None
    try:
        return resolve(urlsplit(location).path).view_name
    except Resolver404:
        return location


def _without_echo(body: str, url: str) -> str:
    """The page without the links to itself (in each language, and as ?next=): those repeat
    the address asked for, which is no leak."""
    tail = re.sub(rf"^/({'|'.join(LANGUAGES)})/", "/", urlsplit(url).path).lstrip("/")
    return body.replace(tail, "").replace(quote(tail, safe=""), "")


@pytest.mark.django_db
def test_a_is_found_where_a_may_be_seen(world):
    """The check for A in the pages finds A where A is shown (Cyrillic, Latin and all)."""
    manager = world.clients["registration_manager"]
    listed = _body(manager.get(reverse("admin:registrations_registration_changelist")))
    own = _body(world.clients["delegate_a"].get(world.a.get_absolute_url()))
    for text in [A_NAMES["given_name"], A_NAMES["family_name"], A_EMAIL, world.a.reference]:
        assert text in listed
    for text in [*A_NAMES.values(), world.a.reference]:
        assert text in own


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_access(world, case):
    """Each role asks for the case's page and gets its answer in the matrix, and no page
    shows A to those who may not see A. A pattern under i18n_patterns is asked for in both
    languages: each role in one, alternating along the row and from one case to the next, so
    that both prefixes of every pattern are tried and every role meets both languages."""
    languages = _languages(case)
    assert case in MATRIX, (
        f"The URL pattern {case!r} ({_pattern_of(case, languages[0]).route}) is not in the "
        f"access matrix: add it to the matrix, with the answer each role must get."
    )
    personal = {"name": [*A_NAMES.values()], "email": [A_EMAIL], "reference": [world.a.reference]}
    wrong = []
    for turn, role in enumerate(ROLES, start=CASES.index(case)):
        url = case_url(case, _pattern_of(case, languages[turn % len(languages)]), world)
        expected = MATRIX[case][role]

        response = world.clients[role].get(url)

        if isinstance(expected, Redirect):
            got = response.status_code, _redirect_target(response)
            if got != (302, expected.to):
                wrong.append(f"{role} got {got} at {url}, not {expected}")
        elif response.status_code != expected:
            wrong.append(f"{role} got {response.status_code} at {url}, not {expected}")
        hidden = [
            text
            for kind, texts in personal.items()
            if kind not in A_SHOWN_TO.get(role, set())
            for text in texts
            if text not in CASE_SHOWS.get(case, set())
        ]
        body = _without_echo(_body(response), url) if hidden else ""
        shown = [text for text in hidden if text in body]
        if shown:
            wrong.append(f"{url} shows {role} A's {shown}")
    assert wrong == [], "\n".join(wrong)


def test_matrix_lists_only_url_patterns_that_exist():
    keys = {key for key, _language in PATTERNS}
    gone = [case for case in MATRIX if case not in keys and case.partition(" [")[0] not in keys]
    assert gone == [], "These URL patterns are gone: remove them from the matrix."


CHECKIN_CASES = {
    "registrations:checkin": 200,
    "registrations:checkin_list": 200,
    "registrations:checkin_sync": 405,
    "registrations:checkin_badge": 200,
}


@pytest.mark.django_db
def test_check_in_staff_see_nobody_outside_the_check_in(world):
    """Check-in staff open the check-in pages, and elsewhere only what any signed-in
    person may open, with nothing of A in it: the list their device keeps (names and
    references of the confirmed) and a badge to print again are all they see of anyone."""
    client = world.clients["checkin_staff"]
    wrong = []
    personal = [*A_NAMES.values(), A_EMAIL, world.a.reference]
    for turn, case in enumerate(CASES):
        languages = _languages(case)
        url = case_url(case, _pattern_of(case, languages[turn % len(languages)]), world)
        response = client.get(url)
        if case in CHECKIN_CASES:
            if response.status_code != CHECKIN_CASES[case]:
                wrong.append(f"got {response.status_code} at {url}")
            continue
        anyone = [MATRIX[case][role] for role in ("delegate_b", "head_of_a")]
        if response.status_code == 200 and 200 not in anyone:
            wrong.append(f"got 200 at {url}, which only staff may open")
        # A document's verification page names its holder to anyone with its address.
        hidden = [text for text in personal if text not in CASE_SHOWS.get(case, set())]
        shown = [text for text in hidden if text in _without_echo(_body(response), url)]
        if shown:
            wrong.append(f"{url} shows check-in staff A's {shown}")
    assert wrong == [], "\n".join(wrong)
