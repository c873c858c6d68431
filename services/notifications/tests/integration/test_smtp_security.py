"""E-mail to a real SMTP server that demands STARTTLS (or speaks implicit TLS) and a login: the message
arrives over an encrypted, authenticated connection whose certificate was
verified; a wrong password, an untrusted certificate or a server without STARTTLS
send nothing, and the e-mail is retried and then recorded failed while the
service goes on.  The CA and the server's certificate are made here (openssl)."""
import email
import os
import socket
import subprocess
import sys
from email import policy

import pytest
import sqlalchemy as sa
from nameko.testing.services import entrypoint_hook

from samskab.testing import unit_of_work, wait_for

from notifications import messages
from notifications.service import Service as Notifications
from notifications.storage import mail
from notifications.storage.tables import email_deliveries

pytestmark = pytest.mark.integration

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
USER, PASSWORD = "samskab-mailer", "correct horse battery staple"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA of our own and a certificate it signed for localhost and 127.0.0.1."""
    d = tmp_path_factory.mktemp("tls")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Samskab test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=localhost", cwd=d)
    (d / "server.ext").write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                                  "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)
    # A second CA that signed nothing here: a client trusting only it must refuse the server.
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.pem",
             "-days", "2", "-subj", "/CN=Some other CA", cwd=d)
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def start_sink(tmp_path):
    """The aiosmtpd sink (``python -m notifications.mailsink``) in its own process."""
    procs = []

    def start(*options):
        port, folder = free_port(), tmp_path / f"mail-{len(procs)}"
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")])}
        procs.append(subprocess.Popen([sys.executable, "-m", "notifications.mailsink", "--host", "127.0.0.1",
                                       "--port", str(port), "--dir", str(folder), *options],
                                      env=env, stdout=subprocess.DEVNULL))

        def up():
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return True
            except OSError:
                return False

        wait_for(up, what="the SMTP sink")
        return port, folder

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def received(folder):
    if not folder.exists():
        return []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def queue_mail(url, to="anna@example.org"):
    message = messages.build_email(sender="Samskab <noreply@samskab.localhost>", to=to, language="da",
                                   name="Anna", subject="Mødet er flyttet", lines=["Mødet holdes nu torsdag."])
    with unit_of_work(url) as uow:
        mail.queue_one(uow, purpose="immediate", to_address=to, message=message)


def delivery(url):
    with unit_of_work(url) as uow:
        return uow.execute(sa.select(email_deliveries)).one()


def run_service(container_factory, make_config, port, **settings):
    config = make_config("notifications", NOTIFICATIONS_SMTP_HOST="localhost", NOTIFICATIONS_SMTP_PORT=str(port),
                         NOTIFICATIONS_POLL_SECONDS="0.1", NOTIFICATIONS_MAIL_BACKOFF_SECONDS="0.1",
                         NOTIFICATIONS_MAIL_MAX_ATTEMPTS="2", **settings)
    container = container_factory(Notifications, config)
    container.start()
    return container, config["DATABASE_URL"]


def still_answers(container):
    with entrypoint_hook(container, "ping") as ping:
        return ping() == "pong"


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_an_email_arrives_over_tls_with_a_login(mode, container_factory, make_config, start_sink, certificates):
    implicit = ("--implicit-tls",) if mode == "tls" else ()
    port, folder = start_sink("--tls-cert", str(certificates / "server.pem"), "--tls-key",
                              str(certificates / "server.key"), *implicit, "--auth", f"{USER}:{PASSWORD}")
    container, url = run_service(container_factory, make_config, port, NOTIFICATIONS_SMTP_TLS=mode,
                                 NOTIFICATIONS_SMTP_USER=USER, NOTIFICATIONS_SMTP_PASSWORD=PASSWORD,
                                 NOTIFICATIONS_SMTP_CA_FILE=str(certificates / "ca.pem"))
    queue_mail(url)
    [message] = wait_for(lambda: received(folder), what="the e-mail at the TLS server")
    assert message["To"].addresses[0].addr_spec == "anna@example.org"
    assert message["Subject"] == "Mødet er flyttet"
    row = wait_for(lambda: (r := delivery(url)).status == "sent" and r, what="the delivery recorded sent")
    assert row.attempts == 1 and row.last_error is None


@pytest.mark.parametrize("case", ["wrong password", "untrusted certificate", "no STARTTLS offered"])
def test_nothing_is_sent_insecurely_and_the_email_is_retried_then_failed(
        case, container_factory, make_config, start_sink, certificates):
    if case == "no STARTTLS offered":
        port, folder = start_sink()  # a plain server: the client must not carry on without TLS
    else:
        port, folder = start_sink("--tls-cert", str(certificates / "server.pem"), "--tls-key",
                                  str(certificates / "server.key"), "--auth", f"{USER}:{PASSWORD}")
    container, url = run_service(
        container_factory, make_config, port, NOTIFICATIONS_SMTP_TLS="starttls", NOTIFICATIONS_SMTP_USER=USER,
        NOTIFICATIONS_SMTP_PASSWORD="wrong" if case == "wrong password" else PASSWORD,
        NOTIFICATIONS_SMTP_CA_FILE=str(certificates / ("other.pem" if case == "untrusted certificate" else "ca.pem")))
    queue_mail(url)
    row = wait_for(lambda: (r := delivery(url)).status == "failed" and r, what="the delivery recorded failed")
    assert row.attempts == 2  # retried, then given up as configured
    expected = {"wrong password": "535", "untrusted certificate": "CERTIFICATE_VERIFY_FAILED",
                "no STARTTLS offered": "STARTTLS"}[case]
    assert expected in row.last_error
    password = "wrong" if case == "wrong password" else PASSWORD
    assert password not in row.last_error  # the error is shown to staff: never the password
    assert received(folder) == []
    assert still_answers(container)
