"""Events emitted by the gateway about participants (accounts).

These are internal: they carry what other services need to serve a person
(e-mail for notifications, language, role) and never reach the public stream.
"""
import uuid
from typing import Literal

from .. import vocabulary
from ..events import Contract, event

Role = Literal[vocabulary.values(vocabulary.Role) + (vocabulary.OPERATOR,)]


@event("samskab.participant.registered")
class ParticipantRegistered(Contract):
    id: uuid.UUID
    municipality: str
    role: Role
    language: Literal["da", "nb", "nn", "en"]
    email: str
    display_name: str


@event("samskab.participant.updated")
class ParticipantUpdated(Contract):
    id: uuid.UUID
    municipality: str
    role: Role
    language: Literal["da", "nb", "nn", "en"]
    email: str
    display_name: str
    email_confirmed: bool = False


@event("samskab.participant.erased")
class ParticipantErased(Contract):
    """The person asked to be forgotten: every service removes what it holds."""

    id: uuid.UUID
    municipality: str


@event("samskab.participant.confirmation_requested")
class ConfirmationRequested(Contract):
    """Send the person a link that confirms their e-mail address."""

    id: uuid.UUID
    municipality: str
    language: Literal["da", "nb", "nn", "en"]
    email: str
    confirm_url: str


@event("samskab.participant.password_reset_requested")
class PasswordResetRequested(Contract):
    """Send the person a link to choose a new password (valid for an hour)."""

    id: uuid.UUID
    municipality: str
    language: Literal["da", "nb", "nn", "en"]
    email: str
    reset_url: str
