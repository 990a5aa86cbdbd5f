"""Country names in Bulgarian are the Unicode CLDR's, wherever the app shows one."""

import io

import babel
import pypdf
import pytest
import pyuca
from django.utils import translation
from django_countries import countries

from registrations import badges, services
from registrations.models import Registration
from tests.factories import (
    OpenEventFactory,
    PrivacyNoticeFactory,
    RegistrationFactory,
    VerifiedUserFactory,
)

# Where a Bulgarian name we show differs from CLDR's on purpose, with the reason. None does:
# CLDR's names are the ones an intergovernmental event can print. A name added here must say
# why, e.g. a short form that CLDR marks as 'short'.
DELIBERATE_DIFFERENCES: dict[str, tuple[str, str]] = {}

# Misspelt or wrong in django-countries' Bulgarian catalogue, once shown on badges and lists.
MISSPELT = {
    "BA": "Бисна и Херцеговина",
    "DO": "Дминиканска Република",
    "ME": "Монтенегро",
    "GE": "Джорджия",
    "HK": "Хонк Конг",
    "TJ": "Тайджикистан",
}


def _bulgarian() -> dict[str, str]:
    with translation.override("bg"):
        return dict(countries)


def test_every_bulgarian_country_name_is_cldrs_but_the_deliberate_differences():
    cldr = babel.Locale("bg").territories
    shown = _bulgarian()
    assert len(shown) == len(countries.countries)
    differences = {
        code: (name, cldr.get(code)) for code, name in shown.items() if name != cldr.get(code)
    }
    assert differences == DELIBERATE_DIFFERENCES


def test_misspelt_bulgarian_country_names_are_gone():
    shown = _bulgarian()
    assert set(MISSPELT.values()).isdisjoint(shown.values())
    assert {code: shown[code] for code in MISSPELT} == {
        "BA": "Босна и Херцеговина",
        "DO": "Доминиканска република",
        "ME": "Черна гора",
        "GE": "Грузия",
        "HK": "Хонконг, САР на Китай",
        "TJ": "Таджикистан",
    }


def test_bulgarian_country_list_is_in_bulgarian_alphabetical_order():
    with translation.override("bg"):
        names = [name for _code, name in countries]
    assert names == sorted(names, key=pyuca.Collator().sort_key)
    assert names[:3] == ["Австралия", "Австрия", "Азербайджан"]
    assert names.index("Грузия") < names.index("Гърция") < names.index("Дания")


def test_english_country_names_stay_django_countries_common_names():
    with translation.override("en"):
        assert [countries.name(code) for code in ("GB", "GE", "ME", "NL", "BO")] == [
            "United Kingdom",
            "Georgia",
            "Montenegro",
            "Netherlands",
            "Bolivia",
        ]


@pytest.mark.django_db
def test_exports_and_badges_print_the_cldr_name():
    event = OpenEventFactory()
    registration = RegistrationFactory(event=event, country="GE", organisation="MIA")
    chosen, writer = services.export_prepare(
        event=event,
        registrations=Registration.objects.all(),
        dataset="attendees",
        file_format="csv",
    )
    out = io.BytesIO()
    with translation.override("bg"):
        writer.write(chosen, out)
        badge = io.BytesIO()
        badges.badges_pdf([registration], badge, layout="a6")
    assert ",Грузия," in out.getvalue().decode("utf-8-sig")
    text = " ".join(pypdf.PdfReader(badge).pages[0].extract_text().split())
    assert "Грузия" in text


@pytest.mark.django_db
def test_register_form_offers_the_cldr_names(client):
    PrivacyNoticeFactory()
    event = OpenEventFactory()
    client.force_login(VerifiedUserFactory())
    html = client.get(f"/bg/events/{event.slug}/register/").content.decode()
    assert '<option value="ME">Черна гора</option>' in html
    assert '<option value="GE">Грузия</option>' in html
