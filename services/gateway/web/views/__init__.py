"""One module per area; each registers its pages with ``@page_route``."""
from . import accounts, home, proposals, meetings, me, staff, operator  # noqa: F401
from . import missions  # noqa: F401,E402  (issue 22: missions, committees, the council)
from . import comments  # noqa: F401,E402  (issue 21: comment threads)
from . import maps  # noqa: F401,E402  (issue 21: the municipality's map)
from . import attachments  # noqa: F401,E402  (issue 21: pictures and files)
from . import meeting_comments  # noqa: F401,E402  (issue 21: comment threads under meetings)
