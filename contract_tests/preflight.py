"""The pre-run check: one valid send (two under PROFILE=strict) before any fuzzing, and a clear stop
on a target the run could only fail on, whatever it is.

Each stop is one line naming the setting and what was seen: nothing listens, the name does not
resolve, TLS fails, no answer in time, a redirect, no send call at that path (404, 405), an answer
that is not ONLYOFFICE's envelope, the key refused (401), FROM not the user's mailbox, a sandbox
binding as the real server does under PROFILE=strict (its answers carry X-Sandbox-Leniency), or a
server throttling past the budget (no verdict, `pacing.py`). Anything else is the run's to judge.
"""

from __future__ import annotations

import json
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from contract_tests import pacing, transport
from contract_tests.hooks import as_real_send
from contract_tests.safety import make_safe
from contract_tests.settings import SuiteSettings
from onlyoffice_contract import facts, spec
from onlyoffice_contract.facts import CheckId, RefusalId

USAGE = 4
PREFLIGHT = "preflight"  # the JUnit case of the pre-run check, failed when it stops the run
# The header the project's sandbox puts on a success that needed the real server's leniency.
LENIENCY_HEADER = "X-Sandbox-Leniency"


class Stop(Exception):
    """The target cannot be tested as set: `line` says why; `status` is the run's exit status."""

    def __init__(self, line: str, status: int = USAGE) -> None:
        super().__init__(line)
        self.line, self.status = line, status


def spec_example() -> dict[str, Any]:
    """The request example openapi.yaml gives for the operation."""
    example: dict[str, Any] = spec.operation()["requestBody"]["content"]["application/json"]["example"]
    return example


def _envelope_names() -> set[str]:
    """Every property name of the two envelopes the spec declares."""
    return {
        name for schema in ("SuccessEnvelope", "ErrorEnvelope") for name in spec.schema(schema)["properties"]
    }


def is_envelope(response: requests.Response) -> bool:
    """Whether the answer reads as ONLYOFFICE's envelope at all (its shape is the run's to judge): JSON,
    an object with a property of an envelope, or a bare number (what ONLYOFFICE's own description
    wrongly says a success is: a conformance failure, not a wrong target)."""
    try:
        body = json.loads(response.content)
    except (ValueError, RecursionError):
        return False
    if isinstance(body, int) and not isinstance(body, bool):
        return True
    return isinstance(body, dict) and bool(set(body) & _envelope_names())


def _root(exc: BaseException) -> BaseException:
    """The innermost cause of a requests error (urllib3 wraps it in MaxRetryError, which wraps ...)."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else None
        if inner is None:
            inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return exc


def _one_line(text: str, most: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 3] + "..."


def connection_failure(exc: requests.RequestException, settings: SuiteSettings) -> str:
    """The line for a request that got no answer."""
    where = f"BASE_URL={settings.target}"
    host = urlsplit(settings.base_url or "").hostname or "?"
    if isinstance(exc, transport.NoAnswer | requests.exceptions.Timeout):
        return (
            f"usage: {where}: no answer within REQUEST_TIMEOUT={settings.request_timeout} s (is the server"
            " up, and BASE_URL its address? raise REQUEST_TIMEOUT if it is only slow)"
        )
    if isinstance(exc, transport.AnswerTooLarge):
        return f"usage: {where}: not ONLYOFFICE's envelope: {exc}"
    root = _root(exc)
    if isinstance(exc, requests.exceptions.SSLError) or isinstance(root, ssl.SSLError):
        said = _one_line(str(root))
        return f"usage: {where}: TLS failed: {said} (is it http://, or is the certificate trusted?)"
    if isinstance(root, socket.gaierror | urllib3.exceptions.NameResolutionError):
        return f"usage: {where}: the host name {host!r} does not resolve (DNS): {_one_line(str(root))}"
    if isinstance(root, ConnectionRefusedError) or "refused" in str(root).lower():
        port = urlsplit(settings.base_url or "").port
        shown = f"{host}:{port}" if port else host
        return f"usage: {where}: connection refused: nothing listens at {shown} (is the server up?)"
    return f"usage: {where}: cannot reach the server: {_one_line(str(root))}"


def judge(response: requests.Response, settings: SuiteSettings, url: str) -> None:
    """Raises Stop for an answer to a valid send that shows a wrong target or setting."""
    status, where = response.status_code, f"BASE_URL={settings.target}"
    call = f"{spec.OPERATION_METHOD.upper()} {urlsplit(url).path}"
    if 300 <= status < 400:
        location = response.headers.get("Location", "nowhere (no Location header)")
        raise Stop(
            f"usage: {where}: {call} was answered {status}, redirecting to {_one_line(location, 200)}; the"
            " suite never follows a redirect: if the server lives there, set BASE_URL to it"
        )
    if status == 401:
        raise Stop(
            f"usage: {CheckId.PREFLIGHT_KEY_REFUSED.title} (401 to a valid send to {settings.target}):"
            " set API_KEY to a valid token (POST /api/2.0/authentication)"
        )
    if status in (404, 405):
        base = urlsplit(settings.base_url or "").path
        hint = ""
        for tail in ("/api/2.0", "/api", spec.OPERATION_PATH):
            if base.lower().rstrip("/").endswith(tail.lower()):
                trimmed = (settings.target or "").rstrip("/")[: -len(tail)]
                hint = f" (try BASE_URL={trimmed})"
                break
        raise Stop(
            f"usage: {where}: {call} was answered {status}: there is no send call at that path; BASE_URL"
            f" is the portal's root, to which the suite adds {spec.OPERATION_PATH}{hint}"
        )
    not_found = facts.refusal(RefusalId.MAILBOX_NOT_FOUND)
    if status == not_found.status and not_found.message.lower() in response.text.lower():
        raise Stop(
            f"usage: FROM={settings.from_!r} is not a mailbox of API_KEY's user (the server answered"
            f" {not_found.status} {not_found.message} to a valid send): set FROM to one of that user's"
            " mailboxes"
        )
    if not is_envelope(response):
        kind = response.headers.get("Content-Type") or "no Content-Type"
        shown = _one_line(response.content[:200].decode("utf-8", "replace"), 80)
        said = f": {shown!r}" if shown else ", an empty body"
        raise Stop(
            f"usage: {where}: the answer to a valid send ({status}, {kind}{said}) is not ONLYOFFICE's"
            " envelope: is BASE_URL an ONLYOFFICE portal (and the portal up, paid and not being moved)?"
        )
    if 200 <= status < 300 and settings.profile == "strict" and LENIENCY_HEADER in response.headers:
        raise Stop(_other_binder(response))


def _other_binder(response: requests.Response) -> str:
    said = _one_line(response.headers.get(LENIENCY_HEADER, ""), 80)
    return (
        f"usage: PROFILE=strict, but the server is a sandbox binding as the real server does (its answers"
        f" carry {LENIENCY_HEADER}: {said}): try PROFILE=onlyoffice"
    )


def check(settings: SuiteSettings, target_url: str, session: requests.Session) -> None:
    """Raises Stop when the target cannot be tested as set; at most two requests to the call."""
    body = make_safe(as_real_send(spec_example(), settings), settings.recipient_domain)
    url = target_url + spec.OPERATION_PATH
    headers = {"Authorization": settings.api_key.reveal()}
    try:
        response = session.put(url, json=body, headers=headers, allow_redirects=False)
        judge(response, settings, url)
        if settings.profile != "strict" or not 200 <= response.status_code < 300:
            return
        # A boolean as text: refused by the spec, taken by the real server's binder. Only a sandbox
        # says it took it so; the real server's 200 is the run's to judge.
        lenient = {**body, "importance": "true" if body.get("importance") else "false"}
        again = session.put(url, json=lenient, headers=headers, allow_redirects=False)
    except pacing.Throttled as exc:
        raise Stop(str(exc), pacing.NO_VERDICT) from None
    except requests.RequestException as exc:
        raise Stop(connection_failure(exc, settings)) from None
    if 200 <= again.status_code < 300 and LENIENCY_HEADER in again.headers:
        raise Stop(_other_binder(again))
