"""The meetings service's contracts: the words of a meeting (``enums``), what people send
(``inputs``), what the service answers (``outputs``), the events it emits (``events``)
and the gateway's typed client (``client``).

Public projections carry a meeting's public content and *counts* of
registrations; never who registered, who was invited or who owns an action.

Import from here: ``from samskab.contracts.meetings import NewMeeting, MeetingsRpc``.
"""
from .attachments import *  # noqa: F401,F403  (pictures and files: issue 21)
from .client import MeetingsRpc  # noqa: F401
from .comments import *  # noqa: F401,F403
from .enums import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .inputs import *  # noqa: F401,F403
from .outputs import *  # noqa: F401,F403
