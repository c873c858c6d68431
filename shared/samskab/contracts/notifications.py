"""Events emitted by the notifications service (internal only)."""
import uuid
from typing import Literal

from pydantic import Field

from ..events import Contract, event


@event("samskab.webhook.disabled")
class WebhookDisabled(Contract):
    """A webhook subscription kept failing and was disabled; its owner was told."""

    subscription_id: uuid.UUID
    municipality: str
    api_key_id: uuid.UUID
    failures_in_a_row: int
    last_status: int | None = None
    last_error: str | None = None


@event("samskab.notification.requested")
class NotificationRequested(Contract):
    """Internal: a service asks for a transactional e-mail to one person (confirming
    an e-mail address, resetting a password).  Sent at once, whatever the
    person's preferences, and without an unsubscribe link; the link it carries
    is a secret, so nobody logs it.  The gateway is the expected producer."""

    participant_id: uuid.UUID
    municipality: str
    template: Literal["confirm_address", "password_reset"]
    email: str = Field(min_length=3, max_length=320, description="Where to send it (the address being confirmed)")
    language: Literal["da", "nb", "nn", "en"]
    link: str = Field(min_length=1, max_length=2000)
