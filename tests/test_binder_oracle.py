"""The Python binder held against the real runtime: the oracle (oracle/Oracle.cs) on Debian's Mono
with Newtonsoft.Json binds each generated request, and `binder.bind` must bind the same values or
refuse with the same status.

Hypothesis draws JSON bodies (parameter names in any case, odd names, nesting, nulls, lists for
single values, objects where text is expected, numbers as text in the forms .NET reads and the
ones it refuses), form bodies in jQuery's notation, and query strings beside either. A request
on which they disagree fails the test, shrunk to the smallest one, unless a known gap of the
oracle explains it (`harness/binder_oracle_gaps.py`, docs/binder-oracle.md); each known gap is
proven to disagree still by its own example. Without Mono (`make oracle`) these are skipped, and
the run's summary says so.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import binder_oracle
from harness.binder_oracle import Oracle, python_answer, same
from harness.binder_oracle_gaps import GAPS, Gap, explained
from onlyoffice_contract import binder

pytestmark = pytest.mark.oracle
needs_mono = pytest.mark.skipif(bool(binder_oracle.missing()), reason=binder_oracle.missing() or "ready")

# At least 5,000 in CI (the bar); ORACLE_EXAMPLES can raise it for a longer hunt.
EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "5000"))
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
REPORT = Path("reports") / "binder-oracle.json"


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    process = Oracle()
    yield process
    process.close()


# -- what to draw -----------------------------------------------------------------------------------

PARAMS = binder.params()
ATTACHMENT = next(p for p in PARAMS if p.kind.type == "object")
ENUM = next(p for p in PARAMS if p.kind.type == "enum")


def _cases(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from([name, name.lower(), name.upper(), name[:1].upper() + name[1:]])


NAMES = st.one_of(
    st.sampled_from([p.name for p in PARAMS]).flatmap(_cases),
    st.sampled_from(["a", "_x", "@x", "#text", "$id", "$values", "x.y", "to.x", "to-x", "a b", "1a", ""]),
)
MEMBER_NAMES = st.one_of(
    st.sampled_from(list(ATTACHMENT.kind.fields)).flatmap(_cases), st.sampled_from(["x", "@y", "#text"])
)
SPACES = st.sampled_from(["", " ", "\t", "\n", "\xa0", "\u2003", "\x00", "  "])
DIGITS = st.one_of(
    st.integers(-(2**33), 2**33).map(str),
    st.sampled_from(["2147483647", "2147483648", "-2147483648", "9223372036854775808", "007", "0", "١٢"]),
)
NUMBER_TEXT = st.builds(
    lambda lead, sign, base, digits, tail, trail: f"{lead}{sign}{base}{digits}{tail}{trail}",
    SPACES,
    st.sampled_from(["", "", "+", "-", "--"]),
    st.sampled_from(["", "", "", "0x", "0X", "#", "&h", "&H"]),
    st.one_of(DIGITS, st.sampled_from(["1F", "ff", "FFFFFFFF", "7fffffff", "80000000", "g", ""])),
    st.sampled_from(["", "", "", ".0", ".5", "e3", "E+2", ",5", "L", "u"]),
    SPACES,
)
BOOL_TEXT = st.builds(
    lambda lead, word, trail: f"{lead}{word}{trail}",
    SPACES,
    st.sampled_from(["true", "false", "True", "FALSE", "tRuE", "yes", "1", "0", "t", ""]),
    SPACES,
)
ENUM_TEXT = st.one_of(
    st.sampled_from(list(ENUM.kind.members)).flatmap(_cases),
    st.lists(st.sampled_from([*ENUM.kind.members, "2", "x", " read "]), min_size=1, max_size=3).map(",".join),
    NUMBER_TEXT,
)
TEXT = st.one_of(
    NUMBER_TEXT,
    BOOL_TEXT,
    ENUM_TEXT,
    st.text(max_size=8),
    st.sampled_from(["a@example.org", '"Doe, John" <j@example.org>', "a,b", "", "null", "[1,2]"]),
)
SCALARS = st.one_of(
    TEXT,
    st.integers(-(2**65), 2**65),
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, 1.5, -0.0, 1e15, 1e-5, 2.0**31]),
    st.booleans(),
    st.none(),
)


def _object(
    values: st.SearchStrategy[Any], names: st.SearchStrategy[str]
) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(names, values, max_size=4)


VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), _object(inner, st.one_of(NAMES, MEMBER_NAMES))),
    max_leaves=12,
)
ATTACHMENTS = st.lists(_object(st.one_of(SCALARS, st.lists(SCALARS, max_size=2)), MEMBER_NAMES), max_size=4)


@st.composite
def json_bodies(draw: st.DrawFn) -> bytes:
    members: dict[str, Any] = {}
    for _ in range(draw(st.integers(0, 6))):
        name = draw(NAMES)
        members[name] = draw(ATTACHMENTS if name.lower() == ATTACHMENT.name.lower() else VALUES)
    return json.dumps(members).encode()


def _form_key(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    shape = draw(st.sampled_from(["", "[]", "[0]", "[1]", "[x]", "[0][m]", "[m]", "[]"]))
    member = draw(MEMBER_NAMES)
    return name + shape.replace("m", member).replace("[x]", "[" + draw(DIGITS) + "]")


@st.composite
def pairs(draw: st.DrawFn, max_size: int) -> bytes:
    parts = []
    for _ in range(draw(st.integers(0, max_size))):
        key, value = _form_key(draw), draw(TEXT)
        parts.append(
            f"{quote(key)}={quote(value)}" if draw(st.booleans()) else f"{key}={value}".replace("&", "")
        )
    return "&".join(parts).encode()


# The media type picks the reader (exactly `application/json` is JSON); a form's charset decodes it.
JSON_TYPES = [
    f"{JSON_TYPE}; charset=utf-8",
    f"{JSON_TYPE}; charset=latin-1",
    "Application/JSON",
    "text/plain",
]
CHARSETS = ("UTF-8", "iso-8859-1", "windows-1252", "utf-16", "undefined")
FORM_TYPES = [f"{FORM_TYPE}; charset={charset}" for charset in CHARSETS]


@st.composite
def requests(draw: st.DrawFn) -> tuple[bytes, str, bytes]:
    query = draw(st.one_of(st.just(b""), pairs(2)))
    if draw(st.integers(0, 3)):
        content_type = draw(st.sampled_from([JSON_TYPE, JSON_TYPE, *JSON_TYPES]))
        return draw(json_bodies()), content_type, query
    content_type = draw(st.sampled_from([FORM_TYPE, FORM_TYPE, *FORM_TYPES]))
    return draw(pairs(8)), content_type, query


# -- the comparison -----------------------------------------------------------------------------------


def _shown(raw: bytes, content_type: str, query: bytes, python: Any, oracle: Any) -> str:
    return (
        f"body {raw!r}\ncontent type {content_type!r}, query {query!r}\n"
        f"python binder: {json.dumps(python)}\nmono oracle:   {json.dumps(oracle)}"
    )


@needs_mono
def test_the_python_binder_binds_what_the_real_runtime_binds(oracle: Oracle) -> None:
    tally = {"compared": 0, "bound": 0, "explained": 0}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # a fixed seed, not the clock: CI is red for a change, not for luck
        suppress_health_check=list(HealthCheck),
    )
    @given(requests())
    def agree(request: tuple[bytes, str, bytes]) -> None:
        raw, content_type, query = request
        theirs = oracle.ask(raw, content_type, query)
        ours = python_answer(raw, content_type, query)
        tally["compared"] += 1
        tally["bound"] += "bound" in theirs
        if same(ours, theirs):
            return
        gap = explained(raw, content_type, ours, theirs)
        assert gap is not None, "the binder and the real runtime disagree:\n" + _shown(
            raw, content_type, query, ours, theirs
        )
        tally["explained"] += 1

    agree()
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(tally) + "\n")
    print(
        f"binder oracle: {tally['compared']} generated requests compared with Mono"
        f" ({tally['bound']} bound, the rest refused); {tally['explained']} disagreements, each a known gap"
    )
    assert tally["compared"] >= EXAMPLES


@needs_mono
@pytest.mark.parametrize("gap", GAPS, ids=[g.name for g in GAPS])
def test_each_known_gap_still_disagrees(oracle: Oracle, gap: Gap) -> None:
    """A gap that no longer disagrees must leave the list: its example is asked again each run."""
    raw, content_type, query = gap.example
    theirs = oracle.ask(raw, content_type, query)
    ours = python_answer(raw, content_type, query)
    assert not same(ours, theirs), f"{gap.name} no longer disagrees:\n" + _shown(
        raw, content_type, query, ours, theirs
    )
    assert explained(raw, content_type, ours, theirs) is gap


@needs_mono
def test_a_subnormal_read_one_step_off_is_the_double_digits_gap(oracle: Oracle) -> None:
    """Where doubles are far apart (subnormals), one step of Mono's parser is more than 1e-14 of the
    value: the gap's tolerance counts steps there (the full test met `2.2250738585e-313`)."""
    raw = b'{"from": 2.2250738585e-313}'
    ours, theirs = python_answer(raw, "application/json", b""), oracle.ask(raw, "application/json", b"")
    assert not same(ours, theirs)
    gap = explained(raw, "application/json", ours, theirs)
    assert gap is not None
    assert gap.name == "mono-double-digits"
    far = b'{"from": 2.2250738585e-300}'  # a normal double: 1e-14 still rules, one step is not two digits
    assert python_answer(far, "application/json", b"") == oracle.ask(far, "application/json", b"")


def test_each_known_gap_is_documented() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "binder-oracle.md").read_text()
    for gap in GAPS:
        assert f"`{gap.name}`" in page, gap.name
        assert gap.source in page, gap.source
