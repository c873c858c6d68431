"""Benchmark of the meetings service.

    .venv/bin/python bench/meetings.py [--quick] [--people 5000] [--seats 1000] [--meetings 10000] [--json FILE]

1. Registration throughput on one popular meeting: ``--seats`` seats and
   ``--people`` people registering at once, **through the service's RPC** (a
   ``ClusterRpcProxy`` with every call in flight together, as the gateway's
   workers would send them), against the real meetings service running as its
   own process (``python -m samskab.run meetings``) on the real RabbitMQ and
   PostgreSQL.  Reports registrations/s and the p50/p95 of each call's
   latency, and checks the outcome: exactly ``seats`` confirmed, the rest
   waitlisted at positions 1..n.
2. The municipality calendar feed with ``--meetings`` meetings: the RPC
   ``municipality_calendar`` (what ``GET /municipalities/{m}/calendar.ics``
   calls), p50/p95 over repeated requests, with the feed checked to hold one
   VEVENT per meeting.

Everything runs in a fresh vhost and a fresh database, both dropped afterwards.
"""
import os
import sys

sys.path[:0] = [os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), d) for d in ("shared", "services")]

from samskab import green  # noqa: E402

green.patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from harness import Vhost  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
UTC = dt.timezone.utc


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def start_service(amqp_uri, database_url):
    env = dict(os.environ, PYTHONWARNINGS="ignore", AMQP_URI=amqp_uri, MEETINGS_DATABASE_URL=database_url,
               MEETINGS_METRICS_PORT="0", MIGRATE_ON_START="0", LOG_LEVEL="WARNING", MAX_WORKERS="20",
               PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]))
    return subprocess.Popen([sys.executable, "-m", "samskab.run", "meetings"], env=env)


def wait_ready(proxy, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if proxy.meetings.ping() == "pong":
                return
        except Exception:
            time.sleep(0.2)
    raise TimeoutError("the meetings service did not answer")


STAFF = {"id": str(uuid.uuid4()), "role": "employee", "municipality": "aalborg", "staff": True,
         "operator": False, "confirmed": True}


def bench_rpc_ceiling(proxy, people):
    """The same number of concurrent ``ping`` calls: what RPC alone allows on this machine right now."""
    print(f"baseline: {people:,} concurrent ping RPCs …", flush=True)
    began = time.perf_counter()
    calls = [proxy.meetings.ping.call_async() for _ in range(people)]
    for call in calls:
        call.result()
    rate = people / (time.perf_counter() - began)
    print(f"  {rate:,.0f} pings/s", flush=True)
    return round(rate, 1)


def batches(database_url, meeting_id):
    """How many transactions decided the registrations (one ``created_at`` per batch)."""
    import sqlalchemy as sa

    from samskab.db import driver_url

    engine = sa.create_engine(driver_url(database_url))
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(DISTINCT created_at) FROM registrations WHERE meeting_id = :m"),
                         {"m": meeting_id}).scalar()
    engine.dispose()
    return n


def bench_registration(proxy, people, seats, database_url):
    starts = dt.datetime.now(UTC) + dt.timedelta(days=30)
    meeting = proxy.meetings.schedule("aalborg", STAFF, {
        "title": "Borgermøde om den nye kommuneplan", "format": "vision_process",
        "purpose": "Hvad skal kommuneplanen løse?", "promise": "Alle input indgår i høringsnotatet.",
        "starts_at": starts.isoformat(), "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "online_url": "https://meet.example.org/plan", "capacity": seats,
    })
    actors = [{"id": str(uuid.uuid4()), "role": "resident", "municipality": "aalborg", "staff": False,
               "operator": False, "confirmed": True} for _ in range(people)]
    print(f"registration: {people:,} people registering at once for {seats:,} seats (RPC) …", flush=True)
    began = time.perf_counter()
    sent = []
    for actor in actors:
        sent.append((time.perf_counter(), proxy.meetings.register.call_async("aalborg", actor, meeting["id"])))
    latencies, statuses, positions = [], {"confirmed": 0, "waitlisted": 0}, []
    for i, (at, reply) in enumerate(sent, start=1):
        result = reply.result()
        latencies.append(time.perf_counter() - at)
        statuses[result["status"]] += 1
        if result["waitlist_position"]:
            positions.append(result["waitlist_position"])
        if i % 500 == 0:
            elapsed = time.perf_counter() - began
            print(f"  {i:,}/{people:,} answered, {i / elapsed:,.0f}/s", flush=True)
    # Replies come back in order of sending here, so the latency of a call is an upper bound.
    elapsed = time.perf_counter() - began
    check = proxy.meetings.get("aalborg", meeting["id"])
    correct = (statuses["confirmed"] == seats and statuses["waitlisted"] == people - seats
               and sorted(positions) == list(range(1, people - seats + 1))
               and check["confirmed_count"] == seats and check["waitlist_count"] == people - seats)
    result = {"people": people, "seats": seats, "seconds": round(elapsed, 3),
              "registrations_per_second": round(people / elapsed, 1),
              "latency_p50_ms": round(percentile(latencies, 50) * 1000, 1),
              "latency_p95_ms": round(percentile(latencies, 95) * 1000, 1),
              "confirmed": statuses["confirmed"], "waitlisted": statuses["waitlisted"], "correct": correct,
              "transactions": batches(database_url, meeting["id"])}
    print(f"  {result['registrations_per_second']:,.0f} registrations/s; per call p50 {result['latency_p50_ms']} ms, "
          f"p95 {result['latency_p95_ms']} ms; {statuses['confirmed']:,} confirmed, {statuses['waitlisted']:,} "
          f"waitlisted; outcome {'correct' if correct else 'WRONG'}; decided in {result['transactions']} "
          "transactions", flush=True)
    return result


def seed_meetings(database_url, n):
    import sqlalchemy as sa

    from meetings import calendar
    from meetings.storage import meetings
    from samskab.db import driver_url

    print(f"calendar: inserting {n:,} meetings …", flush=True)
    engine = sa.create_engine(driver_url(database_url))
    now = dt.datetime.now(UTC)
    rows = []
    for i in range(n):
        starts = now + dt.timedelta(days=1 + i % 365, hours=i % 10)
        row = {"id": uuid.uuid4(), "municipality": "aalborg", "proposal_id": None, "format": "debate_salon",
               "title": f"Debatsalon nr. {i}", "purpose": "Hvordan bliver byen grønnere?",
               "promise": "Vi svarer skriftligt på alle forslag.", "iap2_level": "consult", "language": "da",
               "starts_at": starts, "ends_at": starts + dt.timedelta(hours=2), "time_zone": "Europe/Copenhagen",
               "place_id": None, "online_url": "https://meet.example.org/salon", "capacity": 40, "reserved": {},
               "status": "scheduled", "sequence": 0, "created_at": now, "updated_at": now}
        row["series_id"] = row["id"]
        row["vevent"] = calendar.vevent_text(row)
        rows.append(row)
        if len(rows) == 1000:
            with engine.begin() as conn:
                conn.execute(meetings.insert(), rows)
            rows = []
            print(f"  {i + 1:,} inserted", flush=True)
    if rows:
        with engine.begin() as conn:
            conn.execute(meetings.insert(), rows)
    engine.dispose()


def bench_calendar(proxy, n, requests_count):
    print(f"calendar: {requests_count} requests for the feed of {n:,}+ meetings …", flush=True)
    latencies, size = [], 0
    for i in range(requests_count):
        began = time.perf_counter()
        text = proxy.meetings.municipality_calendar("aalborg")
        latencies.append(time.perf_counter() - began)
        size = len(text.encode("utf-8"))
        if i == 0:
            events = text.count("BEGIN:VEVENT")
            import icalendar

            parsed = len(icalendar.Calendar.from_ical(text).walk("VEVENT"))
            print(f"  feed holds {events:,} events ({size / 1e6:.1f} MB); icalendar parses {parsed:,}", flush=True)
        if (i + 1) % 5 == 0:
            print(f"  {i + 1}/{requests_count}, last {latencies[-1] * 1000:.0f} ms", flush=True)
    result = {"meetings": events, "bytes": size, "requests": requests_count, "parsed_events": parsed,
              "p50_ms": round(percentile(latencies, 50) * 1000, 1), "p95_ms": round(percentile(latencies, 95) * 1000, 1)}
    print(f"  calendar feed p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms", flush=True)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people for 200 seats; 2,000 meetings")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--json", help="where to write the figures (default bench/results/meetings[-quick].json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.seats, args.meetings, args.requests = 1000, 200, 2000, 10
    args.json = args.json or os.path.join(HERE, "results", "meetings-quick.json" if args.quick else "meetings.json")

    import sqlalchemy as sa
    from nameko.standalone.rpc import ClusterRpcProxy

    from samskab import devservices, migrate
    from samskab.config import with_database
    from samskab.db import driver_url

    postgres_url, _handle = devservices.postgres()
    database_url = with_database(postgres_url, f"samskab_bench_meetings_{uuid.uuid4().hex[:8]}")
    vhost = Vhost(prefix="samskab-bench-meetings")
    amqp_uri, drop_vhost = vhost.uri, vhost.drop
    service = None
    try:
        print("meetings bench: migrating a fresh database, starting the service …", flush=True)
        migrate.upgrade("meetings", database_url)
        service = start_service(amqp_uri, database_url)
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=300) as proxy:
            wait_ready(proxy)
            results = {"rpc_ceiling_per_second": bench_rpc_ceiling(proxy, args.people),
                       "registration": bench_registration(proxy, args.people, args.seats, database_url)}
            results["registration_vs_rpc_ceiling"] = round(
                results["registration"]["registrations_per_second"] / results["rpc_ceiling_per_second"], 2)
            print(f"  registration / RPC ceiling = {results['registration_vs_rpc_ceiling']}", flush=True)
            seed_meetings(database_url, args.meetings)
            results["calendar"] = bench_calendar(proxy, args.meetings, args.requests)
        results["via"] = "meetings service RPC (ClusterRpcProxy), service in its own process"
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
        print(f"written to {os.path.relpath(args.json)}", flush=True)
        return 0 if results["registration"]["correct"] else 1
    finally:
        if service is not None:
            service.terminate()
            service.wait(30)
        drop_vhost()
        admin = sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            name = database_url.rsplit("/", 1)[1].split("?")[0]
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
