"""The embedded target: a sandbox started for the run when no BASE_URL is set.

The one module of the suite that imports the sandbox; the suite itself only
speaks HTTP to whatever server it is given.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from contract_tests.settings import SuiteSettings


@contextmanager
def embedded_sandbox(settings: SuiteSettings) -> Iterator[str]:
    """A sandbox with its embedded SMTP capture, holding the run's key and mailbox; yields its URL.

    It binds as the run's PROFILE judges: the spec alone under strict, the real server's
    binder under onlyoffice (the sandbox's SANDBOX_BINDER has a mode of each name)."""
    from onlyoffice_sandbox import InProcess, Settings

    with tempfile.TemporaryDirectory(prefix="contract-sandbox-") as folder:
        data = Path(folder)
        sandbox = Settings(
            port=0,
            tokens=(settings.api_key,),
            mailboxes=(settings.from_,),
            binder=settings.profile,
            db=data / "outbox.sqlite3",
            mail_dir=data / "mail",
            files_dir=data / "files",
        )
        with InProcess(sandbox) as url:
            yield url
