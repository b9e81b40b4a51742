"""Contains all the data models used in inputs/outputs

Each model's module is imported when the model is first named (PEP 562), not with the package: the models
are attrs classes, built as their modules are imported, and an app that sends needs only some of them.
`from ...models import X` and `models.X` work as ever; type checkers read the imports below.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .error_envelope import ErrorEnvelope
    from .error_info import ErrorInfo
    from .error_info_data import ErrorInfoData
    from .file_share import FileShare
    from .mail_attachment import MailAttachment
    from .send_message_request import SendMessageRequest
    from .success_envelope import SuccessEnvelope

__all__ = (
    "ErrorEnvelope",
    "ErrorInfo",
    "ErrorInfoData",
    "FileShare",
    "MailAttachment",
    "SendMessageRequest",
    "SuccessEnvelope",
)

# Each model's name: the module that defines it.
_MODULES = {
    "ErrorEnvelope": ".error_envelope",
    "ErrorInfo": ".error_info",
    "ErrorInfoData": ".error_info_data",
    "FileShare": ".file_share",
    "MailAttachment": ".mail_attachment",
    "SendMessageRequest": ".send_message_request",
    "SuccessEnvelope": ".success_envelope",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
