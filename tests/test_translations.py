"""The Bulgarian catalogue is complete: every entry translated, none fuzzy, placeholders kept.

`make i18n-check` first re-extracts the strings from the code (`make messages`), so a string
marked in the code but never translated fails here too.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils import translation

CATALOGUES = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _entries(path: Path):
    with path.open("rb") as f:
        return [m for m in read_po(f) if m.id]


def test_every_language_but_the_source_has_a_catalogue():
    languages = {path.parts[-3] for path in CATALOGUES}
    assert languages == {code for code, _name in settings.LANGUAGES} - {"en"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_has_no_missing_or_fuzzy_entries(path):
    problems = []
    for message in _entries(path):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-3])
def test_catalogue_keeps_every_placeholder(path):
    problems = []
    for message in _entries(path):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != expected:
                problems.append(message.id)
    assert problems == []


def test_compiled_catalogue_is_used():
    with translation.override("bg"):
        assert translation.gettext("Skip to main content") == "Към основното съдържание"
        assert translation.pgettext("alt. month", "May") == "май"
