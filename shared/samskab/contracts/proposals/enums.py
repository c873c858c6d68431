"""The words of a proposal's life, defined once: its statuses, kinds, the IAP2
levels, initiator roles, outcomes and capacities.  The proposals service's domain,
its contracts and the gateway's pages all take them from here.

Pydantic fields use :func:`one_of` (a ``Literal`` of the values), so the published
JSON schemas (OpenAPI, AsyncAPI) keep naming the values inline.
"""
from enum import StrEnum

from ...vocabulary import Iap2, Kind, Language, Role, one_of, values  # noqa: F401  (shared words, re-exported)


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    FORMING = "forming"
    ACTIVE = "active"
    CONCLUDED = "concluded"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class Outcome(StrEnum):
    IMPLEMENTED = "implemented"
    ADOPTED = "adopted"
    NOT_PURSUED = "not_pursued"


class Capacity(StrEnum):
    """Who the caller is towards one proposal (see ``proposals/domain.py``)."""

    INITIATOR = "initiator"
    STAFF = "staff"
    PARTICIPANT = "participant"


class TargetType(StrEnum):
    """What can be reported and hidden."""

    PROPOSAL = "proposal"
    QUESTION = "question"
    ANSWER = "answer"
    UPDATE = "update"


class Sort(StrEnum):
    NEWEST = "newest"
    SUPPORTED = "supported"
    ACTIVE = "active"


class Action(StrEnum):
    """What someone may do with a proposal besides moving it (``allowed.actions``)."""

    EDIT = "edit"  # its content (the initiator)
    SET_IAP2_LEVEL = "set_iap2_level"  # the municipality's promise (initiator or staff)
    SUPPORT = "support"
    FOLLOW = "follow"
    ASK = "ask"
    ANSWER = "answer"
    DRAFT_AGREEMENT = "draft_agreement"
    RECORD_EXPERIMENT = "record_experiment"
    POST_UPDATE = "post_update"
    REPORT = "report"
    MODERATE = "moderate"
