"""A client library for accessing OpenAI Organization Usage and Costs API (as the live API sends it)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
