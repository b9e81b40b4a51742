"""The marker a checked send's recipients get, and the sample of generated sends: rules without a server.

The suite's runs (tests/test_contract_delivery.py) show the checks catch each delivery fault;
these show the marking keeps what a case tests and the sample is the same for the same seed."""

from __future__ import annotations

import pytest

from contract_tests import settings as suite_settings
from contract_tests.hooks import as_real_send
from contract_tests.mail import GeneratedSends, Sent, marked
from contract_tests.plugin import spec_example
from contract_tests.safety import make_safe
from contract_tests.test_rules import ACCEPTED_PROBES
from onlyoffice_contract import spec
from onlyoffice_contract.mailbox import parse_mailbox

DOMAIN = "example.invalid"
TOKEN = "0123abcd"


@pytest.mark.parametrize(
    "address",
    [
        "bob@example.invalid",
        "Bob Example <bob@example.invalid>",
        '"Doe, John" <john@example.invalid>',
        '"a b"@example.invalid',  # a quoted local part: not marked, still valid
        "x" * 980 + "@example.invalid",  # the mark would make it too long: not marked
        '"bob@example.invalid" <bob@example.invalid>',  # the address in the name too
        "not an address",
        "bob@example.invalid, eve@example.invalid",  # two mailboxes: invalid, and stays so
        "bob@other.invalid",
    ],
)
def test_marking_never_changes_whether_an_address_parses(address: str) -> None:
    [changed] = marked({"to": [address]}, TOKEN, 7, DOMAIN)["to"]
    before, after = parse_mailbox(address), parse_mailbox(changed)
    assert (before is None) == (after is None), changed
    if changed != address:
        assert after is not None
        assert before is not None
        assert after.addr_spec == f"{before.username}+cs-{TOKEN}-7@{before.domain}"
        assert after.display_name == before.display_name


def test_a_case_sent_again_gets_its_new_number_and_a_lone_recipient_is_marked() -> None:
    once = marked({"to": "bob@example.invalid"}, TOKEN, 1, DOMAIN)
    assert once["to"] == f"bob+cs-{TOKEN}-1@example.invalid"
    assert marked(once, TOKEN, 2, DOMAIN)["to"] == f"bob+cs-{TOKEN}-2@example.invalid"


def test_the_accepted_probes_set_every_optional_field_but_the_draft_id() -> None:
    """Whatever the sample, the probes' mail covers each field (drafts, by id, are their own probes)."""
    settings = suite_settings.load({})
    example = make_safe(as_real_send(spec_example(), settings), settings.recipient_domain)
    set_by = {name for p in ACCEPTED_PROBES for name, v in {**example, **p.changes(settings)}.items() if v}
    assert set(spec.request_properties()) - set_by == {"id"}


def _sends(count: int) -> list[Sent]:
    fields = [name for name in spec.request_properties() if name != "from"]
    return [Sent(n, {}, {"to": [f"r+cs-{TOKEN}-{n}"], fields[n % len(fields)]: True}) for n in range(count)]


def test_the_sample_is_the_same_for_a_seed_and_covers_every_field_set() -> None:
    def sample(seed: int) -> list[int]:
        generated = GeneratedSends(suite_settings.load({"SEED": str(seed), "DELIVERY_SAMPLE": "20"}), TOKEN)
        generated.accepted = _sends(200)
        return [s.number for s in generated.sample()]

    assert sample(3) == sample(3) != sample(4)
    chosen = [s for s in _sends(200) if s.number in sample(3)]
    assert len(chosen) == 20
    assert set(spec.request_properties()) - {"from"} <= {k for s in chosen for k in s.request}


def test_all_checks_every_markable_send() -> None:
    generated = GeneratedSends(suite_settings.load({"DELIVERY_SAMPLE": "all"}), TOKEN)
    generated.accepted = _sends(50)
    assert len(generated.sample()) == 50


def test_recipients_under_any_case_of_a_field_name_are_confined_too() -> None:
    """A lenient server (the real one's binder) takes `"To"` and `"BCC"` as `to` and `bcc`: a
    generated body that names them so must not reach an address outside RECIPIENT_DOMAIN."""
    body = {
        "To": ["a@elsewhere.example"],
        "BCC": "Name <b@elsewhere.example>",
        "subject": "x@elsewhere.example",
    }
    safe = make_safe(body, "inside.test")
    assert safe == {"To": ["a@inside.test"], "BCC": "Name <b@inside.test>", "subject": "x@elsewhere.example"}
