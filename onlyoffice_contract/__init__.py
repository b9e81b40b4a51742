"""The contract core: openapi.yaml and the rules of the send call that the suite and the sandbox share.

It imports neither the suite (`contract_tests`) nor the sandbox (`onlyoffice_sandbox`):
both stand on it.
"""

from onlyoffice_contract import spec
from onlyoffice_contract.mailbox import CONTROL, is_mailbox, parse_mailbox

__all__ = ["CONTROL", "is_mailbox", "parse_mailbox", "spec"]
