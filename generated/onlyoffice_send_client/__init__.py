"""A client library for accessing ONLYOFFICE Workspace Mail - Send a message"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
