"""The suite's mail sinks against sinks that misbehave (harness/hostile_sinks.py): each must end in a
SinkError that names the sink, within its deadline, having read no more than its bounds allow."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from contract_tests.mail import Imap, Mailpit, Pop3, SinkError, parse_url
from harness import hostile_sinks

ADDRESS = "bob+cs-0d0d0d0d-1@contract.example.invalid"
REQUEST_TIMEOUT = 2  # the sink's deadline for each command
SCENARIOS = [
    ("IMAP", "dripped search"),
    ("IMAP", "huge literal"),
    ("IMAP", "absurd literal"),
    ("IMAP", "endless search"),
    ("POP3", "endless uidl"),
    ("POP3", "dripped uidl"),
    ("POP3", "malformed uidl"),
    ("Mailpit", "endless count"),
    ("Mailpit", "string summary"),
]


@dataclass
class SinkResult:
    sink: str
    scenario: str
    outcome: str  # "sink error: ..." is the goal; anything else is a failure of the drill
    written: int | None  # bytes the hostile sink wrote before the suite stopped reading
    seconds: float

    @property
    def held(self) -> bool:
        return self.outcome.startswith("sink error: ")


def _one(sink: str, scenario: str) -> SinkResult:
    started = time.monotonic()
    written: int | None = None
    try:
        if sink == "Mailpit":
            api = hostile_sinks.Mailpit(scenario)
            with api.running(), requests.Session() as session:
                Mailpit(api.sink, session, REQUEST_TIMEOUT).copies(ADDRESS, 1.0)
        else:
            speaking = hostile_sinks.imap if sink == "IMAP" else hostile_sinks.pop3
            reader = Imap if sink == "IMAP" else Pop3
            with speaking(scenario) as (url, speaker):
                try:
                    reader(parse_url(url), REQUEST_TIMEOUT).copies(ADDRESS, 1.0)
                finally:
                    written = speaker.written
        outcome = "no error"
    except SinkError as exc:
        outcome = str(exc)
    except Exception as exc:  # anything else escaping the sink is a failure of the drill
        outcome = f"untyped: {type(exc).__name__}: {exc}"[:200]
    return SinkResult(sink, scenario, outcome, written, time.monotonic() - started)


def run(say: Callable[[str], None]) -> list[SinkResult]:
    results = []
    for sink, scenario in SCENARIOS:
        result = _one(sink, scenario)
        say(f"  {sink}, {scenario}: {result.outcome[:160]} ({result.seconds:.1f} s)")
        results.append(result)
    return results
