"""The words `demo.generator` draws from: countries, bodies, topics, names, positions and
rooms, each in Bulgarian and English (names also in the Latin spelling of their passport)."""

from events.models import Session

COUNTRIES = [
    # (ISO code, Bulgarian, English)
    ("AT", "Австрия", "Austria"),
    ("BE", "Белгия", "Belgium"),
    ("BG", "България", "Bulgaria"),
    ("HR", "Хърватия", "Croatia"),
    ("CY", "Кипър", "Cyprus"),
    ("CZ", "Чехия", "Czechia"),
    ("DK", "Дания", "Denmark"),
    ("EE", "Естония", "Estonia"),
    ("FI", "Финландия", "Finland"),
    ("FR", "Франция", "France"),
    ("DE", "Германия", "Germany"),
    ("GR", "Гърция", "Greece"),
    ("HU", "Унгария", "Hungary"),
    ("IE", "Ирландия", "Ireland"),
    ("IT", "Италия", "Italy"),
    ("LV", "Латвия", "Latvia"),
    ("LT", "Литва", "Lithuania"),
    ("LU", "Люксембург", "Luxembourg"),
    ("MT", "Малта", "Malta"),
    ("NL", "Нидерландия", "Netherlands"),
    ("PL", "Полша", "Poland"),
    ("PT", "Португалия", "Portugal"),
    ("RO", "Румъния", "Romania"),
    ("SK", "Словакия", "Slovakia"),
    ("SI", "Словения", "Slovenia"),
    ("ES", "Испания", "Spain"),
    ("SE", "Швеция", "Sweden"),
    ("NO", "Норвегия", "Norway"),
    ("CH", "Швейцария", "Switzerland"),
    ("RS", "Сърбия", "Serbia"),
    ("MK", "Северна Македония", "North Macedonia"),
    ("TR", "Турция", "Türkiye"),
    ("UA", "Украйна", "Ukraine"),
    ("MD", "Молдова", "Moldova"),
    ("GE", "Грузия", "Georgia"),
    ("AL", "Албания", "Albania"),
]
# Outside the Schengen area and the EU: their delegates more often ask for a visa letter.
VISA_COUNTRIES = {"RS", "MK", "TR", "UA", "MD", "GE", "AL"}

BODIES = [
    # (Bulgarian, English, kind) of a national body; delegations are "<body> – <country>".
    ("Министерство на вътрешните работи", "Ministry of the Interior", "government"),
    ("Гранична полиция", "Border Police", "government"),
    ("Агенция за бежанците", "Refugee Agency", "government"),
    ("Министерство на правосъдието", "Ministry of Justice", "government"),
    ("Национална точка за контакт на ЕММ", "EMN National Contact Point", "government"),
    ("Служба по миграция", "Migration Service", "government"),
    ("Министерство на външните работи", "Ministry of Foreign Affairs", "government"),
    ("Институт за миграционни изследвания", "Institute for Migration Studies", "academia"),
    ("Съвет за бежанците и мигрантите", "Council for Refugees and Migrants", "civil_society"),
    ("Бюро на МОМ", "IOM Office", "international"),
]

INTERNATIONAL = [
    # (Bulgarian, English, acronym bg, acronym en, kind)
    (
        "Международна организация по миграция",
        "International Organization for Migration",
        "МОМ",
        "IOM",
        "international",
    ),
    ("Агенция на ООН за бежанците", "UN Refugee Agency", "ВКБООН", "UNHCR", "international"),
    (
        "Агенция за европейска гранична и брегова охрана",
        "European Border and Coast Guard Agency",
        "Фронтекс",
        "Frontex",
        "eu_institution",
    ),
    (
        "Агенция на Европейския съюз в областта на убежището",
        "European Union Agency for Asylum",
        "АЕСУ",
        "EUAA",
        "eu_institution",
    ),
    ("Европейска комисия", "European Commission", "ЕК", "EC", "eu_institution"),
    (
        "Международен център за развитие на миграционната политика",
        "International Centre for Migration Policy Development",
        "МЦРМП",
        "ICMPD",
        "international",
    ),
]

TOPICS = [
    ("управление на границите", "border management"),
    ("интелигентни граници", "smart borders"),
    ("идентифициране на границата", "identification at the border"),
    ("нередовна миграция", "irregular migration"),
    ("вторични движения", "secondary movements"),
    ("обмен на информация", "information exchange"),
    ("междуведомствено сътрудничество", "interagency cooperation"),
    ("процедури за международна закрила", "international protection procedures"),
    ("интеграция на бежанците", "refugee integration"),
    ("трудова миграция", "labour migration"),
    ("връщане и реинтеграция", "return and reintegration"),
    ("непридружени деца", "unaccompanied children"),
    ("трафик на хора", "trafficking in human beings"),
    ("законни пътища за миграция", "legal pathways"),
    ("презаселване", "resettlement"),
    ("визова политика", "visa policy"),
    ("данни и статистика за миграцията", "migration data and statistics"),
    ("климат и миграция", "climate and migration"),
    ("диаспора и развитие", "diaspora and development"),
    ("сигурност на външните граници", "external border security"),
    ("прием на търсещи закрила", "reception of asylum seekers"),
    ("семейно събиране", "family reunification"),
    ("образование на деца мигранти", "education of migrant children"),
    ("цифрови инструменти в управлението на миграцията", "digital tools in migration management"),
]

TITLES = {
    # kind: [(Bulgarian, English)], with {t}/{T}: the topic, {c}: a country
    Session.Kind.PANEL: [
        ("Панел: {T}", "Panel: {T}"),
        ("Кръгла маса: {T}", "Round table: {T}"),
        ("Дискусия: {t} в Европа", "Debate: {t} in Europe"),
    ],
    Session.Kind.PRESENTATION: [
        ("{T}: опитът на {c}", "{T}: the experience of {c}"),
        ("Нови данни за {t}", "New evidence on {t}"),
    ],
    Session.Kind.WORKSHOP: [
        ("Работилница: {t} на практика", "Workshop: {t} in practice"),
        ("Практически семинар: {t}", "Hands-on seminar: {t}"),
    ],
    Session.Kind.KEYNOTE: [("Основен доклад: бъдещето на {t}", "Keynote: the future of {t}")],
    Session.Kind.OPENING: [("Откриване на конференцията", "Opening of the conference")],
    Session.Kind.CLOSING: [("Заключителна сесия и изводи", "Closing session and conclusions")],
    Session.Kind.REGISTRATION: [("Регистрация на участниците", "Registration of participants")],
    Session.Kind.BREAK: [("Кафе пауза", "Coffee break")],
    Session.Kind.MEAL: [("Обяд", "Lunch")],
}

SENTENCES = [
    (
        "Сесията разглежда темата „{t}“ от гледна точка на националните администрации и "
        "международните организации.",
        "The session looks at {t} from the point of view of national administrations and "
        "international organisations.",
    ),
    (
        "Участниците ще обсъдят добри практики, предизвикателства и конкретни препоръки.",
        "Participants will discuss good practices, challenges and concrete recommendations.",
    ),
    (
        "Представят се резултати от проекти, финансирани от ЕС, и данни от {c}.",
        "Results of EU-funded projects and data from {c} are presented.",
    ),
    (
        "Модераторът ще даде думата и на публиката за въпроси.",
        "The moderator will also give the floor to the audience for questions.",
    ),
    (
        "Обсъждат се и връзките между „{t}“ и „{t2}“.",
        "The links between {t} and {t2} are discussed as well.",
    ),
]

# Bulgarian names in Cyrillic with their Latin spelling (as in the passport).
BG_GIVEN_MALE = [
    ("Георги", "Georgi"),
    ("Иван", "Ivan"),
    ("Димитър", "Dimitar"),
    ("Николай", "Nikolay"),
    ("Петър", "Petar"),
    ("Христо", "Hristo"),
    ("Стефан", "Stefan"),
    ("Александър", "Aleksandar"),
    ("Васил", "Vasil"),
    ("Тодор", "Todor"),
    ("Радослав", "Radoslav"),
    ("Кирил", "Kiril"),
]
BG_GIVEN_FEMALE = [
    ("Мария", "Maria"),
    ("Елена", "Elena"),
    ("Иванка", "Ivanka"),
    ("Десислава", "Desislava"),
    ("Гергана", "Gergana"),
    ("Милена", "Milena"),
    ("Петя", "Petya"),
    ("Радостина", "Radostina"),
    ("Цветелина", "Tsvetelina"),
    ("Анна", "Anna"),
    ("Виктория", "Viktoria"),
    ("Теодора", "Teodora"),
]
BG_FAMILY = [
    # (male, female, Latin male, Latin female)
    ("Иванов", "Иванова", "Ivanov", "Ivanova"),
    ("Петров", "Петрова", "Petrov", "Petrova"),
    ("Георгиев", "Георгиева", "Georgiev", "Georgieva"),
    ("Димитров", "Димитрова", "Dimitrov", "Dimitrova"),
    ("Николов", "Николова", "Nikolov", "Nikolova"),
    ("Стоянов", "Стоянова", "Stoyanov", "Stoyanova"),
    ("Христов", "Христова", "Hristov", "Hristova"),
    ("Тодоров", "Тодорова", "Todorov", "Todorova"),
    ("Илиев", "Илиева", "Iliev", "Ilieva"),
    ("Ангелов", "Ангелова", "Angelov", "Angelova"),
    ("Колев", "Колева", "Kolev", "Koleva"),
    ("Стаменков", "Стаменкова", "Stamenkov", "Stamenkova"),
]
# Other Europeans' names as they are written in Bulgarian and in their own (Latin) script.
FOREIGN_GIVEN = [
    ("Анна", "Anna", "f"),
    ("Лукас", "Lukas", "m"),
    ("Софи", "Sophie", "f"),
    ("Марко", "Marco", "m"),
    ("Елиза", "Elisa", "f"),
    ("Томас", "Thomas", "m"),
    ("Ана", "Ana", "f"),
    ("Йоханес", "Johannes", "m"),
    ("Клер", "Claire", "f"),
    ("Пьотр", "Piotr", "m"),
    ("Инеш", "Inês", "f"),
    ("Ларс", "Lars", "m"),
    ("Катарина", "Katarina", "f"),
    ("Матео", "Mateo", "m"),
    ("Агнешка", "Agnieszka", "f"),
    ("Юха", "Juha", "m"),
]
FOREIGN_FAMILY = [
    ("Хубер", "Huber"),
    ("Мюлер", "Müller"),
    ("Роси", "Rossi"),
    ("Дюбоа", "Dubois"),
    ("Новак", "Novák"),
    ("Ковалски", "Kowalski"),
    ("Силва", "Silva"),
    ("Йохансон", "Johansson"),
    ("Мърфи", "Murphy"),
    ("Пападопулос", "Papadopoulos"),
    ("Янсен", "Jansen"),
    ("Ковач", "Kovač"),
    ("Гарсия", "García"),
    ("Виртанен", "Virtanen"),
    ("Пап", "Papp"),
    ("Казлаускас", "Kazlauskas"),
]
HONORIFICS = {
    # gender: [(Bulgarian, English)]
    "m": [("г-н", "Mr."), ("д-р", "Dr."), ("проф.", "Prof."), ("посланик", "Ambassador")],
    "f": [("г-жа", "Ms."), ("д-р", "Dr."), ("проф.", "Prof."), ("посланик", "Ambassador")],
}
POSITIONS = [
    ("Директор на дирекция „Миграция“", "Director of Migration"),
    ("Началник на отдел", "Head of Unit"),
    ("Старши експерт", "Senior Expert"),
    ("Съветник по миграционна политика", "Migration Policy Adviser"),
    ("Ръководител на програма", "Programme Manager"),
    ("Главен инспектор", "Chief Inspector"),
    ("Изследовател", "Researcher"),
    ("Юрисконсулт", "Legal Officer"),
    ("Заместник-министър", "Deputy Minister"),
    ("Координатор на проекти", "Project Coordinator"),
    ("Анализатор", "Analyst"),
]
DIETS = [
    ("вегетарианска храна", "vegetarian"),
    ("веганска храна", "vegan"),
    ("без глутен", "gluten-free"),
    ("халал", "halal"),
    ("без лактоза", "lactose-free"),
    ("алергия към ядки", "nut allergy"),
]
ACCESS_NEEDS = [
    ("достъп с инвалидна количка", "wheelchair access"),
    ("индукционна линия за слухови апарати", "hearing loop"),
    ("материали с едър шрифт", "large-print materials"),
]
ROOMS = [
    ("Зала „Витоша“", "Vitosha Hall"),
    ("Зала „Рила“", "Rila Hall"),
    ("Зала „Пирин“", "Pirin Hall"),
    ("Зала „Родопи“", "Rhodope Hall"),
    ("Зала „Стара планина“", "Balkan Hall"),
    ("Зала „Дунав“", "Danube Hall"),
    ("Зала „Искър“", "Iskar Hall"),
    ("Зала „Марица“", "Maritsa Hall"),
    ("Зала „Струма“", "Struma Hall"),
    ("Зала „Янтра“", "Yantra Hall"),
]
TRACKS = [
    ("Граници и сигурност", "Borders and security", "#1D4F91"),
    ("Закрила и убежище", "Protection and asylum", "#2E6B30"),
    ("Интеграция", "Integration", "#A4001C"),
    ("Законна миграция", "Legal migration", "#B35C00"),
    ("Връщане", "Return", "#5B2C83"),
    ("Данни и изследвания", "Data and research", "#00707A"),
    ("Сътрудничество с трети страни", "Cooperation with third countries", "#6B5B00"),
    ("Деца и уязвими групи", "Children and vulnerable groups", "#8A1F5A"),
]
TRACK_COLOURS = [colour for _bg, _en, colour in TRACKS]

# A day: talks of 45 minutes, with the social sessions between them (in the foyer).
TALK_SLOTS = [
    ("09:00", "09:45"),
    ("09:45", "10:30"),
    ("11:00", "11:45"),
    ("11:45", "12:30"),
    ("13:30", "14:15"),
    ("14:15", "15:00"),
    ("15:30", "16:15"),
    ("16:15", "17:00"),
]
SOCIAL_SLOTS = [
    ("08:15", "09:00", Session.Kind.REGISTRATION),
    ("10:30", "11:00", Session.Kind.BREAK),
    ("12:30", "13:30", Session.Kind.MEAL),
    ("15:00", "15:30", Session.Kind.BREAK),
]
