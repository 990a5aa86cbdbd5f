"""What the demo says: the 2018 EMN annual conference "Crossroads of Migration" (Sofia).

Everything said about the event (title, theme, organisers, people, aims, topics, the news
item) is taken word for word from IOM Bulgaria's announcement, in both of its languages
(a copy is in tests/fixtures/emn-2018-annual-conference.txt). The announcement gives no
dates: the demo holds the two days on 14–15 May 2018. Times, rooms, tracks, the venue's
name, the delegations' quotas, the privacy notice, the visa letter's wording, the
registration window and the note that marks the demonstration copy are invented for the demo.

Only data here; `demo.builder` turns it into rows.
"""

import datetime

from events.models import Organisation, Session, SessionSpeaker

TIME_ZONE = "Europe/Sofia"
# The real conference: two days, as the programme below (day 0 and day 1).
FIRST_DAY_2018 = datetime.date(2018, 5, 14)
DAYS = 2

TITLE_BG = "Годишна конференция на Европейската мрежа по миграция 2018"
TITLE_EN = "European Migration Network Annual Conference 2018"
THEME_BG = (
    "Пътища на миграцията: Предизвикателства и фактори за успех в управлението на "
    "миграционните потоци"
)
THEME_EN = "Crossroads of Migration: Challenges and success factors in managing migration flows"

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

# The upcoming copy says what it is wherever its title or description is shown.
DEMO_TITLE_BG = "Демонстрация: Годишна конференция на Европейската мрежа по миграция"
DEMO_TITLE_EN = "Demonstration: European Migration Network Annual Conference"
DEMO_NOTE_BG = (
    "Това е демонстрация: копие на програмата на конференцията от 2018 г., поставено на "
    "измислени дати няколко седмици напред, за да можете да изпробвате регистрацията, "
    "списъка на чакащите и делегациите. Събитието няма да се проведе, а регистрациите за "
    "него не са действителни."
)
DEMO_NOTE_EN = (
    "This is a demonstration: a copy of the programme of the 2018 conference, placed on "
    "invented dates a few weeks ahead so that registration, the waiting list and delegations "
    "can be tried. The event will not take place, and registrations for it are not real."
)

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


# (day of the event from 0, start, end, kind, title bg, title en, room, track, capacity,
#  [(speaker, role)], (description bg, description en))
SESSIONS = [
    (
        0,
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
        0,
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
        0,
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
        0,
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
        0,
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
    (0, "13:00", "14:30", K.MEAL, "Обяд", "Lunch", "foyer", None, None, [], ("", "")),
    (
        0,
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
        0,
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
        0,
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
        1,
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
        1,
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
        1,
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
        1,
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

LETTER_COSTS_BG = (
    "Пътните разходи и настаняването се поемат от участника или от изпращащата го "
    "организация. Организаторите осигуряват храненето по време на конференцията."
)
LETTER_COSTS_EN = (
    "Travel and accommodation are paid by the participant or the organisation sending them. "
    "The organisers provide meals during the conference."
)


DEMO_ACCOUNTS = [
    # (email, password, superuser, group)
    ("admin@example.org", "emn-demo-admin", True, None),
    ("editor@example.org", "emn-demo-editor", False, "Agenda editors"),
    ("registrations@example.org", "emn-demo-registrations", False, "Registration managers"),
    ("checkin@example.org", "emn-demo-checkin", False, "Check-in staff"),
]
