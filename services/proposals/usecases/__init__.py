"""The proposals service's use cases: one plain function each, taking the unit of
work and the RPC's arguments (municipality, actor, ids, payload), as the
entrypoints in ``service.py`` receive them.  Each loads through ``storage``, asks
``domain`` whether the caller may, stores the change and emits its events in one
transaction (``with uow``), and answers through ``views``."""
from .collaboration import (  # noqa: F401
    accept_agreement, agreement, draft_agreement, experiments, post_update, record_experiment, update_experiment,
    updates,
)
from .data_rights import erase_participant, export_participant  # noqa: F401
from .joining import answer, ask, follow, questions, support, unsupport  # noqa: F401
from .moderation import decide_report, hide, open_reports, report  # noqa: F401
from .proposals import get, history, list_page, submit, transition, update  # noqa: F401
