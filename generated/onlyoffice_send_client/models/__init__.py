"""Contains all the data models used in inputs/outputs"""

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
