"""The embedded target: a sandbox started for the run when no BASE_URL is set.

The one module of the suite that imports the sandbox; the suite itself only
speaks HTTP to whatever server it is given.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from contract_tests import rules
from contract_tests.settings import SuiteSettings
from onlyoffice_contract.mailbox import parse_mailbox


def sender_name(settings: SuiteSettings) -> str | None:
    """The display name the server must write in From: the account's (FROM_NAME); the embedded
    sandbox's account is FROM itself (below), so its name is FROM's; otherwise unknown."""
    if settings.from_name is not None:
        return settings.from_name
    if not settings.embedded:
        return None
    account = parse_mailbox(settings.from_)
    return account.display_name if account is not None else None


@contextmanager
def embedded_sandbox(settings: SuiteSettings, wrap: Callable[[Any], Any] | None = None) -> Iterator[str]:
    """A sandbox with its embedded SMTP capture, holding the run's key and mailbox; yields its URL.

    It binds as the run's PROFILE judges: the spec alone under strict, the real server's
    binder under onlyoffice (the sandbox's SANDBOX_BINDER has a mode of each name). It is seeded
    with what the draft probes send (`rules.DRAFT_PROBES`) and the file the attachment probe
    attaches. `wrap` puts ASGI middleware in front (the test harness's faults)."""
    from onlyoffice_sandbox import InProcess, Settings

    with tempfile.TemporaryDirectory(prefix="contract-sandbox-") as folder:
        data = Path(folder)
        drafts = data / "drafts.json"
        drafts.write_text(json.dumps([probe.seed(settings) for probe in rules.DRAFT_PROBES]))
        files = data / "files"
        files.mkdir()
        (files / str(rules.EMBEDDED_FILE_ID)).write_bytes(rules.EMBEDDED_FILE)
        sandbox = Settings(
            port=0,
            tokens=(settings.api_key,),
            mailboxes=(settings.from_,),
            binder=settings.profile,
            db=data / "outbox.sqlite3",
            mail_dir=data / "mail",
            files_dir=files,
            drafts=drafts,
        )
        with InProcess(sandbox, wrap) as url:
            yield url


def set_portal_state(url: str, api_key: str, fault: str, session: Any) -> None:
    """Arm the embedded sandbox's send fault `fault` for its next send (its JSON API, sandbox-api.yaml):
    the portal state a probe of `rules.PORTAL_PROBES` needs."""
    armed = session.put(
        f"{url}/sandbox/api/faults/send",
        json={"kind": fault, "count": 1},
        headers={"Authorization": api_key},
        timeout=30,
    )
    armed.raise_for_status()


def clear_portal_state(url: str, api_key: str, session: Any) -> None:
    session.delete(f"{url}/sandbox/api/faults", headers={"Authorization": api_key}, timeout=30)
