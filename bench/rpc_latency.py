"""Sequential RPC latency through the gateway: GET one proposal N times, one request at a time
(gateway + proposals in one process, a fresh vhost and fresh databases; RabbitMQ management on
localhost:15672 as guest, PostgreSQL at POSTGRES_URL).  Before/after a change to the RPC path, in
one run, alternating two checkouts (git worktree add /tmp/before <commit>):
    B=$PWD/bench/rpc_latency.py; for i in 1 2 3; do for t in /tmp/before $PWD; do
      (cd $t && PYTHONPATH=shared:services .venv/bin/python $B 1000); done; done
It prints mean, median and p95 per request, and requests per second.
"""
from samskab import green
green.patch()
import statistics, sys, time, uuid, warnings
warnings.filterwarnings("ignore")
import requests, sqlalchemy as sa
from nameko.runners import ServiceRunner
from samskab import migrate, testing
from samskab.config import with_database
from gateway.service import Service as Gateway
from proposals.service import Service as Proposals

import os
PG = os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
from samskab.db import driver_url
admin = sa.create_engine(driver_url(PG + "/postgres"), isolation_level="AUTOCOMMIT")
tag = uuid.uuid4().hex[:8]
vhost = f"lat_{tag}"
requests.put(f"http://localhost:15672/api/vhosts/{vhost}", auth=("guest", "guest")).raise_for_status()
requests.put(f"http://localhost:15672/api/permissions/{vhost}/guest", auth=("guest", "guest"),
             json={"configure": ".*", "write": ".*", "read": ".*"}).raise_for_status()
dbs = {}
for s in ("gateway", "proposals"):
    name = f"lat_{s}_{tag}"
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    dbs[s] = with_database(PG, name)
    migrate.upgrade(s, dbs[s])
base_cfg = {"AMQP_URI": f"amqp://guest:guest@localhost:5672/{vhost}", "MUNICIPALITIES": "*", "METRICS_PORT": 0,
            "RETRY_DELAYS_MS": [50], "OUTBOX_POLL_SECONDS": 0.5, "OUTBOX_BATCH": 500, "max_workers": 10,
            "LOG_LEVEL": "WARNING", "MUNICIPALITY_CATALOG": "", "EVENT_BATCH": 10}
gw = dict(base_cfg, SERVICE="gateway", DATABASE_URL=dbs["gateway"], SECRET_KEY="latency-test-secret-key",
          TOKEN_TTL_SECONDS="3600", MAX_BODY_BYTES="65536", RPC_TIMEOUT_SECONDS="10", PUBLIC_URL="http://localhost",
          WEB_SERVER_ADDRESS="127.0.0.1:0", REQUIRE_CONFIRMED_EMAIL="0", max_workers=100)
pr = dict(base_cfg, SERVICE="proposals", DATABASE_URL=dbs["proposals"])
runners = [ServiceRunner(gw), ServiceRunner(pr)]
runners[0].add_service(Gateway); runners[1].add_service(Proposals)
for r in runners: r.start()
try:
    port = testing.http_port(runners[0].service_map["gateway"])
    api = f"http://127.0.0.1:{port}/api/v1"
    s = requests.Session()
    who = {"email": "lat@example.org", "password": "correct horse battery"}
    s.post(f"{api}/auth/register", json={**who, "display_name": "L", "municipality": "aalborg"}).raise_for_status()
    s.headers["Authorization"] = "Bearer " + s.post(f"{api}/auth/token", json=who).json()["access_token"]
    pid = s.post(f"{api}/municipalities/aalborg/proposals", json={"kind": "policy", "title": "t", "problem": "p",
                 "goal": "g", "language": "da"}).json()["id"]
    url = f"{api}/municipalities/aalborg/proposals/{pid}"
    for _ in range(50):
        assert s.get(url).status_code == 200
    n = int(sys.argv[1])
    times = []
    for _ in range(n):
        t = time.perf_counter(); r = s.get(url); times.append(time.perf_counter() - t)
        assert r.status_code == 200
    times.sort()
    print(f"n={n} mean={statistics.mean(times)*1000:.2f}ms median={times[n//2]*1000:.2f}ms "
          f"p95={times[int(n*.95)]*1000:.2f}ms calls/s={n/sum(times):.0f}")
finally:
    for r in runners: r.stop()
    requests.delete(f"http://localhost:15672/api/vhosts/{vhost}", auth=("guest", "guest"))
    from samskab import db
    for u in dbs.values(): db.dispose_engines(u)
    with admin.connect() as c:
        for u in dbs.values():
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{u.rsplit("/",1)[1]}" WITH (FORCE)'))
