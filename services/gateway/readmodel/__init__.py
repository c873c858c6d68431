"""The public read model: what anonymous pages and public JSON reads show, kept in
the gateway's memory and changed by the public event stream (``samskab.public``).

* :mod:`.store`: the backends' public answers (one entry per read, e.g. a proposal,
  its questions, a municipality's list), each with the ids it shows; and the pages
  rendered from them, per path and language.  An event drops every entry that names
  one of its ids (and the municipality's lists) at once; the next read fetches it
  again, once, however many readers wait for it.
* :mod:`.projector`: a third-party subscriber of ``samskab.public`` bound to the
  municipalities this instance serves; on start it reads the catch-up log and renders
  what was changed lately, so the model can be dropped and rebuilt at any time.
* :mod:`.http`: ``ETag``, ``Last-Modified``, 304 and ``Cache-Control`` for every
  public read.
* :mod:`.inline`: a page's parts read from memory first, and what it misses of one
  service fetched in one call.
* :mod:`.own`: beside the model, not in it: what is each signed-in resident's own on
  proposal pages (the ids they started, support and follow), kept per account.

Nothing personal enters it: only reads made as nobody (``actor`` None) are kept.
"""
from .projector import PublicReadModel  # noqa: F401
