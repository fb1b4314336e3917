#!/usr/bin/env python3
"""Reads of a large database by role, side by side with the same work written by hand in SQL,
measured in one run. Meant for the national data set (bench/national.py) on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub python3 bench/reads.py [--rounds 30]

Each kind of read is sent as the same request with five tokens: admin, a commune's
dashboard (new Xã 07246 of Bắc Ninh), a province's (new Bắc Ninh, 24), the nation's
dashboard and the nation's partner; the rounds interleave the tokens so that the machine's
noise falls on all of them alike. Beside them, `pgbench` runs the statements of
`bench/sql/<kind>.sql` (the rows the admin's request returns, written by hand) for as many
transactions. Figures are medians and p99 of the client's time (HTTP and JSON included for
the hub, not for pgbench); ratios are against the admin's median in the same run.

`--explain` writes `EXPLAIN (ANALYZE, BUFFERS)` of each hand-written statement to
`bench/plans/<kind>.txt` (those statements are the hub's own, with their parameters
written in). Run with `PGOPTIONS='-c jit=off'` so that pgbench and psql plan as the hub's own
connections do (it sets `jit = off`): with JIT on, the scorecard's statement spends a second
compiling. Standard library only; needs pgbench and psql.
"""
import argparse, os, re, subprocess, sys, time, urllib.error, urllib.request, json

from hub import Server, build

HERE = os.path.dirname(os.path.abspath(__file__))
COMMUNE = "07246"
PROVINCE = "24"
DAY = "2026-01-01"
# Filled by bench/national.py for every unit (female, male, total): the cells benchmark reads it.
CELLS_INDICATOR = "EM_PRIMARY_COMPLETION_PCT"
ROLES = [
    ("admin", ["--role", "admin"]),
    ("commune dashboard", ["--role", "dashboard", "--area", COMMUNE, "--area-on", DAY]),
    ("province dashboard", ["--role", "dashboard", "--area", PROVINCE, "--area-on", DAY]),
    ("national dashboard", ["--role", "dashboard", "--area", "VN"]),
    ("national partner", ["--role", "partner", "--area", "VN"]),
]
KINDS = [
    ("one plan", "plan", """{ plan(code: "tan-yen-bdg-2021-2025") { code objectives { code targets { code
       progress { status value period derived } } } reportingStatus(period: "2024") { status } } }"""),
    ("nested dashboard", "nested", """{ plans { code objectives { code targets { code indicator { code
       observations(first: 20) { edges { node { id value period sex area { code } } } } } } } } }"""),
    ("page of 100 values", "page", """{ observations(filter: { indicatorCode: "WOMEN_IN_MANAGEMENT_PCT" }, first: 100) {
       pageInfo { endCursor hasNextPage } edges { node { id value period sex status area { code } } } } }"""),
    ("gender gap", "gap", f"""{{ genderGap(indicatorCode: "EM_PRIMARY_COMPLETION_PCT", areaCode: "{COMMUNE}",
       period: "2026") {{ female male difference }} }}"""),
    ("published page", "published", f"""{{ observations(filter: {{ areaCode: "{PROVINCE}", includeDescendants: true,
       period: "2026" }}, first: 50) {{ edges {{ node {{ value indicator {{ code }} area {{ code }} }} }} }} }}"""),
    ("CSV export, province-year", "export",
     f"/api/v1/observations.csv?areaCode={PROVINCE}&includeDescendants=true&period=2026"),
    ("cells, a province's communes × 6 years", "cells", f"""{{ cells(indicatorCodes: ["{CELLS_INDICATOR}"],
       childrenOf: "{PROVINCE}", level: COMMUNE, periodFrom: "2021", periodTo: "2026") {{ area {{ code }} period sex
       value numerator denominator status derived suppressed }} }}"""),
    ("every plan's scorecard, 2024", "scorecard", """{ plans { code scorecard(period: "2024") { met notMet noData
       objectives { objective { code number title domain } met notMet noData } } } }"""),
]


def call(base, token, what):
    headers = {"Authorization": f"Bearer {token}"}
    if what.startswith("/"):
        req = urllib.request.Request(base + what, headers=headers)
    else:
        headers["Content-Type"] = "application/json"
        req = urllib.request.Request(base + "/graphql", data=json.dumps({"query": what}).encode(), headers=headers)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            body = r.read()
            status = r.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    seconds = time.perf_counter() - started
    if status != 200:
        return seconds, str(status)
    errors = None if what.startswith("/") else json.loads(body).get("errors")
    if not errors:
        return seconds, None
    code = errors[0].get("extensions", {}).get("code", "?")
    if code not in ("FORBIDDEN", "NOT_FOUND"):
        raise RuntimeError(f"{what[:60]}: {errors}")
    return seconds, code


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def pgbench(url, script, transactions):
    """Median latency (ms) of the script as one transaction, from pgbench's per-transaction log."""
    out = subprocess.run(["pgbench", "-n", "-f", script, "-t", str(transactions), "-r", url],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"latency average = ([0-9.]+) ms", out).group(1))


def explain(url, script, target):
    text = "\n".join(line for line in open(script) if not line.startswith("--"))
    statements = [s.strip() for s in text.split(";") if s.strip()]
    with open(target, "w") as f:
        f.write(f"-- EXPLAIN (ANALYZE, BUFFERS) of {os.path.relpath(script, os.path.dirname(HERE))}, "
                "on the national data set\n")
        for statement in statements:
            plan = subprocess.run(["psql", "-qAt", "-d", url, "-c", f"EXPLAIN (ANALYZE, BUFFERS) {statement}"],
                                  capture_output=True, text=True, check=True).stdout
            f.write(f"\n{statement};\n\n{plan}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--only", help="kinds whose short name matches (plan,nested,page,gap,published,export,cells,scorecard)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to the PostgreSQL database of the national set")
    build()
    kinds = [k for k in KINDS if not args.only or k[1] in args.only.split(",")]
    with Server(url, GDH_RATE_LIMIT="100000", GDH_RATE_BURST="100000") as server:
        tokens = [(name, server.token(*flags)) for name, flags in ROLES]
        print(f"| read | SQL by hand | " + " | ".join(name for name, _ in ROLES) + " |")
        print("|---|---:|" + "---:|" * len(ROLES), flush=True)
        for title, short, what in kinds:
            times = {name: [] for name, _ in ROLES}
            refused = {}
            for name, token in tokens:  # warm up: caches, plans, connections
                call(server.base, token, what)
            for _ in range(args.rounds):
                for name, token in tokens:
                    seconds, refused[name] = call(server.base, token, what)
                    times[name].append(seconds)
            script = os.path.join(HERE, "sql", f"{short}.sql")
            by_hand = pgbench(url, script, args.rounds) if os.path.exists(script) else None
            if args.explain and os.path.exists(script):
                os.makedirs(os.path.join(HERE, "plans"), exist_ok=True)
                explain(url, script, os.path.join(HERE, "plans", f"{short}.txt"))
            admin = percentile(times["admin"], 50)
            cells = []
            for name, _ in ROLES:
                p50, p99 = percentile(times[name], 50), percentile(times[name], 99)
                if refused[name]:
                    cells.append(f"refused ({refused[name]})")
                elif name == "admin":
                    hand = f", {by_hand / p50:.2f}× SQL" if by_hand else ""
                    cells.append(f"{p50:.1f} ms (p99 {p99:.1f}{hand})")
                else:
                    cells.append(f"{p50:.1f} ms ({admin / p50:.2f}×; p99 {p99:.1f})")
            hand = f"{by_hand:.1f} ms" if by_hand else "—"
            print(f"| {title} | {hand} | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
