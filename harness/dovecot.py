"""A Dovecot of the test's own (Debian's package, `make dovecot`): IMAP, POP3 and LMTP on loopback.

Started as `dovecot -F -c <config>` in a temporary folder, never the system's service: its own base_dir,
a passwd-file with one user, plaintext login allowed (loopback, no TLS), and a catch-all: every
recipient of any domain is delivered over LMTP into the one Maildir that user reads.

Dovecot never gives mail to uid 0: run as root (CI), the mail belongs to `nobody`, and the folder is
made traversable for it; run as another user, Dovecot's own processes run as that user too.
"""

from __future__ import annotations

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from harness import processes
from harness.ports import free_port

DOVECOT = Path("/usr/sbin/dovecot")
MISSING = "Debian's dovecot is not installed here: run `make dovecot` (root)"
USER = "catchall"
PASSWORD = "s3cr%t p@ss/word"  # a space, %, @ and /: what percent-decoding of MAIL_SINK must undo
START_SECONDS = 20

_CONFIG = """\
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
protocols = imap pop3 lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0  # a wrong password is tested: answered at once
mail_location = maildir:{folder}/home/Maildir
pop3_uidl_format = %08Xu%08Xv
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {folder}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={folder}/home allow_all_users=yes
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {pop3}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
"""


@dataclass(frozen=True)
class Dovecot:
    imap: int
    pop3: int
    lmtp: int
    folder: Path

    def url(self, scheme: str) -> str:
        """A MAIL_SINK for this server: the password percent-encoded, as a user writes it."""
        port = self.imap if scheme.startswith("imap") else self.pop3
        return f"{scheme}://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def running() -> Iterator[Dovecot]:
    if not DOVECOT.exists():
        raise AssertionError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="contract-dovecot-"))
    folder.chmod(0o755)  # mkdtemp's 0700 keeps out the unprivileged processes
    (folder / "home").mkdir()
    if os.getuid() == 0:
        owner = pwd.getpwnam("nobody")
        os.chown(folder / "home", owner.pw_uid, owner.pw_gid)
        users = ""
    else:
        owner = pwd.getpwuid(os.getuid())
        users = f"default_internal_user = {getpass.getuser()}\ndefault_login_user = {getpass.getuser()}"
    (folder / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    server = Dovecot(free_port(), free_port(), free_port(), folder)
    config = folder / "dovecot.conf"
    config.write_text(
        _CONFIG.format(
            folder=folder,
            users=users,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            imap=server.imap,
            pop3=server.pop3,
            lmtp=server.lmtp,
        )
    )
    process = subprocess.Popen(
        [str(DOVECOT), "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not all(_listening(p) for p in (server.imap, server.pop3, server.lmtp)):
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "dovecot.log"
                said = process.stdout.read().decode() if process.stdout and process.poll() is not None else ""
                said += log.read_text() if log.exists() else ""
                raise AssertionError(f"dovecot did not start: {said}")
            time.sleep(0.05)
        yield server
    finally:
        processes.stop(process)
        if process.stdout:
            process.stdout.close()
        shutil.rmtree(folder, ignore_errors=True)
