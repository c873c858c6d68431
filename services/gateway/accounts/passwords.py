"""Password hashing (argon2), off the eventlet hub."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

hasher = PasswordHasher()
# Verifying against this when the e-mail is unknown keeps the timing the same.
_DUMMY_HASH = hasher.hash("not a real password")


# argon2 is deliberately slow (tens of milliseconds of CPU).  On the eventlet hub
# that would stall every other request of the gateway, so it runs in a native
# thread (argon2-cffi releases the GIL while it hashes).
def hash_password(password):
    return tpool.execute(hasher.hash, password)


def verify_password(password_hash, password):
    return tpool.execute(hasher.verify, password_hash, password)


def matches(password_hash, password):
    """Whether ``password`` is the one hashed; an account without a hash (``None``)
    is checked against a dummy, so an unknown address takes as long as a known one."""
    try:
        verify_password(password_hash or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None
