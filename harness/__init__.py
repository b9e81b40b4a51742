"""Test support shared by `tests/`, `drill/` and `bench/`; not shipped. Nothing imports `tests/`.

- `sandboxes.py`: sandboxes in a temporary folder, in-process or as a subprocess, and small HTTP helpers;
- `suite.py`: the contract suite run as a user runs it (its output, JUnit report and peak memory);
- `asgi.py`: ASGI wrappers that record requests, rewrite them and their answers, or mount the app
  under a base path;
- `faults.py`: faulty variants of the sandbox, each one fault behind such a wrapper;
- `hostile.py`: the hostile corpus;
- `first_party.py`: ONLYOFFICE's own traffic, written from its clients' source;
- `form_wire.py`: a message as the web client's jQuery writes it (form-urlencoded, brackets);
- `smtp_sink.py`: an independent SMTP server that records every delivery;
- `scripted_server.py`: an HTTP server whose answers a test scripts, hostile ones included (drops,
  hangs, trickles, answers of any size, bytes that are not HTTP);
- `ports.py`: a free port, one that refuses connections, one where a connect times out;
- `machine.py`: what machine a figure was measured on.
"""
