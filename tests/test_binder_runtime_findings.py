"""What the binder oracle (Mono with Newtonsoft.Json, tests/test_binder_oracle.py) showed the Python
binder got wrong, each fixed and pinned here so that it holds where Mono is not installed.

Each expectation is what the oracle answered for the same request (docs/binder-oracle.md).
"""

from __future__ import annotations

import pytest

from onlyoffice_contract import binder, dotnet

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        # "R": 15 digits when they read back, else 17, and "G17" writes no exponent below 1E+17
        (6.0569656990807976e16, "60569656990807976"),
        (-0.0, "0"),  # Mono (as .NET Framework) writes zero without a sign
        (0.1, "0.1"),
        (1e16, "1E+16"),
    ],
)
def test_a_double_is_written_as_the_runtime_writes_it(value: float, text: str) -> None:
    assert dotnet.double_text(value) == text


def test_a_double_bound_as_text_is_the_runtimes_text() -> None:
    bound = binder.bind(b'{"subject": 6.0569656990807976e16, "calendarIcs": -0.0}', JSON)
    assert bound.request["subject"] == "60569656990807976"
    assert bound.request["calendarIcs"] == "0"


def test_an_empty_name_over_an_empty_array_makes_no_element_and_is_read() -> None:
    # DeserializeXNode checks a name when it makes an element; `[]` makes none
    assert binder.bind(b'{"": [], "subject": "s"}', JSON).request == {"subject": "s"}
    with pytest.raises(binder.BindError, match="an empty property name"):
        binder.bind(b'{"": [1], "subject": "s"}', JSON)


@pytest.mark.parametrize(
    "raw",
    [
        b'{"subject": "s", "@y": [1, 2]}',  # each item of the array is the attribute again
        b'{"subject": {"@y": 1, "@y": 2}}',
    ],
)
def test_an_attribute_given_twice_on_one_element_is_refused(raw: bytes) -> None:
    with pytest.raises(binder.BindError, match="given twice") as caught:
        binder.bind(raw, JSON)
    assert caught.value.status == 400


def test_attributes_of_different_elements_may_share_a_name() -> None:
    bound = binder.bind(
        b'{"subject": "s", "attachments": [{"@y": 1, "fileId": 1}, {"@y": 1, "fileId": 2}]}', JSON
    )
    assert bound.request["attachments"] == [{"fileId": 1}, {"fileId": 2}]


@pytest.mark.parametrize(
    ("raw", "query"),
    [(b"subject=s&=4311", b""), (b"subject=s", b"="), (b"=true", b"")],
)
def test_the_key_nothing_names_is_read_by_the_attachments_even_when_none_is_sent(
    raw: bytes, query: bytes
) -> None:
    # The server binds the list whatever the keys; each member reads the key "" when no key names
    # it (Binder.GetValue: `values[keys.SingleOrDefault() ?? string.Empty]`), and no value
    # converts to both an Int32 and a Boolean, so such a request is refused.
    with pytest.raises(binder.BindError, match="does not convert"):
        binder.bind(raw, FORM, query)


def test_without_the_key_nothing_names_no_attachment_is_bound() -> None:
    assert "attachments" not in binder.bind(b"subject=s&x=1", FORM).request


def test_windows_1252_reads_its_undefined_bytes_as_dotnet_does() -> None:
    # .NET's code page 1252 maps 0x81, 0x8D, 0x8F, 0x90 and 0x9D to U+0081...; Python's cp1252 has no mapping
    bound = binder.bind(b"subject=a%8Fb%9D&from=%80", f"{FORM}; charset=windows-1252")
    assert bound.request["subject"] == "a\x8fb\x9d"
    assert bound.request["from"] == "\u20ac"
    assert binder.bind(b"subject=a%FF", FORM).request["subject"] == "a\ufffd"  # bad UTF-8 stays U+FFFD
