"""SMTP security settings are checked when the service starts: an unknown mode, or
a login over a connection that would not be encrypted, stops it with the variable named."""
import pytest

from notifications import settings


def load(**overrides):
    return settings.load(overrides)


def test_the_local_sink_needs_no_tls_and_no_login():
    s = load()
    assert (s.NOTIFICATIONS_SMTP_TLS, s.NOTIFICATIONS_SMTP_USER) == ("none", "")


@pytest.mark.parametrize("mode", ["starttls", "tls", "STARTTLS"])
def test_a_login_is_allowed_over_an_encrypted_connection(mode):
    assert load(NOTIFICATIONS_SMTP_TLS=mode, NOTIFICATIONS_SMTP_USER="mailer", NOTIFICATIONS_SMTP_PASSWORD="pw")


def test_a_login_over_a_plain_connection_is_refused():
    with pytest.raises(ValueError, match="NOTIFICATIONS_SMTP_TLS"):
        load(NOTIFICATIONS_SMTP_USER="mailer", NOTIFICATIONS_SMTP_PASSWORD="pw")


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="NOTIFICATIONS_SMTP_TLS must be one of none, starttls, tls"):
        load(NOTIFICATIONS_SMTP_TLS="ssl3")
