"""The 47 prefectures by JIS X 0401 code (stored as the code, never derived from a postal code)."""

from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.validators import format_postal_code

PREFECTURES = [
    (1, _("Hokkaido")), (2, _("Aomori")), (3, _("Iwate")), (4, _("Miyagi")),
    (5, _("Akita")), (6, _("Yamagata")), (7, _("Fukushima")), (8, _("Ibaraki")),
    (9, _("Tochigi")), (10, _("Gunma")), (11, _("Saitama")), (12, _("Chiba")),
    (13, _("Tokyo")), (14, _("Kanagawa")), (15, _("Niigata")), (16, _("Toyama")),
    (17, _("Ishikawa")), (18, _("Fukui")), (19, _("Yamanashi")), (20, _("Nagano")),
    (21, _("Gifu")), (22, _("Shizuoka")), (23, _("Aichi")), (24, _("Mie")),
    (25, _("Shiga")), (26, _("Kyoto")), (27, _("Osaka")), (28, _("Hyogo")),
    (29, _("Nara")), (30, _("Wakayama")), (31, _("Tottori")), (32, _("Shimane")),
    (33, _("Okayama")), (34, _("Hiroshima")), (35, _("Yamaguchi")), (36, _("Tokushima")),
    (37, _("Kagawa")), (38, _("Ehime")), (39, _("Kochi")), (40, _("Fukuoka")),
    (41, _("Saga")), (42, _("Nagasaki")), (43, _("Kumamoto")), (44, _("Oita")),
    (45, _("Miyazaki")), (46, _("Kagoshima")), (47, _("Okinawa")),
]  # fmt: skip


def prefecture_lookup() -> dict[str, int]:
    """Names as people write them (石川県, 石川, Ishikawa, any case) to the code."""
    table = {}
    for code, label in PREFECTURES:
        for language in ("ja", "en"):
            with translation.override(language):
                name = str(label)
            table[name.casefold()] = code
            if name[-1] in "都道府県":
                table[name[:-1]] = code  # 石川 for 石川県
    return table


_NAMES = dict(PREFECTURES)


def full_address(prefecture: int | None, address: str, postal_code: str = "") -> str:
    """An address in one line, in the active language: 「〒920-8203 石川県金沢市鞍月2-20」,
    "〒920-8203 Ishikawa, 金沢市鞍月2-20" (the prefecture's name translated, the rest as
    stored)."""
    name = str(_NAMES.get(prefecture, ""))
    if name and address:
        line = gettext("%(prefecture)s, %(address)s") % {"prefecture": name, "address": address}
    else:
        line = name or address or ""
    code = format_postal_code(postal_code)
    return f"{code} {line}".strip() if code else line
