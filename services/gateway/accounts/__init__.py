"""Accounts, roles and tokens: who is calling, and in which role."""

RESIDENT_ROLES = ("resident", "business", "association")
STAFF_ROLES = ("employee", "politician")
ROLES = RESIDENT_ROLES + STAFF_ROLES + ("operator",)
SELF_ASSIGNABLE = RESIDENT_ROLES
