"""The real server's known defects: what it answers where the contract says otherwise.

One place, as data, each in the facts' words (`onlyoffice-send-facts.md`, "Validation"). Under
PROFILE=onlyoffice a probe that meets one reports it as a known deviation: named, counted, listed
in the summary, and skipped in JUnit with the reason; never a pass and never a failure. Under strict
it is a failure like any other wrong status.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Deviation:
    rule: str  # the probe's rule, as tests name it
    expected: int  # what the contract says
    seen: int  # what the real server answers
    facts: str  # the facts' own words


KNOWN = (
    Deviation(
        rule="a from that does not parse",
        expected=400,
        seen=500,
        facts="A `from` that does not parse as an address throws a FormatException in the real server, which"
        " surfaces as 500: a defect of that server, not part of the contract; a conforming implementation"
        " answers 400.",
    ),
    Deviation(
        rule="an id that no message has",
        expected=404,
        seen=500,
        facts="An id that does not exist makes the real server dereference null, which surfaces as 500; a"
        " conforming implementation answers 404 in the error envelope (the server's ItemNotFoundException"
        " mapping).",
    ),
)


def known(rule: str, status: int) -> Deviation | None:
    """The known deviation of `rule` that answers `status`, if there is one."""
    return next((d for d in KNOWN if d.rule == rule and d.seen == status), None)
