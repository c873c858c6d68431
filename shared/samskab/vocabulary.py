"""The words every service shares, defined once: the roles people act in, what can be
co-created, the municipality's promise on the IAP2 spectrum, and the languages.
The proposals, meetings and matching contracts and the gateway's accounts take them
from here; each service's own words stay in its contracts.

Pydantic fields use :func:`one_of` (a ``Literal`` of the values), so the published
JSON schemas (OpenAPI, AsyncAPI) keep naming the values inline.
"""
from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    """What is co-created: services and authority decisions, development projects, policy."""

    SERVICE = "service"
    DEVELOPMENT = "development"
    POLICY = "policy"


class Role(StrEnum):
    """The role a person acts in (and where an initiative comes from: the initiator's role)."""

    RESIDENT = "resident"
    BUSINESS = "business"
    ASSOCIATION = "association"
    POLITICIAN = "politician"
    EMPLOYEE = "employee"


RESIDENT_ROLES = (Role.RESIDENT.value, Role.BUSINESS.value, Role.ASSOCIATION.value)
STAFF_ROLES = (Role.EMPLOYEE.value, Role.POLITICIAN.value)  # participants with the municipality's rights
OPERATOR = "operator"  # runs the deployment; not a role anyone proposes in


class Iap2(StrEnum):
    """What the municipality promises, on the IAP2 spectrum of public participation."""

    INFORM = "inform"
    CONSULT = "consult"
    INVOLVE = "involve"
    COLLABORATE = "collaborate"
    EMPOWER = "empower"


class Language(StrEnum):
    DA = "da"
    NB = "nb"
    NN = "nn"
    EN = "en"


def values(enum):
    """The enumeration's values, as plain strings, in their order."""
    return tuple(member.value for member in enum)


def one_of(enum):
    """A ``Literal`` type of the enumeration's values, for pydantic fields."""
    return Literal[values(enum)]
