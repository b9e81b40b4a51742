"""`onlyoffice-contract` (and `python -m contract_tests`): the conformance run.

Exit status 0: the server conforms. 1: it does not (the output names each
failure). 4: a usage error or a wrong target (the message says what to set).
75: no verdict (the server throttled the run past its budget). Arguments after
`--` go to pytest. `onlyoffice-contract replay FILE` sends a failure's request
again (`replay.py`); `audit FILE` judges recorded traffic (`audit.py`); `proxy --upstream URL`
judges live traffic (`proxy.py`); `spec-diff BASE` says what a change of openapi.yaml breaks
(`spec_gate/`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pytest

from contract_tests import audit, pacing, replay, verdict
from contract_tests import settings as suite_settings
from contract_tests.plugin import ContractRun
from onlyoffice_contract.environment import UNSET

USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)
NO_VERDICT = pacing.NO_VERDICT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="onlyoffice-contract",
        description="Check a server's PUT /api/2.0/mail/messages/send against openapi.yaml. With no BASE_URL,"
        " an embedded sandbox is started for the run.",
        epilog="Each setting is also read from its environment variable (shown in capitals); an option"
        " given here wins. API_KEY is read from the environment only. Exit status: 0 conforms,"
        " 1 does not conform, 4 usage error or wrong target, 75 no verdict (throttled)."
        " `onlyoffice-contract replay FILE` sends a failure's request (REPORT_DIR/replay/) again;"
        " `audit FILE` judges recorded traffic; `proxy --upstream URL` judges live traffic (docs/audit.md);"
        " `spec-diff BASE` says what a change of openapi.yaml since BASE breaks (docs/spec.md).",
    )
    for row in suite_settings.described():
        if row.secret:  # environment only: a command line is visible to every user of the machine
            continue
        default = f" [default: {row.default}]" if row.default != UNSET else ""
        parser.add_argument(
            "--" + row.variable.lower().replace("_", "-"),
            dest=row.variable,
            metavar=row.variable,
            help=row.help + default,
        )
    parser.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS", help="passed to pytest")
    return parser


def _report_dir(given: dict[str, str]) -> Path:
    """REPORT_DIR as given, for a usage error found before the settings could be read."""
    return Path(
        given.get("REPORT_DIR")
        or os.environ.get("REPORT_DIR")
        or str(suite_settings.FIELDS["REPORT_DIR"].default)
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["replay"]:
        return replay.main(argv[1:])
    if argv[:1] == ["spec-diff"]:
        from contract_tests.spec_gate.cli import main as spec_diff

        return spec_diff(argv[1:])
    if argv[:1] == ["audit"]:
        return audit.main(argv[1:])
    if argv[:1] == ["proxy"]:
        from contract_tests import proxy  # uvicorn and httpx: only this command needs them

        return proxy.main(argv[1:])
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a bad option (2, argparse's own): the suite's usage status
        if exc.code == 0:
            return 0
        verdict.stopped_before_pytest(_report_dir({}), "usage: the command line is wrong (see above)")
        return USAGE_ERROR
    given = {name: value for name, value in vars(args).items() if name.isupper() and value is not None}
    try:
        settings = suite_settings.load({**os.environ, **given})
    except suite_settings.UsageError as exc:
        line = f"usage: {exc}"
        verdict.stopped_before_pytest(_report_dir(given), line)
        print(line, file=sys.stderr)
        return USAGE_ERROR
    settings.report_dir.mkdir(parents=True, exist_ok=True)
    junit = settings.report_dir / verdict.JUNIT
    # Only the plugins the suite uses, named: pytest loads every installed plugin otherwise, and
    # rewrites the asserts of each one's whole distribution (all of schemathesis) on every start.
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    run = ContractRun(settings)
    status = int(
        pytest.main(
            [
                str(Path(__file__).parent),
                "-p",
                "schemathesis.pytest.plugin",
                "-p",
                "_hypothesis_pytestplugin",
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                # The suite's own ini file: a pytest configuration around the installed package must
                # not change the run.
                "-c",
                str(Path(__file__).parent / "pytest.ini"),
                "--rootdir",
                str(Path(__file__).parent),
                *args.pytest_args,
            ],
            plugins=[run],
        )
    )
    status = run.exit_status(status)
    replays = replay.write_all(run.coverage.failures, settings.report_dir, run.redactor)
    for annotation in verdict.publish(run, status, replays):
        print(annotation)
    # The last line of the output, whatever pytest printed before it.
    print(run.verdict(status), flush=True)
    return status
