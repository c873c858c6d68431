"""``make bench``: the whole platform under a realistic load, beside its baselines.

    .venv/bin/python bench/run.py [--quick] [--levels 1,2,4] [--seconds 30] [--out FILE]

1. Baselines, measured in the same run (``bench/backbone.py``): the raw broker
   ceiling (pika, confirms, persistent), plain nameko events, and the backbone
   (outbox → relay → idempotent consumer).
2. The platform: every service its own process (``python -m samskab.run
   <service>``) on the machine's RabbitMQ (a fresh vhost) and PostgreSQL (fresh
   databases), loaded through the gateway's HTTP API with a mix of what people
   do: participants register and fill in profiles, proposals are submitted,
   published by staff and supported, meetings scheduled, seats taken, public
   listings read; a third party has a webhook subscribed and a plain queue on
   ``samskab.public``.  At each load level (proposals per second, open loop,
   the rest of the mix in proportion) it measures, per proposal:
   * submit → the public ``proposal.submitted`` event reaches the subscriber;
   * submit (and publish) → every matched participant has the inbox entry;
   and the HTTP latency of every request.  It checks that every proposal's
   matches all reached an inbox, once.
3. The other benchmark scripts (``bench/<name>.py --quick`` in quick mode),
   each in its own process, their printed figures kept.

Writes ``bench/results/<date>-<commit>.md`` (``-quick`` for a quick run) with
the tables, the command lines, and PNG plots of latency against load.
"""
import argparse
import concurrent.futures as cf
import datetime as dt
import io
import json
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import redirect_stdout
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# bench/ goes last: its scripts are named like the service packages (bench/matching.py)
sys.path[:0] = [os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]
sys.path.append(HERE)

import harness  # noqa: E402
from harness import Api, ApiError, Platform, PublicListener, Vhost, has_service  # noqa: E402

MUNICIPALITIES = ("aalborg", "hamar")
SKILLS = ["cykelværksted", "samkørsel", "landskabsarkitektur", "frivillig", "byplanlægning", "trafik", "klima",
          "mødeledelse", "lokaler", "fundraising", "it", "kommunikation"]
TOPICS = ["mobilitet", "klima", "landsbyer", "børn", "kultur", "natur", "sundhed", "erhverv"]
AREAS = {"aalborg": ["Aalborg Øst", "Nørresundby", "Vejgaard"], "hamar": ["Hamar sentrum", "Ridabu", "Vang"]}
NOT_SECTIONS = {"run", "drill", "harness", "backbone"}


def discover_sections():
    """The other benchmark scripts: the four named in the brief first, then any other bench/*.py."""
    named = ["proposals_listing", "matching", "meetings", "notifications"]
    others = sorted(f[:-3] for f in os.listdir(HERE)
                    if f.endswith(".py") and f[:-3] not in NOT_SECTIONS and f[:-3] not in named)
    return named + others


SECTIONS = discover_sections()
QUICK_BUDGET = 115.0  # seconds: --quick must end within two minutes


def pct(values, p):
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def ms(value):
    return "–" if value is None else f"{value * 1000:,.0f}"


# -- progress -------------------------------------------------------------------------------

class Progress:
    """One line, rewritten in place on a terminal, a line every few seconds otherwise."""

    def __init__(self):
        self.tty = sys.stderr.isatty()
        self.text = ""
        self.started = time.time()
        self.last_print = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def set(self, text):
        self.text = text

    def phase(self, text):
        self.text = text
        self._emit(force=True)

    def _emit(self, force=False):
        line = f"[bench {time.time() - self.started:5.0f}s] {self.text}"
        if self.tty:
            sys.stderr.write("\r\033[K" + line[:150])
            sys.stderr.flush()
        elif force or time.time() - self.last_print >= 5:
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            self.last_print = time.time()

    def _loop(self):
        while not self.stop.wait(1.0):
            self._emit()

    def close(self):
        self.stop.set()
        if self.tty:
            sys.stderr.write("\n")


# -- a webhook receiver --------------------------------------------------------------------

class WebhookReceiver:
    def __init__(self):
        received = self.received = []
        self.down = False
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if owner.down:
                    self.send_response(503)
                    self.end_headers()
                    return
                received.append((time.time(), self.headers.get("webhook-id"), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def close(self):
        self.server.shutdown()


# -- the world the load runs in -------------------------------------------------------------------

class World:
    """Accounts, profiles, places, meetings and a webhook, made through the API."""

    def __init__(self, platform, api, participants_per_municipality, progress):
        self.platform, self.api, self.progress = platform, api, progress
        self.people = {m: [] for m in MUNICIPALITIES}   # (id, email, token)
        self.staff = {}
        self.meetings = {m: [] for m in MUNICIPALITIES}
        self.places = {}
        self.proposals = {m: [] for m in MUNICIPALITIES}  # published ids
        self.receiver = None
        self.webhooks = {}
        self.n = participants_per_municipality
        self.lock = threading.Lock()

    def build(self):
        p = self.platform
        for m in MUNICIPALITIES:
            email = p.add_staff(m, "employee")
            self.staff[m] = self.api.token(email)
        operator_email = p.add_staff("aalborg", "operator")
        self.operator = self.api.token(operator_email)
        with cf.ThreadPoolExecutor(8) as pool:
            jobs = [pool.submit(self.new_participant, m) for m in MUNICIPALITIES for _ in range(self.n)]
            for i, job in enumerate(cf.as_completed(jobs), 1):
                job.result()
                self.progress.set(f"setup: {i}/{len(jobs)} participants registered with profiles")
        if has_service("meetings"):
            for m in MUNICIPALITIES:
                r = self.api.call("POST", f"/municipalities/{m}/meeting-places", token=self.staff[m], expect=201, json={
                    "name": "Hovedbiblioteket", "kind": "library", "address": "Rendsburggade 2", "capacity": 200,
                    "step_free": True})
                self.places[m] = r.json()["id"]
                for _ in range(3):
                    self.schedule_meeting(m)
        if has_service("notifications"):
            self.receiver = WebhookReceiver()
            for m in MUNICIPALITIES:
                r = self.api.call("POST", f"/municipalities/{m}/api-keys", token=self.operator, expect=201,
                                  json={"name": "Lokalavisen", "contact_email": "redaktion@avis.example"})
                key = r.json()["key"]
                r = self.api.call("POST", f"/municipalities/{m}/webhooks", headers={"X-Api-Key": key}, expect=201,
                                  json={"url": self.receiver.url, "types": ["proposal.published"]})
                self.webhooks[m] = r.json()["id"]

    def new_participant(self, m, sign_in=False):
        pid, email, token = self.api.register(m, display_name="Bench Deltager", sign_in=sign_in)
        if has_service("matching"):
            rnd = random.Random(pid)
            self.api.call("PUT", "/me/profile", token=token, expect=200, json={
                "skills": rnd.sample(SKILLS, 3), "interests": rnd.sample(TOPICS, 2), "areas": [rnd.choice(AREAS[m])],
                "availability": ["weekday_evening"], "languages": ["da" if m == "aalborg" else "nb"],
                "suggest_me": True})
        with self.lock:
            self.people[m].append((pid, email, token))
        return pid

    def schedule_meeting(self, m):
        start = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=random.randint(3, 60))
        body = {"title": "Borgermøde om grøn pendling", "format": "working_citizens_meeting",
                "purpose": "Hvordan kommer flere til arbejde uden bil?",
                "promise": "Forslagene indgår i mobilitetsplanen.", "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=2)).isoformat(), "capacity": 40,
                "place_id": self.places[m]}
        r = self.api.call("POST", f"/municipalities/{m}/meetings", token=self.staff[m], expect=201, json=body)
        with self.lock:
            self.meetings[m].append(r.json()["id"])


# -- one load level ---------------------------------------------------------------------------------

class Level:
    def __init__(self, world, rate, seconds, progress, label):
        self.world, self.api = world, world.api
        self.rate, self.seconds, self.progress, self.label = rate, seconds, progress, label
        self.records = []          # one per proposal: id, municipality, t0 (submit sent), t_published
        self.http = []             # (kind, seconds, status)
        self.errors = []
        self.lock = threading.Lock()

    def timed(self, kind, method, path, **kwargs):
        t = time.time()
        try:
            r = self.api.call(method, path, **kwargs)
        except Exception as exc:
            with self.lock:
                self.http.append((kind, time.time() - t, 0))
                self.errors.append(f"{kind}: {exc}")
            return None
        with self.lock:
            self.http.append((kind, time.time() - t, r.status_code))
            if r.status_code >= 500:
                self.errors.append(f"{kind}: {r.status_code} {r.text[:200]}")
        return r

    # the mix, per proposal submitted
    def proposal_flow(self, i):
        w = self.world
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        rnd = random.Random()
        pid, _, token = rnd.choice(w.people[m])
        body = {"kind": rnd.choice(["service", "development", "policy"]), "language": "da" if m == "aalborg" else "nb",
                "title": f"Forslag {i}: {rnd.choice(TOPICS)} i {rnd.choice(AREAS[m])}",
                "problem": "Mange kører alene i bil, og busserne passer ikke til skifteholdene.",
                "goal": "Halvdelen af pendlerne cykler, tager bussen eller samkører inden 2028.",
                "area": rnd.choice(AREAS[m]), "topics": rnd.sample(TOPICS, 2), "needs": rnd.sample(SKILLS, 3)}
        t0 = time.time()
        r = self.timed("submit proposal", "POST", f"/municipalities/{m}/proposals", token=token, json=body)
        if r is None or r.status_code != 201:
            return
        proposal_id = r.json()["id"]
        record = {"id": proposal_id, "municipality": m, "t0": t0, "initiator": pid}
        with self.lock:
            self.records.append(record)
        r = self.timed("publish proposal", "POST", f"/municipalities/{m}/proposals/{proposal_id}/transitions",
                       token=w.staff[m], json={"to": "published", "reason": "Klar til dialog"})
        record["published"] = r is not None and r.status_code == 200
        if record["published"]:
            with w.lock:
                w.proposals[m].append(proposal_id)

    def support(self, i):
        w = self.world
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        if not w.proposals[m]:
            return
        proposal_id = random.choice(w.proposals[m][-20:])
        _, _, token = random.choice(w.people[m])
        self.timed("support", "POST", f"/municipalities/{m}/proposals/{proposal_id}/supports", token=token)

    def browse(self, i):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        self.timed("list proposals", "GET", f"/municipalities/{m}/proposals")

    def register_seat(self, i):
        w = self.world
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        if not w.meetings[m]:
            return
        meeting = random.choice(w.meetings[m])
        _, _, token = random.choice(w.people[m])
        self.timed("register for meeting", "POST", f"/municipalities/{m}/meetings/{meeting}/registrations", token=token)

    def schedule(self, i):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        t = time.time()
        try:
            self.world.schedule_meeting(m)
            status = 201
        except ApiError as exc:
            status = exc.status
        except Exception:
            status = 0
        with self.lock:
            self.http.append(("schedule meeting", time.time() - t, status))

    def join(self, i):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        t = time.time()
        try:
            self.world.new_participant(m, sign_in=True)
            status = 201
        except ApiError as exc:
            status = exc.status
        except Exception:
            status = 0
        with self.lock:
            self.http.append(("register + profile", time.time() - t, status))

    def mix(self):
        """Per proposal: 2 supports, 2 listings; every 2nd a seat, every 10th a meeting and a newcomer."""
        steps = [(self.proposal_flow, 1.0), (self.support, 2.0), (self.browse, 2.0)]
        if has_service("meetings") and self.world.meetings[MUNICIPALITIES[0]]:
            steps += [(self.register_seat, 0.5), (self.schedule, 0.1)]
        steps += [(self.join, 0.1)]
        return steps

    def run(self, pool):
        steps = self.mix()
        meter = harness.CpuMeter(self.world.platform).start()
        started = time.time()
        futures = []
        counters = {fn.__name__: 0.0 for fn, _ in steps}
        i = 0
        while True:
            due = started + i / self.rate
            if due - started >= self.seconds:
                break
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            for fn, share in steps:
                counters[fn.__name__] += share
                while counters[fn.__name__] >= 1:
                    counters[fn.__name__] -= 1
                    futures.append(pool.submit(fn, i))
            i += 1
            self.progress.set(f"{self.label}: {time.time() - started:4.0f}/{self.seconds}s, "
                              f"{len(self.records)} proposals, {len(self.http)} requests answered")
        for f in futures:
            f.result()
        self.sent_seconds = time.time() - started
        self.cpu = meter.stop()  # while the load was offered (the backlog's drain after it is not in it)
        return self

    # -- what happened ----------------------------------------------------------------

    def settle(self, listener, timeout):
        """Wait until every published proposal's matches are all in the inboxes (or ``timeout``)."""
        p = self.world.platform
        ids = [r["id"] for r in self.records if r.get("published")]
        deadline = time.time() + timeout
        self.inbox = {}
        self.matches = {}
        self.public = {}
        while True:
            self._collect(p, listener, ids)
            pending = [i for i in ids if not self._complete(i)]
            self.progress.set(f"{self.label}: waiting for {len(pending)}/{len(ids)} proposals' inboxes and events")
            if not pending or time.time() > deadline:
                self.pending = pending
                return self
            time.sleep(0.5)

    def _complete(self, pid):
        if "samskab.proposal.submitted" not in self.public.get(pid, {}):
            return False
        if not has_service("matching") or not has_service("notifications"):
            return True
        expected = self.matches.get(pid)
        if expected is None:
            return False
        return self.inbox.get(pid, (0, None))[0] >= expected

    def _collect(self, p, listener, ids):
        if not ids:
            return
        # The publication's suggestions: the first matches_suggested of each proposal. A later one
        # tells only people who joined (and were matched) since, seconds after the proposal: it
        # belongs to their registration, not to the proposal's way to the inboxes.
        first = {}
        if has_service("matching"):
            wanted = set(ids)
            for r in listener.by_type("samskab.proposal.matches_suggested"):
                pid = r[2]["data"].get("proposal_id")
                if pid in wanted and (pid not in first or r[0] < first[pid][0]):
                    first[pid] = (r[0], r[2]["id"], int(r[2]["data"].get("total", 0)))
            self.matches = {pid: total for pid, (_, _, total) in first.items()}
        if has_service("notifications") and first:
            of_event = {event_id: pid for pid, (_, event_id, _) in first.items()}
            self.inbox = {of_event[str(r[0])]: (r[1], r[2], r[3]) for r in p.rows(
                "notifications",
                "SELECT event_id, count(*), extract(epoch from max(created_at)), count(DISTINCT participant_id) "
                "FROM notifications WHERE event_id = ANY(CAST(:events AS uuid[])) GROUP BY event_id",
                events=list(of_event))}
        public = {}
        for t, key, env, _ in listener.snapshot():
            subject = env.get("subject", "")
            if subject.startswith("proposals/"):
                public.setdefault(subject[len("proposals/"):], {}).setdefault(env.get("type"), []).append(t)
        self.public = public

    def figures(self):
        by_id = {r["id"]: r for r in self.records}
        to_public, to_inbox = [], []
        doubled_public, doubled_inbox, short = 0, 0, 0
        for pid, r in by_id.items():
            seen = self.public.get(pid, {})
            submitted = seen.get("samskab.proposal.submitted", [])
            if submitted:
                to_public.append(min(submitted) - r["t0"])
                doubled_public += len(submitted) > 1
            if not r.get("published"):
                continue
            count, last, distinct = self.inbox.get(pid, (0, None, 0))
            expected = self.matches.get(pid)
            if expected is not None and count >= expected and last is not None and expected > 0:
                to_inbox.append(float(last) - r["t0"])
            if expected is not None and count < expected:
                short += 1
            if count != distinct:
                doubled_inbox += 1
        http_ok = [d for _, d, s in self.http if 0 < s < 500]
        completed = [r["t0"] + x for r, x in zip([by_id[k] for k in by_id], [0] * len(by_id))]
        n = len(self.records)
        window = self.sent_seconds
        matched = sum(v for v in self.matches.values())
        inboxed = sum(v[0] for v in self.inbox.values())
        return {
            "offered_proposals_per_second": self.rate,
            "seconds": round(window, 1),
            "proposals": n,
            "proposals_per_second": round(n / window, 2) if window else 0,
            "requests": len(self.http),
            "requests_per_second": round(len(self.http) / window, 1) if window else 0,
            "http_errors_5xx": sum(1 for _, _, s in self.http if s >= 500 or s == 0),
            "http_p50": pct(http_ok, 50), "http_p95": pct(http_ok, 95), "http_p99": pct(http_ok, 99),
            "public_p50": pct(to_public, 50), "public_p95": pct(to_public, 95), "public_p99": pct(to_public, 99),
            "inbox_p50": pct(to_inbox, 50), "inbox_p95": pct(to_inbox, 95), "inbox_p99": pct(to_inbox, 99),
            "public_seen": len(to_public), "inbox_complete": len(to_inbox),
            "matched_participants": matched, "inbox_entries": inboxed,
            "pending": len(self.pending), "short": short,
            "doubled_public": doubled_public, "doubled_inbox": doubled_inbox,
            "errors": self.errors[:5],
            "by_kind": self._by_kind(),
            "completed": len(completed),
            "cpu": getattr(self, "cpu", {}),
        }

    def _by_kind(self):
        kinds = {}
        for kind, d, s in self.http:
            kinds.setdefault(kind, []).append((d, s))
        return {k: {"n": len(v), "p50": pct([d for d, _ in v], 50), "p95": pct([d for d, _ in v], 95),
                    "statuses": sorted({s for _, s in v})} for k, v in sorted(kinds.items())}


# -- baselines and other sections ----------------------------------------------------------

def baselines(n, postgres_url, progress):
    import tempfile

    import backbone

    tmp = tempfile.mkdtemp(prefix="samskab-bench-baselines-")
    results = {}
    for name, run in (("raw", lambda: backbone.run_raw(n, tmp)),
                      ("raw_pipelined", lambda: backbone.run_raw(n, tmp, "raw_pipelined")),
                      ("nameko", lambda: backbone.run_nameko(n, tmp)),
                      ("backbone", lambda: backbone.run_backbone(n, tmp, postgres_url))):
        progress.phase(f"baseline: {name}, {n:,} events")
        out = io.StringIO()
        try:
            with redirect_stdout(out):
                results[name] = run()
        except Exception as exc:
            results[name] = None
            results[f"{name}_error"] = f"{type(exc).__name__}: {exc}"
        results[f"{name}_notes"] = out.getvalue().strip()
    return results


def run_section(name, quick, timeout, progress, quiet=False):
    path = os.path.join(HERE, f"{name}.py")
    cmd = [sys.executable, os.path.relpath(path, ROOT)] + (["--quick"] if quick else [])
    if not os.path.exists(path):
        return {"name": name, "status": "missing", "command": " ".join(cmd)}
    source = open(path, encoding="utf-8").read()
    json_path = None
    if "--json" in source:
        json_path = os.path.join("/tmp", f"samskab-bench-{name}-{uuid.uuid4().hex[:6]}.json")
        cmd += ["--json", json_path]
    if not quiet:
        progress.phase(f"section {name}: {' '.join(cmd[1:])}")
    started = time.time()
    env = dict(os.environ, PYTHONWARNINGS="ignore",
               PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]))
    # its own process group: when it is stopped, the service processes it started stop with it
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
        status = "ok" if proc.returncode == 0 else f"failed (exit {proc.returncode})"
    except subprocess.TimeoutExpired:
        status = f"stopped after {timeout:.0f}s"
        os.killpg(proc.pid, signal.SIGINT)  # its finally blocks drop what it made
        try:
            out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
    figures = None
    if json_path and os.path.exists(json_path):
        with open(json_path) as fh:
            figures = json.load(fh)
        os.unlink(json_path)
    lines = [line for line in out.splitlines() if line.strip()]
    return {"name": name, "status": status, "command": " ".join(shlex.quote(c) for c in cmd), "quick": quiet,
            "seconds": round(time.time() - started, 1), "output": "\n".join(lines[-25:]), "json": figures,
            "stderr": "\n".join(err.strip().splitlines()[-8:]) if status != "ok" else ""}


# -- the report ---------------------------------------------------------------------------------

def commit():
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        return sha or "unknown", bool(dirty)
    except OSError:
        return "unknown", False


def plot(levels, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    x = [f["offered_proposals_per_second"] for f in levels]
    for ax, key, title in ((axes[0], "inbox", "submit → every matched inbox entry"),
                           (axes[1], "public", "submit → public event (third party)"),
                           (axes[2], "http", "HTTP request (gateway)")):
        for p, style in (("p50", "o-"), ("p95", "s--"), ("p99", "^:")):
            y = [(f[f"{key}_{p}"] or 0) * 1000 for f in levels]
            ax.plot(x, y, style, label=p)
        ax.set_title(title)
        ax.set_xlabel("offered proposals per second (with the rest of the mix)")
        ax.set_ylabel("latency (ms)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(args, meta, base, levels, sections, out_path):
    png = os.path.splitext(out_path)[0] + "-latency.png"
    if levels:
        plot(levels, png)
    lines = []
    add = lines.append
    add(f"# Samskab benchmark, {meta['date']} at {meta['commit']}{' (with uncommitted changes)' if meta['dirty'] else ''}")
    add("")
    add(f"Mode: **{'quick' if args.quick else 'full'}**. Machine: {meta['machine']}. Started {meta['started']}, "
        f"took {meta['seconds']:.0f} s. Services in this run: {', '.join(meta['services'])}"
        + (f"; not present: {', '.join(meta['missing'])}" if meta['missing'] else "") + ".")
    add("")
    add("Command:")
    add("")
    add(f"    {meta['command']}")
    add("")
    add("## Baselines, measured in this run")
    add("")
    add(f"`bench/backbone.py`'s functions, {base.get('events', 0):,} events each, producer and consumer in two processes "
        "on the machine's RabbitMQ (a fresh vhost each) and PostgreSQL:")
    add("")
    add("| path | events/s | vs raw ceiling |")
    add("|---|---:|---:|")
    raw = base.get("raw")
    for name, label in (("raw", "raw broker ceiling (pika, confirms, persistent)"),
                        ("raw_pipelined", "raw, confirms pipelined (pika's async connection, 500 unconfirmed at a time)"),
                        ("nameko", "plain nameko (EventDispatcher → event_handler)"),
                        ("backbone", "Samskab backbone (outbox → relay → idempotent consumer)")):
        v = base.get(name)
        if v is None:
            add(f"| {label} | not measured: {base.get(name + '_error', 'skipped')} | |")
        else:
            add(f"| {label} | {v:,.0f} | {v / raw:.2f} |" if raw else f"| {label} | {v:,.0f} | |")
    if base.get("backbone_notes"):
        add("")
        add(f"Backbone {base['backbone_notes'].strip()}")
    add("")
    add("## The platform end to end")
    add("")
    add("Each service its own process (`python -m samskab.run <service>`), a fresh vhost on the machine's RabbitMQ and "
        "fresh databases on its PostgreSQL. Load through the gateway's HTTP API, open loop: at each level, proposals per "
        "second offered, and for each proposal also 2 supports and 2 public listings; every 2nd a meeting seat taken, "
        "every 10th a meeting scheduled and a newcomer registering with a profile. "
        f"{meta['participants']} participants per municipality ({', '.join(MUNICIPALITIES)}) registered with profiles "
        "and opted in to suggestions before the run; a third party has a webhook on `proposal.published` and a plain "
        "pika queue on `samskab.public` (`#`).")
    add("")
    add("* **submit → inbox**: from sending `POST …/proposals` (the staff publish follows right after the answer) "
        "until the last of the participants matched at its publication (its first `matches_suggested`) has the "
        "inbox entry (`notifications.created_at`); people matched later, when they join, are told by a later event "
        "that belongs to their registration.")
    add("* **submit → public**: until the third party's queue receives `<m>.proposal.submitted`.")
    add("")
    add("| offered/s | proposals | achieved/s | requests/s | HTTP p50 / p95 / p99 ms | submit → public p50 / p95 / p99 ms "
        "| submit → inbox p50 / p95 / p99 ms | matched → inbox | lost / doubled | 5xx |")
    add("|---:|---:|---:|---:|---|---|---|---|---|---:|")
    for f in levels:
        add(f"| {f['offered_proposals_per_second']} | {f['proposals']} | {f['proposals_per_second']} | "
            f"{f['requests_per_second']} | {ms(f['http_p50'])} / {ms(f['http_p95'])} / {ms(f['http_p99'])} | "
            f"{ms(f['public_p50'])} / {ms(f['public_p95'])} / {ms(f['public_p99'])} | "
            f"{ms(f['inbox_p50'])} / {ms(f['inbox_p95'])} / {ms(f['inbox_p99'])} | "
            f"{f['matched_participants']} → {f['inbox_entries']} | {f['short'] + f['pending']} / "
            f"{f['doubled_public'] + f['doubled_inbox']} | {f['http_errors_5xx']} |")
    if levels:
        add("")
        add(f"![latency against load]({os.path.basename(png)})")
        add("")
        add("HTTP latency by request kind at the highest level:")
        add("")
        add("| request | n | p50 ms | p95 ms | statuses |")
        add("|---|---:|---:|---:|---|")
        for kind, v in levels[-1]["by_kind"].items():
            add(f"| {kind} | {v['n']} | {ms(v['p50'])} | {ms(v['p95'])} | {', '.join(map(str, v['statuses']))} |")
        names = list(dict.fromkeys(name for f in levels for name in f.get("cpu", {})))
        if names:
            add("")
            add("CPU while each level's load was offered, in % of one core (the machine has "
                f"{os.cpu_count()}; PostgreSQL counts every server process on the machine, and the last "
                "column is the whole machine, other work included):")
            add("")
            add("| offered/s | " + " | ".join(names) + " |")
            add("|---:|" + "---:|" * len(names))
            for f in levels:
                add(f"| {f['offered_proposals_per_second']} | "
                    + " | ".join(str(f.get("cpu", {}).get(n, "–")) for n in names) + " |")
        errs = [e for f in levels for e in f["errors"]]
        if errs:
            add("")
            add("First errors seen:")
            add("")
            for e in errs[:8]:
                add(f"    {e}")
    add("")
    add("## Sections of the other benchmark scripts")
    add("")
    for s in sections:
        add(f"### {s['name']}")
        add("")
        if quick_note := (s.get("quick") and "Quick run: the sections ran side by side, so these figures are only a smoke test."):
            add(quick_note)
            add("")
        if s["status"] == "missing":
            add(f"`bench/{s['name']}.py` does not exist yet: not measured.")
            add("")
            continue
        add(f"Command: `{s['command']}` — {s['status']} in {s.get('seconds', 0)} s.")
        add("")
        if s.get("json"):
            add("```json")
            add(json.dumps(s["json"], indent=2, ensure_ascii=False))
            add("```")
            add("")
        if s.get("output"):
            add("Its printed figures (last lines):")
            add("")
            add("```")
            add(s["output"])
            add("```")
            add("")
        if s.get("stderr"):
            add("Its errors:")
            add("")
            add("```")
            add(s["stderr"])
            add("```")
            add("")
    with open(out_path, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    with open(os.path.splitext(out_path)[0] + ".json", "w", encoding="utf-8") as fh:  # to re-plot or compare later
        json.dump({"meta": meta, "baselines": base, "levels": levels,
                   "sections": [{k: v for k, v in s.items() if k != "output"} for s in sections]},
                  fh, indent=2, default=str)
    return out_path


# -- main -----------------------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short levels, few events: under two minutes")
    parser.add_argument("--levels", help="proposals per second, comma-separated (default 1,2,4; quick 1,3)")
    parser.add_argument("--seconds", type=float, help="seconds per level (default 30; quick 10)")
    parser.add_argument("--participants", type=int, help="participants per municipality (default 40; quick 12)")
    parser.add_argument("--events", type=int, help="events per baseline (default 5000; quick 1000)")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="other bench scripts to run ('' for none)")
    parser.add_argument("--section-timeout", type=float, help="seconds each may take (default 600; quick 40)")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--out", help="report path (default bench/results/<date>-<commit>[-quick].md)")
    args = parser.parse_args(argv)
    quick = args.quick
    levels = [float(x) for x in (args.levels or ("1,2" if quick else "1,2,3,4")).split(",") if x]
    seconds = args.seconds or (8 if quick else 30)
    participants = args.participants or (5 if quick else 40)
    events = args.events or (500 if quick else 5000)
    section_timeout = args.section_timeout or (40 if quick else 900)
    sections = [s for s in args.sections.split(",") if s]

    from samskab import devservices

    started = time.time()
    sha, dirty = commit()
    today = dt.date.today().isoformat()
    out_path = args.out or os.path.join(HERE, "results", f"{today}-{sha}{'-quick' if quick else ''}.md")
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    progress = Progress()
    devservices.rabbitmq()
    devservices.rabbitmq_management()
    postgres_url, _pg = devservices.postgres()

    base = {"events": events}
    if not args.no_baselines:
        base.update(baselines(events, postgres_url, progress))

    results = []
    vhost = Vhost(prefix="samskab-bench-platform")
    platform = Platform(vhost.uri, postgres_url, name="bench")
    listener = None
    world = None
    try:
        progress.phase(f"platform: migrating {len(platform.services)} databases, starting {', '.join(platform.services)}")
        platform.prepare()
        platform.start_all()
        listener = PublicListener(vhost.uri, "#")
        api = Api(platform.api_url)
        world = World(platform, api, participants, progress)
        progress.phase("setup: accounts, profiles, meeting places, webhooks")
        world.build()
        with cf.ThreadPoolExecutor(48) as pool:
            for n, rate in enumerate(levels, 1):
                label = f"level {n}/{len(levels)} ({rate:g} proposals/s)"
                progress.phase(label)
                level = Level(world, rate, seconds, progress, label).run(pool)
                level.settle(listener, timeout=20 if quick else 90)
                results.append(level.figures())
                f = results[-1]
                progress.phase(f"{label}: submit→inbox p50 {ms(f['inbox_p50'])} ms p95 {ms(f['inbox_p95'])} ms; "
                               f"HTTP p50 {ms(f['http_p50'])} ms")
    finally:
        if listener is not None:
            listener.close()
        if world is not None and world.receiver is not None:
            world.receiver.close()
        progress.phase("platform: stopping the services, dropping the databases and the vhost")
        platform.stop_all(grace=5 if quick else 20)
        try:
            platform.drop()
        finally:
            vhost.drop()

    done_sections = []
    if quick:
        # Quick: side by side, within what is left of the two minutes (their figures are then
        # only a smoke test; a full run takes them one after the other).
        budget = max(20.0, min(section_timeout, QUICK_BUDGET - (time.time() - started)))
        progress.phase(f"sections side by side, {budget:.0f}s at most: {', '.join(sections)}")
        with cf.ThreadPoolExecutor(max(1, len(sections))) as pool:
            done_sections = list(pool.map(lambda name: run_section(name, True, budget, progress, quiet=True), sections))
    else:
        for name in sections:
            done_sections.append(run_section(name, False, section_timeout, progress))

    progress.close()
    import platform as py_platform

    meta = {
        "date": today, "commit": sha, "dirty": dirty, "seconds": time.time() - started,
        "started": dt.datetime.fromtimestamp(started, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores (shared with other work; load average {os.getloadavg()[0]:.1f} at the end), "
                   f"Python {py_platform.python_version()}",
        "services": platform.services, "missing": [s for s in harness.SERVICES if s not in platform.services],
        "participants": participants,
        "command": ".venv/bin/python bench/run.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:])),
    }
    path = write_report(args, meta, base, results, done_sections, out_path)
    print(f"report: {os.path.relpath(path, ROOT)}")
    bad = [f for f in results if f["short"] or f["pending"] or f["doubled_public"] or f["doubled_inbox"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
