#!/usr/bin/env python3
"""Pushes 100,000 rows through the CSV feed and through GraphQL, on SQLite and PostgreSQL,
and prints rows per second. Standard library only.

    python3 bench/push.py                 # both backends
    python3 bench/push.py --backend sqlite
    GDH_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 python3 bench/push.py --backend postgres

It builds the release binary, starts it on a free port of 127.0.0.1 against a fresh
database (a temporary SQLite file, or a PostgreSQL database with a random name that is
dropped afterwards), and talks to it over HTTP like any client.
"""
import argparse, json, os, subprocess, sys, tempfile, time

from hub import Server, build, database, request

ROWS = 100_000
GRAPHQL_BATCH = 2_000  # a GraphQL body stays under the 1 MiB request limit
HEADER = "indicator,area,period,sex,age_group,ethnicity,value,numerator,denominator,comment\n"


def rows(period, value):
    # Adolescent birth rate by age group and ethnicity: 100,000 distinct keys in one district.
    for i in range(ROWS):
        yield ("ADOLESCENT_BIRTH_RATE", "216", period, "T", f"A{i % 10}", f"E{i // 10:05d}", value + (i % 7))


def csv_body(period, value):
    return HEADER + "".join(f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]},{r[6]},,,\n" for r in rows(period, value))


def run_backend(name, database_url):
    with Server(database_url) as server:
        base = server.base
        token = server.token("--role", "admin")
        auth = {"Authorization": f"Bearer {token}"}
        results = []

        def feed(label, body):
            data = body.encode()
            start = time.perf_counter()
            s = request(base + "/api/v1/feeds/observations", data, dict(auth, **{"Content-Type": "text/csv"}))
            seconds = time.perf_counter() - start
            assert s["rejected"] == 0, s["errors"][:3]
            results.append((name, label, ROWS, seconds, s))

        feed("CSV feed, 100,000 new rows", csv_body("2024", 10))
        feed("CSV feed, the same rows again (unchanged)", csv_body("2024", 10))
        feed("CSV feed, every value changed (new revisions)", csv_body("2024", 20))

        mutation = "mutation($i: SubmitObservationsInput!) { submitObservations(input: $i) { created updated unchanged rejected } }"
        batch, total, seconds = [], {"created": 0, "updated": 0, "unchanged": 0, "rejected": 0}, 0.0

        def send(batch):
            body = json.dumps({"query": mutation, "variables": {"i": {"observations": batch}}}).encode()
            start = time.perf_counter()
            answer = request(base + "/graphql", body, dict(auth, **{"Content-Type": "application/json"}))
            elapsed = time.perf_counter() - start
            s = answer["data"]["submitObservations"]
            for k in total:
                total[k] += s[k]
            return elapsed

        for r in rows("2025", 10):
            batch.append({"indicatorCode": r[0], "areaCode": r[1], "period": r[2], "sex": "TOTAL",
                          "ageGroup": r[4], "ethnicity": r[5], "value": r[6]})
            if len(batch) == GRAPHQL_BATCH:
                seconds += send(batch)
                batch = []
        if batch:
            seconds += send(batch)
        assert total["rejected"] == 0
        results.append((name, f"GraphQL, 100,000 new rows in pushes of {GRAPHQL_BATCH:,}", ROWS, seconds, total))
        return results


BASELINE_SQL = """\\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE staged (indicator_code text, area_id bigint, period text, sex text, age_group text,
  ethnicity text, value float8) ON COMMIT DROP;
\\copy staged FROM '{file}' (FORMAT csv)
INSERT INTO observations (indicator_code, area_id, period, sex, age_group, ethnicity, value, status, revision,
  reported_by, reported_at)
  SELECT indicator_code, area_id, period, sex, age_group, ethnicity, value, 'SUBMITTED', 1, 'baseline', now()
  FROM staged;
INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, status, comment,
  reported_by, reported_at)
  SELECT id, revision, value, numerator, denominator, status, comment, reported_by, reported_at
  FROM observations WHERE reported_by = 'baseline';
COMMIT;
"""


def baseline_postgres(database_url):
    """The same 100,000 new rows by hand, on the hub's own schema (migrated and seeded by the
    hub): COPY into a temporary table, then one INSERT … SELECT and the revisions."""
    with Server(database_url):
        pass  # migrates and seeds, then stops
    area = subprocess.run(["psql", "-qtA", "-d", database_url, "-c", "SELECT id FROM areas WHERE code = '216'"],
                          check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "rows.csv")
        with open(data, "w") as f:
            for r in rows("2024", 10):
                f.write(f"{r[0]},{area},{r[2]},TOTAL,{r[4]},{r[5]},{r[6]}\n")
        script = os.path.join(tmp, "baseline.sql")
        with open(script, "w") as f:
            f.write(BASELINE_SQL.format(file=data))
        start = time.perf_counter()
        subprocess.run(["psql", "-q", "-d", database_url, "-f", script], check=True)
        seconds = time.perf_counter() - start
    return ("PostgreSQL", "by hand: COPY, INSERT … SELECT, revisions", ROWS, seconds, None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    build()
    results = []
    for backend, label in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        if args.backend in (backend, "both"):
            with database(backend) as url:
                results += run_backend(label, url)
            if backend == "postgres":
                with database(backend) as url:
                    results.append(baseline_postgres(url))
    print(f"\n{'backend':<11} {'push':<50} {'seconds':>8} {'rows/s':>9}")
    for backend, label, n, seconds, _ in results:
        print(f"{backend:<11} {label:<50} {seconds:8.2f} {n / seconds:9,.0f}")
    hub = [r for r in results if r[0] == "PostgreSQL" and r[1].startswith("CSV feed, 100,000 new")]
    hand = [r for r in results if r[0] == "PostgreSQL" and r[1].startswith("by hand")]
    if hub and hand:
        print(f"\nPostgreSQL new rows: the hub's CSV feed at {hand[0][3] / hub[0][3]:.2f}x the hand-written COPY baseline")


if __name__ == "__main__":
    sys.exit(main())
