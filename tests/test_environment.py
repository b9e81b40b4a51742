"""The one settings mechanism (`onlyoffice_contract/environment.py`): converters, bounds, rows, redaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from onlyoffice_contract import environment
from onlyoffice_contract.environment import MASK, UNSET, Secret, SettingError, setting

KEY = "k-7f3e9a1c5b"


def _tail(url: str) -> str:
    return url.rsplit("@", 1)[-1]


@dataclass(frozen=True)
class Example:
    count: int = setting(3, "how many", minimum=1, maximum=10)
    ratio: float = setting(0.5, "a share", minimum=0)
    flag: bool = setting(False, "on or off")
    where: Path = setting(Path("data"), "a folder")
    names: tuple[str, ...] = setting(("a",), "names, ';'-separated", separator=";")
    limit: int | None = setting(None, "a bound; unset: none")
    mode: str = setting("one", "one or two", choices=("one", "two"))
    key: Secret = setting(Secret(""), "the key")
    keys: tuple[Secret, ...] = setting((), "more keys")
    url: str = setting("", "a URL", mask=_tail)
    fact: int = setting(lambda: 42, "read when needed")
    label: str = setting("x", "any text", variable="LABEL_TEXT")

    def __post_init__(self) -> None:
        environment.check(self, "EX_")

    def __repr__(self) -> str:
        return environment.shown(self)


def read(**environ: object) -> Example:
    value: Example = environment.read(Example, environ, "EX_")
    return value


def refusal(**environ: object) -> str:
    with pytest.raises(SettingError) as refused:
        read(**environ)
    return str(refused.value)


def test_text_is_converted_by_the_field_type() -> None:
    got = read(
        EX_COUNT="7",
        EX_RATIO="0.25",
        EX_FLAG="Yes",
        EX_WHERE="/tmp/x",
        EX_NAMES=" b, c ; ;d",
        EX_LIMIT="5",
        EX_MODE="two",
        EX_KEY=KEY,
        EX_KEYS=f"{KEY}, other",
        LABEL_TEXT="y",
    )
    assert (got.count, got.ratio, got.flag, got.where) == (7, 0.25, True, Path("/tmp/x"))
    assert got.names == ("b, c", "d")  # the field's own separator; empty parts dropped
    assert (got.limit, got.mode, got.label) == (5, "two", "y")
    assert got.key.reveal() == KEY
    assert [k.reveal() for k in got.keys] == [KEY, "other"]
    for text, value in [("1", True), ("on", True), ("FALSE", False), ("no", False), ("0", False)]:
        assert read(EX_FLAG=text).flag is value


def test_empty_text_is_unset_but_an_empty_secret_stays_empty() -> None:
    assert read(EX_COUNT="", EX_MODE=" ", EX_NAMES="", EX_LIMIT="") == Example()
    assert read().fact == 42  # a default read when needed
    assert read(EX_KEY="").key == Secret("")
    assert not read(EX_KEY="").key


def test_toml_values_are_taken_as_they_are_typed() -> None:
    got = read(EX_COUNT=4, EX_RATIO=1, EX_FLAG=True, EX_NAMES=["x", " y "], EX_KEYS=[KEY])
    assert (got.count, got.ratio, got.flag, got.names) == (4, 1.0, True, ("x", "y"))
    assert got.keys == (Secret(KEY),)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"EX_COUNT": "many"}, "EX_COUNT must be a whole number, not 'many'"),
        ({"EX_COUNT": "2.5"}, "EX_COUNT must be a whole number, not '2.5'"),
        ({"EX_COUNT": 2.5}, "EX_COUNT must be a whole number, not '2.5'"),
        ({"EX_COUNT": True}, "EX_COUNT must be a whole number, not 'True'"),
        ({"EX_COUNT": "0"}, "EX_COUNT must be at least 1, not 0"),
        ({"EX_COUNT": "11"}, "EX_COUNT must be at most 10, not 11"),
        ({"EX_RATIO": "half"}, "EX_RATIO must be a number, not 'half'"),
        ({"EX_RATIO": "nan"}, "EX_RATIO must be a number, not 'nan'"),
        ({"EX_RATIO": "inf"}, "EX_RATIO must be a number, not 'inf'"),
        ({"EX_RATIO": "-0.5"}, "EX_RATIO must be at least 0, not -0.5"),
        ({"EX_FLAG": "maybe"}, "EX_FLAG must be true or false, not 'maybe'"),
        ({"EX_MODE": "three"}, "EX_MODE must be one of one, two, not 'three'"),
        ({"EX_NAMES": 5}, "EX_NAMES must be a list, not '5'"),
        ({"EX_NAMES": [1]}, "EX_NAMES must be a list of text, not '[1]'"),
        ({"EX_WHERE": 3}, "EX_WHERE must be text, not '3'"),
        ({"EX_URL": 3}, "EX_URL must be text, not '3'"),
    ],
)
def test_a_malformed_value_is_refused_in_words_that_name_the_variable(
    environ: dict[str, object], message: str
) -> None:
    assert refusal(**environ) == message


def test_the_bounds_hold_when_a_program_builds_the_class_itself() -> None:
    with pytest.raises(SettingError, match="EX_COUNT must be at least 1, not 0"):
        Example(count=0)
    with pytest.raises(SettingError, match="EX_MODE must be one of one, two"):
        Example(mode="three")
    assert Example(key=KEY).key == Secret(KEY)  # type: ignore[arg-type]  # text given: wrapped


def test_an_unknown_override_is_refused() -> None:
    with pytest.raises(SettingError, match="unknown settings: cuont"):
        environment.read(Example, {}, "EX_", cuont=3)


def test_a_secret_never_shows() -> None:
    secret = Secret(KEY)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", "%s" % secret, f"{secret:>20}"):  # noqa: UP031
        assert KEY not in shown
        assert MASK in shown
    settings = read(EX_KEY=KEY, EX_KEYS=KEY)
    assert KEY not in repr(settings)
    assert KEY not in str(settings)
    assert f"key={MASK}" in repr(settings)
    assert secret == Secret(KEY)
    assert secret != Secret("other")
    assert secret != KEY  # never compared with plain text by accident
    assert len({secret, Secret(KEY)}) == 1


@pytest.mark.parametrize(
    "environ",
    [{"EX_KEY": 5}, {"EX_KEY": [KEY]}, {"EX_KEYS": 5}, {"EX_KEYS": [KEY, 7]}],
)
def test_an_error_about_a_secret_never_quotes_it(environ: dict[str, object]) -> None:
    message = refusal(**environ)
    assert KEY not in message
    assert "5" not in message
    assert "7" not in message
    assert "not shown" in message


def test_a_masked_value_is_masked_in_the_repr() -> None:
    got = read(EX_URL="imap://u:pw-9d2@host")
    assert "pw-9d2" not in repr(got)
    assert "url='host'" in repr(got)


def test_the_rows_say_variable_default_help_and_secret() -> None:
    rows = {row.variable: row for row in environment.described(Example, "EX_")}
    assert list(rows) == [
        *(
            f"EX_{n}"
            for n in [
                "COUNT",
                "RATIO",
                "FLAG",
                "WHERE",
                "NAMES",
                "LIMIT",
                "MODE",
                "KEY",
                "KEYS",
                "URL",
                "FACT",
            ]
        ),
        "LABEL_TEXT",
    ]
    assert rows["EX_COUNT"] == environment.Row("EX_COUNT", "3", "how many", False)
    assert rows["EX_NAMES"].default == "a"
    assert rows["EX_LIMIT"].default == UNSET
    assert rows["EX_FACT"].default == "42"
    assert rows["EX_WHERE"].default == "data"
    assert [name for name, row in rows.items() if row.secret] == ["EX_KEY", "EX_KEYS"]


def test_the_environment_text_reads_back_the_same_settings() -> None:
    given = read(EX_COUNT="9", EX_NAMES="p;q", EX_KEY=KEY, EX_KEYS="a,b", EX_LIMIT="2", EX_FLAG="true")
    text = environment.as_environment(given, "EX_")
    assert text["EX_KEY"] == KEY  # revealed: this is for a child's environment, never for display
    assert text["EX_NAMES"] == "p;q"
    assert read(**text) == given
