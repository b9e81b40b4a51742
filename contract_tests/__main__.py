"""`python -m contract_tests`: the conformance run, as `make contract` starts it.

Exit status 0: the server conforms. 1: it does not (the output names each
failure). 4: a usage error (the message says what to set). Extra arguments go
to pytest.
"""

import os
import sys
from pathlib import Path

import pytest

from contract_tests.settings import UsageError, load

try:
    suite = load()
except UsageError as exc:
    print(f"usage: {exc}", file=sys.stderr)
    sys.exit(pytest.ExitCode.USAGE_ERROR)
os.environ["SEED"] = str(suite.seed)  # a random seed, chosen once, is the one the run uses and prints
suite.report_dir.mkdir(parents=True, exist_ok=True)
junit = suite.report_dir / "contract-junit.xml"
sys.exit(
    pytest.main(
        [
            str(Path(__file__).parent),
            "-p",
            "no:cacheprovider",
            f"--junitxml={junit}",
            "-o",
            "junit_suite_name=contract",
            *sys.argv[1:],
        ]
    )
)
