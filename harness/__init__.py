"""Test support shared by `tests/`, `drill/` and `bench/`; not shipped. Nothing imports `tests/`.

One line per module (tests/test_layout.py fails when a module is missing here, or listed and gone).

Sandboxes and the suite, run as a user runs them:
- `sandboxes.py`: sandboxes in a temporary folder, in-process or as a subprocess, and small HTTP helpers;
- `sandbox_api.py`: an answer of the sandbox's own API checked against sandbox-api.yaml;
- `suite.py`: the contract suite run as a user runs it (its output, JUnit report and peak memory);
- `wrapped_suite.py`: the suite against its embedded sandbox behind one fault (`python -m`);
- `unresolvable_suite.py`: the suite with a resolver that knows no `.invalid` name (`python -m`);
- `processes.py`: stopping a child process that a test or a benchmark started;
- `ports.py`: a free port, one that refuses connections, one where a connect times out;
- `machine.py`: what machine a figure was measured on.

Servers the suite must catch, and what they are built from:
- `asgi.py`: ASGI wrappers that record requests, rewrite them and their answers, or mount the app
  under a base path;
- `faulty_sandboxes.py`: faulty variants of the sandbox, each one fault behind such a wrapper;
- `throttle.py`: wrappers that answer some sends 429 with Retry-After, and one that times arrivals;
- `scripted_server.py`: an HTTP server whose answers a test scripts, hostile ones included (drops,
  hangs, trickles, answers of any size, bytes that are not HTTP).

What clients send:
- `hostile.py`: the hostile corpus;
- `first_party.py`: ONLYOFFICE's own traffic, written from its clients' source;
- `form_wire.py`: a message as the web client's jQuery writes it (form-urlencoded, brackets);
- `pages.py`: a page as a browser's parser reads it, for checks that hostile text stayed text.
- `har.py`: a HAR file of exchanges really sent, as browsers export it (for `audit`).

Where the mail goes:
- `smtp_sink.py`: an independent SMTP server that records every delivery;
- `capture_thread.py`: the sandbox's own SMTP capture run alone in a thread, for tests that speak SMTP;
- `delivery_faults.py`: a relay that changes the mail on its way to a Maildir, one fault each;
- `hostile_relay.py`: a relay that misbehaves on chosen connections and passes the others on;
- `dovecot.py`: a Dovecot of the test's own (IMAP, POP3, LMTP on loopback);
- `mailpit_standin.py`: a stand-in for Mailpit's SMTP and the three calls of its API the suite reads;
- `hostile_sinks.py`: IMAP, POP3 and Mailpit speakers that misbehave on the command a test chooses.

The real server's binder, held against its runtime (docs/binder-oracle.md):
- `binder_oracle.py`: the C# oracle on Mono driven over a pipe, and the Python binder in its shape;
- `binder_oracle_gaps.py`: where the two rightly disagree, each with its cause and the server's line.
"""
