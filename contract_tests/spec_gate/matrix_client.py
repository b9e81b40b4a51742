"""One side's client in the runtime matrix: run as a script in a child process, never imported.

Its PYTHONPATH holds one tree's generated/ (so `onlyoffice_send_client` is that side's) and the
working tree (for `harness.first_party`). `traffic` prints the first-party corpus as JSON, with the
account and token of the tests' sandboxes; `send URL...` reads cases from stdin, sends each with
this side's client to each URL, and prints what happened. The token comes from SPEC_GATE_TOKEN,
never from the command line; errors are the client's own (redacted) text.
"""

import base64
import json
import os
import sys


def traffic() -> None:
    from harness.first_party import CORPUS, DRAFT_ID
    from harness.sandboxes import MAILBOX, TOKEN  # the tests' sandbox account and token: fixtures, no secret

    corpus = [
        {
            "name": entry.name,
            "body": entry.body,
            "draft": entry.draft,
            "files": {name: base64.b64encode(data).decode() for name, data in entry.files.items()},
        }
        for entry in CORPUS
    ]
    json.dump({"draft_id": DRAFT_ID, "traffic": corpus, "mailbox": MAILBOX, "token": TOKEN}, sys.stdout)


def send(urls: list[str]) -> None:
    from onlyoffice_send_client import AuthenticatedClient
    from onlyoffice_send_client.api.messages import send_message
    from onlyoffice_send_client.models import SendMessageRequest

    cases = json.load(sys.stdin)
    results = []
    for url in urls:
        client = AuthenticatedClient(
            base_url=url, token=os.environ["SPEC_GATE_TOKEN"], prefix="", raise_on_unexpected_status=False
        )
        for case in cases:
            result = {"url": url, "name": case["name"]}
            try:
                model = SendMessageRequest.from_dict(case["body"])
                result["sent"] = model.to_dict()
                response = send_message.sync_detailed(client=client, body=model)
                result["status"] = int(response.status_code)
                result["parsed"] = type(response.parsed).__name__
                try:
                    result["answer"] = json.loads(response.content)
                except ValueError:
                    result["answer_text"] = response.content.decode("utf-8", "replace")[:200]
            except Exception as exc:  # what the app would see: the client's own exception
                result["error"] = f"{type(exc).__name__}: {exc}"[:300]
            results.append(result)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    if sys.argv[1] == "traffic":
        traffic()
    else:
        send(sys.argv[2:])
