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
from .moderation import decide_report, dismiss_reports, hide, open_reports, report, reported  # noqa: F401
from .proposals import get, history, list_page, mine, submit, transition, update  # noqa: F401
# political leadership (issue 22): missions, task committees, the council's answer
from .committees import (  # noqa: F401,E402
    add_committee_meeting, add_document, apply_to_committee, committees, deliver_recommendation, form_committee,
    get_committee, seat_members,
)
from .decisions import agenda, council_figures, decide, get_case, on_threshold_reached, place_case  # noqa: F401,E402
from .missions import (  # noqa: F401,E402
    attach_to_mission, case_of_proposal, follow_mission, get_mission, missions, missions_of_proposal, politician,
    publish_mission, register_office,
)
from .council_changes import close_committee, close_mission, update_committee, update_mission  # noqa: F401,E402
from .comments import comments, edit_comment, hide_comment, post_comment, report_comment  # noqa: F401,E402  (issue 21)
from .attachments import (  # noqa: F401,E402  (pictures and files: issue 21)
    add_attachment, attachment, attachments, erase_uploader, export_uploads, hide_attachment, may_attach,
    report_attachment,
)
