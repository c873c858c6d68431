"""Operations benchmark: scale-out of ``matching`` and memory per service at rest.

    .venv/bin/python bench/operations.py [--quick] [--json FILE]

1. **Scale-out**: ``matching`` runs as separate processes
   (``python -m samskab.run matching``, through ``bench/harness.py``) on a
   throwaway vhost of the machine's broker and a throwaway database.  A few
   thousand participant profiles are loaded straight into matching's
   ``profiles`` table (COPY, the way ``bench/matching.py`` loads them, with the
   service's own scoped terms), then N ``samskab.proposal.published`` events
   are published to ``samskab.events`` with publisher confirms while the
   instances run.  The clock runs from the first publish until matching's
   ``processed_events`` holds all N.  Once with one instance, once with two on
   the same queue (fresh vhost and database each time), same N, same
   profiles, same proposals.  Reported: events/s of each run, the ratio
   two/one, CPU of each matching process, of PostgreSQL and of RabbitMQ
   while it ran, and the checks that nothing was handled twice (N distinct
   processed events, one ``matches`` row set per proposal, one
   ``matches_suggested`` on ``samskab.public`` per proposal).
2. **Memory at rest**: every present service started (``Platform.start_all``),
   ready, then idle for a few seconds; RSS and USS of each process.

``--quick`` (under a minute): 1,500 profiles, 150 proposals.  The figures go
to ``bench/results/operations.json`` (or ``--json``).
"""
import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import signal
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")):
    if _p not in sys.path:
        sys.path.insert(0, _p)
sys.path.append(HERE)  # for harness; after services/, so ``matching`` is the service package

import psutil  # noqa: E402

import harness  # noqa: E402

MUNICIPALITIES = ("aalborg", "aarhus", "odense")
CONSUMER = "matching.on_published_or_updated"


def say(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# -- load --------------------------------------------------------------------------------

_VOCAB = []


def _vocab():
    """The synthetic vocabulary of ``bench/matching.py`` (its module name clashes with the
    service package ``matching``, so it is loaded by path)."""
    import importlib.util

    if _VOCAB:
        return _VOCAB[0]
    spec = importlib.util.spec_from_file_location("bench_matching", os.path.join(HERE, "matching.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    _VOCAB.append(module)
    return module


def load_profiles(platform, n, seed=1):
    """``n`` profiles (60 % opted in to suggestions) over three municipalities, by COPY."""
    from matching import scoring
    from matching.service import _profile_scoped_terms

    bm = _vocab()
    rng = random.Random(seed)
    columns = ("participant_id, municipality, role, kind, skills, interests, areas, resources, languages, "
               "suggest_me, neighbour_municipalities, scoped_terms")
    buf = io.StringIO()
    writer = csv.writer(buf)
    for i in range(n):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        kind = rng.choice(bm.KINDS)
        p = scoring.Profile(
            participant_id=str(uuid.UUID(int=i + 1)), municipality=m, kind=kind,
            skills=rng.sample(bm.SKILLS, rng.randint(1, 3)), interests=rng.sample(bm.TOPICS, rng.randint(1, 4)),
            areas=rng.sample(bm.areas_of(m), rng.randint(1, 2)), resources=rng.sample(bm.RESOURCES, rng.randint(0, 2)),
            languages=["da"], suggest_me=rng.random() < 0.6,
            neighbour_municipalities=[rng.choice(MUNICIPALITIES)] if rng.random() < 0.1 else [])
        writer.writerow([p.participant_id, m, kind, kind, bm.pg_array(p.skills), bm.pg_array(p.interests),
                         bm.pg_array(p.areas), bm.pg_array(p.resources), bm.pg_array(p.languages),
                         "t" if p.suggest_me else "f", bm.pg_array(p.neighbour_municipalities),
                         bm.pg_array(_profile_scoped_terms(p))])
    buf.seek(0)
    raw = platform.engine("matching").raw_connection()
    try:
        raw.cursor().copy_expert(f"COPY profiles ({columns}) FROM STDIN WITH (FORMAT csv)", buf)
        raw.commit()
    finally:
        raw.close()
    import sqlalchemy as sa

    with platform.engine("matching").begin() as conn:
        conn.execute(sa.text("ANALYZE profiles"))


def make_proposals(n, seed=7):
    """``n`` ProposalPublished envelopes (fixed ids and content for a given seed)."""
    from samskab import events

    bm = _vocab()
    rng = random.Random(seed)
    out = []
    now = dt.datetime.now(dt.timezone.utc).isoformat()
    for i in range(n):
        m = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        title, body = bm.synthetic_proposal(rng)
        pid = str(uuid.UUID(int=rng.getrandbits(128)))
        data = {
            "id": pid, "municipality": m, "kind": "development", "title": title, "problem": body,
            "goal": "Et bedre hverdagsliv for flere.", "description": "", "area": rng.choice(bm.areas_of(m)),
            "topics": rng.sample(bm.TOPICS, 2), "needs": rng.sample(bm.SKILLS, 2) + rng.sample(bm.RESOURCES, 1),
            "language": "da", "status": "published", "initiator_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "initiator_role": "resident", "iap2_level": None, "created_at": now,
        }
        envelope = events.make("samskab.proposal.published", municipality=m, service="proposals",
                               subject=f"proposals/{pid}", data=data)
        out.append((events.EVENTS_EXCHANGE, events.routing_key(m, "samskab.proposal.published"), envelope))
    return out


# -- resource sampling ----------------------------------------------------------------------

def _eldest(name):
    """The earliest-started process called ``name`` whose parent is not one too: the machine's own
    server (a fault drill may run a second broker node or an embedded PostgreSQL beside it)."""
    best = None
    for p in psutil.process_iter(["name", "create_time", "ppid"]):
        try:
            if p.info["name"] != name:
                continue
            parent = psutil.Process(p.info["ppid"]) if p.info["ppid"] else None
            if parent is not None and parent.name() == name:
                continue
            if best is None or p.info["create_time"] < best.info["create_time"]:
                best = p
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return best


def server_family(name):
    """A callable listing the machine's ``name`` server and all its children (backends come and go)."""
    root = _eldest(name)

    def family():
        if root is None:
            return []
        try:
            return [root] + root.children(recursive=True)
        except psutil.NoSuchProcess:
            return []
    return family


def _cpu_snapshot(procs):
    out = {}
    for p in procs:
        try:
            t = p.cpu_times()
            out[(p.pid, p.create_time())] = t.user + t.system
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return out


class CpuMeter:
    """CPU time of groups of processes between start() and stop(), as % of one core.
    A process that ended in between is not counted (short-lived backends: an underestimate)."""

    def __init__(self, groups):
        self.groups = groups  # name -> callable returning psutil.Process objects

    def start(self):
        self.t0 = time.perf_counter()
        self.c0 = {k: _cpu_snapshot(f()) for k, f in self.groups.items()}
        self.sys0 = psutil.cpu_times()
        return self

    def stop(self):
        elapsed = time.perf_counter() - self.t0
        used = {}
        for k, f in self.groups.items():
            now = _cpu_snapshot(f())
            used[k] = sum(v - self.c0[k].get(key, 0.0) for key, v in now.items())
        sys1 = psutil.cpu_times()
        busy = lambda t: t.user + t.nice + t.system + t.irq + t.softirq + getattr(t, "steal", 0)  # noqa: E731
        total = (sum(sys1) - sum(self.sys0)) or 1e-9
        out = {k: round(100 * v / elapsed, 1) for k, v in used.items()}
        out["machine_busy_percent_of_all_cores"] = round(100 * (busy(sys1) - busy(self.sys0)) / total, 1)
        out["cores"] = psutil.cpu_count()
        # what the measured processes do not explain: other people's work on the shared machine
        out["everything_else"] = round(out["machine_busy_percent_of_all_cores"] * out["cores"]
                                       - sum(out[k] for k in used), 1)
        return out


class MatchingOnly(harness.Platform):
    """The harness's platform with matching alone (no gateway, so no public URL to hand out)."""

    @property
    def base_url(self):
        return "http://127.0.0.1:9"


# -- part 1: one and two instances ---------------------------------------------------------------

def readyz(port):
    import requests

    try:
        return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=3).status_code == 200
    except requests.RequestException:
        return False


def run_matching(args, instances, proposals, cleanup):
    from samskab.amqp_publish import ConfirmingPublisher
    from samskab.consumer import queue_name

    n = len(proposals)
    vhost = harness.Vhost()
    cleanup.append(vhost.drop)
    platform = MatchingOnly(vhost.uri, args.postgres, name="ops", services=["matching"])
    cleanup.append(platform.drop)
    cleanup.append(platform.stop_all)
    say(f"[{instances} instance(s)] vhost {vhost.name}, database {platform.db_urls['matching'].rsplit('/', 1)[1]}")
    platform.prepare()
    t = time.perf_counter()
    load_profiles(platform, args.profiles)
    say(f"[{instances} instance(s)] {args.profiles:,} profiles loaded in {time.perf_counter() - t:.1f}s")
    for i in range(instances):
        platform.start("matching", instance=i)
    queue = queue_name("matching", "on_published_or_updated", "*")

    def up():
        for key, proc in platform.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"matching.{key[1]} exited {proc.returncode}; see {platform.log_path(*key)}")
        if not all(readyz(platform.port_of("matching", i)) for i in range(instances)):
            return False
        q = vhost.queues().get(queue)
        return q is not None and q.get("consumers", 0) >= instances

    harness.wait_for(up, timeout=90, interval=0.3, what=f"{instances} matching instance(s) consuming {queue}")
    say(f"[{instances} instance(s)] ready and consuming {queue}")
    listener = harness.PublicListener(vhost.uri, "*.proposal.matches_suggested")
    cleanup.append(listener.close)
    time.sleep(1.0)  # let the idle start-up settle before the clock starts

    procs = [psutil.Process(platform.procs[("matching", i)].pid) for i in range(instances)]
    groups = {f"matching.{i}": (lambda p=p: [p]) for i, p in enumerate(procs)}
    groups["postgresql"] = server_family("postgres")
    groups["rabbitmq"] = server_family("beam.smp")
    groups["this_script"] = lambda: [psutil.Process()]
    meter = CpuMeter(groups).start()

    publisher = ConfirmingPublisher(vhost.uri)
    count_sql = "SELECT count(*) FROM processed_events WHERE consumer = :c"
    publish_done = {}

    def publish():
        t0 = time.perf_counter()
        for start in range(0, n, 200):
            publisher.publish_batch(proposals[start:start + 200])
        publish_done["seconds"] = time.perf_counter() - t0

    started = time.perf_counter()
    pub = threading.Thread(target=publish, daemon=True)
    pub.start()
    last_say, done, progress = started, 0, []
    deadline = started + args.timeout
    while True:
        done = platform.scalar("matching", count_sql, c=CONSUMER)
        now = time.perf_counter()
        progress.append((round(now - started, 2), done))
        if done >= n:
            break
        if now > deadline:
            raise TimeoutError(f"only {done}/{n} handled after {args.timeout}s (logs in {platform.log_dir})")
        for key, proc in platform.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(f"matching.{key[1]} exited {proc.returncode}; see {platform.log_path(*key)}")
        if now - last_say >= 5:
            say(f"[{instances} instance(s)]   … {done:,}/{n:,} handled ({done / (now - started):.1f}/s)")
            last_say = now
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    cpu = meter.stop()
    pub.join(30)
    publisher.close()
    rate = n / elapsed
    matching_cpu = sum(v for k, v in cpu.items() if k.startswith("matching."))
    cpu_ms_per_event = {"matching": round(matching_cpu / 100 * elapsed / n * 1000, 1),
                        "postgresql": round(cpu["postgresql"] / 100 * elapsed / n * 1000, 1),
                        "rabbitmq": round(cpu["rabbitmq"] / 100 * elapsed / n * 1000, 1)}
    say(f"[{instances} instance(s)] {n:,} handled in {elapsed:.1f}s: {rate:.1f} events/s "
        f"(publishing took {publish_done.get('seconds', float('nan')):.1f}s)")
    say(f"[{instances} instance(s)] CPU (% of one core): "
        + ", ".join(f"{k} {v}" for k, v in cpu.items() if k != "cores"))
    say(f"[{instances} instance(s)] CPU ms per event: {cpu_ms_per_event}")

    # steady-state rate: between 10 % and 90 % handled (leaves out the ramp at both ends)
    def at(fraction):
        return next(t for t, d in progress if d >= fraction * n)
    t10, t90 = at(0.1), at(0.9)
    steady = 0.8 * n / (t90 - t10) if t90 > t10 else None

    # who handled what, and was anything handled twice
    ids = {e["id"] for _, _, e in proposals}
    handled = {str(r[0]) for r in platform.rows("matching", "SELECT event_id FROM processed_events WHERE consumer = :c",
                                                  c=CONSUMER)}
    per_proposal = platform.rows("matching", "SELECT proposal_id, count(*), count(DISTINCT rank), max(rank), "
                                             "count(DISTINCT computed_at) FROM matches GROUP BY proposal_id")
    stored = platform.scalar("matching", "SELECT count(*) FROM proposals")
    # the relay publishes after commit; wait (briefly) for every matches_suggested on samskab.public
    wait_until = time.perf_counter() + 30
    while time.perf_counter() < wait_until and len(listener.snapshot()) < n:
        time.sleep(0.2)
    time.sleep(1.0)  # a duplicate would arrive now
    public = listener.snapshot()
    listener.close()
    by_proposal = {}
    for _, _, envelope, _ in public:
        pid = envelope.get("data", {}).get("proposal_id")
        by_proposal[pid] = by_proposal.get(pid, 0) + 1
    share = {}
    for i in range(instances):
        share[f"matching.{i}"] = handled_by_log(platform, i)
    checks = {
        "processed_events_rows": len(handled),
        "processed_events_match_published_ids": handled == ids,
        "proposals_stored": stored,
        "proposals_with_matches": len(per_proposal),
        "proposals_with_a_single_match_set": sum(1 for _, c, dr, mx, dc in per_proposal if c == dr == mx and dc == 1),
        "public_matches_suggested": len(public),
        "public_distinct_proposals": len(by_proposal),
        "public_duplicates": sum(c - 1 for c in by_proposal.values() if c > 1),
    }
    ok = (checks["processed_events_rows"] == n and checks["processed_events_match_published_ids"]
          and stored == n and checks["proposals_with_a_single_match_set"] == len(per_proposal)
          and checks["public_distinct_proposals"] == n and checks["public_duplicates"] == 0)
    checks["nothing_handled_twice"] = ok
    say(f"[{instances} instance(s)] checks: {json.dumps(checks)}")
    if any(v is not None for v in share.values()):
        say(f"[{instances} instance(s)] split (from the logs, where they say): {share}")

    platform.stop_all()
    platform.drop()
    vhost.drop()
    return {
        "instances": instances, "events": n, "profiles": args.profiles, "seconds": round(elapsed, 2),
        "events_per_second": round(rate, 1),
        "steady_events_per_second_10_to_90pct": round(steady, 1) if steady else None,
        "publish_seconds": round(publish_done.get("seconds", float("nan")), 2),
        "cpu_percent_of_one_core": cpu, "cpu_ms_per_event": cpu_ms_per_event, "checks": checks, "split": share,
    }


def handled_by_log(platform, instance):
    """How many proposal events the instance's log says it handled, if the log says so per event."""
    try:
        with open(platform.log_path("matching", instance), encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return None
    n = text.count("on_published_or_updated")
    return n or None


# -- part 2: memory at rest --------------------------------------------------------------------

def memory_at_rest(args, cleanup, idle_seconds):
    vhost = harness.Vhost()
    cleanup.append(vhost.drop)
    platform = harness.Platform(vhost.uri, args.postgres, name="opsmem")
    cleanup.append(platform.drop)
    cleanup.append(platform.stop_all)
    say(f"[memory] services: {', '.join(platform.services)}; migrating")
    platform.prepare()
    platform.start_all()
    harness.wait_for(lambda: all(readyz(platform.port_of(s)) for s in platform.services if s != "gateway"),
                     timeout=60, interval=0.3, what="every service ready")
    say(f"[memory] all ready; idle for {idle_seconds}s")
    time.sleep(idle_seconds)
    table = {}
    for (service, instance), proc in sorted(platform.procs.items()):
        p = psutil.Process(proc.pid)
        family = [p] + p.children(recursive=True)
        rss = sum(q.memory_info().rss for q in family)
        try:
            uss = sum(q.memory_full_info().uss for q in family)
        except (psutil.AccessDenied, AttributeError):
            uss = None
        cpu = p.cpu_percent(interval=0.5)
        table[service] = {"rss_mb": round(rss / 2**20, 1), "uss_mb": round(uss / 2**20, 1) if uss else None,
                          "processes": len(family), "idle_cpu_percent": cpu, "threads": p.num_threads()}
    if platform.sink is not None and platform.sink.poll() is None:
        s = psutil.Process(platform.sink.pid)
        table["(mail sink, not a service)"] = {"rss_mb": round(s.memory_info().rss / 2**20, 1),
                                               "uss_mb": round(s.memory_full_info().uss / 2**20, 1),
                                               "processes": 1, "idle_cpu_percent": None, "threads": s.num_threads()}
    say("[memory] at rest:")
    say(f"  {'service':<28} {'RSS MB':>8} {'USS MB':>8} {'threads':>8} {'idle CPU %':>10}")
    for name, row in table.items():
        say(f"  {name:<28} {row['rss_mb']:>8.1f} {row['uss_mb'] or float('nan'):>8.1f} {row['threads']:>8} "
            f"{row['idle_cpu_percent'] if row['idle_cpu_percent'] is not None else '':>10}")
    platform.stop_all()
    platform.drop()
    vhost.drop()
    return table


def bottleneck(one, two):
    """A hedged reading of the CPU figures: which resource was (near) saturated."""
    lines = []
    c1, c2 = one["cpu_percent_of_one_core"], two["cpu_percent_of_one_core"]
    if c1.get("matching.0", 0) >= 80:
        lines.append(f"one instance used {c1['matching.0']}% of a core: a single matching process is CPU-bound "
                     "(one Python process, one core at most)")
    both = c2.get("matching.0", 0) + c2.get("matching.1", 0)
    lines.append(f"two instances used {both:.0f}% of a core together, PostgreSQL {c2.get('postgresql')}%, "
                 f"RabbitMQ {c2.get('rabbitmq')}%; the machine ({c2.get('cores')} cores, shared with other work) "
                 f"was {c2.get('machine_busy_percent_of_all_cores')}% busy, {c2.get('everything_else')}% of a core of it "
                 f"other processes (one instance: {c1.get('everything_else')}%)")
    per = two["cpu_ms_per_event"]
    total = per["matching"] + per["postgresql"] + per["rabbitmq"]
    if total:
        ceiling = 1000 * c2.get("cores", 2) / total
        lines.append(f"each event cost {per['matching']} ms of matching CPU and {per['postgresql']} ms of PostgreSQL "
                     f"CPU: on {c2.get('cores')} otherwise idle cores that caps the platform at about "
                     f"{ceiling:.0f} events/s, one instance at about {1000 / max(per['matching'], 1e-9):.0f}")
    if c2.get("machine_busy_percent_of_all_cores", 0) >= 85:
        lines.append("the machine's cores were (nearly) saturated in the two-instance run: the ratio is bounded by "
                     "the CPU left over, not by the queue split")
    elif c2.get("postgresql", 0) >= 80:
        lines.append("PostgreSQL used most of a core: the database is the likely limit")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=os.path.join(HERE, "results", "operations.json"))
    parser.add_argument("--postgres", default=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--events", type=int, help="proposals to publish per run")
    parser.add_argument("--profiles", type=int)
    parser.add_argument("--timeout", type=float, default=300, help="seconds a run may take")
    parser.add_argument("--only", choices=["scale", "memory"], action="append")
    args = parser.parse_args()
    args.events = args.events or (150 if args.quick else 2000)
    args.profiles = args.profiles or (1500 if args.quick else 5000)
    only = set(args.only or ["scale", "memory"])

    cleanup = []

    def on_signal(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    results = {"quick": args.quick, "host_cores": psutil.cpu_count(),
               "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    try:
        if "scale" in only:
            proposals = make_proposals(args.events)
            say(f"scale-out: {args.events:,} proposals, {args.profiles:,} profiles, one then two instances")
            one = run_matching(args, 1, proposals, cleanup)
            two = run_matching(args, 2, proposals, cleanup)
            ratio = two["events_per_second"] / one["events_per_second"]
            steady = (two["steady_events_per_second_10_to_90pct"] / one["steady_events_per_second_10_to_90pct"]
                      if two["steady_events_per_second_10_to_90pct"] and one["steady_events_per_second_10_to_90pct"]
                      else None)
            results["matching_scale_out"] = {"one": one, "two": two, "ratio_two_to_one": round(ratio, 2),
                                             "ratio_steady": round(steady, 2) if steady else None}
            say(f"scale-out: one {one['events_per_second']} events/s, two {two['events_per_second']} events/s, "
                f"ratio {ratio:.2f}" + (f" (steady part {steady:.2f})" if steady else ""))
            reading = bottleneck(one, two)
            results["matching_scale_out"]["reading"] = reading
            for line in reading:
                say(f"scale-out: {line}")
        if "memory" in only:
            results["memory_at_rest"] = memory_at_rest(args, cleanup, idle_seconds=3 if args.quick else 10)
    finally:
        for step in reversed(cleanup):
            try:
                step()
            except Exception as exc:  # cleanup must go on
                say(f"cleanup: {exc}")
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(results, fh, indent=2)
    say(f"written {args.json}")


if __name__ == "__main__":
    main()
