"""The proposals service's storage: its tables (``tables``), the listing query
(``listing``) and one repository per aggregate (``repositories``): the only
place that writes SQL."""
from .listing import MAX_LIMIT, SORTS, decode_cursor, encode_cursor, list_page, list_query, text_condition  # noqa: F401
from .repositories import (  # noqa: F401
    Agreements, Experiments, Participants, Proposals, Questions, Reports, Updates,
)
from .tables import *  # noqa: F401,F403
from .council import Cases, Committees, Missions, Offices  # noqa: F401,E402  (issue 22)
from .comments import Comments, comment_reports, comments  # noqa: F401,E402  (issue 21)
from .attachments import Attachments, attachment_reports, attachments, keys_of  # noqa: F401,E402  (issue 21)
