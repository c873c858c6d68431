"""The connection to the SMTP server, as secure as configuration says.

``NOTIFICATIONS_SMTP_TLS``: ``none`` (the local development sink), ``starttls``
(plain connection upgraded with STARTTLS before anything is sent; a server that
does not offer it is refused) or ``tls`` (implicit TLS, usually port 465).  The
server's certificate and host name are verified against the system's CAs, or
``NOTIFICATIONS_SMTP_CA_FILE``.  With ``NOTIFICATIONS_SMTP_USER`` the connection
logs in (AUTH), which is refused over a connection that is not encrypted: a
password is never sent in the clear.
"""
import smtplib
import ssl

MODES = ("none", "starttls", "tls")


class Refused(smtplib.SMTPException):
    """The configuration asks for something that would not be safe."""


def mode_of(settings):
    return (settings.NOTIFICATIONS_SMTP_TLS or "none").strip().lower()


def check(settings):
    """Refuse at start a security setting that is unknown or would send a password in the clear."""
    mode = mode_of(settings)
    if mode not in MODES:
        raise ValueError(f"NOTIFICATIONS_SMTP_TLS must be one of {', '.join(MODES)}, not {mode!r}")
    if settings.NOTIFICATIONS_SMTP_USER and mode == "none":
        raise ValueError("NOTIFICATIONS_SMTP_USER is set but NOTIFICATIONS_SMTP_TLS is none: "
                         "the password would cross the network in the clear; use starttls or tls")


def tls_context(settings):
    """Certificate and host name verification (``create_default_context`` does both)."""
    return ssl.create_default_context(cafile=settings.NOTIFICATIONS_SMTP_CA_FILE or None)


def connect(settings):
    """An SMTP connection, encrypted and logged in as configured.

    Raises ``OSError`` (``ssl.SSLError`` for a certificate that does not verify) or
    ``smtplib.SMTPException`` (``SMTPAuthenticationError`` for a refused login)."""
    mode = mode_of(settings)
    host, port = settings.NOTIFICATIONS_SMTP_HOST, int(settings.NOTIFICATIONS_SMTP_PORT)
    timeout = float(settings.NOTIFICATIONS_SMTP_TIMEOUT_SECONDS)
    if mode == "tls":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context(settings))
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if mode == "starttls":
            # starttls() raises SMTPNotSupportedError if the server does not offer it:
            # never fall back to a plain connection.
            connection.starttls(context=tls_context(settings))
            connection.ehlo()
        if settings.NOTIFICATIONS_SMTP_USER:
            if mode not in ("starttls", "tls"):
                raise Refused("AUTH over a plain connection is refused")
            connection.login(settings.NOTIFICATIONS_SMTP_USER, settings.NOTIFICATIONS_SMTP_PASSWORD)
    except BaseException:
        connection.close()
        raise
    return connection
