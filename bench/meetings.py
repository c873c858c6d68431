"""Benchmark of the meetings service, through the gateway as people use it (issue 5).

    .venv/bin/python bench/meetings.py [--quick] [--people 5000] [--seats 1000] [--meetings 10000]
                                       [--clients 500] [--workers 10] [--gateway-workers 100]
                                       [--gateway-rpc-timeout SECONDS] [--accounts api|table]
                                       [--profile-gateway FILE] [--json FILE]

The meetings service and the gateway run as their own processes (``python -m
samskab.run <service>``, started by ``harness.Platform``) on the machine's
RabbitMQ (a fresh vhost) and PostgreSQL (fresh databases), all dropped
afterwards.  No other service is needed: the gateway authenticates people
against its own accounts table.

1. Registration on one popular meeting: ``--seats`` seats and ``--people``
   people registering at once.
   * Setup, not timed: a staff member schedules the meeting through the API,
     and ``--people`` confirmed accounts are made.  By default
     (``--accounts table``) they are written straight into the gateway's
     ``accounts`` table with one shared argon2 hash, and their bearer tokens
     are minted here exactly as ``POST /auth/token`` mints them
     (``gateway.accounts.tokens.issue`` with the gateway's configured
     ``SECRET_KEY``).  Why: the gateway's argon2 (time cost 3, 64 MiB, 4 lanes)
     takes about 335 ms of CPU per hash here, so 5,000 accounts through
     ``POST /auth/register`` would cost some 28 CPU-minutes before the first
     registration (200 took 189 s on the shared two-core machine), and signing
     each in would cost as much again; neither is what this benchmark measures.
     ``--accounts api`` makes each account as a person does
     (``POST /auth/register``, then ``POST /auth/confirm`` with the token of
     the confirmation e-mail; tokens still minted), for small runs.
   * Timed: ``POST /api/v1/municipalities/aalborg/meetings/{id}/registrations``
     by every person, from ``--clients`` concurrent HTTP clients (green
     threads, one keep-alive connection each) that take the next person as soon
     as their last answer came back.  Reports registrations/s, p50/p95 of each
     request's latency, the answers by HTTP status, the CPU each process used,
     and checks the outcome: exactly ``seats`` confirmed, the rest waitlisted
     at positions 1..n, nobody registered twice (in the answers and in the
     meetings database), and the meeting's counters as the API shows them.
   * A person answered 503 ("try again shortly": the gateway's RPC timed out)
     waits the ``Retry-After`` it names and tries once more, as a person or an
     app would.  Registration is idempotent, so someone the 503 left
     registered gets their registration back (200, ``Idempotent-Replayed``)
     and counts as answered; the retries and their answers are reported, and
     the latency is what the person waited, the retry included.  Those told
     an error twice who are registered all the same are counted apart
     (``refused_but_registered``).
   * Baseline in the same run, against the same meetings process: the same
     registration by the service's RPC (a ``ClusterRpcProxy`` keeping
     ``--clients`` calls in flight, as the gateway's workers send them), on a
     second meeting of the same size.  The figure to read is the ratio
     gateway / RPC.  A ``ping`` RPC ceiling is printed beside it.
2. The municipality calendar feed with ``--meetings`` meetings: ``GET
   /api/v1/municipalities/aalborg/calendar.ics`` through the gateway and the
   RPC ``municipality_calendar`` it calls, requests taken alternately, p50/p95
   of each and their ratio, with the feed checked to hold one VEVENT per
   meeting.

``--gateway-rpc-timeout SECONDS`` lowers the gateway's RPC timeout, to
provoke the 503s (and their retries) a busy machine gives now and then.

``--profile-gateway FILE`` runs the gateway under cProfile and writes its
profile to FILE (to find out where the gateway spends its time).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, d) for d in ("shared", "services")]
sys.path.append(HERE)

from samskab import green  # noqa: E402

green.patch()

import argparse  # noqa: E402
import collections  # noqa: E402
import datetime as dt  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import eventlet  # noqa: E402

from harness import PASSWORD, Platform, Vhost, confirm_token, issue_token, password_hash  # noqa: E402

UTC = dt.timezone.utc
M = "aalborg"
API = "/api/v1"
SERVICES = ("meetings", "gateway")


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def ms(seconds):
    return round(seconds * 1000, 1)


# -- a small HTTP client: one keep-alive connection per green thread ----------------------

class Client:
    def __init__(self, port, timeout=300):
        self.port, self.timeout, self.conn = port, timeout, None
        self.headers = None  # of the last response

    def request(self, method, path, token=None, body=None, headers=None):
        """``(status, body bytes)``, the headers in ``self.headers``; a connection that broke is opened again
        once."""
        headers = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        headers["Content-Length"] = str(len(data or b""))
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, API + path, body=data, headers=headers)
                response = self.conn.getresponse()
                self.headers = response.headers
                return response.status, response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def expect(status, body, wanted, what):
    if status != wanted:
        raise RuntimeError(f"{what}: HTTP {status}: {body[:300].decode('utf-8', 'replace')}")
    return json.loads(body) if body else None


# -- CPU per process, to tell which one is the bottleneck -----------------------------------

class CpuMeter:
    """CPU seconds between ``start`` and ``stop`` of the gateway, the meetings service, this
    client, the PostgreSQL backends connected to this run's databases, RabbitMQ (shared with
    whatever else runs on the machine) and the whole machine."""

    def __init__(self, platform):
        import psutil

        self.psutil = psutil
        self.platform = platform
        self.databases = [url.rsplit("/", 1)[1].split("?")[0] for url in platform.db_urls.values()]

    def _groups(self):
        psutil = self.psutil
        groups = {"gateway": [], "meetings": [], "client": [psutil.Process()], "postgres": [], "rabbitmq": []}
        for (service, _instance), proc in self.platform.procs.items():
            try:
                groups[service].append(psutil.Process(proc.pid))
            except psutil.Error:
                pass
        for proc in psutil.process_iter(["name", "cmdline"]):
            name, cmdline = proc.info["name"] or "", " ".join(proc.info["cmdline"] or [])
            if name.startswith("postgres") and any(f" {db} " in cmdline for db in self.databases):
                groups["postgres"].append(proc)
            elif name.startswith("beam"):
                groups["rabbitmq"].append(proc)
        return groups

    def _read(self):
        taken = {}
        for group, procs in self._groups().items():
            total = 0.0
            for proc in procs:
                try:
                    t = proc.cpu_times()
                    total += t.user + t.system
                except self.psutil.Error:
                    pass
            taken[group] = total
        machine = self.psutil.cpu_times()
        taken["machine"] = machine.user + machine.system + getattr(machine, "nice", 0) + getattr(machine, "irq", 0) \
            + getattr(machine, "softirq", 0)
        return taken

    def start(self):
        self.began, self.before = time.perf_counter(), self._read()

    def stop(self):
        wall = time.perf_counter() - self.began
        after = self._read()
        # CPU seconds of each, and its busy cores (CPU seconds per wall second; 1.0 = one core all
        # the time).  PostgreSQL's figure counts the backends that lived through the phase
        # (the services' pooled connections).
        used = {k: max(0.0, after[k] - self.before[k]) for k in after}
        return {"wall_seconds": round(wall, 2), "cpu_seconds": {k: round(v, 2) for k, v in used.items()},
                "busy_cores": {k: round(v / wall, 2) for k, v in used.items()}}


def cpu_figures(result, cpu):
    """CPU per registration of each process: unlike the rates, this hardly moves with the machine's load."""
    result["cpu"] = cpu
    result["cpu_ms_per_registration"] = {k: round(v * 1000 / result["people"], 2)
                                         for k, v in cpu["cpu_seconds"].items() if k != "machine"}
    print("  busy cores: " + ", ".join(f"{k} {v}" for k, v in cpu["busy_cores"].items())
          + "; CPU ms per registration: " + ", ".join(f"{k} {v}" for k, v in result["cpu_ms_per_registration"].items()),
          flush=True)


# -- setup ----------------------------------------------------------------------------------------

def schedule_body(seats, title):
    starts = dt.datetime.now(UTC) + dt.timedelta(days=30)
    return {"title": title, "format": "vision_process", "purpose": "Hvad skal kommuneplanen løse?",
            "promise": "Alle input indgår i høringsnotatet.", "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=3)).isoformat(), "online_url": "https://meet.example.org/plan",
            "capacity": seats}


def staff_token(platform, client):
    email = platform.add_staff(M)
    status, body = client.request("POST", "/auth/token", body={"email": email, "password": PASSWORD})
    return expect(status, body, 200, "staff sign-in")["access_token"]


def accounts_through_api(port, people, concurrency=8):
    """Each account as a person makes it: register (argon2 hash), then confirm the e-mail address."""
    made = []
    began = time.perf_counter()

    def one(i):
        client = Client(port)
        try:
            email = f"p{i}-{uuid.uuid4().hex[:8]}@bench.example"
            status, body = client.request("POST", "/auth/register", body={
                "email": email, "password": PASSWORD, "display_name": f"Deltager {i}", "municipality": M})
            pid = expect(status, body, 201, "POST /auth/register")["id"]
            status, body = client.request("POST", "/auth/confirm", body={"token": confirm_token(pid, email)})
            expect(status, body, 200, "POST /auth/confirm")
            return pid
        finally:
            client.close()

    pool = eventlet.GreenPool(concurrency)
    for pid in pool.imap(one, range(people)):
        made.append(pid)
        if len(made) % 500 == 0:
            print(f"  {len(made):,}/{people:,} accounts, {len(made) / (time.perf_counter() - began):,.0f}/s",
                  flush=True)
    return made


def accounts_in_table(platform, people):
    """Confirmed accounts written straight into the gateway's table, with one shared argon2 hash."""
    import sqlalchemy as sa

    from gateway.accounts.storage import accounts

    hashed = password_hash()
    ids = [uuid.uuid4() for _ in range(people)]
    rows = [{"id": pid, "email": f"p{i}-{pid.hex[:8]}@bench.example", "password_hash": hashed,
             "display_name": f"Deltager {i}", "municipality": M, "role": "resident", "language": "da",
             "email_confirmed_at": dt.datetime.now(UTC)} for i, pid in enumerate(ids)]
    with platform.engine("gateway").begin() as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(accounts.insert(), rows[start:start + 1000])
    return [str(pid) for pid in ids]


# -- registration ----------------------------------------------------------------------------------

def summarise(kind, people, seats, elapsed, latencies, statuses, answers):
    """Figures and the checks that can be made from the answers alone."""
    confirmed = sum(1 for a in answers if a["status"] == "confirmed")
    waitlisted = sum(1 for a in answers if a["status"] == "waitlisted")
    positions = sorted(a["waitlist_position"] for a in answers if a["status"] == "waitlisted")
    registration_ids = [a["id"] for a in answers]
    return {
        "via": kind, "people": people, "seats": seats, "seconds": round(elapsed, 3),
        "registrations_per_second": round(people / elapsed, 1),
        "latency_p50_ms": ms(percentile(latencies, 50)), "latency_p95_ms": ms(percentile(latencies, 95)),
        "latency_max_ms": ms(max(latencies)) if latencies else None,
        "answers_by_status": dict(sorted(statuses.items())),
        "confirmed": confirmed, "waitlisted": waitlisted,
        "positions_ok": positions == list(range(1, people - seats + 1)),
        "distinct_registrations": len(set(registration_ids)) == len(registration_ids),
    }


def retry_after(headers, default=1.0, most=30.0):
    """The seconds a 503's ``Retry-After`` asks for (a number of seconds), within reason."""
    try:
        return min(most, max(0.0, float(headers.get("Retry-After", default))))
    except (AttributeError, TypeError, ValueError):
        return default


def check_database(platform, meeting_id, participant_ids, seats):
    """What the meetings service stored: one live registration per person, the right counts."""
    rows = platform.rows("meetings", "SELECT participant_id::text, status, count(*) FROM registrations "
                                     "WHERE meeting_id = :m GROUP BY participant_id, status", m=meeting_id)
    per_person = collections.Counter(r[0] for r in rows for _ in range(r[2]))
    by_status = collections.Counter()
    for r in rows:
        by_status[r[1]] += r[2]
    twice = sum(1 for n in per_person.values() if n > 1)
    return {"db_confirmed": by_status["confirmed"], "db_waitlisted": by_status["waitlisted"],
            "db_people_twice": twice, "db_same_people": set(per_person) == set(participant_ids),
            "db_transactions": platform.scalar(
                "meetings", "SELECT count(DISTINCT created_at) FROM registrations WHERE meeting_id = :m", m=meeting_id)}


def register_by_rpc(proxy, platform, people, seats, window, meter):
    meeting = proxy.meetings.schedule(M, STAFF, schedule_body(seats, "Borgermøde om kommuneplanen (RPC)"))
    actors = [{"id": str(uuid.uuid4()), "role": "resident", "municipality": M, "staff": False, "operator": False,
               "confirmed": True} for _ in range(people)]
    print(f"registration by RPC: {people:,} people, {seats:,} seats, {window} calls in flight …", flush=True)
    latencies, answers, statuses = [], [], collections.Counter()
    pending = collections.deque()
    queue = iter(actors)
    began = time.perf_counter()

    def send():
        actor = next(queue, None)
        if actor is not None:
            pending.append((time.perf_counter(), proxy.meetings.register.call_async(M, actor, meeting["id"])))

    meter.start()
    for _ in range(window):
        send()
    while pending:
        at, reply = pending.popleft()
        try:
            answers.append(reply.result())
            statuses["ok"] += 1
        except Exception as exc:  # a remote error: count it by its type
            statuses[type(exc).__name__] += 1
        # Replies are read in the order they were sent: a call's latency here is an upper bound.
        latencies.append(time.perf_counter() - at)
        send()
    elapsed = time.perf_counter() - began
    cpu = meter.stop()
    result = summarise("rpc", people, seats, elapsed, latencies, statuses, answers)
    result.update(check_database(platform, meeting["id"], [a["id"] for a in actors], seats))
    result["correct"] = outcome_correct(result, people, seats)
    report(result)
    cpu_figures(result, cpu)
    return result


def register_through_gateway(port, platform, staff, people, seats, clients, tokens, participant_ids, meter):
    setup = Client(port)
    status, body = setup.request("POST", f"/municipalities/{M}/meetings", token=staff,
                                 body=schedule_body(seats, "Borgermøde om kommuneplanen"))
    meeting = expect(status, body, 201, "schedule the meeting")
    path = f"/municipalities/{M}/meetings/{meeting['id']}/registrations"
    print(f"registration through the gateway: {people:,} people, {seats:,} seats, {clients} HTTP clients …",
          flush=True)
    latencies, answers, statuses, errors = [], [], collections.Counter(), collections.Counter()
    retries = collections.Counter()  # the answers to the one retry after a 503, by status
    refused = []  # the people who did not get their registration, a retry included
    queue = iter(range(people))
    began = time.perf_counter()
    done = [0]

    def post(client, token):
        try:
            return client.request("POST", path, token=token)
        except Exception as exc:  # noqa: BLE001 - a failed connection counts as an error
            return f"connection: {type(exc).__name__}", b""

    def client_loop(_n):
        client = Client(port)
        try:
            for i in queue:  # shared: each green thread takes the next person
                at = time.perf_counter()
                status, body = post(client, tokens[i])
                statuses[str(status)] += 1
                if status == 503:  # "try again shortly": once, after the Retry-After it names, as a person would
                    if len(errors) < 5:
                        errors[f"{status} {body[:160].decode('utf-8', 'replace')} (retried)"] += 1
                    eventlet.sleep(retry_after(client.headers))
                    status, body = post(client, tokens[i])
                    retries[str(status)] += 1
                latencies.append(time.perf_counter() - at)  # what the person waited, a retry included
                if status in (200, 201):  # 200: a retry that found the registration the 503 had hidden
                    answers.append(json.loads(body))
                else:
                    refused.append(participant_ids[i])
                    if len(errors) < 5:
                        errors[f"{status} {body[:160].decode('utf-8', 'replace')}"] += 1
                done[0] += 1
                if done[0] % max(500, people // 10) == 0:
                    print(f"  {done[0]:,}/{people:,} answered, {done[0] / (time.perf_counter() - began):,.0f}/s",
                          flush=True)
        finally:
            client.close()

    meter.start()
    pool = eventlet.GreenPool(clients)
    for n in range(clients):
        pool.spawn(client_loop, n)
    pool.waitall()
    elapsed = time.perf_counter() - began
    cpu = meter.stop()
    result = summarise("gateway", people, seats, elapsed, latencies, statuses, answers)
    result["first_errors"] = list(errors)
    # A 503 after the gateway's RPC timeout does not undo the registration, and the retry says so (200,
    # Idempotent-Replayed); a 201 to the retry means the first attempt had not been stored.
    result["retried_after_503"] = sum(retries.values())
    result["retry_answers_by_status"] = dict(sorted(retries.items()))
    # Told it failed, the retry too, and registered all the same: the people who would be misled.
    result["refused_but_registered"] = platform.scalar(
        "meetings", "SELECT count(*) FROM registrations WHERE meeting_id = :m AND participant_id::text = ANY(:p)",
        m=meeting["id"], p=refused) if refused else 0
    result.update(check_database(platform, meeting["id"], participant_ids, seats))
    status, body = setup.request("GET", f"/municipalities/{M}/meetings/{meeting['id']}")
    shown = expect(status, body, 200, "GET the meeting")
    setup.close()
    result["api_confirmed_count"], result["api_waitlist_count"] = shown["confirmed_count"], shown["waitlist_count"]
    result["correct"] = outcome_correct(result, people, seats) and shown["confirmed_count"] == seats \
        and shown["waitlist_count"] == people - seats
    report(result)
    cpu_figures(result, cpu)
    return result


def outcome_correct(r, people, seats):
    return (r["confirmed"] == seats and r["waitlisted"] == people - seats and r["positions_ok"]
            and r["distinct_registrations"] and r["db_confirmed"] == seats and r["db_waitlisted"] == people - seats
            and r["db_people_twice"] == 0 and r["db_same_people"])


def report(r):
    print(f"  {r['registrations_per_second']:,.0f} registrations/s in {r['seconds']} s; per request p50 "
          f"{r['latency_p50_ms']} ms, p95 {r['latency_p95_ms']} ms; answers {r['answers_by_status']}; "
          f"{r['confirmed']:,} confirmed, {r['waitlisted']:,} waitlisted; outcome "
          f"{'correct' if r['correct'] else 'WRONG'}; decided in {r['db_transactions']} transactions", flush=True)
    for e in r.get("first_errors", []):
        print(f"  error: {e}", flush=True)
    if r.get("retried_after_503"):
        print(f"  {r['retried_after_503']} people answered 503 tried once more: {r['retry_answers_by_status']} "
              "(200: the registration the 503 had hidden)", flush=True)
    if r.get("refused_but_registered"):
        print(f"  {r['refused_but_registered']} people were answered with an error but are registered all the same",
              flush=True)


STAFF = {"id": str(uuid.uuid4()), "role": "employee", "municipality": M, "staff": True, "operator": False,
         "confirmed": True}


def rpc_ceiling(proxy, calls):
    """``calls`` concurrent ``ping`` RPCs: what RPC alone allows on this machine right now."""
    began = time.perf_counter()
    replies = [proxy.meetings.ping.call_async() for _ in range(calls)]
    for reply in replies:
        reply.result()
    rate = calls / (time.perf_counter() - began)
    print(f"RPC ceiling: {calls:,} concurrent pings, {rate:,.0f}/s", flush=True)
    return round(rate, 1)


# -- the calendar feed ---------------------------------------------------------------------------

def seed_meetings(platform, n):
    from meetings import calendar
    from meetings.storage import meetings

    print(f"calendar: inserting {n:,} meetings …", flush=True)
    now = dt.datetime.now(UTC)
    rows = []
    for i in range(n):
        starts = now + dt.timedelta(days=1 + i % 365, hours=i % 10)
        row = {"id": uuid.uuid4(), "municipality": M, "proposal_id": None, "format": "debate_salon",
               "title": f"Debatsalon nr. {i}", "purpose": "Hvordan bliver byen grønnere?",
               "promise": "Vi svarer skriftligt på alle forslag.", "iap2_level": "consult", "language": "da",
               "starts_at": starts, "ends_at": starts + dt.timedelta(hours=2), "time_zone": "Europe/Copenhagen",
               "place_id": None, "online_url": "https://meet.example.org/salon", "capacity": 40, "reserved": {},
               "status": "scheduled", "sequence": 0, "created_at": now, "updated_at": now}
        row["series_id"] = row["id"]
        row["vevent"] = calendar.vevent_text(row)
        rows.append(row)
    with platform.engine("meetings").begin() as conn:
        for start in range(0, n, 1000):
            conn.execute(meetings.insert(), rows[start:start + 1000])


def bench_calendar(proxy, port, n, requests_count):
    print(f"calendar: {requests_count} requests for the feed of {n:,}+ meetings by each way, alternately …",
          flush=True)
    client = Client(port)
    took = {"rpc": [], "gateway": []}
    feeds = {}
    for i in range(requests_count):
        began = time.perf_counter()
        text = proxy.meetings.municipality_calendar(M)
        took["rpc"].append(time.perf_counter() - began)
        began = time.perf_counter()
        status, body = client.request("GET", f"/municipalities/{M}/calendar.ics")
        took["gateway"].append(time.perf_counter() - began)
        if status != 200:
            raise RuntimeError(f"GET calendar.ics: HTTP {status}")
        if i == 0:
            feeds = {"rpc": text, "gateway": body.decode("utf-8")}
    client.close()
    import icalendar

    result = {"meetings_seeded": n, "requests": requests_count, "bytes": len(feeds["gateway"].encode("utf-8"))}
    for way, text in feeds.items():
        result[f"{way}_events"] = text.count("BEGIN:VEVENT")
    result["parsed_events"] = len(icalendar.Calendar.from_ical(feeds["gateway"]).walk("VEVENT"))
    for way, values in took.items():
        result[f"{way}_p50_ms"], result[f"{way}_p95_ms"] = ms(percentile(values, 50)), ms(percentile(values, 95))
    result["gateway_vs_rpc_p50"] = round(result["gateway_p50_ms"] / result["rpc_p50_ms"], 2)
    result["correct"] = result["gateway_events"] == result["rpc_events"] == result["parsed_events"] >= n
    print(f"  feed holds {result['gateway_events']:,} events ({result['bytes'] / 1e6:.1f} MB; icalendar parses "
          f"{result['parsed_events']:,}); gateway p50 {result['gateway_p50_ms']} ms, p95 {result['gateway_p95_ms']} "
          f"ms; RPC p50 {result['rpc_p50_ms']} ms, p95 {result['rpc_p95_ms']} ms; gateway / RPC (p50) "
          f"{result['gateway_vs_rpc_p50']}", flush=True)
    return result


# -- the run ------------------------------------------------------------------------------------------

# The gateway under cProfile with the process's CPU clock: on a busy machine a wall clock would
# charge the time the process waited for a core to whatever it was doing then.
PROFILED_GATEWAY = """
import cProfile, sys, time
from samskab import green
green.patch()
from samskab import run
profile = cProfile.Profile(time.process_time)
try:
    profile.runcall(run.main, ["gateway"])
finally:
    profile.dump_stats(sys.argv[1])
"""


def wait_up(platform, proxy, timeout=60):
    import requests

    deadline = time.time() + timeout
    while time.time() < deadline:
        for (service, _i), proc in platform.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{service} exited with {proc.returncode}; see {platform.log_path(service)}")
        try:
            if requests.get(f"{platform.base_url}/healthz", timeout=2).ok and proxy.meetings.ping() == "pong":
                return
        except Exception:  # noqa: BLE001 - still starting
            pass
        time.sleep(0.3)
    raise TimeoutError(f"the gateway and the meetings service did not come up (logs in {platform.log_dir})")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="500 people for 100 seats, 100 clients, 1,000 meetings")
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--meetings", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=20, help="calendar requests by each way")
    parser.add_argument("--clients", type=int, default=500, help="concurrent HTTP clients (and RPC calls in flight)")
    parser.add_argument("--workers", type=int, default=10, help="MAX_WORKERS of the meetings service (the deployed "
                        "default)")
    parser.add_argument("--gateway-workers", type=int, default=100,
                        help="GATEWAY_MAX_WORKERS, the gateway's workers (its deployed default, 100)")
    parser.add_argument("--gateway-rpc-timeout", type=float,
                        help="the gateway's RPC_TIMEOUT_SECONDS (default its own, 10): lower it to provoke 503s")
    parser.add_argument("--accounts", choices=("api", "table"), help="how the accounts are made (default table)")
    parser.add_argument("--profile-gateway", help="run the gateway under cProfile, writing its profile here")
    parser.add_argument("--json", help="where to write the figures (default bench/results/meetings[-quick].json)")
    args = parser.parse_args(argv)
    if args.quick:
        args.people, args.seats, args.meetings, args.requests, args.clients = 500, 100, 1000, 6, 100
    args.accounts = args.accounts or "table"
    args.json = args.json or os.path.join(HERE, "results", "meetings-quick.json" if args.quick else "meetings.json")

    from nameko.standalone.rpc import ClusterRpcProxy

    from samskab import devservices

    postgres_url, _handle = devservices.postgres()
    vhost = Vhost(prefix="samskab-bench-meetings")
    platform = Platform(vhost.uri, postgres_url, name="bench-meetings", services=SERVICES,
                        env={"MAX_WORKERS": str(args.workers), "TOKEN_TTL_SECONDS": "7200"})
    try:
        print(f"meetings bench: migrating fresh databases, starting {' and '.join(SERVICES)} "
              f"(MAX_WORKERS={args.workers}, GATEWAY_MAX_WORKERS={args.gateway_workers}) …", flush=True)
        platform.prepare()
        platform.start("meetings")
        # The gateway sizes its worker pool from GATEWAY_MAX_WORKERS, not MAX_WORKERS.
        gateway_env = {"GATEWAY_MAX_WORKERS": str(args.gateway_workers)}
        if args.gateway_rpc_timeout:
            gateway_env["RPC_TIMEOUT_SECONDS"] = str(args.gateway_rpc_timeout)
        if args.profile_gateway:
            env = platform.env_for("gateway")
            env.update(gateway_env)
            log = open(platform.log_path("gateway"), "ab")
            platform.procs[("gateway", 0)] = subprocess.Popen(
                [sys.executable, "-c", PROFILED_GATEWAY, os.path.abspath(args.profile_gateway)],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        else:
            platform.start("gateway", env=gateway_env)
        port = platform.ports["gateway"]
        with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=300) as proxy:
            wait_up(platform, proxy)
            results = {"config": {"people": args.people, "seats": args.seats, "clients": args.clients,
                                  "max_workers": args.workers, "gateway_max_workers": args.gateway_workers,
                                  "gateway_rpc_timeout_seconds": args.gateway_rpc_timeout,
                                  "accounts": args.accounts,
                                  "profiled": bool(args.profile_gateway), "cores": os.cpu_count(),
                                  "load_average_at_start": round(os.getloadavg()[0], 1)}}
            staff = staff_token(platform, Client(port))
            print(f"setup: {args.people:,} accounts ({args.accounts}) …", flush=True)
            began = time.perf_counter()
            if args.accounts == "api":
                participant_ids = accounts_through_api(port, args.people)
            else:
                participant_ids = accounts_in_table(platform, args.people)
            tokens = [issue_token(pid, ttl=7200) for pid in participant_ids]
            results["setup_accounts_seconds"] = round(time.perf_counter() - began, 1)
            print(f"  {args.people:,} accounts in {results['setup_accounts_seconds']} s; tokens minted", flush=True)

            results["rpc_ceiling_per_second"] = rpc_ceiling(proxy, args.people)
            results["rpc"] = register_by_rpc(proxy, platform, args.people, args.seats, args.clients,
                                             CpuMeter(platform))
            results["gateway"] = register_through_gateway(port, platform, staff, args.people, args.seats,
                                                          args.clients, tokens, participant_ids, CpuMeter(platform))
            results["gateway_vs_rpc"] = round(results["gateway"]["registrations_per_second"]
                                              / results["rpc"]["registrations_per_second"], 2)
            print(f"registrations/s gateway / RPC = {results['gateway_vs_rpc']}", flush=True)

            seed_meetings(platform, args.meetings)
            results["calendar"] = bench_calendar(proxy, port, args.meetings, args.requests)
        os.makedirs(os.path.dirname(args.json), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
        print(f"written to {os.path.relpath(args.json)}", flush=True)
        ok = results["rpc"]["correct"] and results["gateway"]["correct"] and results["calendar"]["correct"]
        return 0 if ok else 1
    finally:
        platform.stop_all(grace=30)
        try:
            platform.drop()
        finally:
            vhost.drop()
            shutil.rmtree(platform.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
