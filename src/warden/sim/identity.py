"""People: countries, names from many cultures (native script and transliteration), contact details, documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from anyascii import anyascii

from warden.sim.mrz import td1, td3


@dataclass(frozen=True, slots=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    mrz_code: str  # ICAO 9303 issuing-state code (alpha-3, "D" for Germany)
    utc_offset: int  # hours, standard time; the simulator ignores daylight saving
    culture: str
    dial: str  # E.164 country calling code
    national_digits: int
    currency: str
    weight: float  # share of the customer base
    cities: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("US", "USA", -5, "en", "1", 10, "USD", 0.12, ("New York", "Austin", "Chicago", "Miami")),
    Country("GB", "GBR", 0, "en", "44", 10, "GBP", 0.07, ("London", "Manchester", "Leeds")),
    Country("DE", "D", 1, "de", "49", 11, "EUR", 0.07, ("Berlin", "München", "Köln")),
    Country("FR", "FRA", 1, "fr", "33", 9, "EUR", 0.05, ("Paris", "Lyon", "Marseille")),
    Country("ES", "ESP", 1, "es", "34", 9, "EUR", 0.04, ("Madrid", "Barcelona", "Sevilla")),
    Country("MX", "MEX", -6, "es", "52", 10, "USD", 0.03, ("Ciudad de México", "Guadalajara")),
    Country("AR", "ARG", -3, "es", "54", 10, "USD", 0.03, ("Buenos Aires", "Córdoba")),
    Country("BR", "BRA", -3, "pt", "55", 11, "USD", 0.06, ("São Paulo", "Rio de Janeiro", "Recife")),
    Country("PL", "POL", 1, "pl", "48", 9, "EUR", 0.03, ("Warszawa", "Kraków", "Łódź")),
    Country("UA", "UKR", 2, "uk", "380", 9, "EUR", 0.03, ("Kyiv", "Lviv", "Odesa")),
    Country("TR", "TUR", 3, "tr", "90", 10, "USD", 0.05, ("İstanbul", "Ankara", "İzmir")),
    Country("AE", "ARE", 4, "ar", "971", 9, "USD", 0.03, ("Dubai", "Abu Dhabi")),
    Country("EG", "EGY", 2, "ar", "20", 10, "USD", 0.02, ("Cairo", "Alexandria")),
    Country("NG", "NGA", 1, "ng", "234", 10, "USD", 0.05, ("Lagos", "Abuja", "Ibadan")),
    Country("IN", "IND", 5, "hi", "91", 10, "USD", 0.07, ("Mumbai", "Bengaluru", "Delhi")),
    Country("CN", "CHN", 8, "zh", "86", 11, "USD", 0.03, ("Shanghai", "Shenzhen", "Chengdu")),
    Country("SG", "SGP", 8, "zh", "65", 8, "USD", 0.02, ("Singapore",)),
    Country("JP", "JPN", 9, "ja", "81", 10, "USD", 0.03, ("Tokyo", "Osaka", "Fukuoka")),
    Country("KR", "KOR", 9, "ko", "82", 10, "USD", 0.04, ("Seoul", "Busan", "Incheon")),
    Country("VN", "VNM", 7, "vi", "84", 9, "USD", 0.04, ("Hà Nội", "Hồ Chí Minh", "Đà Nẵng")),
    Country("ID", "IDN", 7, "id", "62", 10, "USD", 0.04, ("Jakarta", "Surabaya", "Bandung")),
    Country("PH", "PHL", 8, "ph", "63", 10, "USD", 0.04, ("Manila", "Cebu", "Davao")),
    Country("TH", "THA", 7, "th", "66", 9, "USD", 0.02, ("Bangkok", "Chiang Mai")),
)  # fmt: skip
COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}
COUNTRY_WEIGHTS = np.array([c.weight for c in COUNTRIES]) / sum(c.weight for c in COUNTRIES)

# (given names, surnames, share of submissions written in the native script, family-name-first in native script)
# Each name is "Latin" or "Latin|native".
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], float, bool]] = {
    "en": (("James", "Olivia", "Michael", "Emma", "Daniel", "Aisha", "Liam", "Sophie", "Ethan", "Grace"),
           ("Smith", "Johnson", "Williams", "Brown", "O'Connor", "Taylor", "Patel", "Nguyen", "Walker", "Hughes"), 0.0, False),
    "de": (("Lukas", "Anna", "Jürgen", "Lena", "Maximilian", "Sophie", "Jonas", "Marie"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weiß", "Becker", "Schäfer", "Hoffmann"), 0.0, False),
    "fr": (("Léa", "Hugo", "Chloé", "Théo", "Camille", "Louis", "Inès", "François"),
           ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Mercier", "Roussel"), 0.0, False),
    "es": (("José", "María", "Alejandro", "Lucía", "Javier", "Sofía", "Diego", "Valentina"),
           ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Núñez"), 0.0, False),
    "pt": (("João", "Ana", "Lucas", "Beatriz", "Gabriel", "Júlia", "Rafael", "Larissa"),
           ("Silva", "Santos", "Oliveira", "Souza", "Conceição", "Araújo", "Gonçalves", "Lima"), 0.0, False),
    "pl": (("Łukasz", "Agnieszka", "Paweł", "Małgorzata", "Krzysztof", "Zofia", "Wojciech", "Katarzyna"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Dąbrowski"), 0.0, False),
    "uk": (("Oleksandr|Олександр", "Olena|Олена", "Andrii|Андрій", "Iryna|Ірина", "Serhii|Сергій", "Nataliia|Наталія"),
           ("Shevchenko|Шевченко", "Kovalenko|Коваленко", "Bondarenko|Бондаренко", "Tkachenko|Ткаченко", "Kravchenko|Кравченко"), 0.4, False),
    "tr": (("Mehmet", "Ayşe", "Mustafa", "Fatma", "Emre", "Zeynep", "Çağrı", "Elif"),
           ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Öztürk", "Aydın"), 0.0, False),
    "ar": (("Mohammed|محمد", "Fatima|فاطمة", "Ahmed|أحمد", "Mariam|مريم", "Omar|عمر", "Layla|ليلى", "Youssef|يوسف"),
           ("Al-Mansouri|المنصوري", "Hassan|حسن", "Abdullah|عبدالله", "El-Sayed|السيد", "Haddad|حداد", "Khalil|خليل"), 0.35, False),
    "ng": (("Chinedu", "Ngozi", "Oluwaseun", "Funmilayo", "Emeka", "Adaeze", "Tunde", "Amaka"),
           ("Okafor", "Adeyemi", "Okonkwo", "Balogun", "Eze", "Ogunleye", "Nwosu", "Adebayo"), 0.0, False),
    "hi": (("Aarav|आरव", "Priya|प्रिया", "Rohan|रोहन", "Ananya|अनन्या", "Vikram|विक्रम", "Sneha|स्नेहा"),
           ("Sharma|शर्मा", "Verma|वर्मा", "Gupta|गुप्ता", "Iyer|अय्यर", "Reddy|रेड्डी", "Singh|सिंह"), 0.2, False),
    "zh": (("Wei|伟", "Fang|芳", "Jing|静", "Hao|浩", "Xiuying|秀英", "Lei|磊", "Yan|燕"),
           ("Wang|王", "Li|李", "Zhang|张", "Liu|刘", "Chen|陈", "Huang|黄", "Zhou|周"), 0.4, True),
    "ja": (("Haruto|陽翔", "Yui|結衣", "Sota|蒼太", "Aoi|葵", "Ren|蓮", "Sakura|さくら"),
           ("Sato|佐藤", "Suzuki|鈴木", "Takahashi|高橋", "Tanaka|田中", "Watanabe|渡辺", "Ito|伊藤"), 0.4, True),
    "ko": (("Minjun|민준", "Seoyeon|서연", "Jihoon|지훈", "Jiwoo|지우", "Hyunwoo|현우", "Soyeon|소연"),
           ("Kim|김", "Lee|이", "Park|박", "Choi|최", "Jung|정", "Kang|강"), 0.4, True),
    "vi": (("Minh", "Lan", "Tuấn", "Hương", "Đức", "Thảo", "Quang", "Ngọc"),
           ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"), 0.0, False),
    "id": (("Budi", "Siti", "Agus", "Dewi", "Rizky", "Putri", "Wahyu", "Indah"),
           ("Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Lestari"), 0.0, False),
    "ph": (("Jose", "Maricel", "Mark", "Kristine", "Jericho", "Angelica", "Paolo", "Rowena"),
           ("Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Mendoza", "Villanueva", "Ramos"), 0.0, False),
    "th": (("Somchai|สมชาย", "Siriporn|ศิริพร", "Anan|อนันต์", "Kanya|กันยา", "Niran|นิรันดร์"),
           ("Saetang|แซ่ตั้ง", "Srisuk|ศรีสุข", "Wongsa|วงศ์ษา", "Chaiyaporn|ชัยพร"), 0.3, False),
}  # fmt: skip
EMAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "hotmail.com", "mail.ru", "qq.com")
STREETS = ("Main St", "Station Rd", "Park Ave", "Market St", "Church Ln", "High St", "Garden Rd", "Harbour Rd")


@dataclass(frozen=True, slots=True)
class Person:
    given: str  # Latin transliteration
    surname: str
    full_name: str  # as written on the submission (native script for some)
    sex: str  # "M"/"F"/"<" for the MRZ
    date_of_birth: date
    country: Country


def pick(rng: np.random.Generator, items: Sequence[str]) -> str:
    return items[int(rng.integers(len(items)))]


def make_person(rng: np.random.Generator, country: Country, surname: str | None = None) -> Person:
    givens, surnames, native_share, family_first = NAMES[country.culture]
    given_raw = pick(rng, givens)
    surname_raw = surname or pick(rng, surnames)
    given, _, given_native = given_raw.partition("|")
    family, _, family_native = surname_raw.partition("|")
    if given_native and family_native and rng.random() < native_share:
        full = f"{family_native}{given_native}" if family_first else f"{given_native} {family_native}"
    else:
        full = f"{given} {family}"
    age_days = int(rng.integers(22 * 365, 78 * 365))  # adults even when onboarded years before the window
    dob = date(2026, 1, 1) - timedelta(days=age_days)
    sex = "<" if rng.random() < 0.02 else ("F" if rng.random() < 0.45 else "M")
    return Person(given, surname_raw, full, sex, dob, country)


def latin_surname(person: Person) -> str:
    return person.surname.partition("|")[0]


def email_for(rng: np.random.Generator, person: Person) -> str:
    local = anyascii(f"{person.given}.{latin_surname(person)}").lower().replace(" ", "").replace("'", "")
    style = rng.random()
    if style < 0.4:
        local = f"{local}{int(rng.integers(1, 99))}"
    elif style < 0.6:
        local = local.replace(".", "_")
    elif style < 0.75:
        local = f"{local[0]}{local.partition('.')[2]}{person.date_of_birth.year % 100:02d}"
    return f"{local}@{pick(rng, EMAIL_DOMAINS)}"


def phone_for(rng: np.random.Generator, country: Country) -> str:
    first = str(int(rng.integers(2, 10)))
    rest = "".join(str(int(d)) for d in rng.integers(0, 10, size=country.national_digits - 1))
    return f"+{country.dial}{first}{rest}"


def postal_address(rng: np.random.Generator, country: Country) -> str:
    return f"{int(rng.integers(1, 300))} {pick(rng, STREETS)}, {pick(rng, country.cities)}, {country.code}"


def document_number(rng: np.random.Generator, document_type: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    if document_type == "passport":
        return pick(rng, letters) + pick(rng, letters) + "".join(str(int(d)) for d in rng.integers(0, 10, 7))
    if document_type == "id_card":
        return pick(rng, letters) + "".join(str(int(d)) for d in rng.integers(0, 10, 8))
    return "".join(str(int(d)) for d in rng.integers(0, 10, 12))


def mrz_for(person: Person, document_type: str, number: str, expiry: date) -> str | None:
    """The machine-readable zone: TD3 for passports, TD1 for identity cards, none for driving licences."""
    code = person.country.mrz_code
    surname, given = latin_surname(person), person.given
    if document_type == "passport":
        return td3(code, surname, given, number, code, person.date_of_birth, person.sex, expiry)
    if document_type == "id_card":
        return td1(code, surname, given, number, code, person.date_of_birth, person.sex, expiry)
    return None
