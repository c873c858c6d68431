"""Benchmark of the notifications service.

    .venv/bin/python bench/notifications.py [--quick] [--registrants 10000] [--participants 100000] [--json FILE]

0. Baseline: a plain smtplib connection pushing messages into the same sink.
1. Fan-out: one ``samskab.meeting.updated`` naming ``--registrants`` people,
   published to the internal exchange as the meetings relay would; measured
   until every registrant has the inbox entry, and until every e-mail has
   been accepted by a local SMTP sink (``python -m notifications.mailsink``,
   aiosmtpd, in its own process).
2. Daily digest: ``--participants`` people who each have a notification held
   for yesterday's daily digest; measured until every digest is made (one
   ``digest_runs`` row each) and every digest e-mail accepted by the sink.

The notifications service runs as its own process (``python -m samskab.run
notifications``) on the real RabbitMQ and PostgreSQL, in a fresh vhost and a
fresh database, both dropped afterwards.  Progress lines every few seconds.
"""
import os
import sys

sys.path[:0] = [os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d) for d in ("shared", "services")]

from samskab import green  # noqa: E402

green.patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from harness import Vhost  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHONPATH = os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port):
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen([sys.executable, "-m", "notifications.mailsink", "--port", str(port), "--dir", ""],
                            env=env, stdout=subprocess.DEVNULL)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise TimeoutError("the SMTP sink did not start")


def start_service(amqp_uri, database_url, smtp_port):
    env = dict(os.environ, PYTHONWARNINGS="ignore", AMQP_URI=amqp_uri, NOTIFICATIONS_DATABASE_URL=database_url,
               NOTIFICATIONS_METRICS_PORT="0", MIGRATE_ON_START="0", LOG_LEVEL="WARNING", MAX_WORKERS="10",
               NOTIFICATIONS_SMTP_PORT=str(smtp_port), NOTIFICATIONS_POLL_SECONDS="0.2",
               NOTIFICATIONS_DIGEST_POLL_SECONDS="0.5", PYTHONPATH=PYTHONPATH,
               NOTIFICATIONS_SECRET="bench-notifications-secret-key")  # none is built in (samskab.secrets)
    return subprocess.Popen([sys.executable, "-m", "samskab.run", "notifications"], env=env)


def count(engine, sql):
    import sqlalchemy as sa

    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar()


def wait_until(label, engine, sql, target, started, timeout):
    """Poll ``sql`` until it reaches ``target``; print progress; return seconds since ``started``."""
    last_print = 0.0
    while True:
        n = count(engine, sql)
        now = time.perf_counter()
        if now - last_print >= 3 or n >= target:
            elapsed = now - started
            print(f"  {label}: {n:,}/{target:,} after {elapsed:.1f}s ({n / elapsed if elapsed else 0:,.0f}/s)", flush=True)
            last_print = now
        if n >= target:
            return now - started
        if now - started > timeout:
            raise TimeoutError(f"{label}: only {n} of {target} after {timeout}s")
        time.sleep(0.05)  # fine enough to tell 5 % apart on a 2 s fan-out


def seed_participants(engine, n, prefix):
    import sqlalchemy as sa

    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO participants (id, municipality, email, language, role, display_name) "
            "SELECT gen_random_uuid(), 'aalborg', :prefix || i || '@bench.example', "
            "(ARRAY['da','nb','nn','en'])[1 + i % 4], 'resident', 'Bench ' || i "
            "FROM generate_series(1, :n) AS i"), {"prefix": prefix, "n": n})
        return [str(r[0]) for r in conn.execute(sa.text(
            "SELECT id FROM participants WHERE email LIKE :p ORDER BY email"), {"p": prefix + "%"})]


def bench_sink_ceiling(port, n):
    """Baseline: one plain smtplib connection pushing the same kind of message into the sink."""
    import smtplib

    from notifications import messages

    raw = messages.build_email(sender="Samskab <noreply@samskab.localhost>", to="a@bench.example", language="da",
                               name="Bench", subject="Mødet „Borgermøde“ er ændret", lines=["Linje"], link="http://x",
                               unsubscribe_url="http://x/api/v1/unsubscribe?token=t")
    smtp = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for _ in range(n):
        smtp.sendmail("noreply@samskab.localhost", ["a@bench.example"], raw)
    elapsed = time.perf_counter() - started
    smtp.quit()
    print(f"baseline: plain smtplib → sink, one connection: {n / elapsed:,.0f} messages/s", flush=True)
    return {"messages": n, "per_second": round(n / elapsed)}


def bench_fanout(engine, amqp_uri, registrants):
    from samskab import events
    from samskab.amqp_publish import ConfirmingPublisher

    print(f"fan-out: seeding {registrants:,} registrants …", flush=True)
    ids = seed_participants(engine, registrants, "fanout")
    meeting_id = str(uuid.uuid4())
    starts = dt.datetime(2026, 12, 3, 18, tzinfo=dt.timezone.utc)
    data = {
        "id": meeting_id, "municipality": "aalborg", "format": "working_citizens_meeting",
        "title": "Borgermøde om grøn pendling", "purpose": "Flere på cykel", "promise": "Forslagene går til byrådet",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
        "time_zone": "Europe/Copenhagen", "online": False, "capacity": registrants, "status": "scheduled",
        "sequence": 2, "confirmed_count": registrants, "waitlist_count": 0, "seats_left": 0,
        "changed": ["starts_at"], "participant_ids": ids,
    }
    envelope = events.make("samskab.meeting.updated", municipality="aalborg", service="meetings",
                           subject=f"meetings/{meeting_id}", data=data)
    publisher = ConfirmingPublisher(amqp_uri)
    print("fan-out: publishing one samskab.meeting.updated …", flush=True)
    started = time.perf_counter()
    publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.meeting.updated", envelope)])
    publisher.close()
    inbox = wait_until("inbox entries", engine, "SELECT count(*) FROM notifications", registrants, started, 600)
    mail = wait_until("e-mails accepted by the sink", engine,
                      "SELECT count(*) FROM email_deliveries WHERE status = 'sent'", registrants, started, 1800)
    return {"registrants": registrants, "inbox_seconds": round(inbox, 2), "inbox_per_second": round(registrants / inbox),
            "email_seconds": round(mail, 2), "emails_per_second": round(registrants / mail)}


def bench_digest(engine, participants):
    import sqlalchemy as sa

    print(f"digest: seeding {participants:,} participants with a notification held for yesterday's digest …", flush=True)
    seed_participants(engine, participants, "digest")
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO notifications (id, participant_id, municipality, event_id, event_type, kind, subject, "
            "title, body, link, in_inbox, created_at) "
            "SELECT gen_random_uuid(), id, 'aalborg', gen_random_uuid(), 'samskab.proposal.question_asked', "
            "'proposal_activity', 'proposals/x', 'Nyt spørgsmål til „Grønnere pendling“', 'x', "
            "'http://localhost:8000/municipalities/aalborg/proposals/x', true, now() - interval '1 day' "
            "FROM participants WHERE email LIKE 'digest%'"))
        # Held items are released only once their period has ended; they are stamped with a
        # period that ended a minute ago, so the service finds them all due at once.
        conn.execute(sa.text(
            "INSERT INTO digest_items (participant_id, notification_id, frequency, period_start, period_end) "
            "SELECT n.participant_id, n.id, 'daily', date_trunc('minute', now()) - interval '1 day 1 minute', "
            "date_trunc('minute', now()) - interval '1 minute' FROM notifications n "
            "JOIN participants p ON p.id = n.participant_id WHERE p.email LIKE 'digest%'"))
        conn.execute(sa.text("UPDATE email_deliveries SET status = 'sent' WHERE status = 'pending'"))
    before = count(engine, "SELECT count(*) FROM email_deliveries WHERE status = 'sent'")
    started = time.perf_counter()
    made = wait_until("digests made", engine, "SELECT count(*) FROM digest_runs", participants, started, 1800)
    sent = wait_until("digest e-mails accepted by the sink", engine,
                      f"SELECT count(*) - {before} FROM email_deliveries WHERE status = 'sent'", participants, started, 3600)
    runs = count(engine, "SELECT count(*) FROM digest_runs")
    return {"participants": participants, "make_seconds": round(made, 2), "made_per_second": round(participants / made),
            "send_seconds": round(sent, 2), "sent_per_second": round(participants / sent), "digest_runs": runs,
            "exactly_once": runs == participants}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 registrants; 2,000 participants (under 40 s)")
    parser.add_argument("--registrants", type=int, default=10000)
    parser.add_argument("--participants", type=int, default=100000)
    parser.add_argument("--json", default=os.path.join(HERE, "results", "notifications.json"))
    args = parser.parse_args(argv)
    if args.quick:
        args.registrants, args.participants = 1000, 2000

    import sqlalchemy as sa

    from samskab import devservices, migrate
    from samskab.config import with_database
    from samskab.db import driver_url

    postgres_url, _handle = devservices.postgres()
    database_url = with_database(postgres_url, f"samskab_bench_notifications_{uuid.uuid4().hex[:8]}")
    vhost = Vhost(prefix="samskab-bench-notifications")
    amqp_uri, drop_vhost = vhost.uri, vhost.drop
    smtp_port = free_port()
    sink = service = None
    engine = None
    try:
        print("notifications bench: migrating a fresh database, starting the SMTP sink and the service …", flush=True)
        migrate.upgrade("notifications", database_url)
        engine = sa.create_engine(driver_url(database_url))
        sink = start_sink(smtp_port)
        service = start_service(amqp_uri, database_url, smtp_port)
        # the service is ready once its consumer queue is bound
        deadline = time.time() + 60
        import requests

        api = os.environ.get("RABBITMQ_API_URL", "http://localhost:15672")
        vhost = amqp_uri.rsplit("/", 1)[1]
        while time.time() < deadline:
            queues = requests.get(f"{api}/api/queues/{vhost}", auth=("guest", "guest"), timeout=10).json()
            if any(q["name"].startswith("samskab.notifications.on_event") for q in queues):
                break
            time.sleep(0.3)
        time.sleep(1.0)
        results = {"sink_baseline": bench_sink_ceiling(smtp_port, 500 if args.quick else 2000),
                   "fan_out": bench_fanout(engine, amqp_uri, args.registrants),
                   "daily_digest": bench_digest(engine, args.participants),
                   "via": "notifications service in its own process; aiosmtpd sink in its own process; "
                          "e-mails claimed 500 at a time and sent over 4 SMTP connections"}
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
        f, d = results["fan_out"], results["daily_digest"]
        print(f"fan-out of one meeting change to {f['registrants']:,}: inbox in {f['inbox_seconds']}s "
              f"({f['inbox_per_second']:,}/s), e-mails in {f['email_seconds']}s ({f['emails_per_second']:,}/s)")
        print(f"e-mail rates against the sink's own ceiling ({results['sink_baseline']['per_second']:,}/s, "
              f"plain smtplib): fan-out {f['emails_per_second'] / results['sink_baseline']['per_second']:.2f}×, "
              f"digest {d['sent_per_second'] / results['sink_baseline']['per_second']:.2f}×")
        print(f"daily digest for {d['participants']:,}: made in {d['make_seconds']}s ({d['made_per_second']:,}/s), "
              f"sent in {d['send_seconds']}s ({d['sent_per_second']:,}/s); exactly once: {d['exactly_once']}")
        print(f"written to {os.path.relpath(args.json)}", flush=True)
        return 0 if d["exactly_once"] else 1
    finally:
        for proc in (service, sink):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if engine is not None:
            engine.dispose()
        drop_vhost()
        admin = sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = database_url.rsplit("/", 1)[1].split("?")[0]
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
