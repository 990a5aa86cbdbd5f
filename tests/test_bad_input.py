"""Bad input, generated: whatever is typed into a form or handed to a service, the answer is
never a server error; what is refused saves nothing and is said in the page's language.

Hypothesis generates the input: any Unicode (control characters, right-to-left overrides,
zero-width and non-characters; lone surrogates too where Python hands them over, since an
HTTP request cannot carry them), very long strings, and wrong types in form data (several
values for one field, numbers, missing fields).

Each property is a function inside its test, given the test's data (made by its fixtures, once)
rather than fixtures of its own: each example runs in a savepoint that is rolled back, with the
cache emptied, so every one starts from the same data. (Hypothesis's health check against
function-scoped fixtures guards against examples sharing state unknowingly; here they share it
on purpose, and put it back.) The examples are derandomised and no database of past failures
is kept, so CI runs the same ones every time.
"""

import html
import operator
import re
from contextlib import contextmanager
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from registrations import services
from registrations.models import Registration
from tests.factories import (
    DelegationFactory,
    OpenEventFactory,
    PrivacyNoticeFactory,
    SessionFactory,
    SessionSpeakerFactory,
    UserFactory,
    VerifiedUserFactory,
    details,
)

pytestmark = pytest.mark.django_db


def examples(count: int):
    """Hypothesis's settings here: `count` examples, the same ones on every run."""
    return settings(
        max_examples=count,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- what is typed -------------------------------------------------------------------------

# Characters that have broken software before: NUL and other controls, the bidirectional
# overrides and isolates, zero-width ones, the byte-order mark, the replacement character
# and a non-character, markup and quotes.
AWKWARD = (
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\ufffd\uffff"
    "\n\r\t <>&\"'%;{}"
)


def texts(*, surrogates: bool = False) -> st.SearchStrategy[str]:
    """Any text, awkward characters mixed in: short, or very long (a few characters repeated
    thousands of times)."""
    awkward = [*AWKWARD, *(["\ud800", "\udbff", "\udc00", "\udfff"] if surrogates else [])]
    piece = st.one_of(
        st.text(st.characters(exclude_categories=() if surrogates else ("Cs",)), max_size=8),
        st.sampled_from(awkward),
    )
    short = st.lists(piece, max_size=6).map("".join)
    long = st.builds(operator.mul, short.filter(bool), st.integers(100, 3000))
    return st.one_of(short, long)


def field_values(integers: st.SearchStrategy[int] | None = None) -> st.SearchStrategy:
    """One field's value as an HTTP client may send it: text, several values, a number, a
    flag."""
    return st.one_of(
        texts(),
        st.lists(texts(), min_size=2, max_size=3),
        st.integers() if integers is None else integers,
        st.floats(),
        st.booleans(),
    )


def spoiled(valid: dict, fields: list[str], values=None) -> st.SearchStrategy[dict]:
    """Form data: `valid`, with one to four fields given a bad value (`values`, by default
    any of `field_values()`) or left out (None)."""
    values = field_values() if values is None else values
    bad = st.dictionaries(
        st.sampled_from(fields), st.one_of(st.none(), values), min_size=1, max_size=4
    )
    return bad.map(
        lambda bad: {
            name: value
            for name, value in {**valid, **bad}.items()
            if value is not None or name not in bad
        }
    )


# --- what is checked -------------------------------------------------------------------------

CYRILLIC = re.compile("[\u0400-\u04ff]")
_ERROR_LISTS = re.compile(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', re.S)
# The admin's note above a form with errors (the only word of an error in a hidden field).
_ERROR_NOTES = re.compile(r'<p class="errornote">(.*?)</p>', re.S)


def error_messages(page: str) -> list[str]:
    """The errors a form shows at its fields and above them, as text."""
    items = [
        item
        for block in _ERROR_LISTS.findall(page)
        for item in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]
    return [
        html.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in [*items, *_ERROR_NOTES.findall(page)]
    ]


def has_nul(data) -> bool:
    """Whether form data (or a text) holds a NUL character anywhere."""
    values = data.values() if isinstance(data, dict) else [data]
    return any(
        "\x00" in str(v)
        for value in values
        for v in (value if isinstance(value, list) else [value])
    )


def assert_refused_in_bulgarian(response, data) -> None:
    """Refused with the form again, its errors in Bulgarian; or, for a NUL byte, which no
    field may hold, with 400 Bad Request before any view (emn_conference/middleware.py)."""
    if has_nul(data):
        assert response.status_code == 400
        return
    assert response.status_code == 200
    messages = error_messages(response.content.decode())
    assert messages, "refused without saying why"
    assert [m for m in messages if not CYRILLIC.search(m)] == []


def counts() -> dict[str, int]:
    """How many rows every model of ours has: what a refused input must leave as it was."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "events", "registrations", "history", "outbox", "privacy"}
    }


@contextmanager
def rolled_back():
    """Runs an example in a savepoint that is then rolled back: each starts afresh."""
    cache.clear()  # allauth's and the invitation codes' counts of tries
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def url(name: str, language: str = "bg", **kwargs) -> str:
    with translation.override(language):
        return reverse(name, kwargs=kwargs)


# --- the delegate's forms --------------------------------------------------------------------

VALID_DETAILS = {
    "honorific": "Г-жа",
    "given_name": "Здравка",
    "family_name": "Златанова",
    "given_name_latin": "Zdravka",
    "family_name_latin": "Zlatanova",
    "position": "Експерт",
    "organisation": "Министерство на вътрешните работи",
    "country": "BG",
    "phone": "+359 2 987 6543",
    "language": "bg",
    "dietary_requirements": "",
    "accessibility_needs": "",
    "interpretation_language": "en",
    "needs_visa_letter": "on",
    "passport_number": "385123456",
    "passport_country": "BG",
    "passport_expiry": "2031-05-01",
    "nationality": "BG",
    "date_of_birth": "1980-02-03",
    "photo_consent": "on",
}
VALID_REGISTRATION = {**VALID_DETAILS, "invitation_code": "", "privacy_accepted": "on"}


@pytest.fixture
def open_event(db):
    PrivacyNoticeFactory()
    event = OpenEventFactory(capacity=10)
    SessionFactory(event=event, capacity=5)
    return event


@pytest.fixture
def delegate(client):
    user = VerifiedUserFactory()
    client.force_login(user)
    return user


def test_registration_form_takes_any_input_without_a_server_error(client, delegate, open_event):
    page = url("registrations:register", slug=open_event.slug)
    session = str(open_event.sessions.get().pk)
    valid = {**VALID_REGISTRATION, "sessions": session}
    with rolled_back():
        assert client.post(page, valid).status_code == 302  # the baseline registers

    @examples(30)
    @given(data=spoiled(valid, [*VALID_REGISTRATION, "sessions"]))
    @example(data={**valid, "sessions": str(2**63)})  # past 64 bits: SQLite cannot compare it
    def post(data):
        with rolled_back():
            before = counts()
            response = client.post(page, data)
            if response.status_code == 302:
                registration = Registration.objects.get(user=delegate)
                assert response["Location"] == url(
                    "registrations:detail", reference=registration.reference
                )
            else:
                assert_refused_in_bulgarian(response, data)
                assert counts() == before

    post()


def test_edit_form_takes_any_input_without_a_server_error(client, delegate, open_event):
    registration = services.registration_create(
        event=open_event,
        user=delegate,
        details=details(language="bg"),
        privacy_accepted=True,
        by=delegate,
    )
    page = url("registrations:edit", reference=registration.reference)
    with rolled_back():
        assert client.post(page, VALID_DETAILS).status_code == 302  # the baseline saves

    @examples(30)
    @given(data=spoiled(VALID_DETAILS, [*VALID_DETAILS, "sessions"]))
    @example(data={**VALID_DETAILS, "sessions": str(2**63)})
    def post(data):
        with rolled_back():
            before = counts(), Registration.objects.values().get(pk=registration.pk)
            response = client.post(page, data)
            if response.status_code != 302:
                assert_refused_in_bulgarian(response, data)
                after = counts(), Registration.objects.values().get(pk=registration.pk)
                assert after == before

    post()


def test_listing_consent_takes_any_input_without_a_server_error(client, delegate, open_event):
    registration = services.registration_create(
        event=open_event,
        user=delegate,
        details=details(language="bg", listing_consent=True),
        privacy_accepted=True,
        by=delegate,
    )
    page = url("registrations:listing_consent", reference=registration.reference)

    def is_valid(data) -> bool:
        # What the view reads: the last value sent, as text.
        value = data.get("consent")
        return str(value[-1] if isinstance(value, list) else value) in ("0", "1")

    @examples(20)
    @given(data=spoiled({"consent": "0"}, ["consent"]).filter(lambda d: not is_valid(d)))
    def post(data):
        with rolled_back():
            before = counts(), Registration.objects.values().get(pk=registration.pk)
            response = client.post(page, data, follow=True)
            if has_nul(data):
                assert response.status_code == 400
            else:
                assert response.status_code == 200
                assert "Нищо не е променено: изберете дали да бъдете в списъка." in (
                    html.unescape(response.content.decode())
                )
            assert (counts(), Registration.objects.values().get(pk=registration.pk)) == before

    post()


def test_agenda_views_take_any_query_without_a_server_error(client, delegate, open_event):
    services.registration_create(
        event=open_event, user=delegate, details=details(), privacy_accepted=True, by=delegate
    )
    pages = [
        (url("events:agenda_grid", slug=open_event.slug), "day"),
        (url("registrations:participants", slug=open_event.slug), "by"),
        (url("events:now", slug=open_event.slug), "day"),
    ]

    @examples(20)
    @given(value=texts(), which=st.sampled_from(pages))
    def get(value, which):
        page, name = which
        with rolled_back():
            response = client.get(page, {name: value})
            assert response.status_code == (400 if "\x00" in value else 200)

    get()


def test_any_invitation_code_is_refused_in_the_page_language(client, delegate, open_event):
    DelegationFactory(event=open_event)
    page = url("registrations:register", slug=open_event.slug)

    @examples(25)
    @given(code=texts().filter(lambda code: code.strip()))
    def type_code(code):
        with rolled_back():
            before = counts()
            # Followed from a link, then typed into the form.
            answer = client.get(page, {"invitation": code})
            if has_nul(code):
                assert answer.status_code == 400
                return
            assert answer.status_code == 200
            [notice] = re.findall(
                r'<p class="notice notice--error" role="alert">(.*?)</p>', answer.content.decode()
            )
            assert CYRILLIC.search(notice)
            data = {**VALID_REGISTRATION, "invitation_code": code}
            response = client.post(page, data)
            assert_refused_in_bulgarian(response, data)
            assert counts() == before

    type_code()


# --- the services ----------------------------------------------------------------------------

TEXT_DETAILS = [
    "honorific",
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "position",
    "organisation",
    "dietary_requirements",
    "accessibility_needs",
]
# Details as a caller may hand them over: any text in any field (lone surrogates included,
# which Python allows and no HTTP request can carry), and the flags either way.
DETAILS = st.fixed_dictionaries(
    {},
    optional={
        **dict.fromkeys(
            [*TEXT_DETAILS, "phone", "country", "language", "interpretation_language"],
            texts(surrogates=True),
        ),
        **dict.fromkeys(["needs_visa_letter", "photo_consent", "listing_consent"], st.booleans()),
    },
).filter(bool)


def assert_nothing_changed_but_told_in_bulgarian(error: ValidationError, before, after) -> None:
    assert after == before
    assert [m for m in error.messages if not CYRILLIC.search(m)] == []


def test_registration_services_refuse_bad_details_with_a_validation_error(open_event):
    registered = services.registration_create(
        event=open_event,
        user=VerifiedUserFactory(),
        details=details(language="bg"),
        privacy_accepted=True,
        by=None,
    )
    newcomer = VerifiedUserFactory()

    @examples(60)
    @given(changes=DETAILS)
    # Text no database can store (PostgreSQL refuses NUL; a lone surrogate cannot be encoded).
    @example(changes={"position": "\ud800"})
    @example(changes={"dietary_requirements": "vegetarian\x00"})
    def call(changes):
        with rolled_back(), translation.override("bg"):
            before = counts()
            try:
                services.registration_create(
                    event=open_event,
                    user=newcomer,
                    details=details(**changes),
                    privacy_accepted=True,
                    by=newcomer,
                )
            except ValidationError as error:
                assert_nothing_changed_but_told_in_bulgarian(error, before, counts())
        with rolled_back(), translation.override("bg"):
            before = counts(), Registration.objects.values().get(pk=registered.pk)
            try:
                services.registration_update(
                    registration=registered, details=details(**changes), sessions=[], by=None
                )
            except ValidationError as error:
                after = counts(), Registration.objects.values().get(pk=registered.pk)
                assert_nothing_changed_but_told_in_bulgarian(error, before, after)

    call()


# --- the admin's change forms ----------------------------------------------------------------


class _ChangeForm(HTMLParser):
    """Reads an admin change page's form as a browser would send it, unchanged."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("id") or "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(
                attrs.get("value") or ("on" if kind == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in attrs), []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.data[name] = chosen
            self._select = None


def change_form_data(page: str) -> dict:
    form = _ChangeForm()
    form.feed(page)
    # The text of a textarea starts after the line break that follows its tag.
    return {
        name: values[0].removeprefix("\n") if len(values) == 1 else values
        for name, values in form.data.items()
        if "__prefix__" not in name
    }


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def agenda(open_event):
    session = open_event.sessions.get()
    speaker = SessionSpeakerFactory(session=session).speaker
    registration = services.registration_create(
        event=open_event,
        user=VerifiedUserFactory(),
        details=details(language="bg"),
        privacy_accepted=True,
        sessions=[session],
        by=None,
    )
    return {
        "event": open_event,
        "session": session,
        "speaker": speaker,
        "registration": registration,
    }


# The event's page, with its sessions inline, is the slowest to send: fewer examples.
ADMIN_EXAMPLES = {"event": 12, "session": 20, "speaker": 20, "registration": 20}


@pytest.mark.parametrize("model", ADMIN_EXAMPLES)
def test_admin_change_form_takes_any_input_without_a_server_error(superuser_client, agenda, model):
    obj = agenda[model]
    page = url(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", object_id=obj.pk)
    valid = change_form_data(superuser_client.get(page).content.decode())
    with rolled_back():
        assert superuser_client.post(page, valid).status_code == 302  # the baseline saves

    # Not the inline formsets' count of forms already saved: Django believes it, and one
    # set below the rows sent saves a speaker's row twice (IntegrityError, a server error
    # only a hand-made request can cause; see the report on issue 9).
    fields = sorted(name for name in valid if not name.endswith("-INITIAL_FORMS"))

    # Numbers within 64 bits: past them, a many-to-many field (the event's organisers) is a
    # server error on SQLite, whose Django lookup overflows; PostgreSQL answers as it should.
    # Known, and left as it is (see the report on issue 9); the delegate's form refuses them.
    numbers = st.integers(-(2**63), 2**63 - 1)

    @examples(ADMIN_EXAMPLES[model])
    @given(data=spoiled(valid, fields, field_values(numbers)))
    def post(data):
        with rolled_back():
            before = counts(), type(obj).objects.values().get(pk=obj.pk)
            response = superuser_client.post(page, data)
            if response.status_code != 302:
                assert_refused_in_bulgarian(response, data)
                assert (counts(), type(obj).objects.values().get(pk=obj.pk)) == before

    post()


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("event", "venue"),
        ("event", "organisers"),
        ("session", "event"),
        ("speaker", "organisation"),
    ],
)
def test_admin_refuses_an_autocomplete_value_that_is_no_id(superuser_client, agenda, model, field):
    obj = agenda[model]
    page = url(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", object_id=obj.pk)
    data = {**change_form_data(superuser_client.get(page).content.decode()), field: "abc"}
    before = type(obj).objects.values().get(pk=obj.pk)

    response = superuser_client.post(page, data)

    assert_refused_in_bulgarian(response, data)
    assert type(obj).objects.values().get(pk=obj.pk) == before


# --- check-in at the door --------------------------------------------------------------------


@pytest.fixture
def door_client(client, open_event):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name="Check-in staff"))
    client.force_login(user)
    return client


def test_any_check_in_input_is_refused_in_the_page_language(door_client, open_event):
    page = url("registrations:checkin", slug=open_event.slug)
    valid = {"code": "EMN30-NOONE", "session": "", "device": "door-1"}

    @examples(40)
    @given(data=spoiled(valid, ["code", "session", "device"]))
    def scan(data):
        with rolled_back():
            before = counts()
            response = door_client.post(page, data)
            assert counts() == before
            if has_nul(data):
                assert response.status_code == 400
                return
            assert response.status_code == 200
            page_html = response.content.decode()
            refused = re.findall(r'class="checkin-result__title">(.*?)</h2>', page_html)
            assert refused or error_messages(page_html), "refused without saying why"
            said = [html.unescape(text) for text in refused] + error_messages(page_html)
            assert [text for text in said if not CYRILLIC.search(text)] == []

    scan()


def test_any_offline_scans_sent_get_an_answer_and_never_a_server_error(door_client, open_event):
    import json

    page = url("registrations:checkin_sync", slug=open_event.slug)
    json_values = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts(surrogates=True)),
        lambda children: st.one_of(
            st.lists(children, max_size=3), st.dictionaries(texts(), children, max_size=3)
        ),
        max_leaves=8,
    )
    scan = st.fixed_dictionaries(
        {},
        optional={
            "id": json_values,
            "code": json_values,
            "at": json_values,
            "session": json_values,
        },
    )
    bodies = st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"scans": st.lists(scan, max_size=3)}, optional={"device": json_values}
        ),
    )

    @examples(40)
    @given(body=bodies)
    def sync(body):
        with rolled_back():
            before = counts()
            response = door_client.post(
                page, json.dumps(body, allow_nan=True), content_type="application/json"
            )
            assert response.status_code in (200, 400)
            assert counts() == before

    sync()
