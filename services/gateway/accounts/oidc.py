"""Sign-in with OpenID Connect: the authorization code flow with PKCE and ``nonce`` through
Authlib's OAuth 2 client, the ID token checked with joserfc against the provider's published
keys (JWKS): signature (asymmetric algorithms only), issuer, audience, expiry, nonce, at_hash.

Providers are configured per deployment and offered per municipality (README,
"OpenID Connect"):

    OIDC_PROVIDERS=mitid,idporten           the providers, by a short name
    OIDC_<NAME>_ISSUER                      the issuer URL (its discovery document is read)
    OIDC_<NAME>_CLIENT_ID                   the client id the provider gave Samskab
    OIDC_<NAME>_CLIENT_SECRET               its secret (a key setting: never in code or files)
    OIDC_<NAME>_MUNICIPALITIES              where it is offered: ``*`` or ``aalborg,hjorring``
    OIDC_<NAME>_LABEL                       the button's text, e.g. ``MitID``
    OIDC_<NAME>_SCOPE                       default ``openid``
    OIDC_<NAME>_RESIDENCE_CLAIM             the claim naming the municipality of residence (optional)
    OIDC_SUBJECT_SALT                       the salt of the stored subject hashes (a key setting)

What the flow keeps between the redirect and the callback (state, nonce, the PKCE
verifier) travels in a short-lived cookie signed with ``SECRET_KEY``: no table, and a
callback from another browser fails the state check.
"""
import base64
import hashlib
import hmac
import os
import re
import secrets as _random
import threading
import time
from dataclasses import dataclass, field

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from samskab import secrets
from samskab.errors import Invalid, NotFound, Unauthorized

from . import tokens

FLOW_COOKIE = "samskab_oidc"
FLOW_SECONDS = 600
NAME_RE = "^[a-z][a-z0-9]{1,30}$"
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]  # never "none" or HMAC
SIGNING_KEY_TYPES = ("RSA", "EC")  # a symmetric ("oct") key in a JWKS is never used
METADATA_SECONDS = 3600
KEYS_REFETCH_SECONDS = 30  # an unknown key id reads the JWKS again, but not more often than this
LEEWAY_SECONDS = 60  # clock skew allowed on exp, iat and nbf
HTTP_TIMEOUT = 10


class VerificationFailed(Unauthorized):
    """The provider's answer could not be trusted (state, code, signature, issuer, nonce …)."""


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)  # never in a log line or a traceback
    municipalities: object  # "*" or a tuple of ids
    label: str
    scope: str
    residence_claim: str | None

    def offered_in(self, municipality_id):
        return self.municipalities == "*" or municipality_id in self.municipalities


def _setting(config, name, default=""):
    """A provider setting: from the gateway's config when a test gives it there, else the environment."""
    value = config.get(name)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return (value or "").strip()


def providers(config):
    """The configured providers by name; a missing issuer, client id or secret is refused by name."""
    names = [n.strip() for n in _setting(config, "OIDC_PROVIDERS").split(",") if n.strip()]
    development = os.environ.get(secrets.DEV_FLAG) == "1" or config.get(secrets.DEV_FLAG) == "1"
    found = {}
    for name in names:
        if not re.match(NAME_RE, name):
            raise secrets.SecretError(f"OIDC_PROVIDERS: {name!r} is not a provider name (lower-case letters, digits)")
        prefix = f"OIDC_{name.upper()}_"
        issuer, client_id = _setting(config, prefix + "ISSUER"), _setting(config, prefix + "CLIENT_ID")
        if not issuer or not client_id:
            raise secrets.SecretError(f"{prefix}ISSUER and {prefix}CLIENT_ID must be set for provider {name!r}")
        client_secret = secrets.check(prefix + "CLIENT_SECRET", _setting(config, prefix + "CLIENT_SECRET"),
                                      development)[0]
        scope_ids = _setting(config, prefix + "MUNICIPALITIES", "*")
        found[name] = Provider(
            name=name, issuer=issuer.rstrip("/"), client_id=client_id, client_secret=client_secret,
            municipalities="*" if scope_ids == "*" else tuple(m.strip() for m in scope_ids.split(",") if m.strip()),
            label=_setting(config, prefix + "LABEL", name), scope=_setting(config, prefix + "SCOPE", "openid"),
            residence_claim=_setting(config, prefix + "RESIDENCE_CLAIM") or None,
        )
    if found:
        secrets.check("OIDC_SUBJECT_SALT", _setting(config, "OIDC_SUBJECT_SALT"), development)
    return found


def offered(config, municipality_id):
    """The providers offered in a municipality (for the pages' buttons and the API)."""
    return [p for p in providers(config).values() if p.offered_in(municipality_id)]


def provider(config, name):
    found = providers(config).get(name)
    if found is None:
        raise NotFound(f"no OpenID provider '{name}' is configured")
    return found


def subject_hash(config, issuer, subject):
    """What is stored of the provider's subject: a salted HMAC, so the table names nobody."""
    salt = secrets.keys(_setting(config, "OIDC_SUBJECT_SALT"))[-1]  # the oldest: a hash must not change
    return hmac.new(salt.encode(), f"{issuer}\n{subject}".encode(), hashlib.sha256).hexdigest()


# -- the provider's documents: discovery and keys, cached per process ----------------------------

_cache = {}
_cache_lock = threading.Lock()


def _get_json(url):
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise VerificationFailed(f"the OpenID provider did not answer: {type(exc).__name__}") from None


def metadata(p, fresh=False):
    key = ("meta", p.issuer)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and not fresh and hit[0] > time.time():
        return hit[1]
    document = _get_json(p.issuer + "/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != p.issuer:
        raise VerificationFailed("the provider's discovery document names another issuer")
    with _cache_lock:
        _cache[key] = (time.time() + METADATA_SECONDS, document)
    return document


def key_set(p, fresh=False):
    """The provider's signing keys (a joserfc ``KeySet``); ``fresh`` reads them again unless
    they were read within the last seconds (a token with a made-up key id must not make every
    callback fetch the JWKS)."""
    key = ("jwks", p.issuer)
    with _cache_lock:
        hit = _cache.get(key)
    now = time.time()
    if hit and hit[0] > now and (not fresh or now - hit[2] < KEYS_REFETCH_SECONDS):
        return hit[1]
    document = _get_json(metadata(p)["jwks_uri"])
    found = document.get("keys") if isinstance(document, dict) else None
    signing = [k for k in found or () if isinstance(k, dict) and k.get("kty") in SIGNING_KEY_TYPES
               and k.get("use", "sig") == "sig"]
    try:
        keys = KeySet.import_key_set({"keys": signing})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise VerificationFailed(f"the provider's key set is not usable: {type(exc).__name__}") from None
    with _cache_lock:
        _cache[key] = (now + METADATA_SECONDS, keys, now)
    return keys


# -- the flow ---------------------------------------------------------------------------------------

def redirect_uri(config, p):
    return f"{config.get('PUBLIC_URL', 'http://localhost:8000').rstrip('/')}/auth/oidc/{p.name}/callback"


def _session(config, p):
    return OAuth2Session(p.client_id, p.client_secret, scope=p.scope, redirect_uri=redirect_uri(config, p),
                         code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")


def begin(config, p, municipality_id, next_path):
    """The provider's authorization URL and the signed flow cookie to set: ``(url, cookie)``."""
    state, nonce = _random.token_urlsafe(24), _random.token_urlsafe(24)
    verifier = _random.token_urlsafe(48)
    url, _ = _session(config, p).create_authorization_url(
        metadata(p)["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier)
    cookie = tokens.issue(config["SECRET_KEY"], "oidc", 0, FLOW_SECONDS, use="oidc-flow",
                          p=p.name, st=state, n=nonce, cv=verifier, m=municipality_id, nx=next_path)
    return url, cookie


def flow_of(config, cookie):
    """The flow the browser started (the signed cookie's payload), or :class:`VerificationFailed`."""
    if not cookie:
        raise VerificationFailed("no sign-in was started in this browser, or it took too long")
    try:
        return tokens.verify(config["SECRET_KEY"], cookie, use="oidc-flow")
    except Unauthorized:
        raise VerificationFailed("the sign-in took too long or was tampered with") from None


def exchange(config, p, code, verifier):
    """The provider's token response for an authorization code (PKCE verifier sent along)."""
    try:
        return _session(config, p).fetch_token(metadata(p)["token_endpoint"], code=code, code_verifier=verifier)
    except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
        raise VerificationFailed(f"the provider refused the authorization code: {type(exc).__name__}") from None


def _half_hash(value, alg):
    """OpenID Connect's at_hash: the left half of the token's hash with the ID token's algorithm's SHA-2."""
    digest = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}[alg[-3:]](value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:len(digest) // 2]).rstrip(b"=").decode()


def _check_claims(p, claims, alg, nonce, access_token):
    """OpenID Connect Core 3.1.3.7: issuer, audience (and azp), expiry, issued-at, nonce, at_hash."""
    jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "values": [p.issuer, p.issuer + "/"]},  # the setting is kept without the "/"
        sub={"essential": True}, aud={"essential": True, "value": p.client_id},
        exp={"essential": True}, iat={"essential": True},
    ).validate(claims)
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != p.client_id:
        raise VerificationFailed("the ID token was refused: azp")
    got = claims.get("nonce")
    if not isinstance(got, str) or not hmac.compare_digest(got.encode(), nonce.encode()):
        raise VerificationFailed("the ID token was refused: nonce")
    if access_token and "at_hash" in claims:
        at_hash = claims["at_hash"]
        if not isinstance(at_hash, str) or not hmac.compare_digest(at_hash.encode(),
                                                                  _half_hash(access_token, alg).encode()):
            raise VerificationFailed("the ID token was refused: at_hash")


def validate_id_token(p, id_token, nonce, access_token=None):
    """The ID token's claims once its signature (the provider's JWKS), issuer, audience,
    expiry, nonce and access-token hash are right; :class:`VerificationFailed` otherwise."""
    if not id_token or not isinstance(id_token, str):
        raise VerificationFailed("the provider sent no ID token")
    if not nonce:
        raise VerificationFailed("no nonce to check the ID token against")
    for attempt in (1, 2):  # a key unknown to the cached set: the provider rotated; read it once more
        try:
            token = jwt.decode(id_token, key_set(p, fresh=attempt == 2), algorithms=SIGNING_ALGORITHMS)
            break
        except InvalidKeyIdError:
            if attempt == 2:
                raise VerificationFailed("the ID token's key is not the provider's") from None
        except (JoseError, ValueError, KeyError, TypeError) as exc:
            raise VerificationFailed(f"the ID token was refused: {getattr(exc, 'error', type(exc).__name__)}") \
                from None
    try:
        _check_claims(p, token.claims, token.header["alg"], nonce, access_token)
    except JoseError as exc:  # joserfc names the claim: "invalid_claim", "missing_claim", "expired_token"
        raise VerificationFailed(f"the ID token was refused: {exc.error} {exc.description or ''}".strip()) \
            from None
    return dict(token.claims)


def complete(config, args, cookie):
    """The provider, the validated ID token claims and the flow for the provider's callback."""
    flow = flow_of(config, cookie)
    p = provider(config, flow["p"])
    if args.get("error"):
        raise VerificationFailed("the sign-in was cancelled or refused at the provider")
    state = args.get("state") or ""
    if not hmac.compare_digest(state.encode(), flow["st"].encode()):
        raise VerificationFailed("the answer does not belong to the sign-in started here (state)")
    if args.get("iss") and args["iss"].rstrip("/") != p.issuer:  # RFC 9207: a mix-up with another provider
        raise VerificationFailed("the answer came from another issuer")
    code = args.get("code")
    if not code or len(code) > 2000:
        raise Invalid("no authorization code in the provider's answer")
    token = exchange(config, p, code, flow["cv"])
    claims = validate_id_token(p, token.get("id_token"), flow["n"], token.get("access_token"))
    return p, claims, flow
