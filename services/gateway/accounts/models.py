"""What the account operations take and give, shared by the API, the pages and the
e-mail pages (the API documents them in OpenAPI)."""
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from samskab.vocabulary import OPERATOR, RESIDENT_ROLES, STAFF_ROLES


class Registration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    municipality: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,62}$")]
    role: Literal[RESIDENT_ROLES] = "resident"
    language: Literal["da", "nb", "nn", "en"] | None = None


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(max_length=320)]
    password: Annotated[str, StringConstraints(max_length=200)]


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Annotated[str, StringConstraints(max_length=200)]
    new_password: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class TokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(max_length=1000)]


class ResetRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, StringConstraints(max_length=320)]


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: Annotated[str, StringConstraints(max_length=1000)]
    password: Annotated[str, StringConstraints(min_length=10, max_length=200)]


class RoleGrant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal[STAFF_ROLES + (OPERATOR,) + RESIDENT_ROLES]
    municipality: str = Field(pattern=r"^[a-z][a-z0-9-]{1,62}$",
                              description="the municipality whose staff the account becomes")


class AccountOut(BaseModel):
    id: str
    email: str
    display_name: str
    municipality: str
    role: str
    language: str
    email_confirmed: bool
    verified: bool = Field(description="linked to an identity an OpenID provider vouched for")
    residence_municipality: str | None = Field(
        None, description="the municipality of residence, where the identity provider tells it")


class VerificationRules(BaseModel):
    """Where a municipality asks for a verified account (``PUT …/verification``, staff)."""
    model_config = ConfigDict(extra="forbid")

    supports: bool = Field(description="supporting a proposal needs a verified account")
    panels: bool = Field(description="volunteering for a citizen panel needs a verified account")


class IdentityProviderOut(BaseModel):
    name: str
    label: str
    sign_in_url: str = Field(description="open in a browser: the authorization code flow starts there")


class VerificationOut(VerificationRules):
    providers: list[IdentityProviderOut]


class LinkedIdentityOut(BaseModel):
    provider: str | None = Field(description="the provider's name (DELETE /me/identities/{provider}); null when "
                                             "its issuer is no longer configured")
    label: str
    issuer: str
    linked_at: str
    can_unlink: bool = Field(description="false when it is the account's only way to sign in: set a password first")


class LinkedIdentitiesOut(BaseModel):
    identities: list[LinkedIdentityOut]
    has_password: bool = Field(description="the account can sign in with its e-mail address and a password")


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class Accepted(BaseModel):
    status: str


def account_out(row):
    return {
        "id": str(row.id), "email": row.email, "display_name": row.display_name,
        "municipality": row.municipality, "role": row.role, "language": row.language,
        "email_confirmed": row.email_confirmed_at is not None,
        "verified": getattr(row, "verified_at", None) is not None,
        "residence_municipality": getattr(row, "residence_municipality", None),
    }
