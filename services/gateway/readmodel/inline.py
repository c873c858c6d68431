"""Reading a page's parts from memory first, in the reader's own green thread.

Inside :func:`memory_only`, a read through the model answers from memory or raises
:class:`NotKept`, which names the public read it would have fetched (:class:`Wanted`).
``web.app.parts`` takes what the model holds this way, then fetches what is missing:
one call per service that answers several public reads at once (``BATCHES``), one
call for each of the other reads.
"""
import collections
import contextlib

import eventlet.corolocal

from samskab.contracts.proposals import BATCHED_READS


class NotKept(BaseException):
    """Asked in memory only (:func:`memory_only`) for what would need a call.  Not an
    ``Exception``: a part of a page that turns errors into its default must not take it for one.
    ``wanted`` is the public read it would fetch (a :class:`Wanted`), or None for a live call."""

    def __init__(self, wanted=None):
        super().__init__()
        self.wanted = wanted


# One public read a page still needs: fetched with the others of its service in one call
# (:meth:`Store.claim_many`) where the service answers several reads at once.
Wanted = collections.namedtuple("Wanted", "store key municipality service method args kwargs live")

# Per service, the name of its entrypoint that answers several public reads at once, and the
# reads it answers (as the service's own list says: samskab.contracts.<service>).
BATCHES = {"proposals": ("reads", frozenset(BATCHED_READS))}


_only = eventlet.corolocal.local()


@contextlib.contextmanager
def memory_only():
    """In this green thread, reads through the model answer from memory or raise
    :class:`NotKept` (a page runs its parts inline first, and only the rest concurrently)."""
    _only.on = True
    try:
        yield
    finally:
        _only.on = False


def asked_in_memory_only():
    return getattr(_only, "on", False)
