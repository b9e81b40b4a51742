"""`make drill`: reliability figures for the sandbox and the client, written to RELIABILITY.md.

DRILL_SENDS (default 10000) and DRILL_CONCURRENCY (default 50) size the load drills.
Exit status 1 if any figure misses its goal (a message lost or duplicated, a 5xx,
an injected header, an oversize body not answered 413, an untyped client error,
a second send, or a wrong `may_have_been_sent`).
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

from drill import client_faults, hostile, load, relays, sinks
from harness import machine
from onlyoffice_sandbox.settings import described

ROOT = Path(__file__).resolve().parents[1]


def say(text: str) -> None:
    print(text, flush=True)


def main() -> int:
    sends = int(os.environ.get("DRILL_SENDS", "10000"))
    concurrency = int(os.environ.get("DRILL_CONCURRENCY", "50"))
    say(
        f"load drill 1/2: {sends} sends at {concurrency} concurrent clients, SMTP relay down for 30 s mid-run"
    )
    outage = load.run("SMTP relay down for 30 s mid-run", sends, concurrency, "relay-outage", say)
    say(f"load drill 2/2: {sends} sends at {concurrency} concurrent clients, kill -9 and restart mid-run")
    kill = load.run("kill -9 of the sandbox mid-run, then a restart", sends, concurrency, "kill", say)
    say("relays: 452 past 100 recipients, and a drop after DATA")
    deferring, dropping = relays.deferring(say), relays.dropping(say)
    say("hostile relays: a dripped greeting, a 421 greeting, an endless EHLO reply, an over-long line")
    hostile_relays = relays.hostile(say)
    say("hostile corpus")
    corpus = hostile.run(say)
    say("client against a misbehaving server")
    faults = client_faults.run(say)
    say("the suite against mail sinks that misbehave")
    hostile_sinks = sinks.run(say)

    failures = []
    lines = [
        "# Reliability",
        "",
        f"Measured by `make drill` on {datetime.date.today()}: {machine.describe()}.",
        "Regenerate with `make drill` (`DRILL_SENDS`, `DRILL_CONCURRENCY` size the load drills).",
        "",
        "## Exactly once under load",
        "",
        "The generated async client sends through the sandbox (a child process, SQLite outbox) into an",
        "independent aiosmtpd sink. Every message carries its number in the subject. A send whose",
        "connection never opened is retried (it cannot have been sent); one whose answer was lost is not,",
        "and is counted as unanswered. Lost: accepted (200) but never delivered. Duplicated: delivered twice.",
        "",
        "| drill | sends | clients | accepted | unanswered | refused | delivered | lost | duplicated | seconds |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in (outage, kill):
        lines.append(
            f"| {r.name} | {r.sends} | {r.concurrency} | {len(r.accepted)} | {len(r.unanswered)} |"
            f" {sum(r.refused.values())} | {sum(r.delivered.values())} | {len(r.lost)} | {len(r.duplicated)} |"
            f" {r.seconds:.1f} |"
        )
        if r.lost or r.duplicated or r.refused:
            failures.append(
                f"{r.name}: lost {r.lost[:10]}, duplicated {r.duplicated[:10]}, refused {dict(r.refused)}"
            )
        if r.poison_state != "failed":
            failures.append(
                f"{r.name}: the message that cannot be composed ended {r.poison_state!r}, not 'failed'"
            )
    for r in (outage, kill):
        lines += ["", f"Timeline, {r.name}:", "", "```", *r.events, "```"]
        if r.duplicated:
            same = all(len(r.message_ids.get(n, ())) == 1 for n in r.duplicated)
            lines.append(
                f"\n{len(r.duplicated)} message(s) delivered twice ({r.duplicated[:10]}): the sandbox died after the"
                " relay had accepted them and before the outbox recorded it, the one window SMTP leaves open"
                " (docs/sandbox.md, Delivery). "
                + (
                    "Each copy carried the same Message-ID, so a receiver that dedupes on it keeps one."
                    if same
                    else "The copies carried different Message-IDs: that is a defect."
                )
            )
        if r.unanswered:
            landed = sum(1 for n in r.unanswered if r.delivered[n])
            why = ", ".join(f"{name} x{count}" for name, count in r.unanswered_why.items())
            count = f"{len(r.unanswered)} send{'s' if len(r.unanswered) != 1 else ''}"
            lines.append(
                f"\n{count} lost the answer ({why}); {landed} of them had been stored and were delivered"
                " once, the others were not stored. A client cannot tell which, so it must not resend"
                " them blindly."
            )
    payloads = corpus[0].payloads
    lines += [
        "",
        "In each run a message that cannot be composed (its From is not a mailbox, as a validation gap",
        "would leave one) was put straight into the outbox a quarter of the way in. It ended: "
        + ", ".join(f"{r.name}: `{r.poison_state}`" for r in (outage, kill))
        + "; the mail around it was delivered as counted above.",
        "",
        "## Relays that answer per recipient, or drop the connection",
        "",
        "Through the sandbox into an SMTP sink that behaves as below; counted per recipient. A relay that",
        "stores a message and drops the connection before its 250 leaves the sender unable to know it",
        "arrived: it is sent again, and SMTP allows that duplicate (docs/sandbox.md, Delivery). Its copies carry",
        "the same Message-ID, so a receiver that dedupes on it keeps one.",
        "",
        "| relay | messages x recipients | accepted | SMTP deliveries | lost | duplicated | copies share a Message-ID |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for relay in (deferring, dropping):
        lines.append(
            f"| {relay.name} | {relay.messages} x {relay.recipients_each} | {relay.accepted} |"
            f" {relay.deliveries} | {relay.lost} | {relay.duplicated} |"
            f" {'yes' if relay.same_message_id else '**no**'} |"
        )
    lines += [
        "",
        "## Hostile relays",
        "",
        "Through the sandbox into a relay on loopback (harness/hostile_relay.py) that misbehaves on its",
        "first two connections and every third one after, and passes the others to the SMTP sink:",
        "a greeting dripped a byte at a time that never ends, a `421` greeting, an EHLO reply whose",
        "continuation lines never end, a reply line of 20,000 bytes. Each reply must come whole within",
        "`SANDBOX_SMTP_STEP_SECONDS` (1 s here) in bounded lines; past that the connection is closed and",
        "the message retried, its record saying why in the relay's words. Goal: 0 lost, 0 duplicated,",
        "0 failed for good.",
        "",
        "| relay | messages x recipients | hostile connections | accepted | SMTP deliveries | lost | duplicated | failed |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for relay in hostile_relays:
        lines.append(
            f"| {relay.name} | {relay.messages} x {relay.recipients_each} | {relay.hostile_connections} |"
            f" {relay.accepted} | {relay.deliveries} | {relay.lost} | {relay.duplicated} | {relay.failed} |"
        )
        if relay.lost or relay.duplicated or relay.failed or relay.accepted != relay.messages:
            failures.append(
                f"{relay.name}: lost {relay.lost}, duplicated {relay.duplicated}, failed {relay.failed},"
                f" accepted {relay.accepted} of {relay.messages}"
            )
    if deferring.lost or deferring.duplicated:
        failures.append(f"{deferring.name}: lost {deferring.lost}, duplicated {deferring.duplicated}")
    if dropping.lost or not dropping.same_message_id or not dropping.duplicated:
        failures.append(
            f"{dropping.name}: lost {dropping.lost}, duplicated {dropping.duplicated} (some expected)"
        )
    lines += [
        "",
        "## Hostile input",
        "",
        f"{payloads} payloads, each against a sandbox with each binder (`SANDBOX_BINDER`): CR, LF, NUL,",
        "U+2028, header text, RFC 2047 encoded words that decode to line breaks, group syntax and stray",
        "address punctuation, lone surrogates, in every string field the spec declares (attachments",
        "included); a value of every wrong type for every field, as JSON and as the web client's form;",
        "overlong addresses; 1,001 recipients; 101 attachment references; links out of the files folder;",
        "invalid UTF-8, bodies nested 100,000 and 200,000 deep, bodies aimed at the real server's binder",
        "(names that are not XML names, `#text`, attributes, duplicates), malformed forms. Then bodies",
        "over the size limit, and raw requests: a 1 MB head, half-sent heads and bodies, silent connections.",
        "",
        "| figure | " + " | ".join(f"{h.binder} binder" for h in corpus) + " | goal |",
        "| --- | " + " | ".join("---:" for _ in corpus) + " | --- |",
        "| 5xx answers | " + " | ".join(str(len(h.server_errors)) for h in corpus) + " | 0 |",
        "| headers injected into delivered mail (X-Injected, Bcc) | "
        + " | ".join(str(h.injected) for h in corpus)
        + " | 0 |",
        "| accepted and delivered | "
        + " | ".join(
            f"{h.statuses[200]} accepted, {h.delivered} delivered, {h.unsendable} not sent as production"
            for h in corpus
        )
        + " | all delivered but what production never sends |",
        "| refused with 400 | " + " | ".join(str(h.statuses[400]) for h in corpus) + " | |",
        "| refused with 403 or 413 | "
        + " | ".join(str(h.statuses[403] + h.statuses[413]) for h in corpus)
        + " | |",
        "| oversize bodies answered 413 | "
        + " | ".join(f"{h.oversize[413]} of {sum(h.oversize.values())}" for h in corpus)
        + " | all |",
        "| contents from outside the files folder in delivered mail | "
        + " | ".join(str(h.outside_delivered) for h in corpus)
        + " | 0 |",
    ]
    for h in corpus:
        lines += [
            "",
            f"By kind, {h.binder} binder (the answers each kind got):",
            "",
            *[f"- {kind_status}: {count}" for kind_status, count in sorted(h.by_kind.items())],
            "",
            f"Raw requests, {h.binder} binder (the drill's sandbox takes {hostile.REQUEST_SECONDS:g} s"
            " to receive a request):",
            "",
            *[f"- {sent_answer}: {count}" for sent_answer, count in sorted(h.raw.items())],
        ]
        expected_raw = {"a head of 1 MB (no token)": "400 Bad Request"}
        for sent_answer in h.raw:
            label, _, answer = sent_answer.partition(": ")
            if answer != expected_raw.get(label, "408 Request Timeout"):
                failures.append(f"hostile raw request, {h.binder} binder: {sent_answer}")
        if h.outside_delivered:
            failures.append(
                f"hostile corpus, {h.binder} binder: {h.outside_delivered} mail(s) carried a file from"
                " outside the folder"
            )
        if h.server_errors or h.injected or h.oversize[413] != sum(h.oversize.values()):
            failures.append(
                f"hostile corpus, {h.binder} binder: 5xx {h.server_errors[:5]}, injected {h.injected},"
                f" oversize {dict(h.oversize)}"
            )
        if h.delivered + h.unsendable != h.statuses[200]:
            failures.append(
                f"hostile corpus, {h.binder} binder: {h.statuses[200]} accepted but {h.delivered} delivered"
            )
    lines += [
        "",
        "## The suite against mail sinks that misbehave",
        "",
        f"Each of the suite's sinks, with a deadline of {sinks.REQUEST_TIMEOUT} s (`REQUEST_TIMEOUT`) for each command,",
        "against a hostile speaker on loopback (`harness/hostile_sinks.py`). Each must end in a sink error",
        "that names the sink (the run's exit 4, never a verdict on the server), having read no more than its",
        "bounds: a listing within 8 MiB, a message within 64 MiB, at most 1000 copies of one address.",
        "",
        "| sink | what it does | what the suite said | bytes it wrote | seconds |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for s in hostile_sinks:
        said = s.outcome.replace("|", "\\|")[:200]
        wrote = "" if s.written is None else str(s.written)
        lines.append(f"| {s.sink} | {s.scenario} | {said} | {wrote} | {s.seconds:.1f} |")
        if not s.held:
            failures.append(f"sink: {s.sink}, {s.scenario}: {s.outcome}")
    lines += [
        "",
        "## The client against a misbehaving server",
        "",
        f"The generated sync client, {client_faults.ROUNDS} calls each, against a real HTTP server on loopback",
        "that answers as below (or no server: a refused connection, a full accept queue). Every call must end",
        "in a typed error (an `errors.ClientError`); the server must have received exactly one request per",
        "call that reached it (nothing is sent twice); and an error without an answer must say",
        "`may_have_been_sent` exactly when the request had reached the server.",
        "",
        "| the server | what the caller got | may have been sent | calls | requests received |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for f in faults:
        got = ", ".join(f"{name} x{count}" for name, count in f.outcomes.items())
        lines.append(
            f"| {f.behaviour} | {got} | {f.may_have_been_sent} | {f.calls} | {f.requests_received} |"
        )
        if not f.typed or "no error" in f.outcomes or not f.honest:
            failures.append(
                f"client: {f.behaviour}: {dict(f.outcomes)}, {f.may_have_been_sent} may have been sent,"
                f" {f.requests_received} requests for {f.calls} calls"
            )
    lines += [
        "",
        "## Limits",
        "",
        "Each is a setting (docs/sandbox.md, Settings); past it, the answer below. Defaults shown; the drill's own",
        "sandbox above lowered the body limit and the time to receive a request to reach them quickly.",
        "",
        "| setting | default | what it bounds, and the answer past it |",
        "| --- | ---: | --- |",
        *[
            f"| `{row.variable}` | {row.default} | {row.help} |"
            for row in described()
            if "past it" in row.help
        ],
    ]
    lines += ["", "## Verdict", ""]
    lines += [f"- MISSED: {failure}" for failure in failures] or ["Every figure met its goal."]
    (ROOT / "RELIABILITY.md").write_text("\n".join(lines) + "\n")
    say("\n".join(["", *lines[-(len(failures) or 1) :]]))
    say(f"wrote {ROOT / 'RELIABILITY.md'}")
    return 1 if failures else 0


sys.exit(main())
