"""A local SMTP sink for development: every message received is written as an
``.eml`` file a developer can open (``make run`` points the service at it).

    python -m notifications.mailsink [--host 127.0.0.1] [--port 1025] [--dir var/mail] [--reject REGEX]
                                     [--tls-cert CERT --tls-key KEY [--implicit-tls] [--auth USER:PASSWORD]]

With a certificate it offers STARTTLS and accepts mail only after it (to try
``NOTIFICATIONS_SMTP_TLS=starttls``), or with ``--implicit-tls`` speaks TLS from the
first byte (``NOTIFICATIONS_SMTP_TLS=tls``); with ``--auth`` it also requires that login.

Also usable in-process (tests, benchmarks): ``MailSink(port=0).start()`` keeps
the messages in ``.messages`` and, with ``directory``, on disk.
"""
import argparse
import hmac
import os
import re
import ssl
import sys
import threading
import time
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.sink.reject and re.search(self.sink.reject, address):
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.sink._received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 OK"


class _Login:
    """Accepts one user name and password (compared in constant time)."""

    def __init__(self, user, password):
        self.user, self.password = user.encode(), password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and hmac.compare_digest(auth_data.login, self.user)
              and hmac.compare_digest(auth_data.password, self.password))
        return AuthResult(success=ok, handled=False)


class MailSink:
    def __init__(self, host="127.0.0.1", port=1025, directory=None, keep=True, reject=None,
                 tls_cert=None, tls_key=None, auth=None, implicit_tls=False):
        self.host, self.port, self.directory, self.keep, self.reject = host, port, directory, keep, reject
        self.tls_cert, self.tls_key, self.auth = tls_cert, tls_key, auth  # auth: (user, password)
        self.implicit_tls = implicit_tls
        self.messages = []  # (mail_from, rcpt_tos, raw bytes)
        self.count = 0
        self._lock = threading.Lock()
        self._controller = None

    def _received(self, mail_from, rcpt_tos, raw):
        with self._lock:
            self.count += 1
            if self.keep:
                self.messages.append((mail_from, rcpt_tos, raw))
        if self.directory:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
            with open(os.path.join(self.directory, name), "wb") as fh:
                fh.write(raw)

    def start(self):
        if self.directory:
            os.makedirs(self.directory, exist_ok=True)
        options = {}
        if self.tls_cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.tls_cert, self.tls_key)
            if self.implicit_tls:
                options.update(ssl_context=context)
            else:
                options.update(tls_context=context, require_starttls=True)
        if self.auth:
            # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is encrypted from the start.
            options.update(authenticator=_Login(*self.auth), auth_required=True,
                           auth_require_tls=not self.implicit_tls)
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port or _free_port(self.host),
                                      **options)
        self._controller.start()
        self.port = self._controller.port
        return self

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port(host):
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write every e-mail received over SMTP as an .eml file")
    parser.add_argument("--host", default=os.environ.get("MAILSINK_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAILSINK_PORT", "1025")))
    parser.add_argument("--dir", "--folder", dest="dir", default=os.environ.get("MAILSINK_DIR", "var/mail"),
                        help="where to write .eml files; empty: accept and drop (benchmarks)")
    parser.add_argument("--reject", default=os.environ.get("MAILSINK_REJECT") or None,
                        help="refuse recipients matching this regular expression with 550 (to try bounces)")
    parser.add_argument("--tls-cert", help="PEM certificate (chain): offer STARTTLS and require it")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte instead of STARTTLS")
    parser.add_argument("--auth", help="USER:PASSWORD that must log in (AUTH, only after STARTTLS)")
    args = parser.parse_args(argv)
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    if auth and not args.tls_cert:
        parser.error("--auth needs --tls-cert: a password is never taken over a plain connection")
    try:
        sink = MailSink(args.host, args.port, args.dir or None, keep=False, reject=args.reject,
                        tls_cert=args.tls_cert, tls_key=args.tls_key, auth=auth, implicit_tls=args.implicit_tls).start()
    except OSError as exc:
        # aiosmtpd's server thread outlives a failed bind and would keep a process that serves nothing.
        print(f"mailsink: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr, flush=True)
        os._exit(2)
    where = f"writing .eml files to {os.path.abspath(args.dir)}" if args.dir else "dropping what it receives"
    security = ""
    if args.tls_cert:
        security = (" (implicit TLS" if args.implicit_tls else " (STARTTLS required") + (", AUTH required)" if auth else ")")
    print(f"mail sink on smtp://{args.host}:{sink.port}{security}, {where}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
