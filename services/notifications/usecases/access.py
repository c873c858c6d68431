"""Who may do what here: the checks the use cases share."""
import uuid

from samskab.errors import Forbidden, Unauthorized

STAFF_ROLES = ("employee", "politician")


def person(actor):
    """The signed-in caller's participant id."""
    if not actor or not actor.get("id"):
        raise Unauthorized("sign in first")
    return uuid.UUID(actor["id"])


def is_staff_of(actor, municipality):
    """An operator, or staff of this municipality."""
    return bool(actor) and bool(actor.get("operator") or (actor.get("staff") and actor.get("municipality") == municipality))


def require_operator(actor, to_do):
    if not actor or not actor.get("operator"):
        raise Forbidden(f"only an operator may {to_do}")
