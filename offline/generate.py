"""Seeded, labelled listing traffic and takedown outcomes: the evaluation set of the backtest.

Written from the threat model (how counterfeiters word, spell, price and illustrate their
listings, and which innocent listings look like theirs), never from the detector's rules, so a
backtest measures the detector instead of echoing it. Same arguments, same bytes.

    python -m offline.generate --count 3000 --seed 7 \
        --out tests/data/corpus-events.jsonl --labels tests/data/corpus-labels.json
"""

from __future__ import annotations

import argparse
import calendar
import heapq
import itertools
import math
import random
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
import yaml

from schemas.registry import Brand, BrandRegistry

COUNTERFEIT = "counterfeit"
GENUINE = "genuine"
OUTCOME_KIND = "takedown_outcome"

# kind -> relative weight among the listings of its label
COUNTERFEIT_KINDS: dict[str, float] = {
    "plain_fake": 12,
    "chinese_fake": 8,
    "foreign_language_fake": 7,
    "homoglyph_mark": 8,
    "fullwidth_mark": 5,
    "zero_width_mark": 5,
    "spaced_mark": 6,
    "leetspeak_mark": 6,
    "misspelled_mark": 7,
    "brand_in_description": 6,
    "inspired_dupe": 6,
    "counterfeit_image": 6,
    "stolen_official_photo": 5,
    "low_price_new_seller": 7,
    "repeat_offender": 6,
}
GENUINE_KINDS: dict[str, float] = {
    "brand_store": 11,
    "verified_reseller": 12,
    "ordinary_branded": 11,
    "innocent_lookalike": 11,
    "compatible_accessory": 8,
    "generic_unbranded": 28,
    "common_word": 9,
    "cleared_reseller": 7,
}

# used when the registry carries no fx_to_usd table (the contract's example rates)
DEFAULT_FX_TO_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CNY": 0.14, "JPY": 0.0067, "HKD": 0.128}
START_EPOCH = calendar.timegm((2026, 11, 2, 0, 0, 0))
DAY = 86_400
YEAR = 365 * DAY
UPDATE_SHARE = 0.08
CONVICTION_SHARE = 0.10
CLEARING_SHARE = 0.12

# ---------------------------------------------------------------- vocabulary

NOUNS: dict[str, tuple[str, ...]] = {
    "handbags": ("shoulder bag", "tote bag", "crossbody bag", "clutch", "backpack",
                 "top handle bag", "bucket bag", "hobo bag", "mini bag"),
    "shoes": ("sneakers", "loafers", "pumps", "sandals", "ankle boots", "slides", "trainers",
              "ballet flats"),
    "watches": ("automatic watch", "chronograph", "dress watch", "diver watch", "quartz watch"),
    "jewelry": ("necklace", "bracelet", "ring", "earrings", "pendant", "bangle"),
    "apparel": ("hoodie", "t-shirt", "jacket", "sweater", "dress", "coat", "shirt"),
    "accessories": ("belt", "wallet", "card holder", "scarf", "key ring", "cap"),
    "eyewear": ("sunglasses", "optical frames", "aviator sunglasses", "cat-eye sunglasses"),
    "fragrance": ("eau de parfum 100ml", "eau de toilette 50ml", "perfume 90ml", "cologne 125ml"),
    "electronics": ("headphones", "earbuds", "phone case", "speaker", "watch charger"),
    "home": ("throw blanket", "cushion", "scented candle", "vase", "ceramic bowl"),
    "health": ("vitamin C tablets", "protein powder", "hand cream", "multivitamin gummies"),
    "books": ("hardcover book", "paperback novel", "coffee table book", "cookbook"),
    "other": ("keychain", "gift set", "phone charm", "pet collar"),
}
CHINESE_NOUNS: dict[str, tuple[str, ...]] = {
    "handbags": ("手袋", "包包", "单肩包", "斜挎包", "托特包"),
    "shoes": ("运动鞋", "老爹鞋", "乐福鞋", "高跟鞋"),
    "watches": ("手表", "机械表", "腕表"),
    "jewelry": ("项链", "手链", "戒指", "耳环"),
    "apparel": ("卫衣", "T恤", "外套"),
    "accessories": ("皮带", "钱包", "卡包", "围巾"),
    "eyewear": ("太阳镜", "墨镜"),
    "fragrance": ("香水",),
    "electronics": ("耳机", "手机壳"),
    "home": ("抱枕", "毯子"),
    "health": ("保健品",),
    "books": ("书",),
    "other": ("钥匙扣", "礼盒"),
}
CHINESE_CUES = ("高仿", "A货", "复刻", "原单", "精仿", "超A", "一比一", "1比1", "顶级复刻",
                "原单品质", "高仿原单", "超A精仿")
CHINESE_EXTRAS = ("包邮", "支持验货", "专柜品质", "顶级品质", "正品质量", "现货", "原厂皮料")
CHINESE_DESCRIPTIONS = ("支持验货，包邮", "微信咨询，实拍图", "原厂皮料，五金精致",
                        "专柜同款，细节完美", "做工精细，和正品一样")

FOREIGN: dict[str, dict[str, Any]] = {
    "es": {
        "nouns": {"handbags": ("bolso", "bolso de mano", "mochila"),
                  "shoes": ("zapatillas", "zapatos", "botines"),
                  "watches": ("reloj", "reloj automático"),
                  "jewelry": ("collar", "pulsera", "anillo"),
                  "apparel": ("camiseta", "chaqueta", "sudadera"),
                  "accessories": ("cinturón", "cartera", "bufanda"),
                  "eyewear": ("gafas de sol",), "fragrance": ("perfume",),
                  "electronics": ("auriculares",), "home": ("cojín",),
                  "health": ("suplemento",), "books": ("libro",), "other": ("llavero",)},
        "cues": ("réplica", "réplica AAA", "imitación", "copia exacta", "réplica 1:1",
                 "calidad espejo", "imitación perfecta", "falso", "copia"),
        "extras": ("envío gratis", "nuevo", "con caja", "mejor precio"),
        "description": "Calidad 1:1, igual que el original. Envío rápido.",
    },
    "fr": {
        "nouns": {"handbags": ("sac", "sac à main", "sac bandoulière"),
                  "shoes": ("baskets", "chaussures", "bottines"),
                  "watches": ("montre", "montre automatique"),
                  "jewelry": ("collier", "bracelet", "bague"),
                  "apparel": ("t-shirt", "veste", "pull"),
                  "accessories": ("ceinture", "portefeuille", "écharpe"),
                  "eyewear": ("lunettes de soleil",), "fragrance": ("parfum",),
                  "electronics": ("écouteurs",), "home": ("coussin",),
                  "health": ("complément",), "books": ("livre",), "other": ("porte-clés",)},
        "cues": ("réplique", "copie", "contrefaçon", "imitation", "qualité miroir",
                 "copie conforme", "réplique 1:1", "faux"),
        "extras": ("livraison gratuite", "neuf", "avec boîte", "prix imbattable"),
        "description": "Copie parfaite, qualité miroir, identique à l'original.",
    },
    "it": {
        "nouns": {"handbags": ("borsa", "borsa a tracolla", "zaino"),
                  "shoes": ("scarpe", "sneakers", "stivaletti"),
                  "watches": ("orologio", "orologio automatico"),
                  "jewelry": ("collana", "bracciale", "anello"),
                  "apparel": ("maglietta", "giacca", "felpa"),
                  "accessories": ("cintura", "portafoglio", "sciarpa"),
                  "eyewear": ("occhiali da sole",), "fragrance": ("profumo",),
                  "electronics": ("cuffie",), "home": ("cuscino",),
                  "health": ("integratore",), "books": ("libro",), "other": ("portachiavi",)},
        "cues": ("replica", "copia", "imitazione", "falso", "replica perfetta", "copia 1:1",
                 "prima scelta replica"),
        "extras": ("spedizione gratuita", "nuovo", "con scatola", "prezzo affare"),
        "description": "Replica perfetta, identica all'originale, qualità 1:1.",
    },
}

FAKE_CUES = ("1:1", "1:1 replica", "replica", "AAA", "AAA+ quality", "top quality",
             "top quality 1:1", "mirror quality", "super copy", "high copy", "7A quality",
             "master copy", "replica grade AAA")
FAKE_EXTRAS = ("free shipping", "fast shipping", "with box", "with dust bag", "best price",
               "wholesale", "new", "hot sale")
FAKE_DESCRIPTIONS = ("Same as original, you can't tell the difference.",
                     "Quality guaranteed, 1:1 with the original. Message me for real photos.",
                     "Comes with box, dust bag and cards. DM for more pictures.",
                     "Factory direct, best quality on the market. WhatsApp for wholesale.",
                     "Top grade materials, all logos and serial numbers correct.")
CLEAN_SUFFIXES = ("new with tags", "brand new", "new in box", "never worn", "unused",
                  "new, fast shipping", "brand new, full set")
VAGUE_ADJECTIVES = ("Luxury", "Designer", "Premium", "Women's", "Men's", "Fashion",
                    "Elegant", "Classic", "Genuine leather", "High-end")
COLOURS = ("black", "white", "beige", "red", "navy", "green", "pink", "brown", "camel",
           "silver", "gold", "ivory")
GENUINE_DESCRIPTIONS = ("Worn a few times, excellent condition.", "Smoke-free home.",
                        "Ships in 1-2 business days.", "Full set: box, dust bag and receipt.",
                        "Bought new, selling because I no longer use it.", None, None)
STORE_DESCRIPTIONS = ("Official store. Free returns within 30 days.", "New season collection.",
                      "Complimentary gift wrapping and delivery.", None)
INNOCENT_DESCRIPTIONS = ("Ships in 1-2 business days.", "Brand new, sealed.", "Smoke-free home.",
                         "Fast dispatch from our warehouse.", None, None)
CITIES = ("Paris", "Milan", "London", "Tokyo", "New York", "Hong Kong", "Seoul", "Dubai")

# product lines, where a brand is known, to make titles look like real ones
MODELS: dict[str, dict[str, tuple[str, ...]]] = {
    "gucci": {"handbags": ("GG Marmont", "Dionysus", "Jackie 1961", "Ophidia"),
              "shoes": ("Horsebit", "Ace", "Rhyton")},
    "balenciaga": {"handbags": ("City", "Hourglass", "Le Cagole"),
                   "shoes": ("Triple S", "Speed", "Track")},
    "saint-laurent": {"handbags": ("Kate", "Loulou", "Sac de Jour", "Niki"),
                      "shoes": ("Opyum", "Tribute")},
    "louis-vuitton": {"handbags": ("Neverfull", "Speedy", "Keepall", "Alma", "Pochette Metis")},
    "chanel": {"handbags": ("Classic Flap", "Boy", "2.55", "19")},
    "prada": {"handbags": ("Re-Edition 2005", "Galleria", "Cleo")},
    "hermes": {"handbags": ("Birkin", "Kelly", "Constance"), "shoes": ("Oran",)},
    "dior": {"handbags": ("Saddle", "Book Tote", "Bobby")},
    "rolex": {"watches": ("Submariner", "Datejust", "Daytona", "GMT-Master II")},
    "omega": {"watches": ("Speedmaster", "Seamaster")},
    "cartier": {"jewelry": ("Love", "Juste un Clou"), "watches": ("Tank", "Santos")},
    "nike": {"shoes": ("Dunk Low", "Air Max 90", "Air Force 1")},
    "fendi": {"handbags": ("Baguette", "Peekaboo")},
}

# (category, template, lowest USD, highest USD): innocent listings that contain a mark-like word
INNOCENT_LOOKALIKES = (
    ("health", "Omega-3 fish oil softgels {count} count", 8, 35),
    ("health", "Triple strength Omega-3 {mg}mg, lemon flavour", 12, 45),
    ("health", "Omega 3-6-9 capsules, {count} ct", 9, 30),
    ("home", "Tiffany-style stained glass table lamp", 45, 260),
    ("home", "Tiffany style dragonfly floor lamp, {inch} inch", 80, 320),
    ("electronics", "{channels} channel mixer with USB audio interface", 60, 420),
    ("electronics", "{channels}-channel audio interface, 24-bit/192kHz", 90, 500),
    ("electronics", "{channels} channel DVR security camera system", 70, 380),
    ("home", "Nike of Samothrace museum replica statue, {cm} cm", 30, 220),
    ("books", "Winged Victory: the Nike of Samothrace, museum replica guide", 15, 60),
    ("books", "Henri Cartier-Bresson: The Decisive Moment, photo book", 25, 120),
    ("books", "Cartier-Bresson photographs, hardcover, {year} edition", 20, 90),
    ("home", "Hermes Greek god statue, bronze finish, {cm} cm", 25, 150),
    ("home", "Mulberry silk pillowcase, 22 momme, {colour}", 18, 60),
    ("books", "Gucci: the making of a fashion house (biography), paperback", 12, 35),
)
COMMON_WORDS = (
    ("other", "Soccer coach whistle and tactics board set", 9, 35, None),
    ("books", "The Coach's Playbook: youth basketball drills", 10, 30, None),
    ("other", "Coach bus model, 1:87 scale, die-cast", 15, 70, None),
    ("home", "Vintage coach and horses print, framed", 20, 120, None),
    ("other", "Guess Who? classic board game", 10, 30, None),
    ("books", "Guess How Much I Love You, board book", 5, 15, None),
    ("apparel", "Polo shirt, plain {colour}, 100% cotton", 8, 40, "polo"),
    ("apparel", "Men's pique polo shirt, pack of 3", 15, 55, "polo"),
    ("other", "Fossil ammonite specimen, {cm} cm", 15, 140, None),
    ("other", "Diesel fuel filter for {kw}kW generator", 10, 60, None),
    ("home", "Mustang horse figurine, hand painted", 12, 50, None),
    ("books", "Vogue knitting: the ultimate guide, hardcover", 20, 60, None),
    ("apparel", "Coach jacket, nylon, {colour}", 25, 70, None),
    ("books", "The Supreme Court: a history, hardcover", 18, 45, None),
    ("home", "Supreme pizza stone, {cm} cm", 20, 60, None),
    ("apparel", "Off white linen shirt, relaxed fit", 20, 60, None),
    ("shoes", "Lightning McQueen kids' light-up shoes, size {size}", 18, 40, None),
    ("other", "Celine Dion greatest hits, CD", 6, 20, None),
    ("other", "Canada goose decoy, full body", 25, 90, None),
    ("other", "New balance bike for toddlers, 12 inch", 40, 110, None),
    ("other", "Lee Van Cleef western collection, DVD box set", 12, 40, None),
)
GENERIC_PRICES_USD: dict[str, tuple[float, float]] = {
    "handbags": (18, 180), "shoes": (20, 150), "watches": (15, 250), "jewelry": (8, 200),
    "apparel": (8, 120), "accessories": (6, 80), "eyewear": (8, 90), "fragrance": (10, 90),
    "electronics": (10, 200), "home": (8, 150), "health": (5, 45), "books": (5, 45),
    "other": (3, 60),
}
GENERIC_SUFFIXES = ("", ", {colour}", ", brand new", ", free shipping", " - {colour}",
                    ", size {size}", ", gift idea")

HOMOGLYPHS: dict[str, str] = {
    "a": "\u0430\u0251\u03b1", "b": "\u044c\u0185", "c": "\u0441\u03f2\u1d04", "d": "\u0501",
    "e": "\u0435\u04bd", "g": "\u0261\u0581", "h": "\u04bb\u0570",
    "i": "\u0456\u0131\u03b9\u04cf", "j": "\u0458\u03f3", "k": "\u03ba\u043a",
    "l": "\u04cf\u217c\u01c0", "m": "\u043c", "n": "\u0578", "o": "\u043e\u03bf\u0585",
    "p": "\u0440\u03c1", "q": "\u051b", "r": "\u0433", "s": "\u0455\ua731", "t": "\u03c4",
    "u": "\u03c5\u057d", "v": "\u03bd\u0475", "w": "\u051d\u0461", "x": "\u0445\u03c7",
    "y": "\u0443\u03b3", "z": "\u1d22",
    "A": "\u0410\u0391", "B": "\u0412\u0392", "C": "\u0421\u03f9", "D": "\u13a0",
    "E": "\u0415\u0395", "G": "\u050c", "H": "\u041d\u0397", "I": "\u0406\u0399\u04c0",
    "J": "\u0408", "K": "\u041a\u039a", "L": "\u13de", "M": "\u041c\u039c", "N": "\u039d",
    "O": "\u041e\u039f\u0555", "P": "\u0420\u03a1", "Q": "\u051a", "R": "\u13a1",
    "S": "\u0405\u13da", "T": "\u0422\u03a4", "U": "\u054d", "V": "\u0474\u13d9",
    "W": "\u051c", "X": "\u0425\u03a7", "Y": "\u03a5\u04ae", "Z": "\u0396",
}
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
SPACERS = (" ", ".", "-", "_", "*", "\u00b7", " . ")
LEET: dict[str, str] = {"a": "4@", "e": "3", "i": "1!", "o": "0", "s": "5$", "t": "7",
                        "g": "69", "l": "1", "b": "8", "z": "2"}
KEYBOARD_NEIGHBOURS: dict[str, str] = {
    "a": "qwsz", "b": "vghn", "c": "xdfv", "d": "serfcx", "e": "wsdr", "f": "drtgvc",
    "g": "ftyhbv", "h": "gyujnb", "i": "ujko", "j": "huikmn", "k": "jiolm", "l": "kop",
    "m": "njk", "n": "bhjm", "o": "iklp", "p": "ol", "q": "wa", "r": "edft", "s": "awedxz",
    "t": "rfgy", "u": "yhji", "v": "cfgb", "w": "qase", "x": "zsdc", "y": "tghu", "z": "asx",
}
# one edit away from a mark but an ordinary word: a typo generator must never produce these
ORDINARY_WORDS = frozenset({
    "channel", "chapel", "carrier", "cartel", "carter", "coach", "couch", "guess", "omega",
    "prado", "diet", "door", "poor", "fend", "fends", "laurel", "saint", "salient", "cellar",
    "hermit", "herds", "heres", "versa", "dire", "fendi", "burger", "polo", "pole", "role",
    "rolls", "roles", "pravda", "panda", "prawn",
})

PROFILES: dict[str, dict[str, Any]] = {
    # age in days; reuse: chance to pick a pooled account once the pool holds `pool` of them
    # (so the first listings do not all come from the same few accounts); verification; rating
    "counterfeiter": {"age": (1, 240), "reuse": 0.65, "pool": 15, "verified": 0.07,
                      "rating_p": 0.55, "rating": (3.2, 4.9),
                      "countries": {"CN": 45, "HK": 15, "TR": 8, "TH": 5, "VN": 5, "MY": 4,
                                    "ID": 4, "US": 5, "GB": 3, "IT": 3, "ES": 3}},
    "fresh": {"age": (0.1, 20), "reuse": 0.0, "pool": 1, "verified": 0.0,
              "rating_p": 0.0, "rating": (0, 0),
              "countries": {"CN": 30, "US": 20, "GB": 10, "HK": 10, "DE": 8, "FR": 8,
                            "IT": 7, "TR": 7}},
    "reseller": {"age": (2 * 365, 12 * 365), "reuse": 0.75, "pool": 20, "verified": 1.0,
                 "rating_p": 1.0, "rating": (4.5, 5.0),
                 "countries": {"JP": 25, "US": 20, "GB": 12, "FR": 12, "IT": 10, "DE": 8,
                               "HK": 8, "KR": 5}},
    "ordinary": {"age": (120, 10 * 365), "reuse": 0.5, "pool": 60, "verified": 0.5,
                 "rating_p": 0.85, "rating": (3.8, 5.0),
                 "countries": {"US": 35, "GB": 12, "DE": 10, "FR": 8, "IT": 6, "ES": 5,
                               "CN": 8, "JP": 6, "CA": 5, "AU": 5}},
    "shop": {"age": (2, 9 * 365), "reuse": 0.7, "pool": 40, "verified": 0.4,
             "rating_p": 0.8, "rating": (3.5, 5.0),
             "countries": {"US": 30, "CN": 20, "GB": 10, "DE": 10, "FR": 6, "IT": 5, "JP": 5,
                           "IN": 7, "CA": 4, "AU": 3}},
}
STORE_COUNTRIES = ("IT", "FR", "US", "GB", "CH", "ES")
EXTRA_FIELDS = ({"producer": "catalog-v7"}, {"producer": "catalog-v8"},
                {"producer": "mobile-app-3", "client": {"os": "ios"}})


@dataclass(frozen=True, slots=True)
class GeneratedRecord:
    """One event to publish (JSON document and Kafka key) with the truth the backtest needs."""

    document: dict[str, Any]
    key: str
    label: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class _BrandProfile:
    """What the generator uses of a registered brand."""

    brand_id: str
    name: str
    latin_marks: tuple[str, ...]
    cjk_marks: tuple[str, ...]
    floors: tuple[tuple[str, float], ...]
    authorized_sellers: tuple[str, ...]
    official_phashes: tuple[int, ...]
    counterfeit_phashes: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _Seller:
    """A seller account: its contract document and where it ships from."""

    document: dict[str, Any]
    country: str

    @property
    def seller_id(self) -> str:
        return str(self.document["seller_id"])


@dataclass(slots=True)
class _Draft:
    """A listing before it gets ids, a time and a price in its currency."""

    kind: str
    title: str
    category: str
    seller: _Seller
    price_band_usd: tuple[float, float]
    currency: str
    description: str | None = None
    brand_field: str | None = None
    image_phashes: list[str] = field(default_factory=list)
    brand_id: str | None = None
    price_not_below_band: bool = False


def default_registry_path() -> Path:
    """The registry shipped with the detector: the corpus names the brands it protects."""
    return Path(str(files("detection").joinpath("data", "brand-registry.yaml")))


def load_registry(path: Path) -> BrandRegistry:
    """Read a registry file (YAML or JSON) into the contract's model."""
    with path.open(encoding="utf-8") as handle:
        return BrandRegistry.model_validate(yaml.safe_load(handle))


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" for char in text)


def _is_latin(text: str) -> bool:
    return all(not char.isalpha() or "LATIN" in unicodedata.name(char, "") for char in text)


def _brand_profile(brand: Brand) -> _BrandProfile:
    latin = [brand.name] + [a for a in brand.aliases if _is_latin(a) and a != brand.name]
    return _BrandProfile(
        brand_id=brand.brand_id,
        name=brand.name,
        latin_marks=tuple(latin),
        cjk_marks=tuple(a for a in brand.aliases if _is_cjk(a)),
        floors=tuple((str(category), float(floor))
                     for category, floor in brand.retail_floor_usd.items()),
        authorized_sellers=tuple(brand.authorized_sellers),
        official_phashes=tuple(int(h, 16) for h in brand.official_image_phashes),
        counterfeit_phashes=tuple(int(h, 16) for h in brand.counterfeit_image_phashes),
    )


def _timestamp(epoch: int, offset_hours: int = 0) -> str:
    if offset_hours == 0:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    local = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch + offset_hours * 3600))
    return f"{local}{offset_hours:+03d}:00"


class _Traffic:
    """The stateful story: sellers, pending updates and outcomes, reputations, the clock."""

    def __init__(self, seed: int, registry: BrandRegistry, counterfeit_share: float) -> None:
        if not 0.0 <= counterfeit_share <= 1.0:
            raise ValueError(f"counterfeit_share must be within [0, 1], got {counterfeit_share}")
        if not registry.brands:
            raise ValueError("the registry has no brands to imitate")
        self.rng = random.Random(seed)
        self.seed = seed
        self.share = counterfeit_share
        self.brands = tuple(_brand_profile(b) for b in registry.brands)
        self.fx = dict(DEFAULT_FX_TO_USD, **(registry.fx_to_usd or {}))
        self.all_marks = frozenset(m.casefold() for b in self.brands for m in b.latin_marks)
        self.mark_words = frozenset(w for m in self.all_marks for w in m.split())
        self.registered_phashes = tuple(
            h for b in self.brands for h in (*b.official_phashes, *b.counterfeit_phashes))
        self.now = START_EPOCH
        self.step = 0
        self.listing_seq = itertools.count(1)
        self.event_seq = itertools.count(1)
        self.outcome_seq = itertools.count(1)
        self.action_seq = itertools.count()
        self.pending: list[tuple[int, int, Callable[[], GeneratedRecord]]] = []
        self.pools: dict[str, list[_Seller]] = {name: [] for name in PROFILES}
        self.stores: dict[str, _Seller] = {}
        self.used_seller_ids = {s for b in self.brands for s in b.authorized_sellers}
        self.convicted: dict[str, _Seller] = {}
        self.cleared: dict[str, _Seller] = {}
        self.convicted_list: list[_Seller] = []
        self.cleared_list: list[_Seller] = []
        self.counterfeit_kinds = (tuple(COUNTERFEIT_KINDS), _cumulative(COUNTERFEIT_KINDS))
        self.genuine_kinds = (tuple(GENUINE_KINDS), _cumulative(GENUINE_KINDS))
        self.builders: dict[str, Callable[[], _Draft]] = {
            kind: getattr(self, f"_{kind}") for kind in (*COUNTERFEIT_KINDS, *GENUINE_KINDS)
        }

    # ------------------------------------------------------------ the stream

    def records(self) -> Iterator[GeneratedRecord]:
        """An endless, time-ordered stream of listing events and outcomes."""
        while True:
            self.step += 1
            self.now += self.rng.randint(1, 20)
            if self.pending and self.pending[0][0] <= self.step:
                yield heapq.heappop(self.pending)[2]()
            else:
                yield self._new_listing()

    def _schedule(self, after: int, action: Callable[[], GeneratedRecord]) -> None:
        heapq.heappush(self.pending, (self.step + after, next(self.action_seq), action))

    def _new_listing(self) -> GeneratedRecord:
        rng = self.rng
        label = COUNTERFEIT if rng.random() < self.share else GENUINE
        names, cumulative = self.counterfeit_kinds if label == COUNTERFEIT else self.genuine_kinds
        kind = rng.choices(names, cum_weights=cumulative)[0]
        draft = self.builders[kind]()
        listing_id = f"L-{self.seed}-{next(self.listing_seq):06d}"
        document = self._listing_event(draft, listing_id)
        if rng.random() < UPDATE_SHARE:
            self._schedule(rng.randint(5, 400), lambda: self._update(draft, document, label))
        if label == COUNTERFEIT and rng.random() < CONVICTION_SHARE:
            self._schedule(rng.randint(20, 300), lambda: self._conviction(document, draft))
        elif draft.kind == "verified_reseller" and rng.random() < CLEARING_SHARE:
            self._schedule(rng.randint(20, 300), lambda: self._clearing(document, draft))
        return GeneratedRecord(document, draft.seller.seller_id, label, draft.kind)

    def _listing_event(self, draft: _Draft, listing_id: str) -> dict[str, Any]:
        listing: dict[str, Any] = {"listing_id": listing_id,
                                   "seller_id": draft.seller.seller_id, "title": draft.title}
        if draft.description is not None:
            listing["description"] = draft.description
        listing["category"] = draft.category
        if draft.brand_field is not None:
            listing["brand"] = draft.brand_field
        listing["price"] = self._price(draft)
        if draft.image_phashes:
            listing["image_phashes"] = list(draft.image_phashes)
        if self.rng.random() < 0.8:
            listing["ships_from"] = draft.seller.country
        return self._envelope("listing.created", listing, draft.seller)

    def _envelope(self, event_type: str, listing: dict[str, Any],
                  seller: _Seller) -> dict[str, Any]:
        document = {"schema_version": 1, "event_id": f"ev-{self.seed}-{next(self.event_seq):07d}",
                    "event_type": event_type, "occurred_at": _timestamp(self.now),
                    "listing": listing, "seller": dict(seller.document)}
        if self.rng.random() < 0.03:
            document.update(self.rng.choice(EXTRA_FIELDS))
        return document

    def _update(self, draft: _Draft, created: dict[str, Any], label: str) -> GeneratedRecord:
        listing = dict(created["listing"])
        if self.rng.random() < 0.5:
            listing["price"] = self._price(draft)
        document = self._envelope("listing.updated", listing, draft.seller)
        return GeneratedRecord(document, draft.seller.seller_id, label, draft.kind)

    def _outcome(self, listing: dict[str, Any], brand_id: str | None, outcome: str,
                 decided_by: str) -> GeneratedRecord:
        document: dict[str, Any] = {
            "schema_version": 1, "event_id": f"out-{self.seed}-{next(self.outcome_seq):06d}",
            "event_type": "takedown.outcome", "occurred_at": _timestamp(self.now),
            "listing_id": listing["listing"]["listing_id"],
            "seller_id": listing["listing"]["seller_id"],
        }
        if brand_id is not None:
            document["brand_id"] = brand_id
        document["outcome"] = outcome
        document["decided_by"] = decided_by
        return GeneratedRecord(document, document["seller_id"], None, OUTCOME_KIND)

    def _conviction(self, listing: dict[str, Any], draft: _Draft) -> GeneratedRecord:
        _remember(self.convicted, self.convicted_list, draft.seller)
        decided_by = "brand" if self.rng.random() < 0.6 else "enforcement"
        return self._outcome(listing, draft.brand_id, "confirmed_counterfeit", decided_by)

    def _clearing(self, listing: dict[str, Any], draft: _Draft) -> GeneratedRecord:
        if self.rng.random() < 0.8:
            _remember(self.cleared, self.cleared_list, draft.seller)
            decided_by = "enforcement" if self.rng.random() < 0.7 else "brand"
            return self._outcome(listing, draft.brand_id, "rejected", decided_by)
        self._schedule(self.rng.randint(50, 300), lambda: self._reinstatement(listing, draft))
        return self._outcome(listing, draft.brand_id, "confirmed_counterfeit", "brand")

    def _reinstatement(self, listing: dict[str, Any], draft: _Draft) -> GeneratedRecord:
        _remember(self.cleared, self.cleared_list, draft.seller)
        return self._outcome(listing, draft.brand_id, "reinstated", "enforcement")

    # ------------------------------------------------------------ sellers, prices, images

    def _seller(self, profile: str) -> _Seller:
        spec = PROFILES[profile]
        pool = self.pools[profile]
        if len(pool) >= spec["pool"] and self.rng.random() < spec["reuse"]:
            return self.rng.choice(pool)
        seller = self._new_seller(spec)
        pool.append(seller)
        return seller

    def _new_seller(self, spec: dict[str, Any]) -> _Seller:
        rng = self.rng
        seller_id = f"S-{rng.randrange(10**6, 10**7)}"
        while seller_id in self.used_seller_ids:
            seller_id = f"S-{rng.randrange(10**6, 10**7)}"
        self.used_seller_ids.add(seller_id)
        country = _weighted(rng, spec["countries"])
        registered = self.now - int(rng.uniform(*spec["age"]) * DAY)
        offset = 8 if country in ("CN", "HK") and rng.random() < 0.5 else 0
        document: dict[str, Any] = {"seller_id": seller_id,
                                    "registered_at": _timestamp(registered, offset)}
        if rng.random() < 0.9:
            document["country"] = country
        if rng.random() < spec["rating_p"]:
            document["rating"] = round(rng.uniform(*spec["rating"]), 1)
        verified = rng.random() < spec["verified"]
        if verified or rng.random() < 0.5:
            document["verified"] = verified
        return _Seller(document, country)

    def _store(self, seller_id: str) -> _Seller:
        if seller_id not in self.stores:
            rng = self.rng
            registered = START_EPOCH - int(rng.uniform(4, 11) * YEAR)
            country = rng.choice(STORE_COUNTRIES)
            self.stores[seller_id] = _Seller(
                {"seller_id": seller_id, "registered_at": _timestamp(registered),
                 "country": country, "rating": round(rng.uniform(4.7, 5.0), 1),
                 "verified": True},
                country,
            )
        return self.stores[seller_id]

    def _price(self, draft: _Draft) -> dict[str, str]:
        usd = self.rng.uniform(*draft.price_band_usd)
        return {"amount": self._amount(usd, draft.currency, draft.price_not_below_band),
                "currency": draft.currency}

    def _amount(self, usd: float, currency: str, not_below: bool) -> str:
        """A price as sellers write it, rounded up when it must not fall below, else down."""
        value = usd / self.fx[currency]
        to_whole = math.ceil if not_below else math.floor
        if currency == "JPY":
            step = 100 if value >= 2000 else 10
            return str(max(to_whole(value / step), 1) * step)
        if currency in ("CNY", "HKD"):
            return f"{max(to_whole(value), 1)}.00"
        if value < 20:
            return f"{max(to_whole(value * 100), 1) / 100:.2f}"
        if not_below:
            return f"{math.ceil(value)}.{self.rng.choice(('00', '99', '00'))}"
        whole = math.floor(value)
        cents = [c for c in ("00", "50", "95", "99") if whole + int(c) / 100 <= value]
        return f"{whole}.{self.rng.choice(cents)}"

    def _currency(self, weights: dict[str, float] | None = None) -> str:
        return _weighted(self.rng, weights or {"USD": 45, "EUR": 20, "GBP": 10, "CNY": 8,
                                               "HKD": 5, "JPY": 12})

    def _random_phashes(self, most: int = 3) -> list[str]:
        return [self._unrelated_phash() for _ in range(self.rng.randint(0, most))]

    def _unrelated_phash(self) -> str:
        """A photo of anything else: far (> 12 bits) from every registered photo."""
        while True:
            phash = self.rng.getrandbits(64)
            if all((phash ^ known).bit_count() > 12 for known in self.registered_phashes):
                return f"{phash:016x}"

    def _near(self, phash: int, most_bits: int) -> str:
        flips = self.rng.sample(range(64), self.rng.randint(0, most_bits))
        for bit in flips:
            phash ^= 1 << bit
        return f"{phash:016x}"

    # ------------------------------------------------------------ brand helpers

    def _brand(self, having: Callable[[_BrandProfile], Any] | None = None) -> _BrandProfile | None:
        brands = self.brands if having is None else [b for b in self.brands if having(b)]
        return self.rng.choice(brands) if brands else None

    def _category(self, brand: _BrandProfile) -> tuple[str, float]:
        return self.rng.choice(brand.floors)

    def _mark(self, brand: _BrandProfile) -> str:
        marks = brand.latin_marks
        return marks[0] if len(marks) == 1 or self.rng.random() < 0.7 else self.rng.choice(marks)

    def _product(self, brand: _BrandProfile, category: str) -> str:
        """A product name, with the brand's product line when one is known."""
        noun = self.rng.choice(NOUNS[category])
        models = MODELS.get(brand.brand_id, {}).get(category)
        if models and self.rng.random() < 0.6:
            return f"{self.rng.choice(models)} {noun}"
        return noun

    def _fake_draft(self, kind: str, brand: _BrandProfile, category: str, floor: float,
                    title: str, band: tuple[float, float] = (0.05, 0.3),
                    seller: _Seller | None = None, currency: str | None = None) -> _Draft:
        """A counterfeit listing priced at a share of the brand's floor."""
        rng = self.rng
        return _Draft(
            kind=kind, title=title, category=category,
            seller=seller or self._seller("counterfeiter"),
            price_band_usd=(floor * band[0], floor * band[1]),
            currency=currency or self._currency(),
            description=rng.choice(FAKE_DESCRIPTIONS) if rng.random() < 0.5 else None,
            brand_field=self._fake_brand_field(brand),
            image_phashes=self._random_phashes(),
            brand_id=brand.brand_id,
        )

    def _fake_brand_field(self, brand: _BrandProfile) -> str | None:
        roll = self.rng.random()
        if roll < 0.3:
            return brand.name
        if roll < 0.45:
            return self.rng.choice(("Unbranded", "Other", "No brand", "Generic"))
        return None

    def _obfuscated(self, kind: str, transform: Callable[[str], str | None]) -> _Draft:
        """A fake whose mark is disguised by `transform`; with a cue word half of the time."""
        rng = self.rng
        for _ in range(20):
            brand = self._brand()
            assert brand is not None
            disguised = transform(self._mark(brand))
            if disguised is not None and not self._shows_a_mark(disguised):
                break
        else:
            return self._plain_fake()
        category, floor = self._category(brand)
        parts = [disguised, self._product(brand, category)]
        if rng.random() < 0.5:
            parts.append(rng.choice(FAKE_CUES))
        if rng.random() < 0.4:
            parts.append(rng.choice(FAKE_EXTRAS))
        draft = self._fake_draft(kind, brand, category, floor, " ".join(parts), (0.08, 0.4))
        if draft.brand_field == brand.name:
            draft.brand_field = disguised
        return draft

    def _shows_a_mark(self, text: str) -> bool:
        """A disguise that left a whole mark readable (`Van Cleef & Arpls`) disguises nothing."""
        folded = text.casefold()
        return any(mark in folded for mark in self.all_marks)

    # ------------------------------------------------------------ counterfeit kinds

    def _plain_fake(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        mark = self._mark(brand)
        mark = mark.upper() if rng.random() < 0.25 else mark
        product = self._product(brand, category)
        cue, extra = rng.choice(FAKE_CUES), rng.choice(FAKE_EXTRAS)
        title = rng.choice((f"{mark} {product} {cue}", f"{cue} {mark} {product}",
                            f"{mark} {product} {cue}, {extra}",
                            f"{mark} {product} - {cue} - {extra}"))
        return self._fake_draft("plain_fake", brand, category, floor, title)

    def _chinese_fake(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        mark = rng.choice(brand.cjk_marks) if brand.cjk_marks and rng.random() < 0.85 \
            else self._mark(brand)
        words = [mark, rng.choice(CHINESE_NOUNS[category]), rng.choice(CHINESE_CUES)]
        if rng.random() < 0.6:
            words.append(rng.choice(CHINESE_EXTRAS))
        title = " ".join(words) if rng.random() < 0.6 else "".join(words)
        draft = self._fake_draft("chinese_fake", brand, category, floor, title, (0.03, 0.15),
                                 currency=_weighted(rng, {"CNY": 75, "HKD": 15, "USD": 10}))
        draft.description = rng.choice(CHINESE_DESCRIPTIONS) if rng.random() < 0.7 else None
        return draft

    def _foreign_language_fake(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        language = FOREIGN[rng.choice(("es", "fr", "it"))]
        noun, mark = rng.choice(language["nouns"][category]), self._mark(brand)
        cue, extra = rng.choice(language["cues"]), rng.choice(language["extras"])
        title = rng.choice((f"{noun} {mark} {cue}", f"{mark} {noun} {cue} - {extra}",
                            f"{noun.capitalize()} {mark} {cue}, {extra}"))
        draft = self._fake_draft("foreign_language_fake", brand, category, floor, title,
                                 currency=_weighted(rng, {"EUR": 80, "USD": 10, "GBP": 10}))
        draft.description = language["description"] if rng.random() < 0.5 else None
        return draft

    def _homoglyph_mark(self) -> _Draft:
        return self._obfuscated("homoglyph_mark", self._with_homoglyphs)

    def _with_homoglyphs(self, mark: str) -> str | None:
        positions = [i for i, char in enumerate(mark) if char in HOMOGLYPHS]
        if not positions:
            return None
        rng = self.rng
        whole_mark = rng.random() < 0.15
        count = len(positions) if whole_mark else rng.randint(1, max(1, len(positions) // 2))
        chars = list(mark)
        for i in rng.sample(positions, count):
            chars[i] = rng.choice(HOMOGLYPHS[chars[i]])
        return "".join(chars)

    def _fullwidth_mark(self) -> _Draft:
        return self._obfuscated("fullwidth_mark", self._in_fullwidth)

    def _in_fullwidth(self, mark: str) -> str:
        every = self.rng.random() < 0.6
        chars = []
        for char in mark:
            if char == " ":
                chars.append("\u3000" if every else " ")
            elif "!" <= char <= "~" and (every or self.rng.random() < 0.5):
                chars.append(chr(ord(char) + 0xFEE0))
            else:
                chars.append(char)
        result = "".join(chars)
        return result if result != mark else self._in_fullwidth(mark)

    def _zero_width_mark(self) -> _Draft:
        return self._obfuscated("zero_width_mark", self._with_zero_width)

    def _with_zero_width(self, mark: str) -> str | None:
        if len(mark) < 2:
            return None
        chars = list(mark)
        for i in sorted(self.rng.sample(range(1, len(mark)), min(len(mark) - 1,
                                                                 self.rng.randint(1, 3))),
                        reverse=True):
            chars.insert(i, self.rng.choice(ZERO_WIDTH))
        return "".join(chars)

    def _spaced_mark(self) -> _Draft:
        return self._obfuscated("spaced_mark", self._spaced)

    def _spaced(self, mark: str) -> str | None:
        words = mark.split()
        if sum(len(w) for w in words) < 3:
            return None
        rng = self.rng
        spacer = rng.choice(SPACERS)
        casing = rng.random()
        if casing < 0.5:
            words = [w.upper() for w in words]
        elif casing < 0.75:
            words = [w[0].upper() + w[1:].lower() for w in words]
        return "  ".join(spacer.join(w) for w in words)

    def _leetspeak_mark(self) -> _Draft:
        return self._obfuscated("leetspeak_mark", self._in_leetspeak)

    def _in_leetspeak(self, mark: str) -> str | None:
        positions = [i for i, char in enumerate(mark) if char.lower() in LEET]
        if not positions:
            return None
        chars = list(mark)
        for i in self.rng.sample(positions, min(len(positions), self.rng.randint(1, 2))):
            chars[i] = self.rng.choice(LEET[chars[i].lower()])
        return "".join(chars)

    def _misspelled_mark(self) -> _Draft:
        return self._obfuscated("misspelled_mark", self._misspelled)

    def _misspelled(self, mark: str) -> str | None:
        """One realistic edit (double, drop, swap, neighbouring key) in a word of 5+ letters."""
        words = mark.split(" ")
        targets = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha() and w.isascii()]
        if not targets:
            return None
        rng = self.rng
        index = rng.choice(targets)
        word = words[index]
        for _ in range(10):
            at = rng.randrange(1, len(word) - 1)
            operation = rng.choice(("double", "drop", "swap", "neighbour"))
            if operation == "double":
                typo = word[:at + 1] + word[at] + word[at + 1:]
            elif operation == "drop":
                typo = word[:at] + word[at + 1:]
            elif operation == "swap":
                typo = word[:at] + word[at + 1] + word[at] + word[at + 2:]
            else:
                near = rng.choice(KEYBOARD_NEIGHBOURS[word[at].lower()])
                typo = word[:at] + (near.upper() if word[at].isupper() else near) + word[at + 1:]
            folded = typo.casefold()
            if (typo != word and folded not in ORDINARY_WORDS and folded not in self.mark_words
                    and folded not in self.all_marks):
                return " ".join(words[:index] + [typo] + words[index + 1:])
        return None

    def _brand_in_description(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        title = f"{rng.choice(VAGUE_ADJECTIVES)} {rng.choice(NOUNS[category])}, " \
                f"{rng.choice(CLEAN_SUFFIXES)}"
        mark, product = self._mark(brand), self._product(brand, category)
        description = rng.choice((
            f"Same as {mark} original, {rng.choice(FAKE_CUES)}. Comes with box and dust bag.",
            f"Logo: {mark}. {rng.choice(FAKE_CUES).capitalize()}, message for real photos.",
            f"{mark} {product} - you can't tell it from the boutique one.",
            f"Brand: {mark}\nCondition: new\nQuality: {rng.choice(FAKE_CUES)}",
        ))
        draft = self._fake_draft("brand_in_description", brand, category, floor, title,
                                 (0.05, 0.35))
        draft.description, draft.brand_field = description, None
        return draft

    def _inspired_dupe(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        mark, product = self._mark(brand), self._product(brand, category)
        title = rng.choice((f"{mark} dupe {product}", f"{mark} inspired {product}",
                            f"Inspired by {mark} {product}", f"{mark} style {product}",
                            f"{product.capitalize()} looks like {mark}", f"{mark}-style {product}",
                            f"{product.capitalize()}, similar to {mark}"))
        draft = self._fake_draft("inspired_dupe", brand, category, floor, title, (0.04, 0.25))
        draft.brand_field = None
        return draft

    def _counterfeit_image(self) -> _Draft:
        rng = self.rng
        brand = self._brand(lambda b: b.counterfeit_phashes)
        if brand is None:
            return self._plain_fake()
        category, floor = self._category(brand)
        title = f"{rng.choice(VAGUE_ADJECTIVES)} {rng.choice(NOUNS[category])}"
        if rng.random() < 0.5:
            title += f", {rng.choice(CLEAN_SUFFIXES)}"
        draft = self._fake_draft("counterfeit_image", brand, category, floor, title, (0.05, 0.3))
        draft.brand_field, draft.description = None, None
        draft.image_phashes = self._with_known_image(brand.counterfeit_phashes)
        return draft

    def _with_known_image(self, known: Sequence[int]) -> list[str]:
        images = self._random_phashes(2)
        images.insert(self.rng.randint(0, len(images)), self._near(self.rng.choice(known), 6))
        return images

    def _stolen_official_photo(self) -> _Draft:
        rng = self.rng
        brand = self._brand(lambda b: b.official_phashes)
        if brand is None:
            return self._plain_fake()
        category, floor = self._category(brand)
        if rng.random() < 0.5:
            title = f"{self._mark(brand)} {self._product(brand, category)}, " \
                    f"{rng.choice(CLEAN_SUFFIXES)}"
        else:
            title = f"{rng.choice(VAGUE_ADJECTIVES)} {rng.choice(NOUNS[category])}"
        seller = self._seller(rng.choice(("counterfeiter", "fresh")))
        draft = self._fake_draft("stolen_official_photo", brand, category, floor, title,
                                 (0.15, 0.5), seller=seller)
        draft.description = None
        draft.image_phashes = self._with_known_image(brand.official_phashes)
        return draft

    def _low_price_new_seller(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        title = f"{self._mark(brand)} {self._product(brand, category)}, " \
                f"{rng.choice(CLEAN_SUFFIXES)}"
        draft = self._fake_draft("low_price_new_seller", brand, category, floor, title,
                                 (0.10, 0.35), seller=self._seller("fresh"))
        draft.description = rng.choice(GENUINE_DESCRIPTIONS)
        return draft

    def _repeat_offender(self) -> _Draft:
        if not self.convicted_list:
            return self._plain_fake()
        rng = self.rng
        seller = rng.choice(self.convicted_list)
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        title = f"{self._mark(brand)} {self._product(brand, category)}, " \
                f"{rng.choice(CLEAN_SUFFIXES)}"
        draft = self._fake_draft("repeat_offender", brand, category, floor, title, (0.3, 0.6),
                                 seller=seller)
        draft.description = rng.choice(GENUINE_DESCRIPTIONS)
        return draft

    # ------------------------------------------------------------ genuine kinds

    def _branded_genuine(self, kind: str, brand: _BrandProfile, category: str, title: str,
                         band_usd: tuple[float, float], seller: _Seller,
                         not_below: bool) -> _Draft:
        rng = self.rng
        return _Draft(kind=kind, title=title, category=category, seller=seller,
                      price_band_usd=band_usd, currency=self._currency(),
                      description=rng.choice(GENUINE_DESCRIPTIONS),
                      brand_field=brand.name if rng.random() < 0.8 else None,
                      image_phashes=self._random_phashes(), brand_id=brand.brand_id,
                      price_not_below_band=not_below)

    def _brand_store(self) -> _Draft:
        rng = self.rng
        brand = self._brand(lambda b: b.authorized_sellers)
        if brand is None:
            return self._ordinary_branded()
        category, floor = self._category(brand)
        product = f"{brand.name} {self._product(brand, category)}"
        if rng.random() < 0.3:
            discount = rng.randint(10, 30)
            title, band = f"{product}, end of season sale -{discount}%", (0.7, 0.9)
        else:
            title, band = f"{product} in {rng.choice(COLOURS)}", (1.0, 2.5)
        seller = self._store(rng.choice(brand.authorized_sellers))
        draft = self._branded_genuine("brand_store", brand, category, title,
                                      (floor * band[0], floor * band[1]), seller, True)
        draft.brand_field, draft.description = brand.name, rng.choice(STORE_DESCRIPTIONS)
        if brand.official_phashes and rng.random() < 0.4:
            draft.image_phashes = self._with_own_photo(brand.official_phashes)
        return draft

    def _with_own_photo(self, known: Sequence[int]) -> list[str]:
        return [self._near(self.rng.choice(known), 2), *self._random_phashes(2)]

    def _verified_reseller(self) -> _Draft:
        return self._pre_owned("verified_reseller", self._seller("reseller"), (0.5, 0.95))

    def _cleared_reseller(self) -> _Draft:
        if not self.cleared_list:
            return self._verified_reseller()
        seller = self.rng.choice(self.cleared_list)
        return self._pre_owned("cleared_reseller", seller, (0.45, 0.9))

    def _pre_owned(self, kind: str, seller: _Seller, band: tuple[float, float]) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        mark, product = self._mark(brand), self._product(brand, category)
        title = rng.choice((f"Pre-owned authentic {mark} {product}, receipt included",
                            f"Authentic pre-loved {mark} {product} with original receipt",
                            f"{mark} {product}, gently used, 100% authentic, receipt",
                            f"Vintage {mark} {product}, certificate of authenticity"))
        draft = self._branded_genuine(kind, brand, category, title,
                                      (floor * band[0], floor * band[1]), seller, True)
        draft.description = rng.choice((
            f"Bought at the {mark} boutique in {rng.choice(CITIES)}, "
            f"{rng.randint(2012, 2025)}. Receipt and dust bag included.",
            "Authenticated by a third-party service; certificate included.",
            "Light signs of wear, see photos. Original receipt included.",
        ))
        return draft

    def _ordinary_branded(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        category, floor = self._category(brand)
        mark, product = self._mark(brand), self._product(brand, category)
        colour, suffix = rng.choice(COLOURS), rng.choice(CLEAN_SUFFIXES)
        title = rng.choice((f"Authentic {mark} {product}",
                            f"{mark} {product}, new with tags, bought at {mark} boutique",
                            f"{mark} {product} - 100% authentic, full set",
                            f"{mark} {product} {colour}, {suffix}"))
        return self._branded_genuine("ordinary_branded", brand, category, title,
                                     (floor, floor * 1.6), self._seller("ordinary"), True)

    def _innocent_lookalike(self) -> _Draft:
        category, template, low, high = self.rng.choice(INNOCENT_LOOKALIKES)
        return self._innocent("innocent_lookalike", category, self._fill(template), (low, high))

    def _common_word(self) -> _Draft:
        usable = [entry for entry in COMMON_WORDS
                  if entry[4] is None or entry[4] not in self.mark_words]
        category, template, low, high, _ = self.rng.choice(usable)
        return self._innocent("common_word", category, self._fill(template), (low, high))

    def _compatible_accessory(self) -> _Draft:
        rng = self.rng
        brand = self._brand()
        assert brand is not None
        mark = self._mark(brand)
        models = MODELS.get(brand.brand_id, {}).get("handbags")
        model = rng.choice(models) if models else "bags"
        title = rng.choice((f"Organizer insert compatible with {mark} {model}",
                            f"Felt bag organizer for {mark} {model}, {rng.choice(COLOURS)}",
                            f"Replacement strap fits {mark} {model}",
                            f"Replacement leather strap compatible with {mark} bags",
                            f"Base shaper for {mark} {model}, acrylic"))
        draft = self._innocent("compatible_accessory", "accessories", title, (8, 70))
        draft.description = "Not affiliated with or endorsed by the brand. Handmade."
        return draft

    def _generic_unbranded(self) -> _Draft:
        rng = self.rng
        category = rng.choice(tuple(NOUNS))
        suffix = self._fill(rng.choice(GENERIC_SUFFIXES))
        title = f"{rng.choice(VAGUE_ADJECTIVES)} {rng.choice(NOUNS[category])}{suffix}" \
            if rng.random() < 0.5 else f"{rng.choice(NOUNS[category]).capitalize()}{suffix}"
        return self._innocent("generic_unbranded", category, title,
                              GENERIC_PRICES_USD[category])

    def _innocent(self, kind: str, category: str, title: str,
                  band_usd: tuple[float, float]) -> _Draft:
        rng = self.rng
        return _Draft(kind=kind, title=title, category=category, seller=self._seller("shop"),
                      price_band_usd=band_usd, currency=self._currency(),
                      description=rng.choice(INNOCENT_DESCRIPTIONS),
                      brand_field=rng.choice((None, None, "Unbranded", "Generic")),
                      image_phashes=self._random_phashes())

    def _fill(self, template: str) -> str:
        rng = self.rng
        return template.format(
            count=rng.choice((60, 90, 120, 180, 240)), mg=rng.choice((1000, 1200, 2000)),
            inch=rng.choice((12, 16, 18, 20)), channels=rng.choice((2, 4, 8, 12, 16, 24)),
            cm=rng.randint(8, 60), year=rng.randint(1999, 2024), colour=rng.choice(COLOURS),
            kw=rng.choice((3, 5, 8, 10)), size=rng.choice(("S", "M", "L", "XL", "38", "42")),
        )


def _remember(known: dict[str, _Seller], in_order: list[_Seller], seller: _Seller) -> None:
    if seller.seller_id not in known:
        known[seller.seller_id] = seller
        in_order.append(seller)


def _cumulative(weights: dict[str, float]) -> list[float]:
    return list(itertools.accumulate(weights.values()))


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(tuple(weights), weights=tuple(weights.values()))[0]


def generate(count: int, seed: int = 7, registry_path: Path | None = None,
             counterfeit_share: float = 0.35,
             with_outcomes: bool = True) -> Iterator[GeneratedRecord]:
    """`count` records in event-time order: listing events, and outcomes unless told not to.

    Without outcomes the listing events are the same ones, in the same order.
    """
    registry = load_registry(registry_path or default_registry_path())
    stream = _Traffic(seed, registry, counterfeit_share).records()
    if not with_outcomes:
        stream = (record for record in stream if record.label is not None)
    return itertools.islice(stream, count)


def write_corpus(records: Iterator[GeneratedRecord], events_path: Path,
                 labels_path: Path | None) -> tuple[int, int]:
    """Write the events as JSON lines and the per-listing labels; return (events, listings)."""
    labels: dict[str, dict[str, str]] = {}
    events = 0
    with events_path.open("wb") as out:
        for record in records:
            out.write(orjson.dumps(record.document) + b"\n")
            events += 1
            if record.label is not None:
                listing_id = record.document["listing"]["listing_id"]
                labels.setdefault(listing_id, {"label": record.label, "kind": record.kind})
    if labels_path is not None:
        labels_path.write_bytes(orjson.dumps(labels, option=orjson.OPT_INDENT_2) + b"\n")
    return events, len(labels)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: write a seeded, labelled corpus."""
    parser = argparse.ArgumentParser(prog="python -m offline.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, required=True, help="records to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="events, one JSON per line")
    parser.add_argument("--labels", type=Path, help="{listing_id: {label, kind}} JSON")
    parser.add_argument("--registry", type=Path, help="brand registry (default: the shipped one)")
    parser.add_argument("--counterfeit-share", type=float, default=0.35)
    parser.add_argument("--no-outcomes", action="store_true", help="listing events only")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    records = generate(args.count, args.seed, args.registry, args.counterfeit_share,
                       not args.no_outcomes)
    events, listings = write_corpus(records, args.out, args.labels)
    elapsed = time.perf_counter() - started
    print(f"wrote {events} events ({listings} listings) to {args.out} in {elapsed:.2f}s",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
