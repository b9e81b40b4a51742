"""Replay files: each failure's request, kept so that `onlyoffice-contract replay FILE` sends it again.

A run writes one file per failure whose request it knows (`REPORT_DIR/replay/NN-<check>.json`):
the method, the path below BASE_URL, the Content-Type, the body, what failed and how to judge it
again. Never the key (no Authorization header is kept, and the text is redacted before it is
written). The replay goes through the run's own safety: every recipient moved into
RECIPIENT_DOMAIN, MAX_SENDS, REQUEST_TIMEOUT, RATE_LIMIT and the throttling budget, no redirect
followed, the key masked in all it prints. It says REPRODUCED (exit 1) or NOT REPRODUCED (0).
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from schemathesis.core.failures import AcceptedNegativeData, Failure, FailureGroup
from schemathesis.openapi.checks import IgnoredAuth, RejectedPositiveData

from contract_tests import pacing, profiles, safety, transport
from contract_tests import settings as suite_settings
from contract_tests.redact import Redactor
from contract_tests.settings import SuiteSettings
from onlyoffice_contract import spec

FORMAT = 1
FOLDER = "replay"
REPRODUCED, NOT_REPRODUCED = 1, 0
# How a failure is judged again: by the status its rule gives, by the validity of the body it sent,
# by the key (a request without one must be refused), or by the answer's shape.
KINDS = ("rule", "accepted invalid", "rejected valid", "auth", "answer")


def kind_of(failure: Failure) -> str:
    if isinstance(failure, AcceptedNegativeData):
        return "accepted invalid"
    if isinstance(failure, RejectedPositiveData):
        return "rejected valid"
    if isinstance(failure, IgnoredAuth):
        return "auth"
    return "answer"


def record(
    request: requests.PreparedRequest, settings: SuiteSettings, kind: str, expected: int | None = None
) -> dict[str, Any]:
    """What a replay needs of `request`; the path is the one below BASE_URL."""
    parts = urlsplit(request.url or "")
    base = urlsplit(settings.base_url or "").path.rstrip("/")
    path = parts.path[len(base) :] if base and parts.path.startswith(base) else parts.path
    body = request.body or b""
    raw = body if isinstance(body, bytes) else str(body).encode("utf-8")
    kept: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "expected_status": expected,
        "method": str(request.method or "PUT"),
        "path": path + (f"?{parts.query}" if parts.query else ""),
        "content_type": request.headers.get("Content-Type"),
        "profile": settings.profile,
        "account": settings.from_,  # FROM of the run: a replay against the embedded sandbox sends from it
    }
    try:
        kept["body"] = raw.decode("utf-8")
    except UnicodeDecodeError:
        kept["body_base64"] = base64.b64encode(raw).decode("ascii")
    return kept


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "failure"


def write_all(failures: list[Any], report_dir: Path, redactor: Redactor) -> dict[str, str]:
    """A file for each failure that kept its request; the check -> the file's path. The files of an
    earlier run in the folder are removed first: a stale one would replay a failure no longer seen."""
    folder = report_dir / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    written = {}
    for number, failure in enumerate((f for f in failures if f.replay is not None), start=1):
        content = {**failure.replay, "check": failure.check, "request_at_failure": failure.request}
        path = folder / f"{number:02d}-{_slug(failure.check)}.json"
        path.write_text(redactor.text(json.dumps(content, indent=2, ensure_ascii=False)) + "\n", "utf-8")
        written[failure.check] = str(path)
    return written


# -- the command -------------------------------------------------------------------------------


class _Usage(Exception):
    pass


def _load(path: Path) -> dict[str, Any]:
    try:
        content = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise _Usage(f"usage: replay: cannot read {path}: {exc}") from None
    if not isinstance(content, dict) or content.get("format") != FORMAT or content.get("kind") not in KINDS:
        raise _Usage(f"usage: replay: {path} is not a replay file the suite wrote (format {FORMAT})")
    return content


def _body(content: dict[str, Any], domain: str) -> tuple[bytes, Any]:
    """The body to send, every recipient confined to `domain`, and its JSON (None when it is not JSON)."""
    if "body_base64" in content:
        raw = base64.b64decode(content["body_base64"])
    else:
        raw = str(content.get("body", "")).encode("utf-8")
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        # Not JSON: whatever address it holds goes to the domain all the same (a form body can name one).
        text = raw.decode("utf-8", "surrogateescape")
        return safety.confine(text, domain).encode("utf-8", "surrogateescape"), None
    safe = safety.make_safe(payload, domain)
    return (raw if safe == payload else json.dumps(safe).encode()), safe


def judge(
    content: dict[str, Any], response: requests.Response, payload: Any, settings: SuiteSettings
) -> str | None:
    """What is still wrong with the answer (the failure reproduced), or None."""
    status, kind, profile = response.status_code, content["kind"], settings.profile
    if kind == "rule":
        expected = content.get("expected_status")
        # A known defect of the real server, met on what its binder makes of the body, is no failure
        # under its profile (an id kept in the file may exist now: a 500 for it is judged the same).
        if profiles.known_defect(payload, status, profile) is not None:
            return None
        return None if status == expected else f"expected {expected}, got {status}"
    if kind == "auth":
        return f"a request without Authorization was answered {status}" if 200 <= status < 300 else None
    valid = payload is not None and profiles.is_valid(payload, profile)
    if kind == "accepted invalid":
        return (
            f"a body invalid under PROFILE={profile} was accepted ({status})"
            if 200 <= status < 300 and not valid
            else None
        )
    if kind == "rejected valid":
        return (
            f"a body valid under PROFILE={profile} was refused ({status})"
            if 400 <= status < 500 and valid
            else None
        )
    return _shape(response, settings)


def _shape(response: requests.Response, settings: SuiteSettings) -> str | None:
    """The checks of an answer's shape the probes use, and no server error."""
    from schemathesis.checks import not_a_server_error

    from contract_tests import checks, schema
    from contract_tests.test_rules import SHAPE

    operation = schema.load(settings)[spec.OPERATION_PATH][spec.OPERATION_METHOD.upper()]
    case = operation.Case(media_type="application/json")
    every = [
        *SHAPE,
        not_a_server_error,
        checks.unauthorized_is_bare_text_with_a_challenge,
        checks.answers_without_redirecting,
    ]
    try:
        case.validate_response(response, checks=every)
    except FailureGroup as group:
        return "; ".join(f.title for f in group.exceptions)
    except AssertionError as failed:
        return str(failed).splitlines()[0] if str(failed) else type(failed).__name__
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: onlyoffice-contract replay FILE (a file of REPORT_DIR/replay/)", file=sys.stderr)
        return 4
    try:
        content = _load(Path(argv[0]))
        environ = dict(os.environ)
        if not environ.get("BASE_URL") and not environ.get("FROM"):
            environ["FROM"] = str(content.get("account") or "")  # the embedded sandbox's mailbox is the run's
        settings = suite_settings.load(environ)
    except (_Usage, suite_settings.UsageError) as exc:
        line = str(exc)
        print(line if line.startswith("usage:") else f"usage: {line}", file=sys.stderr)
        return 4
    redactor = Redactor(settings.api_key.reveal(), settings.base_url_password)
    pacer = pacing.Pacer(settings.sends_per_second, settings.throttle_budget)
    rules = transport.Transport(settings.max_sends, settings.request_timeout, pacer=pacer)
    raw, payload = _body(content, settings.recipient_domain)
    headers = {"Authorization": settings.api_key.reveal()}
    if content.get("content_type"):
        headers["Content-Type"] = str(content["content_type"])
    if content["kind"] == "auth":
        headers.pop("Authorization")
    with ExitStack() as stack:
        if settings.embedded:
            from contract_tests import target

            base = stack.enter_context(target.embedded_sandbox(settings))
        else:
            base = settings.base_url or ""
        rules.install()
        stack.callback(rules.uninstall)
        url = base + str(content["path"])
        where = f"{content['method']} {urlsplit(url).path}"
        try:
            with requests.Session() as session:
                response = session.request(
                    str(content["method"]), url, data=raw, headers=headers, allow_redirects=False
                )
        except pacing.Throttled as exc:
            print(redactor.text(str(exc)))
            return pacing.NO_VERDICT
        except requests.RequestException as exc:
            print(redactor.text(f"usage: replay: {where} against {settings.target}: no answer: {exc}"))
            return 4
    print(redactor.text(f"replay of {content.get('check')!r} ({content.get('request_at_failure')})"))
    print(
        redactor.text(f"{where} against {settings.target} -> {response.status_code}: {response.text[:500]}")
    )
    wrong = judge(content, response, payload, settings)
    if wrong is None:
        print(
            redactor.text(f"NOT REPRODUCED: {content.get('check')}: the answer is as the contract says now")
        )
        return NOT_REPRODUCED
    print(redactor.text(f"REPRODUCED: {content.get('check')}: {wrong}"))
    return REPRODUCED
