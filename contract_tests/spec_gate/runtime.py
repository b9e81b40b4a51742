"""The runtime matrix: each side's sandbox, started from its own tree, and each side's client against both.

The old client sends the first-party traffic (harness/first_party.py) and both specs' request examples
to the new sandbox, and the new client to the old one; the same-side runs are the baseline, so that a
case the traffic itself cannot carry is not laid on the change. Every body sent and answer received
is validated against both specs. Each sandbox starts once, with this interpreter and its own tree on
PYTHONPATH, on a free loopback port, with the embedded capture.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from onlyoffice_contract import spec

CLIENT_SCRIPT = Path(__file__).resolve().parent / "matrix_client.py"
SIDES = ("base", "head")
START_SECONDS = 60.0  # a bound for a stuck start, not a speed claim
_READY = "Sandbox listening on "  # onlyoffice_sandbox.server.READY, read by line from the child


@dataclass(frozen=True)
class Side:
    name: str  # "base" or "head"
    tree: Path  # the source tree: its onlyoffice_sandbox, onlyoffice_contract and generated/
    document: dict[str, Any]  # its openapi.yaml, loaded


def _pythonpath(*folders: Path) -> str:
    return os.pathsep.join(str(f) for f in folders)


def _env(pythonpath: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    # Nothing of the caller's sandbox settings leaks in; the side's tree comes first on the path.
    kept = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_") and k != "PYTHONPATH"}
    return {**kept, **(extra or {}), "PYTHONPATH": pythonpath, "PYTHONUNBUFFERED": "1"}


def _traffic(head: Path) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this interpreter and a script of this package
        [sys.executable, str(CLIENT_SCRIPT), "traffic"],
        env=_env(_pythonpath(head, head / "generated")),
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: dict[str, Any] = json.loads(done.stdout)
    return loaded


def _examples(document: dict[str, Any], side: str) -> list[dict[str, Any]]:
    path, method = spec.locate(document)
    media = (document["paths"][path][method].get("requestBody") or {}).get("content", {})
    found = []
    for name, content in media.items():
        if "example" in content:
            found.append({"name": f"the {side} spec's example ({name})", "body": content["example"]})
        for key, example in (content.get("examples") or {}).items():
            example = spec.resolve(example, document)
            if "value" in example:
                found.append({"name": f"the {side} spec's example {key} ({name})", "body": example["value"]})
    return found


@contextmanager
def _sandbox(side: Side, folder: Path, traffic: dict[str, Any], senders: list[str], drafts_too: bool) -> Any:
    """Start `side`'s sandbox in `folder`, with the drafts and files the traffic names; yield its URL, or
    "" and why it is not up (a sandbox that cannot start with the traffic's drafts is a finding, not a
    crash of the gate)."""
    folder.mkdir(parents=True)
    files = folder / "files"
    files.mkdir()
    drafts = []
    for index, entry in enumerate(traffic["traffic"]):
        for name, data in entry["files"].items():
            (files / name).write_bytes(base64.b64decode(data))
        if entry["draft"] and drafts_too:
            drafts += [{**entry["draft"], "id": _draft_id(traffic, index, client)} for client in SIDES]
    (folder / "drafts.json").write_text(json.dumps(drafts))
    settings = {
        "SANDBOX_PORT": "0",
        "SANDBOX_HOST": "127.0.0.1",
        "SANDBOX_BINDER": "onlyoffice",
        "SANDBOX_DB": str(folder / "outbox.sqlite3"),
        "SANDBOX_MAIL_DIR": str(folder / "mail"),
        "SANDBOX_FILES_DIR": str(files),
        "SANDBOX_DRAFTS": str(folder / "drafts.json"),
        # The sandbox's own account (first-party traffic) and the accounts the examples send from.
        "SANDBOX_MAILBOXES": ";".join(dict.fromkeys([traffic["mailbox"], *senders])),
        "SANDBOX_TOKENS": traffic["token"],
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "onlyoffice_sandbox"],
        env=_env(_pythonpath(side.tree, side.tree / "generated"), settings),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        url, seen = "", []
        for line in process.stdout:
            seen.append(line)
            if line.startswith(_READY):
                url = line[len(_READY) :].split()[0]
                break
        # Keep reading what it prints, or a full pipe would block it.
        threading.Thread(target=seen.extend, args=(process.stdout,), daemon=True).start()
        up = bool(url) and _answers(url, process)
        yield (url, "") if up else ("", f"the {side.name} sandbox did not start: {_last_error(seen)}")
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(url: str, process: subprocess.Popen[str]) -> bool:
    """Whether the sandbox answers (it listens before its start-up reads the drafts, which can fail)."""
    deadline = time.monotonic() + START_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            httpx.get(url + "/sandbox/outbox", timeout=2)
            return True
        except httpx.TransportError:
            time.sleep(0.05)
    return False


def _last_error(lines: list[str]) -> str:
    time.sleep(0.2)  # what it printed as it stopped
    errors = [line.strip() for line in lines if "Error" in line or "error" in line]
    return (errors or [line.strip() for line in lines if line.strip()] or ["(no output)"])[-1][:300]


def _draft_id(traffic: dict[str, Any], index: int, client: str) -> int:
    # A draft is sent once: each entry and each client has its own, in each sandbox.
    return int(traffic["draft_id"]) + 10 * index + SIDES.index(client)


def _cases(client: str, traffic: dict[str, Any], examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cases = []
    for index, entry in enumerate(traffic["traffic"]):
        body = dict(entry["body"])
        if entry["draft"]:
            body["id"] = _draft_id(traffic, index, client)
        cases.append({"name": f"first-party: {entry['name']}", "body": body})
    return cases + examples


def _run_client(client: Side, head: Path, urls: list[str], cases: list[dict[str, Any]], token: str) -> Any:
    done = subprocess.run(  # noqa: S603 - this interpreter and a script of this package
        [sys.executable, str(CLIENT_SCRIPT), "send", *urls],
        env=_env(_pythonpath(client.tree / "generated", head), {"SPEC_GATE_TOKEN": token}),
        input=json.dumps(cases),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:  # the client could not even be imported: every case fails alike
        why = (done.stderr.strip().splitlines() or ["(no output)"])[-1][:300]
        return [{"url": url, "name": c["name"], "error": why} for url in urls for c in cases]
    return json.loads(done.stdout)


def _validators(document: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from openapi_schema_validator import OAS30Validator

    path, method = spec.locate(document)
    operation = spec.inlined(document["paths"][path][method], document=document)
    request = (operation.get("requestBody") or {}).get("content", {}).get("application/json", {})
    answers = {
        status: OAS30Validator(media["schema"])
        for status, response in operation.get("responses", {}).items()
        for kind, media in (response.get("content") or {}).items()
        if kind == "application/json" and "schema" in media
    }
    return (OAS30Validator(request["schema"]) if "schema" in request else None), answers


def _works(result: dict[str, Any]) -> bool:
    return "error" not in result and result.get("status") == 200 and result.get("parsed") == "SuccessEnvelope"


def _what(result: dict[str, Any]) -> str:
    if "error" in result:
        return str(result["error"])
    return f"answered {result.get('status')} ({result.get('parsed')})" + (
        f": {json.dumps(result['answer'])[:200]}" if "answer" in result else ""
    )


def run(base: Side, head: Side, scratch: Path) -> dict[str, Any]:
    """The matrix's runs and findings: {"runs": [...], "findings": [{who, case, what}]}."""
    traffic = _traffic(head.tree)
    examples = _examples(base.document, "base") + _examples(head.document, "head")
    sides = {"base": base, "head": head}
    senders = [str(e["body"]["from"]) for e in examples if isinstance(e["body"].get("from"), str)]
    with ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        started, refused = {}, []
        for name, side in sides.items():
            started[name] = stack.enter_context(_sandbox(side, scratch / name, traffic, senders, True))
            if not started[name][0]:
                # Drafts the other side's sandbox loads and this one cannot: said, then run without them.
                with_drafts = started[name][1]
                started[name] = stack.enter_context(
                    _sandbox(side, scratch / f"{name}-no-drafts", traffic, senders, False)
                )
                if started[name][0]:  # else the drafts were not why: each case says why it failed
                    refused.append((name, with_drafts))
        live = [url for url, _why in started.values() if url]
        ran = {
            client: pool.submit(
                _run_client,
                sides[client],
                head.tree,
                live,
                _cases(client, traffic, examples),
                traffic["token"],
            )
            for client in SIDES
        }
        results = {client: future.result() for client, future in ran.items()}
    server_of = {url: name for name, (url, _why) in started.items() if url}
    runs = [{"client": c, "sandbox": server_of[r["url"]], **r} for c in SIDES for r in results[c]]
    for name, (url, why) in started.items():
        if not url:  # every case against a sandbox that is not up fails, with the reason
            runs += [
                {"client": c, "sandbox": name, "name": case["name"], "error": why}
                for c in SIDES
                for case in _cases(c, traffic, examples)
            ]
    # The new sandbox refusing the drafts apps saved with the old contract breaks clients; the reverse,
    # servers.
    findings = [
        {"who": "clients" if name == "head" else "servers", "case": "the first-party drafts", "what": why}
        for name, why in refused
    ]
    return {"runs": [_public(r) for r in runs], "findings": findings + _findings(runs, base, head)}


def _public(run: dict[str, Any]) -> dict[str, Any]:
    kept = {k: v for k, v in run.items() if k not in ("url", "sent", "answer", "answer_text")}
    kept["works"] = _works(run)
    return kept


def _findings(runs: list[dict[str, Any]], base: Side, head: Side) -> list[dict[str, str]]:
    findings = []
    by_key = {(r["client"], r["sandbox"], r["name"]): r for r in runs}
    for (client, sandbox, name), result in by_key.items():
        if client == sandbox:
            continue
        baseline = by_key.get((client, client, name))
        if baseline is not None and _works(baseline) and not _works(result):
            who = "clients" if client == "base" else "servers"
            findings.append(
                {
                    "who": who,
                    "case": name,
                    "what": f"the {client} client works against its own sandbox but not against the"
                    f" {sandbox} sandbox: {_what(result)}",
                }
            )
    old_request, old_answers = _validators(base.document)
    new_request, new_answers = _validators(head.document)
    seen: set[tuple[Any, ...]] = set()
    for result in runs:
        sent = result.get("sent")
        if sent is not None and old_request is not None and new_request is not None:
            old_ok, new_ok = old_request.is_valid(sent), new_request.is_valid(sent)
            key: tuple[Any, ...] = ("body", result["client"], result["name"])
            if old_ok != new_ok and key not in seen:
                seen.add(key)
                who = "clients" if old_ok else "servers"
                holds, fails = ("base", "working tree") if old_ok else ("working tree", "base")
                findings.append(
                    {
                        "who": who,
                        "case": result["name"],
                        "what": f"the body the {result['client']} client sends is valid against the {holds}"
                        f" spec, not the {fails} spec",
                    }
                )
        if "answer" in result:
            status = str(result.get("status"))
            old_ok = status in old_answers and old_answers[status].is_valid(result["answer"])
            new_ok = status in new_answers and new_answers[status].is_valid(result["answer"])
            key = ("answer", result["sandbox"], status, result["name"])
            if old_ok != new_ok and key not in seen:
                seen.add(key)
                holds, fails = ("base", "working tree") if old_ok else ("working tree", "base")
                findings.append(
                    {
                        "who": "clients" if old_ok else "servers",
                        "case": result["name"],
                        "what": f"the {result['sandbox']} sandbox's {status} answer is valid against the"
                        f" {holds}"
                        f" spec, not the {fails} spec",
                    }
                )
    return findings
