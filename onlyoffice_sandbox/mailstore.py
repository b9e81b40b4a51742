"""The captured mail: each message as `<key>.eml`, and an index of small summaries beside them.

The embedded capture (in the delivery process) adds messages; the server's pages and
JSON API list, read and delete them. Both open the same SQLite index
(`<mail dir>/index.sqlite3`, WAL): a summary is written once, when the message is
captured, so listing never opens a message file, and a page costs the same with
10,000 messages as with 10.

The key is the message's fingerprint (`mailparse.fingerprint`): a redelivery of the same
message to the same envelope is counted (`copies`) rather than filed twice, and a
different message that claims another's Message-ID is filed beside it, never over it.
The index also holds the capture's armed fault (the next N deliveries refused), which
the server sets and the delivery process takes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onlyoffice_sandbox import mailparse

log = logging.getLogger("onlyoffice_sandbox.mailstore")
INDEX_NAME = "index.sqlite3"
KEY = re.compile(r"^[0-9a-f]{24}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mail (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,  -- capture order
    key TEXT NOT NULL UNIQUE,               -- the file's name: <key>.eml
    received REAL NOT NULL,
    message_id TEXT NOT NULL,               -- the Message-ID header, '' when there is none
    mail_from TEXT NOT NULL,                -- the SMTP envelope
    rcpt_tos TEXT NOT NULL,                 -- JSON list: every envelope recipient, Bcc included
    sender TEXT NOT NULL,                   -- From, To and Cc, Subject and Date: decoded, shortened
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    date TEXT NOT NULL,
    size INTEGER NOT NULL,
    attachments INTEGER NOT NULL,
    copies INTEGER NOT NULL DEFAULT 1,      -- deliveries of this same message to this same envelope
    subject_folded TEXT NOT NULL,           -- for search: lower case
    search TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mail_message_id ON mail (message_id);
CREATE TABLE IF NOT EXISTS rcpt (seq INTEGER NOT NULL, address TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS rcpt_address ON rcpt (address);
CREATE INDEX IF NOT EXISTS rcpt_seq ON rcpt (seq);
CREATE TABLE IF NOT EXISTS capture_fault (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    code INTEGER NOT NULL,
    remaining INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tenant_fault (   -- a tenant's (tenants.py): only its own mail meets it
    tenant TEXT PRIMARY KEY,
    code INTEGER NOT NULL,
    remaining INTEGER NOT NULL
);
"""
_COLUMNS = (
    "seq, key, received, message_id, mail_from, rcpt_tos, sender, recipients, subject, date, size,"
    " attachments, copies"
)


@dataclass(frozen=True)
class Summary:
    seq: int
    key: str
    received: float
    message_id: str
    mail_from: str
    rcpt_tos: list[str]
    sender: str
    recipients: str
    subject: str
    date: str
    size: int
    attachments: int
    copies: int


@dataclass(frozen=True)
class Query:
    """Which messages: every condition given must hold."""

    text: str = ""  # in the subject, From, To, Cc or an envelope recipient
    to: str = ""  # an envelope recipient (To, Cc or Bcc): a whole address, or a domain (`to_clause`)
    subject: str = ""  # part of the subject
    message_ids: tuple[str, ...] | None = None  # Message-ID headers; None: any
    keys: tuple[str, ...] | None = None  # the messages' keys; None: any, () none
    excluded: tuple[str, ...] = ()  # keys it must not be (another tenant's mail)
    # With `keys`: Message-IDs that select a message too; else Message-IDs it must not have.
    headers: tuple[str, ...] = ()

    def where(self) -> tuple[str, list[Any]]:
        clauses, values = [], []
        if self.text:
            clauses.append("instr(search, ?) > 0")
            values.append(self.text.casefold())
        if self.subject:
            clauses.append("instr(subject_folded, ?) > 0")
            values.append(self.subject.casefold())
        if self.to:
            clause, value = to_clause(self.to)
            clauses.append(clause)
            values.append(value)
        if self.message_ids is not None:
            clauses.append(f"message_id IN ({', '.join('?' * len(self.message_ids))})")
            values.extend(normal_message_id(m) for m in self.message_ids)
        also = [normal_message_id(m) for m in self.headers]
        if self.keys is not None:
            either = [f"key IN ({', '.join('?' * len(self.keys))})"] if self.keys else []
            either += [f"message_id IN ({', '.join('?' * len(also))})"] if also else []
            clauses.append(f"({' OR '.join(either)})" if either else "0")
            values.extend([*self.keys, *also])
        else:
            if self.excluded:
                clauses.append(f"key NOT IN ({', '.join('?' * len(self.excluded))})")
                values.extend(self.excluded)
            if also:
                clauses.append(f"message_id NOT IN ({', '.join('?' * len(also))})")
                values.extend(also)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), values


def key_of(content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
    """The key a delivery of `content` to this SMTP envelope is filed under: its file's name. The
    delivery computes it too, to link the send to its capture (the outbox's `captures`)."""
    return mailparse.fingerprint(content, mail_from, rcpt_tos)[:24]


def to_clause(to: str) -> tuple[str, str]:
    """What `to` matches among the envelope recipients, without regard to case: with a local part
    (`bob@example.org`) that whole address; else (`example.org`, `@example.org`) every address at
    that domain, exactly (not `mail.example.org`). Never a substring: `bob` would find `bobby` too."""
    wanted = to.strip().casefold()
    local, _, domain = wanted.rpartition("@")
    if local:
        return "seq IN (SELECT seq FROM rcpt WHERE address = ?)", wanted
    escaped = domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "seq IN (SELECT seq FROM rcpt WHERE address LIKE ? ESCAPE '\\')", f"%@{escaped}"


def normal_message_id(text: str) -> str:
    text = text.strip()
    return text if not text or text.startswith("<") else f"<{text}>"


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _summary(row: tuple[Any, ...]) -> Summary:
    values = list(row)
    values[5] = json.loads(values[5])
    return Summary(*values)


class MailStore:
    """The mail folder and its index; safe to use from several threads of one process."""

    def __init__(self, mail_dir: Path) -> None:
        mail_dir.mkdir(parents=True, exist_ok=True)
        self.mail_dir = mail_dir
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            mail_dir / INDEX_NAME, isolation_level=None, check_same_thread=False, timeout=30
        )
        self._conn.execute("PRAGMA journal_mode=WAL")
        with self._lock:
            self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _read(self, sql: str, values: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, values).fetchall()

    # -- the capture's side -------------------------------------------------------

    def add(self, content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
        """File a delivered message and give its key; a redelivery of it only counts a copy."""
        with self._write() as conn:
            return self._file(conn, content, mail_from, rcpt_tos)

    def _file(self, conn: sqlite3.Connection, content: bytes, mail_from: str, rcpt_tos: list[str]) -> str:
        """`add`, inside the caller's write transaction."""
        key = key_of(content, mail_from, rcpt_tos)
        if conn.execute("UPDATE mail SET copies = copies + 1 WHERE key = ?", (key,)).rowcount:
            return key
        # The summary, then the file, inside the transaction: a listed message always has its file,
        # and a file is written only for a message about to be listed.
        row = self._row(key, content, mail_from, rcpt_tos)
        _write_atomically(self.mail_dir / f"{key}.eml", content)
        cur = conn.execute(
            "INSERT INTO mail (key, received, message_id, mail_from, rcpt_tos, sender, recipients,"
            " subject, date, size, attachments, subject_folded, search)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        addresses = {mailparse.readable(a).strip().casefold() for a in rcpt_tos}
        conn.executemany(
            "INSERT INTO rcpt (seq, address) VALUES (?, ?)", [(cur.lastrowid, a) for a in addresses]
        )
        return key

    @staticmethod
    def _shown(content: bytes) -> tuple[str, str, str, str, str, int]:
        """Message-ID, From, To and Cc, Subject, Date and the number of attachments, for the list."""
        message = mailparse.parse(content)
        shown = mailparse.SUMMARY_SHOWN
        sender = mailparse.header(message, "From", shown)
        to_and_cc = ", ".join(filter(None, (mailparse.header(message, n, shown) for n in ("To", "Cc"))))
        return (
            normal_message_id(mailparse.header(message, "Message-ID", 1000)),
            sender,
            mailparse.shortened(to_and_cc, shown),
            mailparse.header(message, "Subject", 2000),
            mailparse.header(message, "Date", 200),
            len(mailparse.attachment_parts(message)),
        )

    @classmethod
    def _row(cls, key: str, content: bytes, mail_from: str, rcpt_tos: list[str]) -> tuple[Any, ...]:
        try:
            message_id, sender, recipients, subject, date, attached = cls._shown(content)
        except Exception:  # whatever `email` makes of it, the message is filed and listed, if blank
            message_id, sender, recipients, subject, date, attached = "", "", "", "", "", 0
        # The envelope too: an SMTP client's bytes, decoded with surrogateescape, reach the index as text.
        mail_from, rcpt_tos = mailparse.readable(mail_from), [mailparse.readable(r) for r in rcpt_tos]
        search = "\n".join([subject, sender, recipients, *rcpt_tos]).casefold()
        return (
            key,
            time.time(),
            message_id,
            mail_from,
            json.dumps(rcpt_tos),
            sender,
            recipients,
            subject,
            date,
            len(content),
            attached,
            subject.casefold(),
            search,
        )

    def import_files(self) -> int:
        """Index the message files that have no entry (an index deleted, or mail filed by a version
        without one, with its envelope in `<key>.json`).

        All in one write transaction: another capture on the same folder files a message's file
        inside its own, so a file seen here without an entry is never one being filed right now
        (imported as such, it was filed twice and its file removed)."""
        added = 0
        with self._write() as conn:
            known = {row[0] for row in conn.execute("SELECT key FROM mail")}
            for eml in sorted(self.mail_dir.glob("*.eml")):
                if eml.stem in known or not KEY.match(eml.stem):
                    continue
                envelope: dict[str, Any] = {}
                try:
                    legacy = eml.with_suffix(".json")
                    if legacy.exists():
                        envelope = json.loads(legacy.read_text())
                    content = eml.read_bytes()
                except (OSError, ValueError):
                    continue
                mail_from = str(envelope.get("mailFrom") or "")
                # One file that cannot be filed is left where it is, and the others are imported:
                # an error out of here would stop the capture at every start.
                conn.execute("SAVEPOINT import_file")
                try:
                    key = self._file(conn, content, mail_from, list(envelope.get("rcptTos") or []))
                except Exception:
                    conn.execute("ROLLBACK TO import_file")
                    conn.execute("RELEASE import_file")
                    log.exception("the mail file %s could not be imported; it is left as it is", eml)
                    continue
                conn.execute("RELEASE import_file")
                if key != eml.stem:  # filed under its fingerprint now
                    eml.unlink(missing_ok=True)
                    eml.with_suffix(".json").unlink(missing_ok=True)
                added += 1
        return added

    def take_fault(self, tenant: str = "") -> int | None:
        """The SMTP code to refuse this delivery with, if a fault is armed (one fewer remains): the
        sandbox's (tenant ''), which any delivery meets, or the tenant's, which its mail alone meets."""
        with self._write() as conn:
            if not tenant:
                row = conn.execute("SELECT code, remaining FROM capture_fault").fetchone()
                if row is None:
                    return None
                if row[1] <= 1:
                    conn.execute("DELETE FROM capture_fault")
                else:
                    conn.execute("UPDATE capture_fault SET remaining = remaining - 1")
                return int(row[0])
            row = conn.execute(
                "SELECT code, remaining FROM tenant_fault WHERE tenant = ?", (tenant,)
            ).fetchone()
            if row is None:
                return None
            if row[1] <= 1:
                conn.execute("DELETE FROM tenant_fault WHERE tenant = ?", (tenant,))
            else:
                conn.execute("UPDATE tenant_fault SET remaining = remaining - 1 WHERE tenant = ?", (tenant,))
            return int(row[0])

    def tenant_faults_armed(self) -> bool:
        """Whether any tenant has a fault armed: only then must a delivery's tenant be looked up."""
        return bool(self._read("SELECT 1 FROM tenant_fault LIMIT 1"))

    # -- the server's side ----------------------------------------------------------

    def arm_fault(self, code: int, count: int, tenant: str = "") -> None:
        with self._write() as conn:
            if tenant:
                conn.execute(
                    "INSERT OR REPLACE INTO tenant_fault (tenant, code, remaining) VALUES (?, ?, ?)",
                    (tenant, code, count),
                )
                return
            conn.execute(
                "INSERT OR REPLACE INTO capture_fault (id, code, remaining) VALUES (1, ?, ?)", (code, count)
            )

    def clear_fault(self, tenant: str | None = "") -> None:
        """Disarm the sandbox's fault (''), a tenant's, or (None) every one."""
        with self._write() as conn:
            if tenant is None or not tenant:
                conn.execute("DELETE FROM capture_fault")
            if tenant is None:
                conn.execute("DELETE FROM tenant_fault")
            elif tenant:
                conn.execute("DELETE FROM tenant_fault WHERE tenant = ?", (tenant,))

    def fault(self, tenant: str = "") -> tuple[int, int] | None:
        if tenant:
            rows = self._read("SELECT code, remaining FROM tenant_fault WHERE tenant = ?", (tenant,))
        else:
            rows = self._read("SELECT code, remaining FROM capture_fault")
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

    def count(self, query: Query | None = None) -> int:
        where, values = (query or Query()).where()
        return int(self._read(f"SELECT count(*) FROM mail{where}", values)[0][0])  # noqa: S608 - placeholders only

    def find(
        self, query: Query | None = None, limit: int = 50, offset: int = 0, oldest_first: bool = False
    ) -> list[Summary]:
        where, values = (query or Query()).where()
        order = "ASC" if oldest_first else "DESC"
        rows = self._read(
            f"SELECT {_COLUMNS} FROM mail{where} ORDER BY seq {order} LIMIT ? OFFSET ?",  # noqa: S608
            [*values, limit, offset],
        )
        return [_summary(row) for row in rows]

    def get(self, key: str) -> Summary | None:
        if not KEY.match(key):
            return None
        rows = self._read(f"SELECT {_COLUMNS} FROM mail WHERE key = ?", (key,))  # noqa: S608
        return _summary(rows[0]) if rows else None

    def last_seq(self) -> int:
        """The number of the newest entry ever filed: it only grows (AUTOINCREMENT's own counter),
        where max(seq) drops when the newest entries are deleted."""
        rows = self._read("SELECT seq FROM sqlite_sequence WHERE name = 'mail'")
        return int(rows[0][0]) if rows else 0

    def path(self, key: str) -> Path | None:
        """The message's file, for a key that is one (never a path out of the folder)."""
        return self.mail_dir / f"{key}.eml" if KEY.match(key) else None

    def read(self, key: str) -> bytes | None:
        path = self.path(key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> bool:
        if not KEY.match(key):
            return False
        with self._write() as conn:
            row = conn.execute("SELECT seq FROM mail WHERE key = ?", (key,)).fetchone()
            if row is None:
                return False
            conn.execute("DELETE FROM rcpt WHERE seq = ?", row)
            conn.execute("DELETE FROM mail WHERE seq = ?", row)
            # Inside the transaction, as `_file` writes it: a redelivery of this message filed
            # right after the commit must keep its fresh file.
            (self.mail_dir / f"{key}.eml").unlink(missing_ok=True)
        return True

    def delete_all(self, query: Query | None = None) -> int:
        """Delete every message, or those `query` finds (one tenant's)."""
        where, values = (query or Query()).where()
        with self._write() as conn:
            keys = [row[0] for row in conn.execute(f"SELECT key FROM mail{where}", values)]  # noqa: S608
            if query is None:
                conn.execute("DELETE FROM rcpt")
                conn.execute("DELETE FROM mail")
            for start in range(0, len(keys) if query is not None else 0, 500):
                chunk = keys[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                seqs = f"SELECT seq FROM mail WHERE key IN ({marks})"  # noqa: S608 - placeholders only
                conn.execute(f"DELETE FROM rcpt WHERE seq IN ({seqs})", chunk)  # noqa: S608
                conn.execute(f"DELETE FROM mail WHERE key IN ({marks})", chunk)  # noqa: S608
            for key in keys:  # inside the transaction: see `delete`
                (self.mail_dir / f"{key}.eml").unlink(missing_ok=True)
        return len(keys)
