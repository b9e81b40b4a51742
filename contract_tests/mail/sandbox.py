"""MAIL_SINK=sandbox:URL: the capture of a sandbox you run yourself (`make serve`, `onlyoffice-sandbox`),
read through its JSON API as the embedded run reads its own (`sinks.Embedded`).

The token is API_KEY's, from the environment (a sandbox's pages take any of its SANDBOX_TOKENS, and on
loopback none): never in the URL. The sandbox is asked once before anything is sent, so that one
that cannot be read is a usage error naming the sink, not a run of "never delivered".
"""

from __future__ import annotations

import requests

from contract_tests.mail.sinks import Embedded
from contract_tests.settings import SuiteSettings, UsageError, masked_url

PREFIX = "sandbox:"


def open_sink(given: str, session: requests.Session, settings: SuiteSettings) -> Embedded:
    url = given.removeprefix(PREFIX).rstrip("/")
    shown = masked_url(url)
    if not url.startswith(("http://", "https://")):
        raise UsageError(
            f"MAIL_SINK: sandbox:http://HOST:PORT (the sandbox's root), not {masked_url(given)!r}"
        )
    listing = f"{url}/sandbox/api/messages"
    try:
        answer = session.get(
            listing, params={"limit": 1}, headers={"Authorization": settings.api_key}, allow_redirects=False
        )
    except requests.RequestException as exc:
        raise UsageError(f"MAIL_SINK: cannot read the sandbox at {shown}: {type(exc).__name__}") from None
    if answer.status_code != 200:
        raise UsageError(
            f"MAIL_SINK: the sandbox at {shown} answered {answer.status_code} to GET /sandbox/api/messages"
            " (is it this project's sandbox, and API_KEY one of its SANDBOX_TOKENS?)"
        )
    sink = Embedded(url, session, settings.api_key, settings.request_timeout)
    sink.name = f"the sandbox at {shown}"
    return sink
