"""The generated sends whose mail is checked: marked in every phase, kept when accepted, sampled by SEED.

Every generated case is marked in `before_call` (the one hook that runs in every phase, coverage
included), after `safety.make_safe` has confined its recipients to RECIPIENT_DOMAIN: each recipient
there gets `+cs-<run>-<n>`, n this case's own. Marking never changes what a case tests: an address
that did not parse still does not, one that did still does (`compare.marked`). A case the server
accepted (200) is kept when its mail can be told apart from every other send's: its body is valid
under PROFILE (an accepted invalid body is a conformance failure already), and every recipient the
server binds from it carries its marker, each once. Its mail is compared with the request as the
server binds it: under PROFILE=onlyoffice through the real server's binder (`"importance":
"false"` is false, a lone `to` a list of one), under strict the body as the spec reads it.

DELIVERY_SAMPLE of them are checked (all: every one): chosen by SEED, so that a rerun checks the
same sends, the first picks covering every optional field that some accepted send set.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from typing import Any

from schemathesis import Case

from contract_tests import profiles
from contract_tests.mail import compare
from contract_tests.settings import SuiteSettings
from onlyoffice_contract import binder, spec

# The probes are numbered by their place in rules.PROBES; generated sends after them.
FIRST_NUMBER = 1000


@dataclass(frozen=True)
class Sent:
    number: int
    body: dict[str, Any]  # as sent
    request: dict[str, Any]  # as the server binds it: what its mail is compared with


class GeneratedSends:
    def __init__(self, settings: SuiteSettings, token: str) -> None:
        self.settings, self.token = settings, token
        self._next = FIRST_NUMBER
        self._numbers: dict[int, int] = {}  # id(case): its number, until its answer
        self._reserved: dict[int, int] = {}  # id(case): its number, until it is marked
        self.accepted: list[Sent] = []

    def reserve(self, case: Case[Any]) -> None:
        """`case`'s number, given as it is drawn: `mark` may run later, on another thread (WORKERS)."""
        if isinstance(case.body, dict):
            self._reserved[id(case)], self._next = self._next, self._next + 1

    def mark(self, case: Case[Any]) -> None:
        if not isinstance(case.body, dict):
            return
        number = self._reserved.pop(id(case), None)
        if number is None:
            number, self._next = self._next, self._next + 1
        case.body = compare.marked(case.body, self.token, number, self.settings.recipient_domain)
        self._numbers[id(case)] = number

    def answered(self, case: Case[Any], status: int) -> None:
        number = self._numbers.pop(id(case), None)
        if number is None or status != 200 or not isinstance(case.body, dict):
            return
        request = self._as_bound(case.body)
        if request is None:
            return
        addresses = compare.recipients(request)
        if (
            addresses
            and len(set(addresses)) == len(addresses)
            and all(compare.is_marked(a, self.token, number) for a in addresses)
        ):
            self.accepted.append(Sent(number, copy.deepcopy(case.body), request))

    def _as_bound(self, body: dict[str, Any]) -> dict[str, Any] | None:
        profile = self.settings.profile
        if not profiles.is_valid(body, profile):
            return None
        if profile == "strict":
            return copy.deepcopy(body)
        try:
            return binder.bind_json(body).request
        except binder.BindError:
            return None

    def sample(self) -> list[Sent]:
        """The sends to check, in the order they were sent."""
        size = self.settings.sample_size
        if size is None or size >= len(self.accepted):
            return sorted(self.accepted, key=lambda s: s.number)
        order = sorted(self.accepted, key=lambda s: s.number)  # answers came in any order (WORKERS)
        random.Random(self.settings.seed).shuffle(order)  # noqa: S311 - reproducible, not secret
        chosen: dict[int, Sent] = {}
        for field in spec.request_properties():
            if len(chosen) >= size:
                break
            if any(s.request.get(field) for s in chosen.values()):
                continue
            pick = next((s for s in order if s.request.get(field)), None)
            if pick is not None:
                chosen[pick.number] = pick
        for sent in order:
            if len(chosen) >= size:
                break
            chosen.setdefault(sent.number, sent)
        return sorted(chosen.values(), key=lambda s: s.number)
