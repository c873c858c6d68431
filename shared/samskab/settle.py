"""Acking or requeueing a delivery whose broker connection may be gone.

nameko's ``QueueConsumer.ack_message`` only checks that the connection object
still exists. After a broker restart the object is still there but its socket
was reset, and the write raises. Raised in a worker's result handling, that
error kills the whole container and so the process. The broker has already
taken the unacked delivery back and gives it out again (to us after the
reconnect, or to another instance), so the only right answer is to log it and
go on: the handlers are idempotent and the duplicate is recognised.
"""
import logging

import amqp.exceptions

log = logging.getLogger(__name__)


def settle(action, message, what="this delivery"):
    """``action(message)`` (an ack or a requeue); True if it reached the broker."""
    try:
        action(message)
    except (OSError, amqp.exceptions.ConnectionError) as exc:
        log.warning("the broker connection closed before %s was settled (%s): it is delivered again", what, exc)
        return False
    return True
