#!/usr/bin/env python3
"""Loads a synthetic national data set into a hub database, for benchmarks only: the whole
map of issue 11 with values for every commune and province, every measured indicator of
the catalogue, 2021-2026 (years, halves and quarters; the units of the old map until the
reform, the new ones after it, as a push would file them), female / male / total where the
indicator is broken down by sex and age groups where it has them; revisions, review states
(approved, submitted, rejected) and a share of small counts under the disclosure
threshold. Deterministic: the same arguments give the same rows. Never loaded by default:
every value says it is synthetic (reporter `synthetic:national`, its comment).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hub python3 bench/national.py [--scale 1.0]

PostgreSQL only (COPY): it migrates and seeds the database with the release binary first,
then stages the rows with psql's \\copy and writes them with two INSERT ... SELECT
statements, observations then their revisions, then vacuums both as autovacuum would have.
`--scale 0.1` keeps one unit in ten. Standard library only; needs psql.
"""
import argparse, os, subprocess, sys, tempfile, time, zlib

from hub import BIN, build

REPORTER = "synthetic:national"
COMMENT = "synthetic national data set (bench/national.py), not real data"
OLD_PERIODS = [f"{y}{p}" for y in range(2021, 2025) for p in ("", "-S1", "-S2", "-Q1", "-Q2", "-Q3", "-Q4")] + [
    "2025-S1", "2025-Q1", "2025-Q2"]
NEW_PERIODS = ["2025", "2025-S2", "2025-Q3", "2025-Q4"] + [f"2026{p}" for p in ("", "-S1", "-S2", "-Q1", "-Q2", "-Q3", "-Q4")]
AGE_GROUPS = ["_T", "Y15T19", "Y20T24"]


def psql(url, *args, **kwargs):
    return subprocess.run(["psql", "-qtA", "-v", "ON_ERROR_STOP=1", "-d", url, *args], check=True,
                          capture_output=True, text=True, **kwargs).stdout


def rows_of(url):
    units = [line.split("|") for line in psql(url, "-c",
             "SELECT id, level, valid_to IS NOT NULL FROM areas WHERE level IN ('PROVINCE', 'COMMUNE') ORDER BY id").split()]
    indicators = [line.split("|") for line in psql(url, "-c",
                  "SELECT code, unit, sex_disaggregated, dimensions, sensitive FROM indicators "
                  "WHERE unit <> 'BOOLEAN' ORDER BY code").split()]
    return units, indicators


def value_of(unit, sensitive, h):
    """(value, numerator, denominator) of a plausible figure, from a hash."""
    if unit == "TIMES":
        return (round(1 + (h % 200) / 100, 2), None, None)
    if sensitive:
        d = 1 + h % 30  # many under the disclosure threshold of 5
    else:
        d = 50 + h % 5000
    share = {"PERCENT": 0.3 + (h >> 8) % 700 / 1000, "RATIO_PER_100": 1.05 + (h >> 8) % 15 / 100}.get(unit, (h >> 8) % 50 / 1000)
    n = max(0, min(d if unit == "PERCENT" else 10 * d, round(d * share)))
    scale = {"PERCENT": 100, "RATIO_PER_100": 100, "PER_1000": 1000, "PER_100000": 100000}.get(unit, 1)
    return (round(n / d * scale, 4), n, d)


def generate(path, units, indicators, scale):
    keep = max(1, round(1 / scale))
    count = 0
    with open(path, "w") as f:
        for i, (area_id, level, old) in enumerate(units):
            if i % keep:
                continue
            periods = OLD_PERIODS if old == "t" else NEW_PERIODS
            for code, unit, by_sex, dimensions, sensitive in indicators:
                sexes = ("FEMALE", "MALE", "TOTAL") if by_sex == "t" else ("TOTAL",)
                ages = AGE_GROUPS if "age_group" in dimensions else ("_T",)
                for period in periods:
                    for sex in sexes:
                        for age in ages:
                            h = zlib.crc32(f"{code}|{area_id}|{period}|{sex}|{age}".encode())
                            value, n, d = value_of(unit, sensitive == "t", h)
                            status = "REJECTED" if h % 20 == 0 else "SUBMITTED" if h % 20 < 4 else "APPROVED"
                            revision = 2 if h % 10 == 1 else 1
                            approved = revision if status == "APPROVED" else (1 if revision == 2 else "")
                            f.write(f"{code},{area_id},{period},{sex},{age},{value},{'' if n is None else n},"
                                    f"{'' if d is None else d},{status},{revision},{approved}\n")
                            count += 1
    return count


LOAD = """
BEGIN;
CREATE TEMP TABLE synthetic (indicator_code text, area_id bigint, period text, sex text, age_group text,
  value float8, numerator float8, denominator float8, status text, revision int, approved_revision int);
\\copy synthetic FROM '{file}' (FORMAT csv)
INSERT INTO observations (indicator_code, area_id, period, sex, age_group, ethnicity, value, numerator,
  denominator, status, revision, reported_by, reported_at, comment, approved_revision)
  SELECT indicator_code, area_id, period, sex, age_group, '_T', value, numerator, denominator, status,
    revision, '{reporter}', TIMESTAMPTZ '2026-01-15 00:00:00+00', '{comment}', approved_revision
  FROM synthetic;
-- every value's current revision, and the approved first one of those revised since
INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, status, comment,
  reported_by, reported_at, reviewed_by, reviewed_at)
  SELECT id, revision, value, numerator, denominator, status, comment, reported_by, reported_at,
    CASE WHEN status <> 'SUBMITTED' THEN '{reporter}' END,
    CASE WHEN status <> 'SUBMITTED' THEN TIMESTAMPTZ '2026-01-20 00:00:00+00' END
  FROM observations WHERE reported_by = '{reporter}';
INSERT INTO observation_revisions (observation_id, revision, value, numerator, denominator, status, comment,
  reported_by, reported_at, reviewed_by, reviewed_at)
  SELECT id, 1, value * 0.98, numerator, denominator, 'APPROVED', comment, reported_by,
    TIMESTAMPTZ '2025-01-15 00:00:00+00', '{reporter}', TIMESTAMPTZ '2025-01-20 00:00:00+00'
  FROM observations WHERE reported_by = '{reporter}' AND revision = 2;
COMMIT;
-- A database in service has been vacuumed: its visibility map lets index-only scans skip the
-- table (a province's page is 433 of them), and its rows' hint bits are set. Without it
-- every read of the fresh set visits the heap.
VACUUM (ANALYZE) observations;
VACUUM (ANALYZE) observation_revisions;
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0, help="share of the units to give values (1.0: all)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database (the national set is loaded with COPY)")
    if psql(url, "-c", "SELECT to_regclass('observations') IS NOT NULL").strip() == "t" and \
            psql(url, "-c", f"SELECT COUNT(*) FROM observations WHERE reported_by = '{REPORTER}'").strip() != "0":
        sys.exit("this database already holds the synthetic national set")
    build()
    env = dict(os.environ, GDH_JWT_SECRET=os.environ.get("GDH_JWT_SECRET", "x" * 40), RUST_LOG="warn")
    subprocess.run([BIN, "seed"], env=env, check=True)
    started = time.perf_counter()
    units, indicators = rows_of(url)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "national.csv")
        count = generate(data, units, indicators, args.scale)
        generated = time.perf_counter()
        print(f"generated {count:,} values in {generated - started:.0f} s", file=sys.stderr)
        script = os.path.join(tmp, "load.sql")
        with open(script, "w") as f:
            f.write(LOAD.format(file=data, reporter=REPORTER, comment=COMMENT))
        psql(url, "-f", script)
    loaded = time.perf_counter()
    total = psql(url, "-c", "SELECT COUNT(*) FROM observations").strip()
    revisions = psql(url, "-c", "SELECT COUNT(*) FROM observation_revisions").strip()
    print(f"loaded {count:,} synthetic values in {loaded - generated:.0f} s; the database holds {int(total):,} "
          f"values and {int(revisions):,} revisions", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
