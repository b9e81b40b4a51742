"""The suite's settings (`contract_tests/settings.py`): values, errors, help, redaction."""

from __future__ import annotations

import pytest

from contract_tests import cli, tiers
from contract_tests.settings import FIELDS, VARIABLES, UsageError, described, load

KEY = "key-5c0ffee-2d9a"
LIVE = {"BASE_URL": "https://portal.example.com", "API_KEY": KEY, "FROM": "me@example.com"}


def refusal(environ: dict[str, str]) -> str:
    with pytest.raises(UsageError) as refused:
        load(environ)
    return str(refused.value)


def test_values_are_read_and_converted() -> None:
    got = load({**LIVE, "MAX_EXAMPLES": "12", "SEED": "0", "RATE_LIMIT": "2.5", "REPORT_DIR": "out"})
    assert (got.max_examples, got.seed, got.rate_limit, str(got.report_dir)) == (12, 0, 2.5, "out")
    assert got.api_key.reveal() == KEY
    assert got.base_url == "https://portal.example.com"
    # Empty text is unset: the default (a Makefile passes every variable, set or not).
    empty = load({**LIVE, "MAX_EXAMPLES": "", "PROFILE": "", "ATTACHMENT_FILE_ID": "", "RATE_LIMIT": ""})
    assert (empty.max_examples, empty.profile, empty.attachment_file_id, empty.rate_limit) == (
        150,
        "strict",
        None,
        None,
    )


def test_the_tier_gives_defaults_and_a_setting_given_wins() -> None:
    smoke = load({"TIER": "smoke"})
    assert smoke.max_examples == int(tiers.DEFAULTS["smoke"]["MAX_EXAMPLES"])
    assert load({"TIER": "smoke", "MAX_EXAMPLES": "7"}).max_examples == 7
    assert load({}).max_examples == FIELDS["MAX_EXAMPLES"].default


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MAX_EXAMPLES": "many"}, "MAX_EXAMPLES must be a whole number, not 'many'"),
        ({"MAX_SENDS": "0"}, "MAX_SENDS must be at least 1, not 0"),
        ({"SEED": "-1"}, "SEED must be at least 0, not -1"),
        ({"RATE_LIMIT": "fast"}, "RATE_LIMIT must be a number, not 'fast'"),
        ({"RATE_LIMIT": "inf"}, "RATE_LIMIT must be a number, not 'inf'"),
        ({"RATE_LIMIT": "-1"}, "RATE_LIMIT must be at least 0, not -1"),
        ({"PROFILE": "lax"}, "PROFILE must be one of strict, onlyoffice, not 'lax'"),
        ({"TIER": "quick"}, "TIER must be one of smoke, standard, deep, not 'quick'"),
        ({"DELIVERY_SAMPLE": "some"}, "DELIVERY_SAMPLE must be a whole number or all, not 'some'"),
        ({"RECIPIENT_DOMAIN": "a@b.example"}, "RECIPIENT_DOMAIN must be a domain name"),
        ({"BASE_URL": "http://127.0.0.1:9"}, "BASE_URL is set, so API_KEY and FROM must be set too"),
        ({**LIVE, "FROM": " "}, "BASE_URL is set, so FROM must be set too"),
    ],
)
def test_a_malformed_or_unknown_value_says_what_to_set(environ: dict[str, str], message: str) -> None:
    assert refusal(environ).startswith(message)


def test_the_key_never_shows_in_the_repr_the_help_or_an_error() -> None:
    settings = load({**LIVE, "BASE_URL": "https://ci:pw-31f7@portal.example.com"})
    for text in (repr(settings), str(settings)):
        assert KEY not in text
        assert "pw-31f7" not in text
        assert "api_key=[Filtered]" in text
        assert "https://ci:[Filtered]@portal.example.com" in text
    # A BASE_URL that is wrong is quoted with its password masked.
    message = refusal({**LIVE, "BASE_URL": "ftp://ci:pw-31f7@portal.example.com"})
    assert (
        message
        == "BASE_URL must start with http:// or https://, not 'ftp://ci:[Filtered]@portal.example.com'"
    )
    message = refusal({**LIVE, "API_KEY": KEY + "\n"})
    assert message.startswith("API_KEY holds a line break")
    assert KEY not in message
    # Another setting's error, with the key set: the key is not in it.
    for wrong in ({"MAX_SENDS": "0"}, {"SEED": "x"}, {"TIER": "x"}, {"RECIPIENT_DOMAIN": "@"}):
        assert KEY not in refusal({**LIVE, **wrong})


def test_the_help_lists_every_setting_but_the_key_which_is_environment_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_KEY", KEY)
    text = cli._parser().format_help()
    assert KEY not in text
    assert "--api-key" not in text
    for row in described():
        if row.variable != "API_KEY":
            assert f"--{row.variable.lower().replace('_', '-')} {row.variable}" in text


def test_the_rows_are_the_settings_in_order_and_only_the_key_is_secret() -> None:
    rows = described()
    assert [row.variable for row in rows] == list(VARIABLES)
    assert [row.variable for row in rows if row.secret] == ["API_KEY"]
    assert all(row.help and row.default for row in rows)
    shown = {row.variable: row.default for row in rows}
    assert (shown["MAX_EXAMPLES"], shown["BASE_URL"], shown["TIER"]) == ("150", "(unset)", "standard")
