"""Hypothesis strategies and helpers shared by the property tests (tests/*/test_properties.py).

The strategies produce what a browser, a script or a mail client may post: any Unicode text
an HTTP form can carry (no lone surrogates), with the awkward parts drawn often (NUL and other
control characters, CRLF, right-to-left marks, full-width and half-width forms, emoji,
combining marks, very long strings); numbers written every which way; and uploaded files in
several encodings, truncated, empty or with huge lines.
"""

from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Examples per property: the whole set of property tests stays well under a minute and a half.
EXAMPLES = 40

PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

LONG = 10_000

AWKWARD = [
    "\x00",
    "\r\n",
    "\r",
    "\n",
    "\t",
    "\v",
    "\f",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\u200b",  # zero-width space
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    "\u2066\u2069",
    "\ufeff",  # BOM / zero-width no-break space
    "\u3000",  # ideographic space
    "ＡＢＣ１２３",  # full-width
    "ｲﾉﾍﾞｰｼｮﾝ",  # half-width katakana
    "ｶﾞ",
    "㈱",
    "ﷺ",  # NFKC expands it to 18 characters
    "e\u0301",  # combining accent
    "👩‍👩‍👧‍👦",
    "🇯🇵",
    "💩",
    "𠮷野家",  # outside the BMP
    "مرحبا",
    "שלום",
    "<script>alert(1)</script>",
    "{{ 7*7 }}{% if %}",
    "' OR 1=1 --",
    "%(name)s %s {0}",
    "\\x00",
    "null",
    "-1",
    "１２３",
    "²³",
    "١٢٣",
]

_characters = st.characters(exclude_categories=("Cs",))


def text(max_size: int = 60, longest: int = LONG) -> st.SearchStrategy[str]:
    """Arbitrary form text: random characters (up to `max_size`), the awkward pieces above
    strung together, and runs of one piece up to `longest` characters."""
    piece = st.one_of(st.text(_characters, max_size=8), st.sampled_from(AWKWARD))
    mixed = st.lists(piece, max_size=12).map(lambda pieces: "".join(pieces)[:longest])
    unit = st.one_of(
        st.sampled_from(["あ", "a", "𠮷", "\x00", " ", "ｱ", "\u200f", "👩‍👩‍👧‍👦"]),
        st.text(_characters, min_size=1, max_size=3),
    )
    run = st.tuples(unit, st.integers(min_value=1, max_value=longest)).map(
        lambda pair: (pair[0] * pair[1])[:longest]
    )
    return st.one_of(st.text(_characters, max_size=max_size), mixed, run)


def clean_text(min_size: int = 1, max_size: int = 30) -> st.SearchStrategy[str]:
    """Printable text without control characters, as a well-behaved person types it."""
    return st.text(
        st.characters(exclude_categories=("Cs", "Cc", "Co", "Cn", "Zl", "Zp")),
        min_size=min_size,
        max_size=max_size,
    ).filter(lambda value: value.strip())


_WIDE_DIGITS = str.maketrans("0123456789.-+", "０１２３４５６７８９．－＋")


def number_text() -> st.SearchStrategy[str]:
    """Numbers as a form posts them: plain, signed, decimal, exponent, huge, full-width,
    with separators or spaces, not finite, or not numbers at all."""
    plain = st.one_of(
        st.integers(min_value=-(10**40), max_value=10**40).map(str),
        st.integers(min_value=-1000, max_value=1000).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
    )
    return st.one_of(
        plain,
        plain.map(lambda value: value.translate(_WIDE_DIGITS)),
        plain.map(lambda value: f" {value}\u3000"),
        st.integers(min_value=0, max_value=10**9).map(lambda n: f"{n:,}"),
        st.sampled_from(["", "0", "00", "1e9999", "-0", "NaN", "inf", "0x10", "1_000", "²"]),
        st.sampled_from(["1" * 5000, "9" * 30, "0." + "1" * 100]),
        text(max_size=10),
    )


@st.composite
def perturbed(draw, valid: dict, replacements: dict, max_changes: int = 3) -> dict:
    """A valid post with a few of its fields replaced by values drawn from `replacements`
    (field name -> strategy); sometimes a field is left out altogether."""
    names = draw(st.sets(st.sampled_from(sorted(replacements)), max_size=max_changes))
    data = dict(valid)
    for name in sorted(names):
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(replacements[name])
    return data


# --- Files ----------------------------------------------------------------------------------

ENCODINGS = ["cp932", "shift_jis", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "latin-1"]


def encoded(content: str, encoding: str) -> bytes:
    """`content` in `encoding`, characters the encoding lacks replaced, as an editor saves."""
    return content.encode(encoding, errors="replace")


def file_bytes(valid: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Uploads: valid-ish files, the same files cut short or broken, re-encoded text,
    random bytes, empty files and files with huge lines."""

    def cut(pair):
        data, fraction = pair
        return data[: int(len(data) * fraction)]

    def splice(triple):
        data, position, junk = triple
        at = int(len(data) * position)
        return data[:at] + junk + data[at:]

    def reencode(pair):
        data, encoding = pair
        for source in ("cp932", "utf-8-sig"):
            try:
                return encoded(data.decode(source), encoding)
            except UnicodeDecodeError:
                continue
        return data

    junk = st.one_of(
        st.binary(max_size=40),
        st.sampled_from([b"\x00", b"\r\n", b"\x1a", b"\xff\xfe", b"\xef\xbb\xbf", b"\x82", b","]),
    )
    fraction = st.floats(min_value=0, max_value=1)
    return st.one_of(
        valid,
        st.tuples(valid, fraction).map(cut),
        st.tuples(valid, fraction, junk).map(splice),
        st.tuples(valid, st.sampled_from(ENCODINGS)).map(reencode),
        st.binary(max_size=600),
        st.just(b""),
        st.sampled_from([b"\x00" * 400, b"1" * 200, b"1" * 20_000, b"a,b\n" + b"x" * 100_000]),
    )


def text_file(content: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Text in one of the ENCODINGS (with a BOM where the encoding writes one)."""
    return st.tuples(content, st.sampled_from(ENCODINGS)).map(lambda pair: encoded(*pair))


# --- Per-example isolation -----------------------------------------------------------------


@contextmanager
def rolled_back():
    """Run one example inside a savepoint that is rolled back afterwards, with an empty
    cache: pytest-django's `db` is per test function, hypothesis runs many examples in it."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def state(*querysets) -> list:
    """Every row of the querysets (or models), to compare before and after a rejected post."""
    return [list(getattr(qs, "objects", qs).all().order_by("pk").values()) for qs in querysets]


def error_page(response, *markers: str) -> bool:
    """A form page that shows its errors: next to the fields or above the form (crispy-forms,
    Bootstrap 5), or whatever `markers` the page uses instead."""
    content = response.content.decode()
    markers = markers or ("invalid-feedback", "alert-danger")
    return response.status_code == 200 and any(marker in content for marker in markers)
