#!/usr/bin/env python3
"""A statistics office's round trip with the gender-data-hub, to copy and adapt.

1. Download the reporting template (biểu mẫu) of a plan for an agency and a period.
2. Fill in value cells with openpyxl (here from --value arguments; in your office, from
   your own tables).
3. Push the filled-in workbook to the feed and print the summary the hub answers.
4. Read the same indicators back with the GraphQL query `cells` into a pandas DataFrame,
   and print it with the gender gap (women - men) of each sex-disaggregated indicator.

    pip install -r clients/requirements.txt
    export GDH_URL=http://127.0.0.1:8080
    export GDH_TOKEN=$(cargo run -q --release -- token issue --role statistics_office \
        --agency 216-CCTK --area 216 --area-on 2024-01-01)
    python clients/python/gdh_example.py --value WOMEN_BUSINESS_DIRECTORS_PCT=28.5

The last line printed is one line of JSON (the files, the push summary and the cells
read), for a program that runs this one. An error the hub answers is printed with its HTTP
status, its code and its message, and the program exits with status 1.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import requests

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CELLS_QUERY = """
query Cells($indicators: [String!]!, $areas: [String!], $periods: [String!], $sex: [Sex!]) {
  cells(indicatorCodes: $indicators, areaCodes: $areas, periods: $periods, sex: $sex) {
    indicator { code nameEn unit }
    area { code name }
    period sex value numerator denominator status derived suppressed
  }
}
"""

# The template writes sex as F/M/T; GraphQL names the same three FEMALE/MALE/TOTAL.
SEX_ENUM = {"F": "FEMALE", "M": "MALE", "T": "TOTAL"}


class ApiError(Exception):
    """An answer of the hub that is not what was asked for: its HTTP status, its error
    code (`extensions.code`: FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, …) and its message."""

    def __init__(self, what: str, status: int, code: str, message: str):
        super().__init__(f"{what}: HTTP {status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class Hub:
    """The hub at `url`, called with a bearer token."""

    def __init__(self, url: str, token: str, timeout: float = 60):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _check(self, what: str, response: requests.Response) -> requests.Response:
        if response.ok:
            return response
        # The hub answers errors as JSON: {"errors": [{"message", "extensions": {"code"}}]}.
        try:
            error = response.json()["errors"][0]
            code, message = error.get("extensions", {}).get("code", "?"), error.get("message", "")
        except (ValueError, KeyError, IndexError, TypeError):
            code, message = "?", response.text[:500]
        raise ApiError(what, response.status_code, code, message)

    def template(self, plan: str, agency: str, period: str) -> bytes:
        """The reporting template of `plan` for `agency` and `period`, as .xlsx bytes."""
        what = f"GET /api/v1/templates/{plan}.xlsx"
        response = self.session.get(
            f"{self.url}/api/v1/templates/{plan}.xlsx",
            params={"agencyCode": agency, "period": period},
            timeout=self.timeout,
        )
        return self._check(what, response).content

    def push_workbook(self, workbook: bytes, dry_run: bool = False) -> dict:
        """Pushes a filled-in workbook; the summary: created, updated, unchanged, rejected,
        and errors (each with its Excel row, column and code)."""
        response = self.session.post(
            f"{self.url}/api/v1/feeds/observations",
            params={"dryRun": "true"} if dry_run else None,
            data=workbook,
            headers={"Content-Type": XLSX},
            timeout=self.timeout,
        )
        return self._check("POST /api/v1/feeds/observations", response).json()

    def graphql(self, query: str, variables: dict) -> dict:
        """The `data` of a GraphQL operation; its first error raised as an ApiError."""
        response = self.session.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=self.timeout
        )
        body = self._check("POST /graphql", response).json()
        if body.get("errors"):
            error = body["errors"][0]
            code = error.get("extensions", {}).get("code", "?")
            raise ApiError("POST /graphql", response.status_code, code, error.get("message", ""))
        return body["data"]

    def cells(self, indicators: list[str], areas: list[str], periods: list[str], sexes: list[str]) -> pd.DataFrame:
        """An indicator x area x period x sex table as a DataFrame, one row per cell."""
        data = self.graphql(
            CELLS_QUERY, {"indicators": indicators, "areas": areas, "periods": periods, "sex": sexes}
        )
        rows = [
            {
                "indicator": c["indicator"]["code"],
                "area": c["area"]["code"],
                "area_name": c["area"]["name"],
                "period": c["period"],
                "sex": c["sex"],
                "value": c["value"],
                "numerator": c["numerator"],
                "denominator": c["denominator"],
                "status": c["status"],
                "derived": c["derived"],
                "suppressed": c["suppressed"],
                "unit": c["indicator"]["unit"],
            }
            for c in data["cells"]
        ]
        columns = ["indicator", "area", "area_name", "period", "sex", "value", "numerator", "denominator",
                   "status", "derived", "suppressed", "unit"]
        frame = pd.DataFrame(rows, columns=columns)
        # Figures as numbers (NaN where there is none), so they can be computed with.
        for column in ("value", "numerator", "denominator"):
            frame[column] = pd.to_numeric(frame[column])
        return frame


def fill_in(template: bytes, values: dict[tuple[str, str], float]) -> tuple[bytes, list[dict], dict]:
    """The template with `values` ((indicator, sex) -> value) written in its value column;
    also the template's rows (as dicts of its header) and the values it had no row for."""
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book.worksheets[0]  # the hub reads the first sheet
    header = [cell.value for cell in sheet[1]]
    column = {name: i for i, name in enumerate(header)}  # by name: the columns may move
    rows, left = [], dict(values)
    for cells in sheet.iter_rows(min_row=2):
        row = {name: cells[i].value for name, i in column.items()}
        rows.append(row)
        key = (row["indicator"], row["sex"])
        if key in left:
            cells[column["value"]].value = left.pop(key)  # a number, not text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), rows, left


def gender_gap(frame: pd.DataFrame) -> pd.DataFrame:
    """Women and men side by side, and women - men, where both have a value."""
    by_sex = frame[frame["sex"].isin(["FEMALE", "MALE"])].pivot_table(
        index=["indicator", "area", "period"], columns="sex", values="value"
    )
    if not {"FEMALE", "MALE"} <= set(by_sex.columns):
        return pd.DataFrame(columns=["FEMALE", "MALE", "gap"])
    by_sex = by_sex.dropna(subset=["FEMALE", "MALE"])
    return by_sex.assign(gap=by_sex["FEMALE"] - by_sex["MALE"])


def parse_value(text: str) -> tuple[tuple[str, str], float]:
    """INDICATOR[:SEX]=NUMBER, sex F, M or T (T when left out)."""
    try:
        key, number = text.split("=", 1)
        indicator, _, sex = key.partition(":")
        sex = (sex or "T").upper()
        if sex not in SEX_ENUM:
            raise ValueError(f"sex {sex!r} is not F, M or T")
        return (indicator.strip(), sex), float(number.replace(",", "."))
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r}: expected INDICATOR[:SEX]=NUMBER ({e})") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("GDH_URL", "http://127.0.0.1:8080"),
                        help="the hub (default: $GDH_URL, else http://127.0.0.1:8080)")
    parser.add_argument("--token", default=os.environ.get("GDH_TOKEN"), help="a bearer token (default: $GDH_TOKEN)")
    parser.add_argument("--plan", default="tan-yen-bdg-2021-2025")
    parser.add_argument("--agency", default="216-CCTK")
    parser.add_argument("--period", default="2024")
    parser.add_argument("--value", action="append", type=parse_value, default=[], metavar="INDICATOR[:SEX]=NUMBER",
                        help="a value to fill in (repeat it); with none, nothing is pushed")
    parser.add_argument("--dry-run", action="store_true", help="check the push, write nothing")
    parser.add_argument("--out", type=Path, default=Path("."), help="where to keep the template and the filled copy")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("no token: pass --token or set GDH_TOKEN")

    hub = Hub(args.url, args.token)
    result: dict = {"template": None, "filled": None, "push": None, "cells": None}
    try:
        # 1. The template, kept as downloaded.
        template = hub.template(args.plan, args.agency, args.period)
        args.out.mkdir(parents=True, exist_ok=True)
        template_path = args.out / f"{args.plan}-{args.agency}-{args.period}.xlsx"
        template_path.write_bytes(template)

        # 2. Filled in, and kept as sent.
        filled, rows, unknown = fill_in(template, dict(args.value))
        print(f"template {template_path}: {len(rows)} values to report")
        result["template"] = {"path": str(template_path), "rows": len(rows)}
        if unknown:
            print(f"not in the template, left out: {sorted(unknown)}", file=sys.stderr)

        # 3. Pushed.
        if args.value:
            filled_path = args.out / f"{args.plan}-{args.agency}-{args.period}-filled.xlsx"
            filled_path.write_bytes(filled)
            result["filled"] = {"path": str(filled_path)}
            summary = hub.push_workbook(filled, dry_run=args.dry_run)
            print(f"pushed {filled_path}: created {summary['created']}, updated {summary['updated']}, "
                  f"unchanged {summary['unchanged']}, rejected {summary['rejected']}")
            for error in summary["errors"]:
                print(f"  row {error.get('row')}: {error.get('code')} {error.get('message', '')}")
            result["push"] = summary

        # 4. Read back: every indicator, area and sex the template asks for.
        indicators = sorted({r["indicator"] for r in rows})
        areas = sorted({str(r["area"]) for r in rows})
        sexes = sorted({SEX_ENUM[r["sex"]] for r in rows})
        frame = hub.cells(indicators, areas, [args.period], sexes)
    except ApiError as e:
        print(f"error: {e}", file=sys.stderr)
        result["error"] = {"status": e.status, "code": e.code, "message": e.message}
        print(json.dumps(result, ensure_ascii=False))
        return 1
    except requests.RequestException as e:
        print(f"error: cannot reach {args.url}: {e}", file=sys.stderr)
        result["error"] = {"status": None, "code": "UNREACHABLE", "message": str(e)}
        print(json.dumps(result, ensure_ascii=False))
        return 1

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(frame.to_string(index=False))
        gap = gender_gap(frame)
        if not gap.empty:
            print("\ngender gap (women - men):")
            print(gap.to_string())
    result["cells"] = json.loads(frame.to_json(orient="records"))
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
