"""A local SMTP sink for development: every message received is written as an
``.eml`` file a developer can open (``make run`` points the service at it).

    python -m notifications.mailsink [--host 127.0.0.1] [--port 1025] [--dir var/mail] [--reject REGEX]

Also usable in-process (tests, benchmarks): ``MailSink(port=0).start()`` keeps
the messages in ``.messages`` and, with ``directory``, on disk.
"""
import argparse
import os
import re
import threading
import time
import uuid

from aiosmtpd.controller import Controller


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


class MailSink:
    def __init__(self, host="127.0.0.1", port=1025, directory=None, keep=True, reject=None):
        self.host, self.port, self.directory, self.keep, self.reject = host, port, directory, keep, reject
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
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port or _free_port(self.host))
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
    args = parser.parse_args(argv)
    sink = MailSink(args.host, args.port, args.dir or None, keep=False, reject=args.reject).start()
    where = f"writing .eml files to {os.path.abspath(args.dir)}" if args.dir else "dropping what it receives"
    print(f"mail sink on smtp://{args.host}:{sink.port}, {where}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
