"""Texts of other packages whose translation we correct.

`OVERRIDES` marks texts whose Bulgarian we correct in our own catalogue, so that
`makemessages` keeps them in locale/bg, which Django reads before the packages' own
catalogues (LOCALE_PATHS come first).

Country names are not corrected one by one: django-countries' catalogues are written by hand
and misspell many (“Бисна и Херцеговина”, “Монтенегро”, “Джорджия” for Georgia). In every
language but English, the language of django-countries' own names, they come from the Unicode
CLDR through Babel, as the settings' `COUNTRIES_OVERRIDE` (`country_names()`), so that forms,
the admin, exports, badges and letters all show the same, authoritative names, sorted by them.
"""

import functools
from collections.abc import Mapping

import babel
from django.utils.functional import lazy
from django.utils.translation import get_language, gettext_noop, ngettext_lazy, to_locale

OVERRIDES = [
    # allauth calls creating an account "Регистрация", the word of our event registration.
    gettext_noop("Sign Up"),
    # allauth's Bulgarian for the two-factor code field ("Автентикиращ код") is not the word
    # our pages use for the authenticator app.
    gettext_noop("Authenticator code"),
    # Django 5.2 changed this message's placeholder; its Bulgarian catalogue still has the old
    # one, so the sign-up page said it in English.
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
    ),
]


@functools.cache
def _cldr_territories(language: str) -> Mapping[str, str]:
    try:
        return babel.Locale.parse(to_locale(language)).territories
    except (babel.UnknownLocaleError, ValueError):
        return {}


def _country_name(code: str, english) -> str:
    language = get_language()
    if language and language.split("-")[0] != "en":
        name = _cldr_territories(language).get(code)
        if name:
            return name
    return str(english)


def country_names() -> dict:
    """Every country's name, as a lazy text that takes CLDR's name in the active language."""
    from django_countries.base import CountriesBase
    from django_countries.data import COUNTRIES

    # django-countries' English names, with the common names it uses by default
    # (COUNTRIES_COMMON_NAMES): "United Kingdom", not the ISO list's long form.
    english = {**COUNTRIES, **CountriesBase.COMMON_NAMES}
    name = lazy(_country_name, str)
    return {code: name(code, english[code]) for code in COUNTRIES}
