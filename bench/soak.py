#!/usr/bin/env python3
"""A few minutes of mixed reads and pushes against the release binary, as dashboards,
partners, agencies and the statistics office would send them at once. Reports requests,
errors (by kind and code), latency per kind, and the server's memory at the start and end.
Standard library only.

    python3 bench/soak.py                          # SQLite, 180 s, 8 clients
    python3 bench/soak.py --backend postgres --seconds 300 --clients 16
    python3 bench/soak.py --database-url postgres://…/national --seconds 1800   # an existing database

With `--database-url` the soak runs against that database as it is (the national data set
of bench/national.py, say) instead of a fresh seeded one, and leaves what it pushed there.

The per-token rate limit is raised for the run (GDH_RATE_LIMIT): the soak measures the
server, not the limiter. Any error fails the run (exit 1).
"""
import argparse, collections, contextlib, json, random, sys, threading, time, urllib.error, urllib.parse, urllib.request

from hub import Server, build, database

PLAN = """query SoakPlan { plan(code: "tan-yen-bdg-2021-2025") { code objectives { code targets { code
  progress { status value period derived } } } reportingStatus(period: "2024") { status } } }"""
PAGE = """query SoakPage($after: String) { observations(filter: { areaCode: "216" }, first: 100, after: $after) {
  totalCount pageInfo { endCursor hasNextPage } edges { node { id value status } } } }"""
GAP = """query SoakGap { genderGap(indicatorCode: "EM_PRIMARY_COMPLETION_PCT", areaCode: "216", period: "2024") {
  female male difference } }"""
# No totalCount: on the national data set, counting a province's published values reads
# every approved revision (17 s cold); a partner's page does not need it.
PUBLISHED = """query SoakPublished { observations(filter: { areaCode: "24", includeDescendants: true }, first: 50) {
  pageInfo { hasNextPage } edges { node { value indicator { code } area { code } } } } }"""
PUSH = """mutation SoakPush($rows: [ObservationInput!]!) { submitObservations(input: { observations: $rows }) {
  created updated unchanged rejected } }"""
SUBMITTED = """query SoakSubmitted { observations(filter: { areaCode: "216", status: SUBMITTED }, first: 20) {
  edges { node { id } } } }"""
APPROVE = """mutation SoakApprove($ids: [ID!]!) { approveObservations(ids: $ids) { id status } }"""


class Client:
    def __init__(self, base, tokens, stats):
        self.base, self.tokens, self.stats = base, tokens, stats
        self.random = random.Random()

    def call(self, kind, token, path, body=None, content_type="application/json"):
        headers = {"Authorization": f"Bearer {token}"}
        if body is not None:
            headers["Content-Type"] = content_type
        req = urllib.request.Request(self.base + path, data=body, headers=headers,
                                     method="POST" if body is not None else "GET")
        started = time.perf_counter()
        code, payload = "OK", None
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
            if path == "/graphql":
                payload = json.loads(raw)
                if payload.get("errors"):
                    code = payload["errors"][0].get("extensions", {}).get("code", "UNCODED")
        except urllib.error.HTTPError as e:
            code = f"HTTP {e.code}"
        except Exception as e:  # connection refused or reset, timeout
            code = type(e).__name__
        self.stats.record(kind, time.perf_counter() - started, code)
        return payload

    def graphql(self, kind, token, query, variables=None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        return self.call(kind, token, "/graphql", body)

    def step(self):
        r, t = self.random.random(), self.tokens
        if r < 0.20:
            self.graphql("plan + progress (dashboard)", t["dashboard"], PLAN)
        elif r < 0.40:
            self.graphql("observations page (dashboard)", t["dashboard"], PAGE)
        elif r < 0.50:
            self.graphql("gender gap (dashboard)", t["dashboard"], GAP)
        elif r < 0.65:
            self.graphql("published values (partner)", t["partner"], PUBLISHED)
        elif r < 0.70:
            query = urllib.parse.urlencode({"areaCode": "216"})
            self.call("CSV export (partner)", t["partner"], f"/api/v1/observations.csv?{query}")
        elif r < 0.85:
            # 20 values of a few hundred keys: new ones at first, then new revisions.
            keys = self.random.sample(range(400), 20)  # distinct within a push, as a real feed's rows are
            rows = [{"indicatorCode": "ADOLESCENT_BIRTH_RATE", "areaCode": "216", "period": "2024", "sex": "TOTAL",
                     "ageGroup": f"A{k % 10}", "ethnicity": f"E{k // 10:03d}",
                     "value": round(self.random.uniform(10, 60), 1)} for k in keys]
            self.graphql("push 20 values (office)", t["office"], PUSH, {"rows": rows})
        elif r < 0.92:
            body = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n" + "".join(
                f"SEX_RATIO_AT_BIRTH,216,{year},T,,,{self.random.uniform(105, 115):.1f},,,soak\n"
                for year in range(2015, 2025))
            self.call("CSV feed 10 rows (office)", t["office"], "/api/v1/feeds/observations", body.encode(),
                      "text/csv")
        else:
            found = self.graphql("submitted values (office)", t["office"], SUBMITTED)
            edges = (((found or {}).get("data") or {}).get("observations") or {}).get("edges") or []
            if edges:
                self.graphql("approve (office)", t["office"], APPROVE, {"ids": [e["node"]["id"] for e in edges]})


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = collections.defaultdict(list)
        self.errors = collections.Counter()

    def record(self, kind, seconds, code):
        with self.lock:
            self.latency[kind].append(seconds)
            if code != "OK":
                self.errors[(kind, code)] += 1


def pool_in_use(base):
    """Connections in use now, from /metrics, as `in_use/max`."""
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read().decode()
    pool = dict(line.split('"')[1::2][0:1] + [line.rsplit(" ", 1)[1]] for line in text.splitlines()
                if line.startswith("gdh_db_pool_connections{"))
    return f"{pool.get('in_use', '?')}/{pool.get('max', '?')}"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def soak(backend, seconds, clients, database_url=None):
    with (contextlib.nullcontext(database_url) if database_url else database(backend)) as url, \
            Server(url, GDH_RATE_LIMIT="100000", GDH_RATE_BURST="100000") as server:
        tokens = {
            "dashboard": server.token("--role", "dashboard", "--area", "24"),
            "partner": server.token("--role", "partner", "--area", "24"),
            "office": server.token("--role", "statistics_office", "--area", "24"),
        }
        stats, stop = Stats(), threading.Event()
        memory = [("start", 0.0, server.rss_kib())]

        def work():
            client = Client(server.base, tokens, stats)
            while not stop.is_set():
                client.step()

        threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        while time.perf_counter() - started < seconds:
            time.sleep(min(10, seconds))
            elapsed = time.perf_counter() - started
            memory.append(("", elapsed, server.rss_kib()))
            done = sum(len(v) for v in stats.latency.values())
            print(f"  {elapsed:6.0f} s  {done:8,} requests  {sum(stats.errors.values()):5} errors  "
                  f"RSS {memory[-1][2] / 1024:7.1f} MiB  pool in use {pool_in_use(server.base)}", flush=True)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        metrics = urllib.request.urlopen(server.base + "/metrics", timeout=10).read().decode()

    total = sum(len(v) for v in stats.latency.values())
    print(f"\n{backend}: {clients} clients for {elapsed:.0f} s: {total:,} requests, {total / elapsed:,.0f}/s, "
          f"{sum(stats.errors.values())} errors")
    print(f"\n{'kind':<32} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind, values in sorted(stats.latency.items()):
        print(f"{kind:<32} {len(values):9,} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
              f"{percentile(values, 99):8.1f} {max(values) * 1000:8.1f}")
    for (kind, code), n in sorted(stats.errors.items()):
        print(f"error: {kind}: {code} x{n}")
    rss = [kib for _, _, kib in memory]
    print(f"\nserver memory (RSS): start {rss[0] / 1024:.1f} MiB, end {rss[-1] / 1024:.1f} MiB, "
          f"max {max(rss) / 1024:.1f} MiB")
    pushed = [line for line in metrics.splitlines() if line.startswith(("gdh_rows_pushed_total", "gdh_rejected"))]
    print("from /metrics: " + "; ".join(pushed))
    return 0 if not stats.errors else 1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database-url", help="soak this existing database instead of a fresh one")
    args = parser.parse_args()
    build()
    backend = "postgres" if (args.database_url or "").startswith("postgres") else args.backend
    return soak(backend, args.seconds, args.clients, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
