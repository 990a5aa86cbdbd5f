"""The demo conference: the 2018 EMN annual conference "Crossroads of Migration" (Sofia).

Everything said about the event (title, theme, organisers, people, aims, topics, the news
item) is taken word for word from IOM Bulgaria's announcement, in both of its languages
(a copy is in tests/fixtures/emn-2018-annual-conference.txt). The announcement gives no
dates: the demo holds the two days on 14–15 May 2018. Times, rooms, tracks, the venue's
name, the delegations' quotas, the privacy notice and the registration window are invented
for the demo; registration is left open so that it can be tried.

Every object is found by a natural key and updated in place, so loading twice changes nothing.
"""

import datetime
import zoneinfo

from django.db import transaction

from .models import (
    Announcement,
    Event,
    Organisation,
    PublicationStatus,
    Room,
    Session,
    SessionSpeaker,
    Speaker,
    Track,
    Venue,
)

SLUG = "emn-2018"
TZ = zoneinfo.ZoneInfo("Europe/Sofia")
DAY_1 = datetime.date(2018, 5, 14)
DAY_2 = datetime.date(2018, 5, 15)

TOPICS_BG = [
    "успешно идентифициране на границите и интелигентно управление на границите",
    "мултидисциплинарни подходи в ефективното сътрудничество в сферата на нередовната миграция",
    "справяне с вторичните движения чрез обмен на информация и междуведомствено сътрудничество",
    "сигурност на външните граници",
    "възможности за подобрение на процедурите за закрила",
    "нови тенденции в политиката и практиката на управлението на миграцията",
]
TOPICS_EN = [
    "effective identification at the border and smart border management",
    "multi-disciplinary approaches to effective cooperation in irregular migration management",
    "addressing secondary movements through information exchange and interagency cooperation",
    "external border security",
    "possibilities of enhancing asylum procedures",
    "new trends in migration management policies and practices",
]

ORGANISATIONS = {
    # key: (name bg, name en, acronym bg, acronym en, kind, country)
    "moi": (
        "Министерство на вътрешните работи",
        "Ministry of the Interior",
        "МВР",
        "MoI",
        Organisation.Kind.GOVERNMENT,
        "BG",
    ),
    "iom": (
        "Международна организация по миграция",
        "International Organization for Migration",
        "МОМ",
        "IOM",
        Organisation.Kind.INTERNATIONAL,
        "",
    ),
    "iom-bg": ("МОМ България", "IOM Bulgaria", "", "", Organisation.Kind.INTERNATIONAL, "BG"),
    "iom-at": ("МОМ Австрия", "IOM Austria", "", "", Organisation.Kind.INTERNATIONAL, "AT"),
    "iom-hr": ("МОМ Хърватия", "IOM Croatia", "", "", Organisation.Kind.INTERNATIONAL, "HR"),
    "iom-lt": ("МОМ Литва", "IOM Lithuania", "", "", Organisation.Kind.INTERNATIONAL, "LT"),
    "iom-sk": ("МОМ Словакия", "IOM Slovakia", "", "", Organisation.Kind.INTERNATIONAL, "SK"),
    "ec": (
        "Европейска комисия",
        "European Commission",
        "ЕК",
        "EC",
        Organisation.Kind.EU_INSTITUTION,
        "",
    ),
    "emn": (
        "Европейска мрежа по миграция",
        "European Migration Network",
        "ЕММ",
        "EMN",
        Organisation.Kind.EU_INSTITUTION,
        "",
    ),
    "presidency": (
        "Българско председателство на Съвета на ЕС",
        "Bulgarian Presidency of the Council of the EU",
        "",
        "",
        Organisation.Kind.GOVERNMENT,
        "BG",
    ),
}

ANNOUNCEMENT_BG = (
    "Тази сутрин бе открита годишната конференция за 2018 г. на Европейската мрежа по "
    "миграция (ЕММ), Пътища на миграцията: Предизвикателства и фактори за успех в "
    "управлението на миграционните потоци, организирана от МВР, националната точка за контакт"
    " на България към ЕММ, под егидата на Българското председателство на Съвета на ЕС.\n\n"
    "Г-н Радослав Стаменков, Ръководител на Мисията на МОМ в България, изнесе приветствено "
    "слово от името на Посланик Лаура Томпсън, Заместник-главният директор на МОМ, последвано"
    " по-късно следобед от презентация относно мултидисциплинарните подходи в сферата на "
    "ефективното сътрудничество в управлението на нередовната миграция.\n\n"
    "В събитието участват представители на държавите-членки на ЕС, Европейската комисия, "
    "международни организации, държавната администрация и академичните среди. От МОМ България"
    " сме особено щастливи да приветстваме колегите си от МОМ Австрия, МОМ Литва, МОМ "
    "Словакия и МОМ Хърватия.\n\n"
    "Целта на двудневната конференция е да се открият устойчиви и цялостни подходи в "
    "управлението на миграционните потоци чрез изучаване на научените уроци, общите "
    "предизвикателства, факторите за успех и добрите практики, произлезли от скорошната "
    "миграционна криза.\n\n"
    "Темите, които ще бъдат обсъдени, включват: успешно идентифициране на границите и "
    "интелигентно управление на границите; мултидисциплинарни подходи в ефективното "
    "сътрудничество в сферата на нередовната миграция; справяне с вторичните движения чрез "
    "обмен на информация и междуведомствено сътрудничество; сигурност на външните граници; "
    "възможности за подобрение на процедурите за закрила; нови тенденции в политиката и "
    "практиката на управлението на миграцията."
)

ANNOUNCEMENT_EN = (
    "The 2018 European Migration Network (EMN) annual conference, “Crossroads of Migration: "
    "Challenges and success factors in managing migration flows”, started earlier this "
    "morning. The event is organized by the Bulgarian Ministry of the Interior, the EMN focal"
    " point for Bulgaria, and held under the auspices of the Bulgarian Presidency of the "
    "Council of the EU.\n\n"
    "Mr. Radoslav Stamenkov, IOM Bulgaria’s Head of Office, delivered a welcoming address on "
    "behalf of Ambassador Laura Thompson, IOM Deputy Director General, followed later in the "
    "afternoon by a presentation on multi-disciplinary approaches in the effective "
    "cooperation in irregular migration management.\n\n"
    "The event brings together representatives of EU Member States, the European Commission, "
    "international organizations, the Bulgarian national administration and academia. IOM "
    "Bulgaria is especially glad to welcome our colleagues from IOM Austria, IOM Croatia, IOM"
    " Lithuania and IOM Slovakia.\n\n"
    "The aim of the two-day conference is to identify sustainable, streamlined and integrated"
    " approaches to managing migration flows by studying the lessons learned, shared "
    "challenges, success factors and best practices following from the recent migration "
    "crisis.\n\n"
    "Topics to be discussed include: effective identification at the border and smart border "
    "management; multi-disciplinary approaches to effective cooperation in irregular "
    "migration management; addressing secondary movements through information exchange and "
    "interagency cooperation; external border security; possibilities of enhancing asylum "
    "procedures; new trends in migration management policies and practices."
)

DESCRIPTION_BG = (
    "Конференцията е организирана от МВР, националната точка за контакт на България към ЕММ, "
    "под егидата на Българското председателство на Съвета на ЕС.\n\n"
    "В събитието участват представители на държавите-членки на ЕС, Европейската комисия, "
    "международни организации, държавната администрация и академичните среди."
)
DESCRIPTION_EN = (
    "The event is organized by the Bulgarian Ministry of the Interior, the EMN focal point for "
    "Bulgaria, and held under the auspices of the Bulgarian Presidency of the Council of the "
    "EU.\n\n"
    "The event brings together representatives of EU Member States, the European Commission, "
    "international organizations, the Bulgarian national administration and academia."
)
AIMS_BG = ANNOUNCEMENT_BG.split("\n\n")[3]
AIMS_EN = ANNOUNCEMENT_EN.split("\n\n")[3]

SPEAKERS = {
    # slug: (honorific bg, en, name bg, en, position bg, en, organisation key)
    "radoslav-stamenkov": (
        "Г-н",
        "Mr.",
        "Радослав Стаменков",
        "Radoslav Stamenkov",
        "Ръководител на Мисията на МОМ в България",
        "Head of Office, IOM Bulgaria",
        "iom-bg",
    ),
    "laura-thompson": (
        "Посланик",
        "Ambassador",
        "Лаура Томпсън",
        "Laura Thompson",
        "Заместник-главен директор на МОМ",
        "IOM Deputy Director General",
        "iom",
    ),
}

ROOMS = {
    # key: (name bg, name en, seats)
    "plenary": ("Пленарна зала", "Plenary hall", 200),
    "workshop-a": ("Зала за семинари А", "Workshop room A", 40),
    "workshop-b": ("Зала за семинари Б", "Workshop room B", 40),
    "foyer": ("Фоайе", "Foyer", None),
}

TRACKS = {
    # key: (name bg, name en, colour)
    "borders": ("Граници", "Borders", "#1D4F91"),
    "cooperation": ("Сътрудничество", "Cooperation", "#2E6B30"),
    "policy": ("Закрила и политики", "Asylum and policy", "#8E3B46"),
}

OPENING_BG = (
    "Г-н Радослав Стаменков, Ръководител на Мисията на МОМ в България, изнася приветствено "
    "слово от името на Посланик Лаура Томпсън, Заместник-главния директор на МОМ."
)
OPENING_EN = (
    "Mr. Radoslav Stamenkov, IOM Bulgaria’s Head of Office, delivers a welcoming address on "
    "behalf of Ambassador Laura Thompson, IOM Deputy Director General."
)

K = Session.Kind
R = SessionSpeaker.Role


def _topic_title(topic: str) -> str:
    return topic[0].upper() + topic[1:]


# (day, start, end, kind, title bg, title en, room, track, capacity, [(speaker, role)], description)
SESSIONS = [
    (
        DAY_1,
        "08:30",
        "09:30",
        K.REGISTRATION,
        "Регистрация и кафе",
        "Registration and coffee",
        "foyer",
        None,
        None,
        [],
        ("", ""),
    ),
    (
        DAY_1,
        "09:30",
        "10:00",
        K.OPENING,
        "Откриване и приветствено слово",
        "Opening and welcoming address",
        "plenary",
        None,
        None,
        [("radoslav-stamenkov", R.WELCOME)],
        (OPENING_BG, OPENING_EN),
    ),
    (
        DAY_1,
        "10:00",
        "11:30",
        K.PANEL,
        _topic_title(TOPICS_BG[0]),
        _topic_title(TOPICS_EN[0]),
        "plenary",
        "borders",
        None,
        [],
        ("", ""),
    ),
    (
        DAY_1,
        "11:30",
        "12:00",
        K.BREAK,
        "Кафе пауза",
        "Coffee break",
        "foyer",
        None,
        None,
        [],
        ("", ""),
    ),
    (
        DAY_1,
        "12:00",
        "13:00",
        K.PANEL,
        _topic_title(TOPICS_BG[3]),
        _topic_title(TOPICS_EN[3]),
        "plenary",
        "borders",
        None,
        [],
        ("", ""),
    ),
    (DAY_1, "13:00", "14:30", K.MEAL, "Обяд", "Lunch", "foyer", None, None, [], ("", "")),
    (
        DAY_1,
        "14:30",
        "15:30",
        K.PRESENTATION,
        _topic_title(TOPICS_BG[1]),
        _topic_title(TOPICS_EN[1]),
        "plenary",
        "cooperation",
        None,
        [("radoslav-stamenkov", R.SPEAKER)],
        ("", ""),
    ),
    (
        DAY_1,
        "15:30",
        "16:00",
        K.BREAK,
        "Кафе пауза",
        "Coffee break",
        "foyer",
        None,
        None,
        [],
        ("", ""),
    ),
    (
        DAY_1,
        "16:00",
        "17:30",
        K.WORKSHOP,
        _topic_title(TOPICS_BG[2]),
        _topic_title(TOPICS_EN[2]),
        "workshop-a",
        "cooperation",
        40,
        [],
        ("", ""),
    ),
    (
        DAY_2,
        "09:30",
        "11:00",
        K.PANEL,
        _topic_title(TOPICS_BG[4]),
        _topic_title(TOPICS_EN[4]),
        "plenary",
        "policy",
        None,
        [],
        ("", ""),
    ),
    (
        DAY_2,
        "11:00",
        "11:30",
        K.BREAK,
        "Кафе пауза",
        "Coffee break",
        "foyer",
        None,
        None,
        [],
        ("", ""),
    ),
    (
        DAY_2,
        "11:30",
        "13:00",
        K.WORKSHOP,
        _topic_title(TOPICS_BG[5]),
        _topic_title(TOPICS_EN[5]),
        "workshop-b",
        "policy",
        40,
        [],
        ("", ""),
    ),
    (
        DAY_2,
        "13:00",
        "13:30",
        K.CLOSING,
        "Заключения и закриване",
        "Conclusions and closing",
        "plenary",
        None,
        None,
        [],
        ("", ""),
    ),
]


def _at(day: datetime.date, hhmm: str) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.fromisoformat(hhmm), tzinfo=TZ)


def _saved(model, lookup: dict, values: dict):
    """update_or_create that validates first, so the demo obeys the same rules as the admin."""
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def load_demo() -> Event:
    organisations = {
        key: _saved(
            Organisation,
            {"name_en": name_en},
            {
                "name_bg": name_bg,
                "acronym_bg": acr_bg,
                "acronym_en": acr_en,
                "kind": kind,
                "country": country,
            },
        )
        for key, (name_bg, name_en, acr_bg, acr_en, kind, country) in ORGANISATIONS.items()
    }
    venue = _saved(
        Venue,
        {"name_en": "Conference centre", "city_en": "Sofia"},
        {"name_bg": "Конферентен център", "city_bg": "София", "country": "BG"},
    )
    rooms = {
        key: _saved(
            Room, {"venue": venue, "name_en": name_en}, {"name_bg": name_bg, "capacity": seats}
        )
        for key, (name_bg, name_en, seats) in ROOMS.items()
    }
    event = _saved(
        Event,
        {"slug": SLUG},
        {
            "title_bg": "Годишна конференция на Европейската мрежа по миграция 2018",
            "title_en": "European Migration Network Annual Conference 2018",
            "theme_bg": "Пътища на миграцията: Предизвикателства и фактори за успех в "
            "управлението на миграционните потоци",
            "theme_en": "Crossroads of Migration: Challenges and success factors in managing "
            "migration flows",
            "description_bg": DESCRIPTION_BG,
            "description_en": DESCRIPTION_EN,
            "aims_bg": AIMS_BG,
            "aims_en": AIMS_EN,
            "topics_bg": "\n".join(TOPICS_BG),
            "topics_en": "\n".join(TOPICS_EN),
            "start_date": DAY_1,
            "end_date": DAY_2,
            "time_zone": "Europe/Sofia",
            "venue": venue,
            "status": PublicationStatus.PUBLISHED,
            "registration_opens": _at(datetime.date(2018, 3, 1), "09:00"),
            # Left open so that registration can be tried on the demo.
            "registration_closes": None,
            "capacity": 180,
            "requires_approval": False,
            "contact_email": "emn-conference@example.org",
            "reference_prefix": "EMN18",
        },
    )
    event.organisers.set([organisations["moi"], organisations["iom-bg"]])
    tracks = {
        key: _saved(
            Track,
            {"event": event, "name_en": name_en},
            {"name_bg": name_bg, "colour": colour, "order": order},
        )
        for order, (key, (name_bg, name_en, colour)) in enumerate(TRACKS.items())
    }
    speakers = {
        slug: _saved(
            Speaker,
            {"slug": slug},
            {
                "honorific_bg": hon_bg,
                "honorific_en": hon_en,
                "full_name_bg": name_bg,
                "full_name_en": name_en,
                "position_bg": pos_bg,
                "position_en": pos_en,
                "organisation": organisations[org],
            },
        )
        for slug, (hon_bg, hon_en, name_bg, name_en, pos_bg, pos_en, org) in SPEAKERS.items()
    }
    for day, start, end, kind, title_bg, title_en, room, track, capacity, people, (
        desc_bg,
        desc_en,
    ) in SESSIONS:
        session = _saved(
            Session,
            {"event": event, "start": _at(day, start), "title_en": title_en},
            {
                "title_bg": title_bg,
                "description_bg": desc_bg,
                "description_en": desc_en,
                "kind": kind,
                "end": _at(day, end),
                "room": rooms[room],
                "track": tracks[track] if track else None,
                "capacity": capacity,
            },
        )
        for order, (slug, role) in enumerate(people):
            _saved(
                SessionSpeaker,
                {"session": session, "speaker": speakers[slug]},
                {"role": role, "order": order},
            )
    _saved(
        Announcement,
        {"event": event, "slug": "emn-annual-conference-2018-opens"},
        {
            "title_bg": "Годишна конференция на Европейската мрежа по миграция",
            "title_en": "European Migration Network Annual Conference",
            "body_bg": ANNOUNCEMENT_BG,
            "body_en": ANNOUNCEMENT_EN,
            "published_at": _at(DAY_1, "13:00"),
            "status": PublicationStatus.PUBLISHED,
        },
    )
    _demo_registration_setup(event, organisations)
    return event


PRIVACY_NOTICE_BG = (
    "Организаторите обработват данните, които въвеждате при регистрация, "
    "само за да организира конференцията: достъп до сградата, баджове, кетъринг, превод и "
    "покани за виза. Данните не се предоставят на трети лица, освен на охраната на мястото "
    "на провеждане, и се изтриват шест месеца след конференцията. Можете да поискате достъп, "
    "поправка или изтриване на данните си на адреса за контакт на конференцията."
)
PRIVACY_NOTICE_EN = (
    "The organisers process the data you enter when registering only to "
    "organise the conference: access to the building, badges, catering, interpretation and "
    "visa invitation letters. The data are not passed on to anyone except the venue's "
    "security, and are deleted six months after the conference. You may ask to see, correct "
    "or delete your data at the conference's contact address."
)


LETTER_BG = (
    "Министерството на вътрешните работи, в качеството си на национална точка за контакт "
    "на България към Европейската мрежа по миграция, кани {name}, {position}, {organisation} "
    "({country}), да участва в {event}, която ще се проведе на {dates} в {venue}.\n\n"
    "Молим компетентните органи да съдействат за издаването на виза на поканения за срока "
    "на събитието. Номер на регистрацията: {reference}."
)
LETTER_EN = (
    "The Ministry of the Interior, as the Bulgarian National Contact Point of the European "
    "Migration Network, invites {name}, {position}, {organisation} ({country}), to take part "
    "in the {event}, to be held on {dates} at {venue}.\n\n"
    "We kindly ask the competent authorities to facilitate the issue of a visa to the invitee "
    "for the duration of the event. Registration reference: {reference}."
)


def _demo_registration_setup(event: Event, organisations: dict) -> None:
    """A privacy notice to accept and the delegations named in the announcement."""
    from registrations.models import Delegation, LetterTemplate, PrivacyNotice

    _saved(
        PrivacyNotice,
        {"version": "2018-03"},
        {
            "text_bg": PRIVACY_NOTICE_BG,
            "text_en": PRIVACY_NOTICE_EN,
            "effective_from": _at(datetime.date(2018, 3, 1), "00:00"),
        },
    )
    _saved(
        LetterTemplate,
        {"event": event},
        {
            "letterhead_bg": "Министерство на вътрешните работи\n"
            "Национална точка за контакт на България към Европейската мрежа по миграция",
            "letterhead_en": "Ministry of the Interior\n"
            "Bulgarian National Contact Point of the European Migration Network",
            "place_bg": "София",
            "place_en": "Sofia",
            "body_bg": LETTER_BG,
            "body_en": LETTER_EN,
            "signatory_name_bg": "Национална точка за контакт към ЕММ",
            "signatory_name_en": "EMN National Contact Point",
            "signatory_position_bg": "Министерство на вътрешните работи",
            "signatory_position_en": "Ministry of the Interior",
        },
    )
    # The IOM country offices whose colleagues the announcement welcomes; quotas are invented.
    for key in ("iom-at", "iom-hr", "iom-lt", "iom-sk"):
        organisation = organisations[key]
        delegation = Delegation.objects.filter(event=event, organisation=organisation).first()
        if delegation is None:
            delegation = Delegation(event=event, organisation=organisation)
        delegation.name_bg = organisation.name_bg
        delegation.name_en = organisation.name_en
        delegation.country = organisation.country
        delegation.quota = 3
        delegation.full_clean()
        delegation.save()


DEMO_ACCOUNTS = [
    # (email, password, superuser, group)
    ("admin@example.org", "emn-demo-admin", True, None),
    ("editor@example.org", "emn-demo-editor", False, "Agenda editors"),
    ("registrations@example.org", "emn-demo-registrations", False, "Registration managers"),
]


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, str]]:
    """Log-ins for trying the back office locally; their passwords are public."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    for email, password, superuser, group in DEMO_ACCOUNTS:
        user = user_model.objects.filter(email=email).first() or user_model(email=email)
        user.is_staff = True
        user.is_superuser = superuser
        user.set_password(password)
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        # Known addresses: allauth would otherwise ask them to verify before signing in.
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return [(email, password) for email, password, _superuser, _group in DEMO_ACCOUNTS]
