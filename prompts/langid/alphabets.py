"""Letter inventories used by the language detector.

Each script group lists, per language, the letters that language writes.
Letters every language of a group shares (plain a-z for Latin) carry no
information and are ignored; a rarer letter counts for the languages that use
it and against those that never do.
"""

from __future__ import annotations

_VIETNAMESE = (
    "àáâãèéêìíòóôõùúýăđĩũơư"
    "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"
)

# Non-ASCII letters of Latin-script languages (lower case).
LATIN: dict[str, str] = {
    "en": "",
    "de": "äöüß",
    "nl": "éëïèó",
    "af": "êëîïôûéèáó",
    "da": "æøåé",
    "no": "æøåéèóôò",
    "sv": "åäöé",
    "is": "áéíóúýðþæö",
    "fr": "àâæçéèêëîïôœùûüÿ",
    "es": "áéíóúüñ",
    "pt": "àáâãçéêíóôõú",
    "ca": "àçéèíïòóúü",
    "gl": "áéíóúñü",
    "it": "àèéìíîòóùú",
    "ro": "ăâîșțşţ",
    "oc": "àáçèéíïòóúü",
    "ast": "áéíóúñüḥḷ",
    "sq": "çë",
    "id": "",
    "ms": "",
    "mg": "ôàèìñ",
    "tl": "ñ",
    "vi": _VIETNAMESE,
    "tr": "çğıöşüâîû",
    "az": "çəğıöşü",
    "uz": "ʻ",
    "pl": "ąćęłńóśźż",
    "cs": "áčďéěíňóřšťúůýž",
    "sk": "áäčďéíĺľňóôŕšťúýž",
    "sl": "čšžćđ",
    "hr": "čćđšž",
    "bs": "čćđšž",
    "sr": "čćđšž",
    "hu": "áéíóöőúüű",
    "fi": "äöåšž",
    "et": "äöõüšž",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "mt": "àċèġħìòùż",
    "cy": "âêîôûŵŷ",
    "ga": "áéíóú",
    "lb": "äéëè",
    "sw": "",
    "so": "",
    "ha": "ɓɗƙƴ",
    "yo": "ẹọṣàáèéìíòóùúńḿ",
    "ig": "ịọụṅ",
    "mi": "āēīōū",
    "wo": "àéëóñŋ",
    "ff": "ɓɗŋƴñ",
    "ln": "ɛɔéèáó",
    "nso": "šêô",
}

# Full Cyrillic alphabets (lower case).
CYRILLIC: dict[str, str] = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюяѝ",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш",
    "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ky": "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя",
    "tg": "абвгғдеёжзиӣйкқлмнопрстуӯфхҳчҷшъэюя",
    "mn": "абвгдеёжзийклмноөпрстуүфхцчшщъыьэюя",
}

_ARABIC_BASE = "ابتثجحخدذرزسشصضطظعغفقلمنوهآأإؤئء"
# Arabic-script alphabets: the shared base plus each language's own letters.
ARABIC: dict[str, str] = {
    "ar": _ARABIC_BASE + "كيىة",
    "fa": _ARABIC_BASE + "پچژگکی",
    "ur": _ARABIC_BASE + "پچژگکیٹڈڑںےھہۓۃ",
    "ps": _ARABIC_BASE + "پچژګکیټډړږښځڅڼېۍگ",
    "sd": _ARABIC_BASE + "پچگکيڄڃٻڀٺٿڦڻڏڍڌڊڳڱھ",
    "ckb": _ARABIC_BASE + "پچژگکیڕڵۆێەڤ",
}

# Devanagari: only the retroflex lateral ळ (Marathi) is worth counting.
DEVANAGARI: dict[str, str] = {"hi": "", "mr": "ळ", "ne": ""}

# Bengali script: Assamese has its own r and w.
BENGALI: dict[str, str] = {"bn": "", "as": "ৰৱ"}

# Script name -> (letter inventories, letters ignored as uninformative).
GROUPS: dict[str, tuple[dict[str, str], frozenset[str]]] = {
    "Latin": (LATIN, frozenset("abcdefghijklmnopqrstuvwxyz")),
    "Cyrillic": (CYRILLIC, frozenset(set.intersection(*(set(a) for a in CYRILLIC.values())))),
    "Arabic": (ARABIC, frozenset(_ARABIC_BASE)),
    "Devanagari": (DEVANAGARI, frozenset()),
    "Bengali": (BENGALI, frozenset()),
}

# Languages that langdetect has no profile for borrow a share of a related
# language's probability: (sources, factor).
BORROWED_PROFILES: dict[str, tuple[tuple[str, ...], float]] = {
    "ms": (("id",), 0.95),
    "az": (("tr",), 0.9),
    "bs": (("hr",), 0.95),
    "sr": (("hr", "mk", "bg"), 0.85),
    "gl": (("pt", "es"), 0.8),
    "ast": (("es",), 0.6),
    "oc": (("ca", "fr"), 0.6),
    "lb": (("de",), 0.5),
    "be": (("uk", "ru"), 0.6),
    "kk": (("ru",), 0.5),
    "ky": (("ru",), 0.5),
    "tg": (("ru",), 0.4),
    "mn": (("ru", "bg"), 0.4),
    "ps": (("fa", "ar", "ur"), 0.5),
    "sd": (("ar", "ur"), 0.5),
    "ckb": (("fa", "ar"), 0.5),
    "as": (("bn",), 0.5),
}

# Spelling patterns typical of one language: (language, regex on lower-cased
# text, weight per match, most matches counted).
SPELLING_MARKERS: tuple[tuple[str, str, float, int], ...] = (
    # Latin script
    ("en", r"\bth|th\b", 0.7, 3),
    ("en", r"\w{2,}ing\b|\w{3,}ly\b", 0.7, 2),
    ("nl", r"ij", 1.0, 2),
    ("nl", r"\w{2,}en\b", 0.4, 3),                     # Dutch and German -en, rare in Afrikaans
    ("de", r"\w{2,}en\b", 0.4, 3),
    ("no", r"\b(?:kj|skj|gj)", 1.0, 2),                 # kjører, gjerne
    ("fi", r"y", 0.7, 3),                                # Estonian hardly writes y
    ("fi", r"\w(?:ssa|ssä|sta|stä|lla|llä|lta|ltä|nen|ksi)\b", 0.7, 3),
    ("pt", r"ção|ções|ão\b|ões\b|nh", 1.0, 2),
    ("es", r"[¿¡]", 2.0, 1),
    ("gl", r"[¿¡]", 1.0, 1),
    ("uz", r"[og][ʻ'‘’`](?=\w)", 2.0, 2),                # oʻ gʻ
    ("uz", r"\w(?:ning|dagi|moq|yapti|ishga|aydi)\b", 1.0, 2),
    ("uz", r"q(?!u)", 0.5, 2),
    ("az", r"q(?!u)", 0.5, 2),
    # Cyrillic script
    ("ru", r"\w(?:ать|ять|ить|еть|ыть|уть|ться|тся)\b", 1.0, 3),   # infinitives, reflexives
    ("ru", r"\w(?:ого|ому|его|ему|ых|ие|ые|ий|ый|ой)\b", 0.7, 3),  # adjective endings
    ("uk", r"\w(?:ого|ому|ий|ться|ати|ити)\b", 0.7, 3),
    ("bg", r"\w{2,}(?:ът|ят)\b", 1.0, 2),               # definite articles
    ("ky", r"аа|ээ|уу|үү|өө|ыы", 1.5, 3),               # long vowels: Kyrgyz, Mongolian
    ("mn", r"аа|ээ|уу|үү|өө|ыы", 1.5, 3),
    # Devanagari script
    ("hi", r"(?:गा|गी|गे|है|हैं)(?=[\s।?!.,]|$)", 1.5, 2),   # future, copula
    ("mr", r"(?:ेल|ईल|ते|तो|आहे)(?=[\s।?!.,]|$)", 1.5, 2),   # future, present
    ("mr", r"ळ|\S(?:ला|ची|चा|चे|च्या)(?=[\s।?!.,]|$)", 1.0, 2),
    ("ne", r"छ(?:न्|ु|ौ|िन्|स्)?(?=[\s।?!.,]|$)", 2.0, 2),  # verb endings
)

# Letters a language writes often (its share of all letters): a longer text
# without any of them counts against that language.
SIGNATURES: dict[str, dict[str, tuple[str, float]]] = {
    "Cyrillic": {
        "ru": ("ыэё", 0.02), "bg": ("ъ", 0.02), "uk": ("іїєґ", 0.06), "be": ("іўыэё", 0.09),
        "kk": ("әғқұһі", 0.12), "ky": ("ңөү", 0.06), "mn": ("өү", 0.06), "tg": ("ғӣқӯҳҷ", 0.06),
        "sr": ("ђјљњћџ", 0.035), "mk": ("ѓјќѕљњџ", 0.035),
    },
    "Latin": {
        "cs": ("áčďéěíňóřšťúůýž", 0.09), "sk": ("áäčďéíĺľňóôŕšťúýž", 0.08), "pl": ("ąćęłńóśźż", 0.07),
        "hu": ("áéíóöőúüű", 0.09), "lt": ("ąčęėįšųūž", 0.07), "lv": ("āčēģīķļņšūž", 0.08),
        "is": ("áðéíóúýþæö", 0.1), "vi": (_VIETNAMESE, 0.25), "ro": ("ăâîșțşţ", 0.05),
        "tr": ("çğıöşü", 0.08), "az": ("əxq", 0.12), "et": ("äöõü", 0.05), "fi": ("äö", 0.04),
        "sv": ("åäö", 0.04), "da": ("æøå", 0.02), "no": ("æøå", 0.02), "fr": ("àâçéèêëîïôùûœ", 0.04),
        "pt": ("àáâãçéêíóôõú", 0.03), "hr": ("čćđšž", 0.035), "bs": ("čćđšž", 0.035),
        "sr": ("čćđšž", 0.035), "sl": ("čšž", 0.03),
    },
    "Arabic": {"ur": ("ٹڈڑںےھہ", 0.08), "fa": ("پچژگکی", 0.06), "ar": ("يكىة", 0.08)},
}
