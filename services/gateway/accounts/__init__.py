"""Accounts, roles and tokens: who is calling, and in which role."""

from samskab.vocabulary import OPERATOR, RESIDENT_ROLES, STAFF_ROLES

ROLES = RESIDENT_ROLES + STAFF_ROLES + (OPERATOR,)
SELF_ASSIGNABLE = RESIDENT_ROLES
