"""Benchmark of the web pages: the proposal list and a proposal's page with
200,000 proposals against the same pages with 2,000.

    .venv/bin/python bench/web_pages.py [--quick] [--rounds N] [--json PATH] [--keep-logs]

Two small platforms run side by side, each the real gateway and the real
proposals service as their own processes (``python -m samskab.run``, through
``bench/harness.py``'s ``Platform``), each on its own throwaway RabbitMQ vhost
with its own throwaway databases (migrated by the services' own migrations).
One proposals database gets 2,000 proposals, the other 200,000 (50,000 with
``--quick``), bulk-loaded by ``bench/proposals_listing.py``'s loader (the first
2,000 are the same in both; ~90 % in aalborg, the measured municipality).

Pages, requested anonymously over loopback with a keep-alive session:

* ``list``      GET /municipalities/aalborg/proposals (first page, newest first)
* ``deep``      the page ~50 pages in, reached by following the pages' own "next" links
* ``filter``    ?status=published&kind=development
* ``search``    ?q=cykelsti (a word in ~17 % of the proposals)
* ``supported`` ?sort=supported
* ``detail``    GET /municipalities/aalborg/proposals/<id>, cycling through a sample of
                public proposals present in both databases

Server time is what the gateway's access log reports for each request (found by
the trace id sent in ``traceparent``); the time the client saw is reported next
to it.  Both sizes are interleaved, request by request, alternating which goes
first, so that load from other processes on a shared machine falls on both
alike.  Target: p50 with 200k within 1.5x of p50 with 2k.

Not part of it: the matching and meetings services do not run, so the detail
page is rendered without "similar proposals" and "meetings" (the gateway's
RPC to an absent service fails at once and the page leaves that part out).
Databases and vhosts are dropped at the end, also on failure or Ctrl-C.
"""
import argparse
import html
import json
import os
import random
import re
import signal
import statistics
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

import harness  # noqa: E402
import proposals_listing  # noqa: E402

M = "aalborg"
BASE = f"/municipalities/{M}/proposals"
DEEP_PAGES = 50
DETAIL_SAMPLE = 20
PUBLIC = ("published", "forming", "active", "concluded")
PAGES = {
    "list": BASE,
    "deep": None,  # found by following "next" links
    "filter": BASE + "?status=published&kind=development",
    "search": BASE + "?q=" + proposals_listing.QUERY,
    "supported": BASE + "?sort=supported",
    "detail": None,  # a sample of ids
}
ACCESS = re.compile(r"(\d+(?:\.\d+)?)ms traceparent=00-([0-9a-f]{32})-")
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')
LINKED = re.compile(r'href="/municipalities/%s/proposals/([0-9a-f-]{36})"' % M)


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))]


class Size:
    """One platform (gateway + proposals) holding ``n`` proposals."""

    def __init__(self, n, postgres_url):
        import requests

        self.n = n
        self.vhost = harness.Vhost(prefix="samskab-bench-web")
        self.platform = harness.Platform(self.vhost.uri, postgres_url, name=f"web{n // 1000}k",
                                         services=["proposals", "gateway"])
        self.session = requests.Session()
        self.sent = {}   # trace id -> (page, client ms)
        self.deep_url = None
        self.deep_depth = 0
        self.listed = {}  # page -> proposals linked from it (checked once)

    def prepare(self):
        self.platform.prepare()
        engine = harness.driver_engine(self.platform.db_urls["proposals"])
        try:
            print(f"loading {self.n:,} proposals into {self.platform.db_urls['proposals'].rsplit('/', 1)[1]}",
                  flush=True)
            proposals_listing.load(engine, self.n, random.Random(2026), 0)
        finally:
            engine.dispose()

    def start(self):
        # The gateway's access log (INFO) carries the server time; the proposals service's own INFO is not needed.
        self.platform.start("proposals", env={"LOG_LEVEL": "WARNING"})
        self.platform.start("gateway", env={"LOG_LEVEL": "INFO"})

    def wait_ready(self, timeout=90):
        def ready():
            for (service, _), proc in self.platform.procs.items():
                if proc.poll() is not None:
                    raise RuntimeError(f"{service} exited with {proc.returncode}; see {self.platform.log_path(service)}")
            try:
                return self.session.get(self.platform.base_url + BASE, timeout=5).status_code == 200
            except Exception:
                return False

        deadline = time.time() + timeout
        while time.time() < deadline:
            if ready():
                return
            time.sleep(0.3)
        raise TimeoutError(f"the {self.n:,} platform was not ready in {timeout}s (logs in {self.platform.log_dir})")

    def get(self, page, path, record=True):
        trace = os.urandom(16).hex()
        began = time.perf_counter()
        r = self.session.get(self.platform.base_url + path, timeout=60, allow_redirects=False,
                             headers={"traceparent": f"00-{trace}-{os.urandom(8).hex()}-01"})
        elapsed = (time.perf_counter() - began) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"GET {path} on the {self.n:,} platform answered {r.status_code}")
        if record:
            self.sent[trace] = (page, elapsed)
        return r

    def find_deep(self):
        """Follow the list's own "next" links ``DEEP_PAGES`` times (or to the last page)."""
        url, depth = BASE, 0
        while depth < DEEP_PAGES:
            found = NEXT.search(self.get("walk", url, record=False).text)
            if not found:
                break
            url, depth = html.unescape(found.group(1)), depth + 1
        self.deep_url, self.deep_depth = url, depth

    def server_times(self):
        """{trace id: server ms} from the gateway's access log."""
        times = {}
        with open(self.platform.log_path("gateway"), encoding="utf-8", errors="replace") as fh:
            for line in fh:
                found = ACCESS.search(line)
                if found:
                    times[found.group(2)] = float(found.group(1))
        return times

    def results(self):
        server = self.server_times()
        by_page = {}
        for trace, (page, client_ms) in self.sent.items():
            entry = by_page.setdefault(page, {"server": [], "client": []})
            entry["client"].append(client_ms)
            if trace in server:
                entry["server"].append(server[trace])
        out = {}
        for page, entry in by_page.items():
            # Server time when the log had every request; the client's otherwise (said so in the figures).
            use = entry["server"] if len(entry["server"]) == len(entry["client"]) else entry["client"]
            out[page] = {
                "samples": len(entry["client"]),
                "source": "server" if use is entry["server"] else "client",
                "p50_ms": round(statistics.median(use), 2), "p95_ms": round(percentile(use, 95), 2),
                "client_p50_ms": round(statistics.median(entry["client"]), 2),
                "client_p95_ms": round(percentile(entry["client"], 95), 2),
            }
        return out

    def close(self):
        try:
            self.session.close()
            self.platform.stop_all()
        finally:
            try:
                self.platform.drop()
            finally:
                self.vhost.drop()


def detail_ids(size):
    """Public aalborg proposals among the first 2,000 (so present in both databases)."""
    rows = size.platform.rows(
        "proposals", "SELECT id FROM proposals WHERE municipality = :m AND status = ANY(:s) ORDER BY id LIMIT :n",
        m=M, s=list(PUBLIC), n=DETAIL_SAMPLE)
    return [str(r.id) for r in rows]


def measure(sizes, ids, rounds, warmup):
    total = rounds + warmup
    began = time.perf_counter()
    for i in range(total):
        record = i >= warmup
        for page, path in PAGES.items():
            order = sizes if i % 2 == 0 else sizes[::-1]
            for size in order:
                if page == "deep":
                    url = size.deep_url
                elif page == "detail":
                    url = f"{BASE}/{ids[i % len(ids)]}"
                else:
                    url = path
                r = size.get(page, url, record=record)
                if i == 0 and page != "detail":  # a page that lists nothing would be cheap for the wrong reason
                    listed = len(set(LINKED.findall(r.text)))
                    size.listed[page] = listed
                    if not listed:
                        raise RuntimeError(f"{url} lists no proposals on the {size.n:,} platform")
        if (i + 1) % max(1, total // 10) == 0 or i + 1 == total:
            print(f"  round {i + 1}/{total}{' (warm-up)' if not record else ''}, "
                  f"{(i + 1) * len(PAGES) * len(sizes) / (time.perf_counter() - began):.0f} requests/s", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 vs 50,000 proposals and fewer requests")
    parser.add_argument("--rounds", type=int, help="measured requests per page and size (default 150, quick 25)")
    parser.add_argument("--json", help="where to write the figures (default bench/results/web_pages.json)")
    parser.add_argument("--keep-logs", action="store_true", help="print where the services' logs are and keep them")
    args = parser.parse_args(argv)
    small, large = 2000, (50_000 if args.quick else 200_000)
    rounds = args.rounds or (25 if args.quick else 150)
    warmup = 3 if args.quick else 10
    args.json = args.json or os.path.join(HERE, "results", "web_pages.json")
    postgres_url = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")

    print(f"web pages benchmark: {small:,} vs {large:,} proposals, gateway + proposals service per size, "
          f"{rounds} requests per page and size after {warmup} warm-up", flush=True)
    sizes = []
    started = time.perf_counter()

    def stop(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, stop)  # a stopped run still drops what it made
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started with SIGINT ignored (`cmd &`)
    try:
        for n in (small, large):
            sizes.append(Size(n, postgres_url))
            sizes[-1].prepare()
        print("starting the services", flush=True)
        for size in sizes:
            size.start()
        for size in sizes:
            size.wait_ready()
        ids = detail_ids(sizes[0])
        for size in sizes:
            size.find_deep()
            print(f"  {size.n:,}: deep page is {size.deep_depth} pages in", flush=True)
        print(f"measuring (both sizes interleaved; {len(ids)} proposals for the detail page)", flush=True)
        measure(sizes, ids, rounds, warmup)

        figures = {s.n: s.results() for s in sizes}
        big = f"{large // 1000}k"
        label = f"{big}/2k"
        print(f"\n{'page':<10} {'2k p50':>8} {'2k p95':>8} {big + ' p50':>9} {big + ' p95':>9}   ratio p50  ratio p95   (ms, server)")
        pages, worst = {}, 0.0
        for page in PAGES:
            s, l_ = figures[small][page], figures[large][page]
            r50, r95 = l_["p50_ms"] / s["p50_ms"], l_["p95_ms"] / s["p95_ms"]
            worst = max(worst, r50)
            pages[page] = {str(small): s, str(large): l_, "ratio_p50": round(r50, 2), "ratio_p95": round(r95, 2)}
            print(f"{page:<10} {s['p50_ms']:>8.1f} {s['p95_ms']:>8.1f} {l_['p50_ms']:>9.1f} {l_['p95_ms']:>9.1f}"
                  f"   {r50:>9.2f}  {r95:>9.2f}" + ("" if s["source"] == l_["source"] == "server" else "  (client time)"),
                  flush=True)
        met = worst <= 1.5
        print(f"\ntarget: {label} p50 within 1.5x on every page; worst {worst:.2f} -> {'met' if met else 'NOT met'}",
              flush=True)
        result = {
            "sizes": [small, large], "municipality": M, "quick": args.quick, "rounds": rounds, "warmup": warmup,
            "deep_page": {str(s.n): s.deep_depth for s in sizes},
            "listed_per_page": {str(s.n): s.listed for s in sizes}, "detail_sample": len(ids),
            "pages": pages, "target_ratio": 1.5, "worst_ratio_p50": round(worst, 2), "met": met,
            "via": "HTTP on loopback to the gateway process; server time from the gateway's access log",
            "not_running": ["matching", "meetings", "notifications"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)
        print(f"written to {os.path.relpath(args.json)}", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave half of it behind
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for size in sizes:
            if args.keep_logs:
                print(f"logs of the {size.n:,} platform: {size.platform.log_dir}", flush=True)
            try:
                size.close()
            except Exception as exc:
                print(f"cleanup of the {size.n:,} platform failed: {exc}", file=sys.stderr, flush=True)
        if not args.keep_logs:
            import shutil

            for size in sizes:
                shutil.rmtree(size.platform.workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
