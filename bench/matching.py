"""Benchmark of the matching service's domain: matches, similar proposals, panels.

    .venv/bin/python bench/matching.py [--quick] [--json FILE]

1. **Matches**: top-10 participants for one proposal among 100,000 and
   1,000,000 synthetic profiles spread over 98 municipalities (sizes skewed
   like Denmark's), through the inverted index of ``matching.scoring``
   (candidates by shared terms, never a scan).  p50/p95 over many proposals,
   the memory the index takes, and the ratio 1M/100k (target: under 10).
2. **Similar proposals**: lookup among 200,000 proposals of one municipality
   (the worst case) through ``matching.similar.SimilarIndex``: p50/p95.
3. **Panels**: 1,000 and 5,000 volunteers, 30 and 50 seats, four features
   (age, gender, area, education) on a pool skewed the way volunteer pools
   are (older and more educated than the population), quotas from the
   population: the maximin lottery (time, lowest selection probability)
   beside the sequential greedy method most tools use (lowest probability
   estimated over many of its draws, per type of volunteer).

A fourth part runs the service's own path in a scratch database on
``--postgres``: the proposal's terms' packed arrays from ``term_postings``,
every candidate's score bounded, only those that can still change the list
read and fitted (``scoring.rank_bounded``); p50/p95, how many candidates
were read and fitted, and a check that the list is the one ranking every
profile of the largest municipality gives (brute force).

``--quick`` (under 40 s) runs 10,000/100,000 profiles in memory, 2,000/20,000
in PostgreSQL, 10,000 proposals, two panel cases and 100 greedy draws.
The matching figures alone: ``--only matches --only postgres``.
"""
import argparse
import gc
import json
import math
import os
import random
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")]

from matching import panels, scoring, similar  # noqa: E402


def rss_mb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values, p):
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))]


def say(*args):
    print(*args, flush=True)


# -- synthetic municipality data -------------------------------------------------------

SKILLS = [f"{a} {b}" for a in ("cykel", "bygge", "tømrer", "have", "it", "regnskab", "musik", "madlavning",
                                "undervisning", "elektriker", "maler", "design", "jura", "sundhed", "foto",
                                "kommunikation", "projektledelse", "event", "oversættelse", "transport")
          for b in ("mekaniker", "hjælper", "rådgiver", "underviser", "frivillig")]
RESOURCES = ["lokale", "værktøj", "finansiering", "frivillige", "varevogn", "køkken", "have", "scene",
             "projektor", "computere", "bus", "grund", "værksted", "telt", "lydanlæg"]
TOPICS = ["mobilitet", "klima", "ældre", "børn", "unge", "kultur", "idræt", "natur", "sundhed", "trafik",
          "bolig", "erhverv", "uddannelse", "integration", "ensomhed", "byrum", "affald", "energi", "mad",
          "digitalisering", "tryghed", "handicap", "turisme", "landdistrikter", "demokrati", "kunst", "musik",
          "historie", "vand", "biodiversitet"]
KINDS = ["resident"] * 70 + ["business"] * 12 + ["association"] * 12 + ["employee"] * 4 + ["politician"] * 2


def municipalities(n=98):
    weights = [1 / (i + 1) ** 0.9 for i in range(n)]
    return [f"m{i:02d}" for i in range(n)], weights


def areas_of(m):
    return [f"{m}-omraade-{j}" for j in range(20)]


def make_profiles(n, rng, progress_every):
    names, weights = municipalities()
    for i in range(n):
        m = rng.choices(names, weights)[0]
        yield scoring.Profile(
            participant_id=f"p{i:07d}", municipality=m, kind=rng.choice(KINDS),
            skills=rng.sample(SKILLS, rng.randint(1, 3)),
            interests=rng.sample(TOPICS, rng.randint(1, 4)),
            areas=rng.sample(areas_of(m), rng.randint(1, 2)),
            resources=rng.sample(RESOURCES, rng.randint(0, 2)),
            languages=["da"],
            suggest_me=rng.random() < 0.6,
            neighbour_municipalities=[rng.choice(names)] if rng.random() < 0.1 else [],
        )
        if progress_every and (i + 1) % progress_every == 0:
            say(f"  … {i + 1:,} profiles loaded ({rss_mb():,.0f} MB resident)")


def make_proposal(rng, i):
    names, weights = municipalities()
    m = rng.choices(names, weights)[0]
    return scoring.Proposal(
        id=f"q{i}", municipality=m, title="", needs=rng.sample(SKILLS, 2) + rng.sample(RESOURCES, 1),
        topics=rng.sample(TOPICS, 2), area=rng.choice(areas_of(m)), language="da",
    )


def bench_matches(sizes, queries):
    out = {}
    for n in sizes:
        gc.collect()
        before = rss_mb()
        say(f"matches: loading {n:,} profiles into the inverted index")
        rng = random.Random(n)
        index = scoring.ProfileIndex()
        started = time.perf_counter()
        for p in make_profiles(n, rng, progress_every=max(n // 5, 1)):
            index.add(p)
        load = time.perf_counter() - started
        memory = rss_mb() - before
        qrng = random.Random(7)
        proposals = [make_proposal(qrng, i) for i in range(queries)]
        index.top(proposals[0])  # warm the caches
        times, found = [], []
        for pr in proposals:
            t = time.perf_counter()
            top = index.top(pr, 10)
            times.append(time.perf_counter() - t)
            found.append(len(top))
        out[n] = {"profiles": n, "opted_in": len(index), "load_seconds": round(load, 1),
                  "index_memory_mb": round(memory, 1),
                  "p50_ms": round(pct(times, 50) * 1000, 2), "p95_ms": round(pct(times, 95) * 1000, 2),
                  "mean_matches": round(statistics.mean(found), 1), "queries": queries}
        say(f"matches among {n:,}: p50 {out[n]['p50_ms']} ms, p95 {out[n]['p95_ms']} ms, "
            f"index {out[n]['index_memory_mb']:,.0f} MB, {out[n]['mean_matches']} matches per proposal")
        del index
        gc.collect()
    small, large = sizes
    ratio = out[large]["p50_ms"] / out[small]["p50_ms"]
    say(f"matches: p50 ratio {large:,}/{small:,} = {ratio:.2f} (target < 10)")
    return {"runs": list(out.values()), "ratio_p50": round(ratio, 2),
            "ratio_p95": round(out[large]["p95_ms"] / out[small]["p95_ms"], 2)}


def pg_array(items):
    return "{" + ",".join('"' + x.replace("\\", "\\\\").replace('"', '\\"') + '"' for x in items) + "}"


def bench_matches_postgres(sizes, queries, postgres_url, checks=3):
    """The service's own path (``service.Service._rank``): the proposal's term
    arrays read from ``term_postings``, every candidate's score bounded,
    only the candidates that can still change the list read and fitted
    (``scoring.rank_bounded``).  Also counts the candidates read and fitted
    per proposal, and checks on ``checks`` proposals of the largest
    municipality that the list is the one ranking all its profiles gives."""
    import csv
    import io
    import uuid

    import sqlalchemy as sa

    from samskab import migrate
    from samskab.config import with_database
    from samskab.db import driver_url
    from matching.usecases.profiles import scoped_terms as _profile_scoped_terms
    from matching.views import profile_domain as _profile_domain
    from matching.storage import candidate_batches, profiles_by_number

    out = {}
    for n in sizes:
        name = f"samskab_bench_matching_{uuid.uuid4().hex[:8]}"
        url = with_database(postgres_url, name)
        say(f"matches (PostgreSQL): migrating {name} and loading {n:,} profiles")
        migrate.upgrade("matching", url)
        engine = sa.create_engine(driver_url(url))
        try:
            rng = random.Random(n)
            started = time.perf_counter()
            columns = ("participant_id, municipality, role, kind, skills, interests, areas, resources, languages, "
                       "suggest_me, neighbour_municipalities, scoped_terms")
            # each COPY goes through the trigger that keeps term_postings in step, as any write does
            raw = engine.raw_connection()
            try:
                buf, writer, rows = io.StringIO(), None, 0
                writer = csv.writer(buf)
                for i, p in enumerate(make_profiles(n, rng, progress_every=max(n // 5, 1))):
                    writer.writerow([str(uuid.UUID(int=i + 1)), p.municipality, p.kind, p.kind, pg_array(p.skills),
                                     pg_array(p.interests), pg_array(p.areas), pg_array(p.resources),
                                     pg_array(p.languages), "t" if p.suggest_me else "f",
                                     pg_array(p.neighbour_municipalities), pg_array(_profile_scoped_terms(p))])
                    rows += 1
                    if rows == 50_000:
                        buf.seek(0)
                        raw.cursor().copy_expert(f"COPY profiles ({columns}) FROM STDIN WITH (FORMAT csv)", buf)
                        buf, rows = io.StringIO(), 0
                        writer = csv.writer(buf)
                if rows:
                    buf.seek(0)
                    raw.cursor().copy_expert(f"COPY profiles ({columns}) FROM STDIN WITH (FORMAT csv)", buf)
                raw.commit()
            finally:
                raw.close()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE profiles"))
                conn.execute(sa.text("VACUUM ANALYZE term_postings"))
            load = time.perf_counter() - started
            with engine.connect() as conn:
                size_mb = conn.execute(sa.text("SELECT pg_total_relation_size('profiles')")).scalar() / 2**20
                postings_mb = conn.execute(sa.text("SELECT pg_total_relation_size('term_postings')")).scalar() / 2**20
            qrng = random.Random(7)
            proposals = [make_proposal(qrng, i) for i in range(queries)]
            times, found, read, fitted = [], [], [], []
            with engine.connect() as conn:
                def top(pr):
                    counts = [0, 0]

                    def load(numbers):
                        counts[1] += len(numbers)
                        return [_profile_domain(r) for r in profiles_by_number(conn, numbers)]

                    def batches():
                        for batch in candidate_batches(conn, pr.municipality, scoring.score_bound(pr)):
                            counts[0] += len(batch)
                            yield batch

                    return scoring.rank_bounded(pr, batches(), load, 10), counts

                for pr in [proposals[0]] + proposals:
                    t = time.perf_counter()
                    matches, counts = top(pr)
                    times.append(time.perf_counter() - t)
                    found.append(len(matches))
                    read.append(counts[0])
                    fitted.append(counts[1])
                times, found, read, fitted = times[1:], found[1:], read[1:], fitted[1:]  # the first warms the caches
                # the same list as ranking every profile of the municipality, brute force
                largest = municipalities()[0][0]
                pool = [_profile_domain(r) for r in conn.execute(sa.text(
                    "SELECT * FROM profiles WHERE municipality = :m OR :m = ANY(neighbour_municipalities)"),
                    {"m": largest})]
                crng = random.Random(11)
                samples = []
                while len(samples) < checks:
                    pr = make_proposal(crng, len(samples))
                    if pr.municipality == largest:
                        samples.append(pr)
                identical = sum(
                    [(m.participant_id, m.score, m.reasons) for m in top(pr)[0]]
                    == [(m.participant_id, m.score, m.reasons) for m in scoring.rank(pr, pool, 10)]
                    for pr in samples)
            out[n] = {"profiles": n, "load_seconds": round(load, 1), "table_and_indexes_mb": round(size_mb, 1),
                      "term_postings_mb": round(postings_mb, 1),
                      "p50_ms": round(pct(times, 50) * 1000, 2), "p95_ms": round(pct(times, 95) * 1000, 2),
                      "candidates_read_p50": pct(read, 50), "candidates_read_p95": pct(read, 95),
                      "profiles_fitted_p50": pct(fitted, 50), "profiles_fitted_p95": pct(fitted, 95),
                      "mean_matches": round(statistics.mean(found), 1), "queries": queries,
                      "largest_municipality_pool": len(pool),
                      "same_as_brute_force": f"{identical}/{len(samples)}"}
            say(f"matches (PostgreSQL) among {n:,}: p50 {out[n]['p50_ms']} ms, p95 {out[n]['p95_ms']} ms, "
                f"candidates read p50/p95 {out[n]['candidates_read_p50']}/{out[n]['candidates_read_p95']}, "
                f"fitted p50/p95 {out[n]['profiles_fitted_p50']}/{out[n]['profiles_fitted_p95']}, "
                f"profiles {out[n]['table_and_indexes_mb']:,.0f} MB + term arrays {out[n]['term_postings_mb']:,.0f} MB,"
                f" same list as brute force over the {len(pool):,} profiles of {largest}: {identical}/{len(samples)}")
        finally:
            engine.dispose()
            admin = sa.create_engine(driver_url(with_database(postgres_url, "postgres")), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    small, large = sizes
    ratio = out[large]["p50_ms"] / out[small]["p50_ms"]
    say(f"matches (PostgreSQL): p50 ratio {large:,}/{small:,} = {ratio:.2f} (target < 10)")
    return {"runs": list(out.values()), "ratio_p50": round(ratio, 2),
            "ratio_p95": round(out[large]["p95_ms"] / out[small]["p95_ms"], 2)}


# -- similar proposals -----------------------------------------------------------------

WORDS = {
    "subject": ["cykelsti", "legeplads", "bænk", "gadelys", "hundeskov", "byhave", "værksted", "fællesspisning",
                "lektiecafé", "busrute", "affaldssortering", "bålplads", "skaterbane", "bibliotek", "badebro",
                "shelter", "løbesti", "multibane", "kunstgræs", "ladestander", "delebil", "genbrugsbutik",
                "klatrevæg", "udekøkken", "sansehave", "frugtlund", "bytorv", "naturlegeplads", "vandrerute",
                "fortov"],
    "verb": ["etablere", "forbedre", "renovere", "udvide", "bygge", "åbne", "flytte", "forskønne", "sikre"],
    "place": ["ved skolen", "i byparken", "ved søen", "i centrum", "ved stationen", "i landsbyen", "ved havnen",
              "i boligområdet", "ved hallen", "ved plejehjemmet", "i skoven", "ved stranden"],
    "who": ["børn", "ældre", "unge", "familier", "pendlere", "hundeejere", "beboere", "elever", "turister"],
    "why": ["mangler et sted at mødes", "føler sig utrygge om aftenen", "kører langt i bil",
            "har for få tilbud", "savner grønne områder", "bliver ensomme", "kan ikke komme frem",
            "mangler plads til aktiviteter"],
}


def synthetic_proposal(rng):
    s, v, p, w, y = (rng.choice(WORDS[k]) for k in ("subject", "verb", "place", "who", "why"))
    extra = rng.choice(WORDS["subject"])
    title = f"{v.capitalize()} {s} {p}"
    body = (f"{w.capitalize()} {p} {y}. Vi foreslår at {v} {s} og måske {extra}, "
            f"så {w} får et bedre hverdagsliv. Projekt nummer {rng.randint(1, 10**6)}.")
    return title, body


def bench_similar(n, queries):
    say(f"similar: loading {n:,} proposals of one municipality")
    rng = random.Random(3)
    gc.collect()
    before = rss_mb()
    index = similar.SimilarIndex()
    started = time.perf_counter()
    for i in range(n):
        title, body = synthetic_proposal(rng)
        index.add(f"s{i}", "aalborg", similar.features(title, body, "da"))
        if (i + 1) % max(n // 5, 1) == 0:
            say(f"  … {i + 1:,} proposals loaded ({rss_mb():,.0f} MB resident)")
    load = time.perf_counter() - started
    times, hits = [], []
    qrng = random.Random(11)
    for _ in range(queries):
        title, body = synthetic_proposal(qrng)
        feats = similar.features(title, body, "da")
        t = time.perf_counter()
        found = index.query("aalborg", feats, k=5)
        times.append(time.perf_counter() - t)
        hits.append(len(found))
    result = {"proposals": n, "load_seconds": round(load, 1), "index_memory_mb": round(rss_mb() - before, 1),
              "p50_ms": round(pct(times, 50) * 1000, 2), "p95_ms": round(pct(times, 95) * 1000, 2),
              "mean_results": round(statistics.mean(hits), 2), "queries": queries}
    say(f"similar among {n:,}: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
    return result


# -- panels ------------------------------------------------------------------------------

POPULATION = {
    "age": {"16-29": 0.22, "30-44": 0.24, "45-64": 0.32, "65+": 0.22},
    "gender": {"female": 0.5, "male": 0.5},
    "area": {"north": 0.2, "south": 0.2, "east": 0.2, "west": 0.2, "centre": 0.2},
    "education": {"basic": 0.25, "vocational": 0.40, "higher": 0.35},
}
POOL = {  # volunteers: older and more educated than the population
    "age": {"16-29": 0.08, "30-44": 0.17, "45-64": 0.35, "65+": 0.40},
    "gender": {"female": 0.45, "male": 0.55},
    "area": {"north": 0.15, "south": 0.15, "east": 0.20, "west": 0.20, "centre": 0.30},
    "education": {"basic": 0.10, "vocational": 0.25, "higher": 0.65},
}


def skewed_pool(n, rng):
    pool = []
    for i in range(n):
        feats = {}
        for f, shares in POOL.items():
            values, weights = zip(*shares.items())
            feats[f] = rng.choices(values, weights)[0]
        # correlation seen in real pools: the young are rarely basic-educated volunteers
        if feats["age"] == "16-29" and rng.random() < 0.5:
            feats["education"] = "higher"
        pool.append(panels.Volunteer(f"v{i:05d}", feats))
    return pool


def population_quotas(size):
    """The population's shares of the seats, with one seat of slack either way."""
    quotas = []
    for f, shares in POPULATION.items():
        for value, share in shares.items():
            target = share * size
            quotas.append(panels.Quota(f, value, max(0, math.floor(target) - 1), math.ceil(target) + 1))
    return quotas


def wilson_upper(successes, trials, z=1.96):
    if trials == 0:
        return 1.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return (centre + spread) / (1 + z * z / trials)


def bench_panels(cases, greedy_runs):
    results = []
    for n, k in cases:
        rng = random.Random(n * 100 + k)
        pool = skewed_pool(n, rng)
        quotas = population_quotas(k)
        say(f"panels: {n:,} volunteers, {k} seats: maximin lottery …")
        t = time.perf_counter()
        selection = panels.select(pool, k, quotas, seed=2026)
        maximin_seconds = time.perf_counter() - t
        say(f"panels: {n:,} volunteers, {k} seats: leximin lottery …")
        t = time.perf_counter()
        lexi = panels.select(pool, k, quotas, seed=2026, rule="leximin")
        leximin_seconds = time.perf_counter() - t
        low, lex = sorted(selection.probabilities.values()), sorted(lexi.probabilities.values())
        above = next(((i, lex[i], low[i]) for i in range(len(low)) if abs(lex[i] - low[i]) > 1e-6), None)
        problem = panels.Problem(pool, k, quotas)
        say(f"panels: {n:,} volunteers, {k} seats: {greedy_runs} greedy draws …")
        grng = random.Random(1)
        totals = [0] * len(problem.units)
        t = time.perf_counter()
        done = 0
        for _ in range(greedy_runs):
            counts = panels.greedy_counts(problem, grng)
            if counts is None:
                continue
            done += 1
            for u, c in enumerate(counts):
                totals[u] += c
        greedy_seconds = (time.perf_counter() - t) / max(done, 1)
        greedy_prob = [totals[u] / (done * problem.cap[u]) for u in range(len(problem.units))]
        greedy_lowest = min(greedy_prob)
        # An estimate from finitely many draws is noisy, and the minimum of noisy
        # estimates is biased low; the 95% Wilson upper bound of each type's
        # chance keeps the comparison conservative (in greedy's favour).
        greedy_lowest_upper = min(wilson_upper(totals[u], done * problem.cap[u]) for u in range(len(problem.units)))
        result = {
            "volunteers": n, "seats": k, "types": len(problem.units),
            "maximin_seconds": round(maximin_seconds, 2),
            "maximin_lowest_probability": round(selection.lowest_probability, 5),
            "leximin_seconds": round(leximin_seconds, 2),
            "leximin_lowest_probability": round(lexi.lowest_probability, 5),
            "leximin_panels_in_lottery": lexi.panels_in_lottery,
            # the first volunteer (in increasing order of chance) whose chance differs, and both chances
            "leximin_first_difference": None if above is None else {
                "rank": above[0], "leximin": round(above[1], 5), "maximin": round(above[2], 5)},
            "volunteers_at_the_lowest": {"maximin": sum(p < low[0] + 1e-6 for p in low),
                                         "leximin": sum(p < lex[0] + 1e-6 for p in lex)},
            "panels_in_lottery": selection.panels_in_lottery,
            "greedy_draws": done, "greedy_seconds_per_draw": round(greedy_seconds, 4),
            "greedy_lowest_probability": round(greedy_lowest, 5),
            "greedy_lowest_probability_volunteers_zero": sum(
                problem.cap[u] for u in range(len(problem.units)) if greedy_prob[u] == 0),
            "uniform_would_be": round(k / n, 5),
            "greedy_lowest_probability_upper95": round(greedy_lowest_upper, 5),
            "ratio_maximin_to_greedy_upper95": round(selection.lowest_probability / greedy_lowest_upper, 2),
        }
        say(f"panels {n:,}/{k}: leximin {result['leximin_seconds']} s, lowest p {result['leximin_lowest_probability']},"
            f" first difference {result['leximin_first_difference']}, at the lowest {result['volunteers_at_the_lowest']}")
        say(f"panels {n:,}/{k}: maximin {result['maximin_seconds']} s, lowest p {result['maximin_lowest_probability']}"
            f" | greedy lowest p {result['greedy_lowest_probability']} (over {done} draws)"
            f" (95% upper bound {result['greedy_lowest_probability_upper95']})"
            f" | maximin/greedy ≥ {result['ratio_maximin_to_greedy_upper95']}×")
        results.append(result)
    return results


PANEL_SECONDS = 6.0   # MATCHING_PANEL_SECONDS' default


def bench_households(runs=3, n=1000, k=30):
    """The household case: 1,000 volunteers in households of two, 30 seats, the
    population quotas, one per household, with the service's time limit; the
    maximin optimum must be proven within half of it."""
    rng = random.Random(n * 100 + k)
    pool = [panels.Volunteer(v.id, v.features, household=f"h{i // 2}") for i, v in enumerate(skewed_pool(n, rng))]
    quotas = population_quotas(k)
    results = []
    for rule in ("maximin", "leximin"):
        for run in range(runs if rule == "maximin" else 1):
            t, cpu = time.perf_counter(), time.thread_time()
            selection = panels.select(pool, k, quotas, seed=run, one_per_household=True, time_limit=PANEL_SECONDS,
                                      rule=rule)
            seconds, cpu = time.perf_counter() - t, time.thread_time() - cpu
            # MATCHING_PANEL_SECONDS counts the solver's CPU time (this thread's); the wall time on a
            # shared machine also waits for the CPU
            result = {"rule": rule, "run": run + 1, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
                      "load_average": round(os.getloadavg()[0], 1), "proven": selection.optimal,
                      "within_half_the_limit": selection.optimal and cpu <= PANEL_SECONDS / 2,
                      "within_half_the_limit_wall": selection.optimal and seconds <= PANEL_SECONDS / 2,
                      "lowest_probability": round(selection.lowest_probability, 6),
                      "bound": round(selection.upper_bound, 6), "panels_in_lottery": selection.panels_in_lottery}
            say(f"households {n:,}/{k} {rule} run {run + 1}: {result['seconds']} s ({result['cpu_seconds']} s CPU,"
                f" load {result['load_average']}), proven {result['proven']},"
                f" lowest p {result['lowest_probability']} (bound {result['bound']})")
            results.append(result)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=os.path.join(HERE, "results", "matching.json"))
    parser.add_argument("--postgres", default=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432"),
                        help="server for the service-path run (a scratch database is made and dropped)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL (service path) run")
    parser.add_argument("--only", choices=["matches", "postgres", "similar", "panels", "households"], action="append")
    args = parser.parse_args()
    # --quick must end within bench/run.py's 40 s for a quick section on a shared machine
    if args.quick:
        sizes, pg_sizes, proposals_n, greedy_runs, queries = (10_000, 100_000), (2_000, 20_000), 10_000, 100, 50
        panel_cases = [(1000, 30), (5000, 50)]
    else:
        sizes, pg_sizes, proposals_n, greedy_runs, queries = (100_000, 1_000_000), (100_000, 1_000_000), 200_000, 1000, 200
        panel_cases = [(1000, 30), (1000, 50), (5000, 30), (5000, 50)]
    only = set(args.only or ["matches", "postgres", "similar", "panels", "households"])
    results = {"quick": args.quick}
    if "matches" in only:
        results["matches"] = bench_matches(sizes, queries)
    if "postgres" in only and not args.no_postgres:
        results["matches_postgres"] = bench_matches_postgres(pg_sizes, queries, args.postgres,
                                                             checks=1 if args.quick else 3)
    if "similar" in only:
        results["similar"] = bench_similar(proposals_n, queries)
    if "panels" in only:
        results["panels"] = bench_panels(panel_cases, greedy_runs)
    if "households" in only:
        results["households"] = bench_households()
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as fh:
        json.dump(results, fh, indent=2)
    say(f"written {args.json}")


if __name__ == "__main__":
    main()
