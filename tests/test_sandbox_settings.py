"""The sandbox's settings and the delivery process's share of them, on the one mechanism."""

from __future__ import annotations

import dataclasses
import json
import typing
from pathlib import Path

import pytest

from onlyoffice_contract import defects, facts, spec
from onlyoffice_contract.environment import SettingError
from onlyoffice_sandbox import cli
from onlyoffice_sandbox.delivery.settings import DeliverySettings
from onlyoffice_sandbox.settings import DEFAULT_TOKEN, Settings, described

TOKEN = "tok-8e21b7c4"
PASSWORD = "pw-3a9d5f"
SOURCE = Path(__file__).resolve().parents[1] / "onlyoffice_sandbox" / "settings.py"


def refusal(environ: dict[str, str], **overrides: object) -> str:
    with pytest.raises(SettingError) as refused:
        Settings.from_env(environ, **overrides)
    return str(refused.value)


def test_values_are_read_converted_and_layered_over_the_toml_file(tmp_path: Path) -> None:
    toml = tmp_path / "sandbox.toml"
    toml.write_text('port = 9001\ntokens = ["a", "b"]\nrequest_seconds = 2\nsmtp = "relay.example:2525"\n')
    got = Settings.from_env(
        {
            "SANDBOX_CONFIG": str(toml),
            "SANDBOX_PORT": "9002",
            "SANDBOX_MAILBOXES": "A, B <a@x.example>; c@x.example",
            "SANDBOX_DRAFTS": "seed.json",
            "SANDBOX_FAULT_LATE_SECONDS": "0.5",
            "SANDBOX_USER": "",
        }
    )
    assert got.port == 9002  # the environment wins over the file
    assert got.revealed_tokens == ("a", "b")
    assert got.request_seconds == 2.0
    assert got.mailboxes == ("A, B <a@x.example>", "c@x.example")
    assert (got.drafts, got.fault_late_seconds, got.user) == (Path("seed.json"), 0.5, None)
    assert got.smtp_address == ("relay.example", 2525)
    assert Settings.from_env({"SANDBOX_PORT": ""}).port == 8080  # empty text is unset


def test_limits_of_the_call_are_the_spec_s_not_retyped() -> None:
    settings = Settings()
    assert settings.max_draft_body == spec.request_properties()["body"]["x-stored-draft-limit"] == 524288
    assert settings.max_attachment_bytes == defects.attachments_total_limit()
    source = SOURCE.read_text()
    for literal in ("524288", "26214400", "25 * 1024 * 1024", "512 * 1024"):
        assert literal not in source, literal
    rows = {row.variable: row.default for row in described()}
    assert rows["SANDBOX_MAX_DRAFT_BODY"] == str(facts.draft_body_limit())


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"SANDBOX_PORT": "http"}, "SANDBOX_PORT must be a whole number, not 'http'"),
        ({"SANDBOX_REQUEST_SECONDS": "nan"}, "SANDBOX_REQUEST_SECONDS must be a number, not 'nan'"),
        ({"SANDBOX_BINDER": "lax"}, "SANDBOX_BINDER must be one of onlyoffice, strict, not 'lax'"),
        ({"SANDBOX_PAGES_AUTH": "none"}, "SANDBOX_PAGES_AUTH must be one of auto, token, not 'none'"),
        ({"SANDBOX_FAULT_LATE_SECONDS": "601"}, "SANDBOX_FAULT_LATE_SECONDS must be at most 600, not 601"),
        ({"SANDBOX_FAULT_LATE_SECONDS": "-1"}, "SANDBOX_FAULT_LATE_SECONDS must be at least 0, not -1"),
        ({"SANDBOX_SMTP_STEP_SECONDS": "0"}, "SANDBOX_SMTP_STEP_SECONDS must be more than 0, not 0.0"),
        ({"SANDBOX_SMTP_STEP_SECONDS": "3601"}, "SANDBOX_SMTP_STEP_SECONDS must be at most 3600"),
        ({"SANDBOX_SMTP": "relay.example"}, "SANDBOX_SMTP must be host:port, not 'relay.example'"),
        ({"SANDBOX_FAULT_SENDS": "broke"}, "SANDBOX_FAULT_SENDS is not a fault: 'broke'"),
        ({"SANDBOX_TOKENS": " , "}, "SANDBOX_TOKENS must hold at least one token, none empty"),
        ({"SANDBOX_MAILBOXES": ";"}, "SANDBOX_MAILBOXES must hold at least one mailbox"),
    ],
)
def test_a_malformed_value_is_refused_in_words_that_name_the_variable(
    environ: dict[str, str], message: str
) -> None:
    assert refusal(environ).startswith(message)


def test_an_unknown_setting_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "sandbox.toml"
    toml.write_text("prot = 9001\n")
    assert refusal({"SANDBOX_CONFIG": str(toml)}) == "unknown sandbox settings: prot"
    assert refusal({}, prot=1) == "unknown sandbox settings: prot"


def test_an_empty_secret_is_refused_never_replaced_by_the_documented_default() -> None:
    """An unset variable of a secret store gives empty text: the sandbox must not then accept
    the token every README reader knows."""
    assert refusal({"SANDBOX_TOKENS": ""}).startswith("SANDBOX_TOKENS must hold at least one token")
    assert refusal({"SANDBOX_PASSWORD": ""}).startswith("SANDBOX_PASSWORD must be printable ASCII")


def test_the_tokens_and_password_never_show(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    environ = {"SANDBOX_TOKENS": f"{TOKEN},second", "SANDBOX_PASSWORD": PASSWORD}
    settings = Settings.from_env(environ)
    for text in (repr(settings), str(settings), repr(settings.tokens), str(settings.password)):
        assert TOKEN not in text
        assert PASSWORD not in text
    assert "password=[Filtered]" in repr(settings)
    monkeypatch.setenv("SANDBOX_TOKENS", TOKEN)
    assert TOKEN not in cli._parser().format_help()  # the help shows declared defaults only
    # Errors about them never quote them, whatever their shape.
    assert PASSWORD not in refusal({"SANDBOX_PASSWORD": PASSWORD + ":x"})
    toml = tmp_path / "sandbox.toml"
    toml.write_text(f'tokens = ["{TOKEN}", 7]\npassword = 123456\n')
    message = refusal({"SANDBOX_CONFIG": str(toml)})
    assert TOKEN not in message
    assert "7" not in message
    assert "not shown" in message
    toml.write_text("password = 123456\n")
    message = refusal({"SANDBOX_CONFIG": str(toml)})
    assert "123456" not in message
    assert message.startswith("SANDBOX_PASSWORD must be text")


def test_the_child_environment_reads_back_the_same_settings() -> None:
    settings = Settings.from_env(
        {
            "SANDBOX_TOKENS": f"{TOKEN},b",
            "SANDBOX_PASSWORD": PASSWORD,
            "SANDBOX_MAILBOXES": "A, B <a@x.example>",
        }
    )
    env = settings.to_env()
    assert env["SANDBOX_TOKENS"] == f"{TOKEN},b"  # revealed: a child's environment, never a display
    assert Settings.from_env(env) == settings


def test_the_rows_list_every_setting_and_mark_the_secrets() -> None:
    rows = described()
    assert [row.variable for row in rows] == list(Settings().to_env())
    assert [row.variable for row in rows if row.secret] == ["SANDBOX_TOKENS", "SANDBOX_PASSWORD"]
    shown = {row.variable: row.default for row in rows}
    # The documented defaults (public, printed at start) are shown; nothing given at run time is.
    assert (shown["SANDBOX_TOKENS"], shown["SANDBOX_SMTP"]) == (DEFAULT_TOKEN, "(unset)")
    help_text = cli._parser().format_help()
    assert all(row.variable in help_text for row in rows)


def test_the_delivery_settings_are_the_sandbox_s_own_and_carry_no_secret() -> None:
    settings = Settings.from_env(
        {"SANDBOX_TOKENS": TOKEN, "SANDBOX_PASSWORD": PASSWORD, "SANDBOX_SMTP": "127.0.0.1:2525"}
    )
    delivery = DeliverySettings.of(settings)
    text = delivery.dumps()
    assert TOKEN not in text
    assert PASSWORD not in text
    assert set(json.loads(text)) == {
        "SANDBOX_DB",
        "SANDBOX_MAIL_DIR",
        "SANDBOX_SMTP",
        "SANDBOX_RETRY_MAX_SECONDS",
        "SANDBOX_SMTP_STEP_SECONDS",
    }
    assert DeliverySettings.loads(text) == delivery
    assert delivery.smtp_address == settings.smtp_address == ("127.0.0.1", 2525)
    # The same declarations as the sandbox's fields: type, default, bounds.
    own, sandbox = typing.get_type_hints(DeliverySettings), typing.get_type_hints(Settings)
    sandbox_fields = {f.name: f for f in dataclasses.fields(Settings)}
    for f in dataclasses.fields(DeliverySettings):
        assert own[f.name] == sandbox[f.name], f.name
        assert (f.default, f.metadata) == (sandbox_fields[f.name].default, sandbox_fields[f.name].metadata)


def test_the_delivery_process_refuses_a_malformed_value_by_its_name() -> None:
    text = json.dumps({"SANDBOX_DB": "x.sqlite3", "SANDBOX_SMTP_STEP_SECONDS": "soon"})
    with pytest.raises(SettingError, match="SANDBOX_SMTP_STEP_SECONDS must be a number, not 'soon'"):
        DeliverySettings.loads(text)
    with pytest.raises(SettingError, match="SANDBOX_SMTP_STEP_SECONDS must be at most 3600"):
        DeliverySettings.loads(json.dumps({"SANDBOX_SMTP_STEP_SECONDS": "7200"}))
