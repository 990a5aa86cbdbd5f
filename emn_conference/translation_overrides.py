"""Texts of other packages whose Bulgarian translation we correct in our own catalogue.

Marked here so that `makemessages` keeps them in locale/bg, which Django reads before the
packages' own catalogues (LOCALE_PATHS come first). Nothing imports this module.
"""

from django.utils.translation import gettext_noop

OVERRIDES = [
    # django-countries misspells these.
    gettext_noop("Denmark"),
    gettext_noop("Latvia"),
    gettext_noop("Namibia"),
    # allauth calls creating an account "Регистрация", the word of our event registration.
    gettext_noop("Sign Up"),
]
