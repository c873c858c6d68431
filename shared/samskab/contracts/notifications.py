"""Events emitted by the notifications service (internal only)."""
import uuid

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

