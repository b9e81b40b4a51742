"""The suite's schemathesis hooks: what makes every request safe, and every valid case a real send.

The suite registers them for its own run (`register(Hooks(settings))`). The
schemathesis CLI can load this module too, with the suite's settings in the
environment, and then runs with the same rules, checks and `mailbox` format:

    SCHEMATHESIS_HOOKS=contract_tests.hooks API_KEY=... FROM=... schemathesis run openapi.yaml ...
"""

from __future__ import annotations

import functools
import os
import threading
import zlib
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis import Case, HookContext, Response
from schemathesis.core.failures import AcceptedNegativeData, Failure, ServerError
from schemathesis.core.hooks import HOOKS_MODULE_ENV_VAR
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER
from schemathesis.openapi.checks import RejectedPositiveData, UndefinedStatusCode

from contract_tests import (
    checks,  # noqa: F401 - registers the suite's checks with schemathesis
    profiles,
    safety,
)
from contract_tests import settings as suite_settings
from contract_tests.mail import GeneratedSends
from contract_tests.settings import SuiteSettings
from contract_tests.strategies import mailboxes
from onlyoffice_contract import defects, spec
from onlyoffice_contract.mailbox import parse_mailbox


def _parsable(address: Any, domain: str) -> Any:
    """A recipient the server's parser will read: kept if it is one mailbox, else a plain one.

    Schemathesis sometimes fills a `mailbox` string from its lists of hostile strings rather
    than from the format's strategy; such a value is not an address, whatever the schema says."""
    if not isinstance(address, str) or parse_mailbox(address) is not None:
        return address
    return f"r{zlib.crc32(address.encode('utf-8', 'surrogatepass')):08x}@{domain}"


def as_real_send(body: dict[str, Any], settings: SuiteSettings) -> dict[str, Any]:
    """The body as a send that can succeed: from the run's mailbox, to addresses that parse,
    as a new message (a random draft id would only find 404), without attachments (they name
    files on the server). These are the rules the spec cannot state."""
    real = {key: value for key, value in body.items() if key != "attachments"}
    real["from"] = settings.from_
    if isinstance(real.get("id"), int) and real["id"] > 0:
        real["id"] = 0
    for name in safety.RECIPIENT_FIELDS:
        if isinstance(real.get(name), list):
            real[name] = [_parsable(item, settings.recipient_domain) for item in real[name]]
    return real


class Hooks:
    """The hooks of one run, bound to its settings; `on_accept` is told of every 2xx."""

    def __init__(
        self,
        settings: SuiteSettings,
        on_accept: Callable[[], None] = lambda: None,
        generated: GeneratedSends | None = None,
        on_deviation: Callable[[defects.Defect, int], None] = lambda defect, status: None,
    ) -> None:
        self.settings = settings
        self._on_accept = on_accept
        self._on_deviation = on_deviation
        # The case each thread last counted as a deviation (a case's failures come together, on the
        # thread that checks it: WORKERS).
        self._deviated = threading.local()
        self._counting = threading.Lock()
        # The suite's own run marks every case and keeps the accepted ones, to check their mail.
        self.generated = generated
        self._valid = spec.validator(spec.request_schema_name()).is_valid
        # Cases a probe built to break one rule on purpose (safe by construction): left as they are.
        self.probes: set[int] = set()

    def before_call(self, context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
        """Runs before every request, in every phase: the rules that keep a live server safe.

        Recipients are confined first. Then a body that is valid becomes a real send; an invalid one
        takes the real-send values too unless they would repair it (its fault is in those fields)."""
        if not isinstance(case.body, dict) or id(case) in self.probes:
            return
        safe = safety.make_safe(case.body, self.settings.recipient_domain)
        real = as_real_send(safe, self.settings)
        case.body = real if self._valid(safe) or not self._valid(real) else safe
        if self.generated is not None:
            self.generated.mark(case)

    def filter_failure(
        self, context: HookContext, failure: Failure, case: Case[Any], response: Response
    ) -> bool:
        """Keep a failure unless the profile says the server was right.

        "Accepted invalid data" is dropped for a body that is in fact acceptable:
        schemathesis labels some generated bodies invalid that are not (a custom
        format it cannot check, a mutation the safety rules undid); and under the
        onlyoffice profile, what the real server's binder turns into a valid request
        is acceptable. "Rejected valid data" is dropped for a body the profile refuses:
        schemathesis judges by the spec it was given, which lacks a bound the `mailbox` format
        implies (`schema.py`: an empty address is valid to it, not to openapi.yaml); and under
        the onlyoffice profile, a body the real server's binder refuses (a property name that is
        not an XML name, which no JSON Schema of OpenAPI 3.0 can forbid). A 500 that a known
        defect of the real server explains, judged on what its binder makes of the body
        (`"from": 0` is the unparsable address "0"), is a known deviation under the onlyoffice
        profile: counted by name, not failed."""
        if isinstance(failure, ServerError | UndefinedStatusCode):
            defect = profiles.known_defect(case.body, response.status_code, self.settings.profile)
            if defect is not None:
                if getattr(self._deviated, "case", None) != id(case):
                    self._deviated.case = id(case)
                    with self._counting:
                        self._on_deviation(defect, response.status_code)
                return False
        if isinstance(failure, AcceptedNegativeData):
            return not profiles.is_valid(case.body, self.settings.profile)
        if isinstance(failure, RejectedPositiveData):
            return profiles.is_valid(case.body, self.settings.profile)
        return True

    def after_call(self, context: HookContext, case: Case[Any], response: Response) -> None:
        """Count acceptances as they happen, before any check can stop the run."""
        if 200 <= response.status_code < 300:
            self._on_accept()
        if self.generated is not None and id(case) not in self.probes:
            self.generated.answered(case, response.status_code)


def register(hooks: Hooks) -> Callable[[], None]:
    """Register the run's hooks and the `mailbox` format with schemathesis; gives the undo.

    Schemathesis takes before_call and after_call only as global hooks, so the run's
    hooks are registered globally while it lasts, and removed after it."""
    schemathesis.openapi.format("mailbox", mailboxes(hooks.settings.recipient_domain))
    # Partials, not bound methods: schemathesis sets an attribute on each hook it registers.
    registered = [
        schemathesis.hook(name)(functools.partial(getattr(Hooks, name), hooks))
        for name in ("before_call", "filter_failure", "after_call")
    ]

    def unregister() -> None:
        for hook in registered:
            GLOBAL_HOOK_DISPATCHER.unregister(hook)

    return unregister


if os.environ.get(HOOKS_MODULE_ENV_VAR) == __name__:  # loaded by the schemathesis CLI
    register(Hooks(suite_settings.load()))
