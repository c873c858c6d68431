"""The proposals service's contracts: the words of a proposal's life
(``enums``), what people send (``inputs``), the events it emits (``events``),
what it answers (``outputs``) and the gateway's typed client (``client``).

Import from here: ``from samskab.contracts.proposals import NewProposal, ProposalsRpc``.
"""
from .client import BATCHED_READS, ProposalsRpc  # noqa: F401
from .enums import *  # noqa: F401,F403
from .events import *  # noqa: F401,F403
from .inputs import *  # noqa: F401,F403
from .outputs import *  # noqa: F401,F403
from .council import *  # noqa: F401,F403,E402  (missions, committees, the council's answer: issue 22)
from .council_client import *  # noqa: F401,F403,E402
from .council_changes import *  # noqa: F401,F403,E402  (missions and committees edited and closed)
from .comments import *  # noqa: F401,F403,E402  (comment threads: issue 21)
from .attachments import *  # noqa: F401,F403,E402  (pictures and files: issue 21)
