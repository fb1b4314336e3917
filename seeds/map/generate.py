#!/usr/bin/env python3
"""Writes seeds/map/areas.csv and seeds/map/successions.csv: Vietnam's administrative map
before 1 July 2025 (63 provinces, 696 districts, 10,035 communes) and after (34 provinces,
3,321 communes), and which old unit went into which new one.

Source: the dataset of the `vietnamadminunits` package (PyPI, MIT licence), its
`data/dataset.db` and `data/converter_2025.json`. The new map is cross-checked against the
`vietnam-provinces` package. Run it through `seeds/map/regenerate`, which installs both at the
pinned versions in a throw-away venv. Python 3.11, standard library only.

Fails (exit 1, writes nothing) on anything it cannot place: a converter key that names no
unit, an old unit without a successor, a new commune without a predecessor, or a code-set
difference with vietnam-provinces other than the ones recorded in
seeds/map/vietnam_provinces_differences.csv (`--write-differences` rewrites that file for
review after an upgrade). The output is sorted; rerunning gives byte-identical files.
"""

import csv
import io
import json
import math
import re
import sqlite3
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from importlib import metadata, util
from pathlib import Path

VAU = "vietnamadminunits"
VAU_VERSION = "1.0.4"
VP = "vietnam-provinces"
VP_VERSION = "2025.10.1"

OLD_VALID_TO = "2025-06-30"
NEW_VALID_FROM = "2025-07-01"
LEVELS = ("PROVINCE", "DISTRICT", "COMMUNE")

MAP_DIR = Path(__file__).resolve().parent
REPO = MAP_DIR.parent.parent
AREAS_CSV = MAP_DIR / "areas.csv"
SUCCESSIONS_CSV = MAP_DIR / "successions.csv"
DIFFERENCES_CSV = MAP_DIR / "vietnam_provinces_differences.csv"

AREA_COLUMNS = ["code", "name", "level", "parent", "valid_from", "valid_to", "lat", "lon", "area_km2"]
SUCCESSION_COLUMNS = ["predecessor", "successor", "effective_on", "whole"]
DIFFERENCE_COLUMNS = ["province", "name", "vietnamadminunits_code", "vietnam_provinces_code"]

# A succession whose two units' points lie further apart than this is printed as doubtful.
DOUBTFUL_KM = 50.0


class Failures:
    """Problems that stop the run; all of them are printed before it stops."""

    def __init__(self):
        self.items = []

    def add(self, message):
        self.items.append(message)

    def stop_if_any(self):
        if self.items:
            for message in self.items:
                print(f"ERROR: {message}", file=sys.stderr)
            print(f"{len(self.items)} error(s); nothing written.", file=sys.stderr)
            sys.exit(1)


def check_version(distribution, expected, failures):
    try:
        found = metadata.version(distribution)
    except metadata.PackageNotFoundError:
        failures.add(f"{distribution} is not installed (run seeds/map/regenerate)")
        return
    if found != expected:
        failures.add(f"{distribution} {found} is installed; the seeds are pinned to {expected}")


def vau_data_dir():
    """The package's data folder, found without importing the package (its import pulls in
    the address parser)."""
    spec = util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"ERROR: {VAU} is not installed (run seeds/map/regenerate)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def number(value):
    """A REAL from the dataset as text: shortest round-trip form; empty when unknown."""
    return "" if value is None else repr(float(value))


def km_between(lat1, lon1, lat2, lon2):
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


def name_key(name):
    """A name for matching across the two packages: NFC, single spaces, one apostrophe and
    one dash, lower case, and the tone mark of oa, oe, uy on the second vowel (Hòa = Hoà)."""
    s = unicodedata.normalize("NFC", name)
    s = re.sub(r"\s+", " ", s).strip().lower()
    s = s.replace("\u2019", "'").replace("\u2013", "-").replace("\u2014", "-")
    for i in range(5):
        s = s.replace("òóỏõọ"[i] + "a", "o" + "àáảãạ"[i])
        s = s.replace("òóỏõọ"[i] + "e", "o" + "èéẻẽẹ"[i])
        s = s.replace("ùúủũụ"[i] + "y", "u" + "ỳýỷỹỵ"[i])
    return s


# ---------------------------------------------------------------- reading the dataset


def read_legacy(db, failures):
    """The map before 1 July 2025. Returns (provinces, province_keys, districts, communes,
    old_keys, points): provinces {code: name}, province_keys {key: code}, districts {code:
    (name, province)}, communes {code: (name, district)}; old_keys {converter key "province_
    district_ward": (level, code)}; points {(level, code): (lat, lon)}, the dataset's geocoder
    points, used only for the plausibility check."""
    provinces, districts, communes, old_keys, points = {}, {}, {}, {}, {}
    province_keys = {}
    rows = db.execute(
        "SELECT province, provinceCode, provinceKey, district, districtCode, districtKey,"
        " ward, wardCode, wardKey, wardLat, wardLon, districtLat, districtLon"
        " FROM admin_units_legacy"
    )
    for (p_name, p_code, p_key, d_name, d_code, d_key, w_name, w_code, w_key, w_lat, w_lon, d_lat, d_lon) in rows:
        if provinces.setdefault(p_code, p_name) != p_name:
            failures.add(f"old province {p_code} has two names: {provinces[p_code]!r}, {p_name!r}")
        if province_keys.setdefault(p_key, p_code) != p_code:
            failures.add(f"old province key {p_key} names provinces {province_keys[p_key]} and {p_code}")
        if districts.setdefault(d_code, (d_name, p_code)) != (d_name, p_code):
            failures.add(f"old district {d_code} is listed as {districts[d_code]} and {(d_name, p_code)}")
        key = f"{p_key}_{d_key}_{w_key or ''}"
        if w_code:
            if w_code in communes:
                failures.add(f"old commune {w_code} is listed twice")
            communes[w_code] = (w_name, d_code)
            unit = ("COMMUNE", w_code)
            if w_lat is not None:
                points[unit] = (w_lat, w_lon)
        else:
            # An island district without communes: the converter's key has an empty ward part.
            unit = ("DISTRICT", d_code)
        if key in old_keys:
            failures.add(f"old key {key} names two units")
        old_keys[key] = unit
        points.setdefault(("DISTRICT", d_code), (d_lat, d_lon))
    return provinces, province_keys, districts, communes, old_keys, points


def read_new(db, failures):
    """The map from 1 July 2025. Returns provinces {code: (name, lat, lon)}, province_keys
    {key: code}, communes {code: (name, province, lat, lon, area)}, new_keys {(province key,
    ward key): code}."""
    provinces, province_keys, communes, new_keys = {}, {}, {}, {}
    rows = db.execute(
        "SELECT province, provinceCode, provinceKey, provinceLat, provinceLon,"
        " ward, wardCode, wardKey, wardLat, wardLon, wardAreaKm2 FROM admin_units"
    )
    for p_name, p_code, p_key, p_lat, p_lon, w_name, w_code, w_key, w_lat, w_lon, w_area in rows:
        entry = (p_name, p_lat, p_lon)
        if provinces.setdefault(p_code, entry) != entry:
            failures.add(f"new province {p_code} is listed as {provinces[p_code]} and {entry}")
        if province_keys.setdefault(p_key, p_code) != p_code:
            failures.add(f"new province key {p_key} names provinces {province_keys[p_key]} and {p_code}")
        if w_code in communes:
            failures.add(f"new commune {w_code} is listed twice")
        communes[w_code] = (w_name, p_code, w_lat, w_lon, w_area)
        if (p_key, w_key) in new_keys:
            failures.add(f"new key {p_key}/{w_key} names two communes")
        new_keys[(p_key, w_key)] = w_code
    return provinces, province_keys, communes, new_keys


# ---------------------------------------------------------------- successions


def build_successions(converter, old, new, failures, notes):
    """Returns {(level, predecessor, successor): whole}, level being the predecessor's."""
    old_provinces, old_province_keys, old_districts, old_communes, old_keys, _ = old
    new_provinces, new_province_keys, new_communes, new_keys = new
    successions = {}

    def add(level, predecessor, successor, whole):
        pair = (level, predecessor, successor)
        if pair in successions:
            notes.append(f"duplicate pair {predecessor} -> {successor} merged")
            whole = whole and successions[pair]
        successions[pair] = whole

    # Provinces: each old province is listed under the new province it became part of.
    placements = {}
    for new_key, old_list in converter["DICT_PROVINCE"].items():
        if new_key not in new_province_keys:
            failures.add(f"DICT_PROVINCE: new province key {new_key} is not in admin_units")
            continue
        for old_key in old_list:
            if old_key not in old_province_keys:
                failures.add(f"DICT_PROVINCE: old province key {old_key} is not in admin_units_legacy")
                continue
            placements.setdefault(old_province_keys[old_key], set()).add(new_province_keys[new_key])
    for old_code, new_codes in sorted(placements.items()):
        if len(new_codes) > 1:
            notes.append(f"old province {old_code} is listed under {sorted(new_codes)}: marked partial")
        for new_code in sorted(new_codes):
            add("PROVINCE", old_code, new_code, len(new_codes) == 1)

    def old_unit(key, where):
        unit = old_keys.get(key)
        if unit is None:
            failures.add(f"{where}: old key {key} is not in admin_units_legacy")
        return unit

    def new_commune(province_key, ward_key, where):
        code = new_keys.get((province_key, ward_key))
        if code is None:
            failures.add(f"{where}: new key {province_key}/{ward_key} is not in admin_units")
        return code

    # Communes (and the island districts): old units wholly inside one new commune ...
    undivided = {}
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, old_list in wards.items():
            successor = new_commune(p_key, w_key, "NO_DIVIDED")
            for key in old_list:
                unit = old_unit(key, "NO_DIVIDED")
                if unit and successor:
                    undivided.setdefault(unit, set()).add(successor)
    # ... and old communes divided among several.
    divided = {}
    for p_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for key, parts in olds.items():
            unit = old_unit(key, "DIVIDED")
            for part in parts:
                successor = new_commune(p_key, part["newWardKey"], "DIVIDED")
                if unit and successor:
                    divided.setdefault(unit, set()).add(successor)
            if unit and len(parts) < 2:
                notes.append(f"{unit[1]} is listed as divided into {len(parts)} part(s)")

    for unit, successors in undivided.items():
        # Wholly inside one new commune: whole, unless the converter also divides it or places
        # it in two new communes; then every row of it is partial.
        whole = unit not in divided and len(successors) == 1
        if unit in divided:
            notes.append(f"{unit[1]} is listed both as undivided and as divided: all its rows partial")
        elif len(successors) > 1:
            notes.append(f"{unit[1]} is listed as undivided in {sorted(successors)}: marked partial")
        for successor in sorted(successors):
            add(unit[0], unit[1], successor, whole)
    for unit, successors in divided.items():
        for successor in sorted(successors):
            add(unit[0], unit[1], successor, False)

    # Every commune of an old province must go into the new province the old one went into.
    district_province = {code: province for code, (_, province) in old_districts.items()}
    for (level, predecessor, successor) in successions:
        if level == "PROVINCE":
            continue
        district = predecessor if level == "DISTRICT" else old_communes[predecessor][1]
        old_province = district_province[district]
        if new_communes[successor][1] not in placements.get(old_province, ()):
            failures.add(f"{predecessor} (old province {old_province}) -> {successor} crosses provinces")

    # Completeness, both ways.
    placed = {(level, predecessor) for (level, predecessor, _) in successions}
    for code in old_provinces:
        if ("PROVINCE", code) not in placed:
            failures.add(f"old province {code} has no successor")
    for code in old_communes:
        if ("COMMUNE", code) not in placed:
            failures.add(f"old commune {code} {old_communes[code][0]} has no successor")
    for key, (level, code) in old_keys.items():
        if level == "DISTRICT" and (level, code) not in placed:
            failures.add(f"island district {code} has no successor")
    reached = {(level == "PROVINCE", successor) for (level, _, successor) in successions}
    for code in new_provinces:
        if (True, code) not in reached:
            failures.add(f"new province {code} has no predecessor")
    for code in new_communes:
        if (False, code) not in reached:
            failures.add(f"new commune {code} {new_communes[code][0]} has no predecessor")
    return successions


# ---------------------------------------------------------------- rows


def area_rows(old, new, notes):
    old_provinces, _, old_districts, old_communes, _, _ = old
    new_provinces, _, new_communes, _ = new
    rows = [["VN", "Việt Nam", "NATION", "", "", "", "", "", ""]]
    # Old map: names only. The dataset's old points are geocoder results, not carried.
    for code in sorted(old_provinces):
        rows.append([code, old_provinces[code], "PROVINCE", "VN", "", OLD_VALID_TO, "", "", ""])
    for code in sorted(old_districts):
        name, province = old_districts[code]
        rows.append([code, name, "DISTRICT", province, "", OLD_VALID_TO, "", "", ""])
    for code in sorted(old_communes):
        name, district = old_communes[code]
        rows.append([code, name, "COMMUNE", district, "", OLD_VALID_TO, "", "", ""])

    # New map. An area of 0 (or none) is unknown; a province's area is the sum of its
    # communes' and unknown when one of theirs is.
    areas = {}
    for code in sorted(new_communes):
        name, province, lat, lon, area = new_communes[code]
        if area is None or area == 0:
            notes.append(f"new commune {code} {name}: area {area!r} in the dataset, left empty")
            areas.setdefault(province, []).append(None)
        else:
            areas.setdefault(province, []).append(Decimal(repr(float(area))))
    for code in sorted(new_provinces):
        name, lat, lon = new_provinces[code]
        parts = areas.get(code, [None])
        if None in parts:
            total = ""
            notes.append(f"new province {code} {name}: area left empty (a commune's area is unknown)")
        else:
            total = str(sum(parts).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
        rows.append([code, name, "PROVINCE", "VN", NEW_VALID_FROM, "", number(lat), number(lon), total])
    for code in sorted(new_communes):
        name, province, lat, lon, area = new_communes[code]
        area_text = "" if area is None or area == 0 else number(area)
        rows.append([code, name, "COMMUNE", province, NEW_VALID_FROM, "", number(lat), number(lon), area_text])
    return rows


def succession_rows(successions):
    rows = [
        [predecessor, successor, NEW_VALID_FROM, "true" if whole else "false"]
        for (_, predecessor, successor), whole in successions.items()
    ]
    rows.sort(key=lambda r: (r[0], r[1]))
    return rows


def csv_text(header, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


# ---------------------------------------------------------------- checks that only warn


def doubtful_points(successions, old, new):
    """Successions whose old unit's geocoder point and new commune's point are more than
    DOUBTFUL_KM apart: one of the two points, or the link itself, is wrong."""
    _, _, _, old_communes, _, old_points = old
    _, _, new_communes, _ = new
    found = []
    for (level, predecessor, successor), whole in successions.items():
        if level == "PROVINCE":
            continue
        a = old_points.get((level, predecessor))
        _, _, lat, lon, _ = new_communes[successor]
        if a is None or lat is None:
            continue
        km = km_between(a[0], a[1], lat, lon)
        if km > DOUBTFUL_KM:
            old_name = old_communes[predecessor][0] if level == "COMMUNE" else f"district {predecessor}"
            found.append((predecessor, successor, whole, km, old_name, new_communes[successor][0]))
    return sorted(found)


# ---------------------------------------------------------------- cross-check


def cross_check(new, failures, write_differences):
    """Compares the new map with vietnam-provinces: the same province and commune codes, the
    same names. Returns (detail lines, one-line result)."""
    new_provinces, _, new_communes, _ = new
    from vietnam_provinces import Province, Ward  # noqa: PLC0415 (only installed in the venv)

    lines = []
    vp_provinces = {f"{p.code.value:02d}": p.name for p in Province.iter_all()}
    vp_communes = {f"{w.code.value:05d}": (w.name, f"{w.province_code.value:02d}") for w in Ward.iter_all()}

    # Provinces. vietnam-provinces leaves out "Tỉnh " (it keeps "Thành phố ").
    if set(vp_provinces) != set(new_provinces):
        failures.add(
            f"province codes differ: only {VAU} {sorted(set(new_provinces) - set(vp_provinces))},"
            f" only {VP} {sorted(set(vp_provinces) - set(new_provinces))}"
        )
    province_names = []
    for code in sorted(set(vp_provinces) & set(new_provinces)):
        ours, theirs = new_provinces[code][0], vp_provinces[code]
        if ours != theirs and ours != "Tỉnh " + theirs:
            province_names.append(f"  province {code}: {ours!r} / {theirs!r}")
    lines.append(
        f"provinces: {len(new_provinces)} / {len(vp_provinces)}, codes "
        f"{'equal' if set(vp_provinces) == set(new_provinces) else 'DIFFER'}, "
        f"{len(province_names)} name difference(s) beyond {VP} leaving out 'Tỉnh '"
    )
    lines.extend(province_names)

    # Communes: the code sets, then the names under the codes both have.
    only_ours = sorted(set(new_communes) - set(vp_communes))
    only_theirs = sorted(set(vp_communes) - set(new_communes))
    spelling, different, province_moves = [], [], []
    for code in sorted(set(new_communes) & set(vp_communes)):
        ours, province = new_communes[code][0], new_communes[code][1]
        theirs, their_province = vp_communes[code]
        if province != their_province:
            province_moves.append(f"  {code}: province {province} / {their_province}")
        if ours == theirs:
            continue
        target = spelling if name_key(ours) == name_key(theirs) else different
        target.append(f"  {code}: {ours!r} / {theirs!r}")
    for move in province_moves:
        failures.add(f"commune in different provinces: {move.strip()}")

    # The communes on whose code the two packages disagree, matched by province and name.
    by_name = {(p, name_key(n)): c for c, (n, p) in vp_communes.items()}
    ours_by_name = {(p, name_key(n)): c for c, (n, p, *_rest) in new_communes.items()}
    table = []
    for code, (name, province, *_rest) in new_communes.items():
        theirs = by_name.get((province, name_key(name)), "")
        if theirs != code:
            table.append([province, name, code, theirs])
    for code, (name, province) in vp_communes.items():
        if (province, name_key(name)) not in ours_by_name:
            table.append([province, name, "", code])
    table.sort(key=lambda r: (r[0], r[2], r[3]))
    expected_text = csv_text(DIFFERENCE_COLUMNS, table)

    lines.append(
        f"communes: {len(new_communes)} / {len(vp_communes)}, codes only in {VAU}: {len(only_ours)},"
        f" only in {VP}: {len(only_theirs)}; {len(table)} commune(s) numbered differently"
    )
    lines.append(f"  same code, same name but for spelling (tone mark, space, case, ' or -): {len(spelling)}")
    lines.extend(spelling)
    lines.append(f"  same code, another name: {len(different)}")
    lines.extend(different)

    province_result = "same province codes" if set(vp_provinces) == set(new_provinces) else "PROVINCE CODES DIFFER"
    if not (only_ours or only_theirs or table):
        commune_result = "same commune codes"
    else:
        commune_result = (
            f"commune codes differ ({len(only_ours)} only in {VAU}, {len(only_theirs)} only in {VP},"
            f" {len(table)} communes numbered differently) exactly as recorded in {DIFFERENCES_CSV.relative_to(REPO)}"
        )
    names = len(province_names) + len(spelling) + len(different)
    result = (
        f"{VP} {VP_VERSION}: {province_result}; {commune_result};"
        f" {names} name difference(s) under a shared code ({len(spelling)} spelling only)"
    )
    if write_differences:
        DIFFERENCES_CSV.write_text(expected_text, encoding="utf-8", newline="\n")
        lines.append(f"  wrote {DIFFERENCES_CSV.relative_to(REPO)}: review it before committing")
    elif only_ours or only_theirs or table:
        recorded = DIFFERENCES_CSV.read_text(encoding="utf-8") if DIFFERENCES_CSV.exists() else None
        if recorded != expected_text:
            failures.add(
                f"the commune codes differ from {VP} other than as recorded in"
                f" {DIFFERENCES_CSV.relative_to(REPO)} ({len(only_ours)} only in {VAU},"
                f" {len(only_theirs)} only in {VP}); rerun with --write-differences and review the diff"
            )
    return lines, result


# ---------------------------------------------------------------- main


def main(argv):
    write_differences = "--write-differences" in argv
    unknown = [a for a in argv if a != "--write-differences"]
    if unknown:
        sys.exit(f"usage: generate.py [--write-differences]   (unknown: {' '.join(unknown)})")

    failures, notes = Failures(), []
    check_version(VAU, VAU_VERSION, failures)
    check_version(VP, VP_VERSION, failures)
    failures.stop_if_any()

    data = vau_data_dir()
    db = sqlite3.connect(f"file:{data / 'dataset.db'}?mode=ro", uri=True)
    converter = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))
    old = read_legacy(db, failures)
    new = read_new(db, failures)
    failures.stop_if_any()

    successions = build_successions(converter, old, new, failures, notes)
    check_lines, check_result = cross_check(new, failures, write_differences)
    failures.stop_if_any()

    areas = area_rows(old, new, notes)
    pairs = succession_rows(successions)
    AREAS_CSV.write_text(csv_text(AREA_COLUMNS, areas), encoding="utf-8", newline="\n")
    SUCCESSIONS_CSV.write_text(csv_text(SUCCESSION_COLUMNS, pairs), encoding="utf-8", newline="\n")

    for note in notes:
        print(f"note: {note}")
    doubtful = doubtful_points(successions, old, new)
    print(f"doubtful: {len(doubtful)} succession(s) join points more than {DOUBTFUL_KM:g} km apart"
          " (old point: geocoder; one point or the link is wrong):")
    for predecessor, successor, whole, km, old_name, new_name in doubtful:
        kind = "whole" if whole else "part"
        print(f"  {predecessor} {old_name} -> {successor} {new_name} ({kind}, {km:.0f} km)")
    print(f"cross-check with {VP} {VP_VERSION}:")
    for line in check_lines:
        print(f"  {line}")

    old_provinces, _, old_districts, old_communes, old_keys, _ = old
    new_provinces, _, new_communes, _ = new
    islands = sum(1 for level, _ in old_keys.values() if level == "DISTRICT")
    counts = {}
    for (level, _, _), whole in successions.items():
        counts.setdefault(level, [0, 0])[0 if whole else 1] += 1
    unresolved_area = sum(1 for c in new_communes.values() if not c[4])
    print(
        f"{AREAS_CSV.relative_to(REPO)}: {len(areas)} rows: 1 NATION;"
        f" until {OLD_VALID_TO} {len(old_provinces)} PROVINCE, {len(old_districts)} DISTRICT,"
        f" {len(old_communes)} COMMUNE; from {NEW_VALID_FROM} {len(new_provinces)} PROVINCE,"
        f" {len(new_communes)} COMMUNE; area unknown for {unresolved_area} commune(s)"
    )
    print(
        f"{SUCCESSIONS_CSV.relative_to(REPO)}: {len(pairs)} rows: "
        + ", ".join(f"{level} {counts[level][0]} whole / {counts[level][1]} partial" for level in LEVELS if level in counts)
        + f" (DISTRICT: the {islands} island districts without communes);"
        " every old unit has a successor, every new one a predecessor"
    )
    print(f"cross-check: {check_result}")


if __name__ == "__main__":
    main(sys.argv[1:])
