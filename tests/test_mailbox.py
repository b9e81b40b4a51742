"""The mailbox rule: `email`'s parser is the judge; the fast reading of common forms must agree with it."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from harness.hostile import hostile_text
from onlyoffice_contract.mailbox import _common_form, _parse, parse_mailbox

# Characters that matter to an address's grammar, and some that do not.
_GRAMMAR = 'aZ09.@<> ,;:"\\=?-_+!#()[]\t'
_text = st.text(alphabet=st.sampled_from([*list(_GRAMMAR), "é", "ß", "\xa0"]), max_size=30)
_atom = st.text(alphabet=st.sampled_from(list("abcXYZ019.-_+!#=?")), min_size=1, max_size=10)
_LONG_LABELS = [f"{'a' * 63}.org", f"{'a' * 64}.org", f"example.{'b' * 64}"]  # one DNS takes, two it does not
_domain = st.sampled_from(
    ["example.org", "x.co", "a-b.example", "-bad.org", "x", "ex..org", "a.b.", "ä.org", *_LONG_LABELS]
)
_name = st.one_of(_atom, st.text(alphabet=st.sampled_from(list('ab ,."\\=?é')), max_size=12))
_forms = st.one_of(
    st.tuples(_atom, _domain).map(lambda t: f"{t[0]}@{t[1]}"),
    st.tuples(_name, _atom, _domain).map(lambda t: f"{t[0]} <{t[1]}@{t[2]}>"),
    st.tuples(_name, _atom, _domain).map(lambda t: f'"{t[0]}" <{t[1]}@{t[2]}>'),
    _text,
    hostile_text(4),
)


@pytest.mark.slow
@settings(max_examples=3000, database=None)
@given(_forms)
@example("Bob  Example <bob@example.org>")
@example('"Doe, John" <john@example.com>')
@example('" Doe" <john@example.com>')
@example("a.@example.org")
@example("=?utf-8?q?x?= <a@example.org>")
def test_the_fast_reading_agrees_with_the_parser_wherever_it_answers(text: str) -> None:
    common = _common_form(text)
    if common is not None:
        assert common == _parse(text), text


@pytest.mark.parametrize(
    "text",
    [
        "a@b.example",
        "Bob Example <bob@example.org>",
        '"Doe, John" <john@example.com>',
        "x-y+z@sub.example.org",
    ],
)
def test_the_common_forms_take_the_fast_reading(text: str) -> None:
    """The reason it exists: what people send is read without the parser."""
    assert _common_form(text) is not None
    assert parse_mailbox(text) == _parse(text)


@pytest.mark.parametrize(
    "text",
    ["g:; <a@example.org>", " .,)", '.";"g:.;', "\ud800@example.org", "a@b", "two@a.org, three@b.org"],
)
def test_what_is_not_one_mailbox_is_refused_without_raising(text: str) -> None:
    assert parse_mailbox(text) is None
