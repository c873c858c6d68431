"""Benchmark of proposal listing: does page 1000 cost what page 1 costs, and 200,000
proposals what 2,000 cost?

    .venv/bin/python bench/proposals_listing.py [--quick] [--keep] [--explain]

Creates two throwaway databases (``samskab_bench_proposals_<random>_2k`` and
``_200k`` on ``POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432``),
migrates them with the proposals service's own migrations, bulk-loads 2,000 and
200,000 proposals with COPY (the first 2,000 are the same in both) and measures
both sizes interleaved, so that load from other processes on a shared machine
falls on both alike.  Each case calls the
service's own query function (``proposals.storage.list_page``), not HTTP:

* newest first, no filter;
* a filter (status = published, kind = development);
* text search (a word in about 17 % of the proposals, in their own language);
* most supported.

For each: p50/p95 of the first page and of a page 1,000 pages deep (reached by
a keyset cursor; when a case has fewer pages, its last page, and the depth is
printed).  Targets: 200k within 1.5x of 2k, deep within 1.5x of first.
"""
import argparse
import io
import os
import random
import statistics
import sys
import time
import uuid
import datetime as dt

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]

import warnings  # noqa: E402

warnings.filterwarnings("ignore")

import sqlalchemy as sa  # noqa: E402

from samskab import migrate  # noqa: E402
from samskab.db import driver_url  # noqa: E402

from proposals import storage  # noqa: E402

PAGE = 20
DEPTH = 1000
MUNICIPALITIES = ["aalborg"] * 18 + ["hjorring", "hamar"]  # most in the one measured
STATUSES = ["submitted"] * 2 + ["published"] * 4 + ["forming", "active", "concluded", "withdrawn"] + ["draft"]
KINDS = ["service", "development", "policy"]
TOPICS = ["mobility", "climate", "culture", "sports", "schools", "elderly", "youth", "nature", "housing", "health",
          "safety", "libraries", "water", "energy", "food", "jobs", "tourism", "harbour", "parks", "digital"]
AREAS = [str(code) for code in range(9000, 9400, 10)]
WORDS = {
    "da": "borgere kommunen skolen vejen parken byen naboer foreninger bibliotek havnen grønne trafik ældre unge "
          "fællesskab område sikkerhed lys bænke træer legeplads".split(),
    "nb": "innbyggere kommunen skolen veien parken byen naboer lag biblioteket havna grønne trafikk eldre unge "
          "fellesskap område trygghet lys benker trær lekeplass".split(),
    "en": "residents council school road park town neighbours clubs library harbour green traffic elderly young "
          "community area safety lights benches trees playground".split(),
}
# The searched word, in each language's inflections, in ~17 % of proposals.
NEEDLE = {"da": ["cykelstier", "cykelsti", "cykelstien"], "nb": ["sykkelvei", "sykkelveier", "sykkelveien"],
          "en": ["bike lanes", "bike lane"]}
QUERY = "cykelsti"  # Danish: the measured municipality speaks Danish
LANGUAGES = ["da"] * 8 + ["en", "nb"]


def rows(n, rng, start):
    """``n`` proposals as COPY text lines."""
    epoch = dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc)
    out = io.StringIO()
    for i in range(start, start + n):
        lang = rng.choice(LANGUAGES)
        words = WORDS[lang]
        text = " ".join(rng.choice(words) for _ in range(12))
        if rng.random() < 0.17:
            text += " " + rng.choice(NEEDLE[lang])
        created = epoch + dt.timedelta(seconds=rng.randrange(5 * 365 * 86400))
        active = created + dt.timedelta(seconds=rng.randrange(90 * 86400))
        topics = "{" + ",".join(rng.sample(TOPICS, rng.randint(0, 3))) + "}"
        support = min(int(rng.paretovariate(1.2)) - 1, 5000)
        values = [
            str(uuid.UUID(int=rng.getrandbits(128))), rng.choice(MUNICIPALITIES), rng.choice(KINDS),
            f"Forslag {i}", text, " ".join(rng.choice(words) for _ in range(8)), "", rng.choice(AREAS), topics,
            "{}", lang, "\\N", rng.choice(STATUSES), str(uuid.UUID(int=rng.getrandbits(128))), "resident",
            created.isoformat(), active.isoformat(), str(support), active.isoformat(),
        ]
        out.write("\t".join(values) + "\n")
    out.seek(0)
    return out


COLUMNS = ("id, municipality, kind, title, problem, goal, description, area, topics, needs, language, iap2_level, "
           "status, initiator_id, initiator_role, created_at, updated_at, support_count, last_activity_at")


def load(engine, n, rng, start, chunk=20000):
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        done, began = 0, time.perf_counter()
        while done < n:
            size = min(chunk, n - done)
            cur.copy_expert(f"COPY proposals ({COLUMNS}) FROM STDIN", rows(size, rng, start + done))
            raw.commit()
            done += size
            rate = done / (time.perf_counter() - began)
            print(f"  loaded {start + done:>7,} proposals ({rate:,.0f}/s)", flush=True)
        cur.execute("ANALYZE proposals")
        raw.commit()
    finally:
        raw.close()


CASES = {
    "newest": dict(sort="newest"),
    "filter": dict(sort="newest", status=["published"], kind="development"),
    "text": dict(sort="newest", text=QUERY),
    "supported": dict(sort="supported"),
}


def deep_cursor(conn, filters):
    """The cursor of the page ``DEPTH`` pages in (or of the last page), found once with
    OFFSET outside the measurement, and the depth it is at."""
    query = storage.list_query("aalborg", limit=0, **filters).limit(None)
    total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar()
    pages = max(1, -(-total // PAGE))
    depth = min(DEPTH, pages - 1)
    if depth == 0:
        return None, 0, total
    sort = filters["sort"]
    key = storage.SORTS[sort].name
    last = conn.execute(query.offset(depth * PAGE - 1).limit(1)).first()
    return storage.encode_cursor(sort, getattr(last, key), last.id), depth, total


def measure(slots, filters, repeats):
    """p50/p95 (ms) for each (connection, cursor) slot; the slots take turns, so
    that each sees the same load on a shared machine."""
    times = [[] for _ in slots]
    for i in range(repeats + 5):
        for n, (conn, cursor) in enumerate(slots):
            began = time.perf_counter()
            page, _ = storage.list_page(conn, "aalborg", limit=PAGE, cursor=cursor, **filters)
            elapsed = (time.perf_counter() - began) * 1000
            assert page
            if i >= 5:  # warm-up
                times[n].append(elapsed)
    result = []
    for series in times:
        series.sort()
        result.append((statistics.median(series), series[int(0.95 * (len(series) - 1))]))
    return result


def explain(engine, conn, filters, cursor):
    stmt = storage.list_query("aalborg", cursor=cursor, limit=PAGE, **filters)
    compiled = stmt.compile(engine, compile_kwargs={"literal_binds": True})
    for line in conn.execute(sa.text(f"EXPLAIN ANALYZE {compiled}")).scalars():
        print("      " + line)


def run(engines, sizes, repeats, show_plans):
    """Every case on both sizes, interleaved; returns {case: {size: (first, deep)}}."""
    results = {}
    conns = [e.connect() for e in engines]
    try:
        for name, filters in CASES.items():
            slots, info = [], []
            for conn in conns:
                cursor, depth, total = deep_cursor(conn, filters)
                slots += [(conn, None), (conn, cursor)]
                info.append((depth, total))
            timings = measure(slots, filters, repeats)
            results[name] = {}
            for k, size in enumerate(sizes):
                first, deep = timings[2 * k], timings[2 * k + 1]
                depth, total = info[k]
                results[name][size] = (first, deep)
                print(f"  {name:<10} {size:>7,} proposals, {total:>7,} listed  first p50 {first[0]:5.2f} ms "
                      f"p95 {first[1]:5.2f} ms   page {depth:>4} p50 {deep[0]:5.2f} ms p95 {deep[1]:5.2f} ms",
                      flush=True)
                if show_plans:
                    explain(engines[k], conns[k], filters, slots[2 * k + 1][1])
    finally:
        for conn in conns:
            conn.close()
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (and 50,000 instead of 200,000)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--explain", action="store_true", help="print the plans of the measured queries")
    args = parser.parse_args()
    server = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432").rstrip("/")
    name = f"samskab_bench_proposals_{uuid.uuid4().hex[:8]}"
    small, large = 2000, (50_000 if args.quick else 200_000)
    repeats = 50 if args.quick else 300
    names = [f"{name}_{size // 1000}k" for size in (small, large)]
    print(f"proposal listing benchmark: databases {', '.join(names)}; page size {PAGE}, deep page = {DEPTH} "
          "pages in (or the last page when there are fewer)", flush=True)
    engines = []
    try:
        for db, size in zip(names, (small, large)):
            migrate.upgrade("proposals", f"{server}/{db}")
            engines.append(sa.create_engine(driver_url(f"{server}/{db}")))
            print(f"loading {size:,} proposals into {db}", flush=True)
            load(engines[-1], size, random.Random(2026), 0)
        print("measuring (both sizes interleaved)", flush=True)
        results = run(engines, (small, large), repeats, args.explain)
        label = f"{large // 1000}k/2k"
        print(f"\nratios of p50            {label} first   {label} deep   deep/first {large // 1000}k   deep/first 2k")
        worst = 0.0
        for case, by_size in results.items():
            (f_s, d_s), (f_l, d_l) = by_size[small], by_size[large]
            ratios = (f_l[0] / f_s[0], d_l[0] / d_s[0], d_l[0] / f_l[0], d_s[0] / f_s[0])
            worst = max(worst, *ratios)
            print(f"  {case:<22} {ratios[0]:>8.2f}      {ratios[1]:>8.2f}       {ratios[2]:>8.2f}      {ratios[3]:>8.2f}")
        print(f"\ntarget: every ratio <= 1.5; worst {worst:.2f} -> {'met' if worst <= 1.5 else 'NOT met'}")
    finally:
        for engine in engines:
            engine.dispose()
        if not args.keep:
            admin = sa.create_engine(driver_url(server + "/postgres"), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                for db in names:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
