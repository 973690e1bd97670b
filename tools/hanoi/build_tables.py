#!/usr/bin/env python3
"""Derive the bundled Hanoi scenario tables (data/hanoi/) from ../shared/data.

Run from the repository root:  python3 tools/hanoi/build_tables.py [--shared ../shared/data]
Needs shapely >= 2 and pyproj (pip install shapely pyproj). Deterministic: the same inputs
give byte-identical outputs. Writes units.csv, zones.geojson, existing.csv, candidates.csv
and prints the figures quoted in data/hanoi/README.md (derivation_report.txt holds them too).
residents.csv is NOT written here: `reach residents --from-zones` generates it.
"""
import argparse
import collections
import csv
import io
import json
import os
import re
import unicodedata

from pyproj import Geod, Transformer
from shapely.geometry import Point, Polygon, box, mapping, shape
from shapely.geometry.polygon import orient
import numpy as np
import shapely

GEOD = Geod(ellps="WGS84")
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
_TO_WGS = Transformer.from_crs("EPSG:32648", "EPSG:4326", always_xy=True)


def TO_UTM(geom):
    return shapely.transform(geom, lambda c: np.column_stack(_TO_UTM.transform(c[:, 0], c[:, 1])))


def TO_WGS(geom):
    return shapely.transform(geom, lambda c: np.column_stack(_TO_WGS.transform(c[:, 0], c[:, 1])))
SIMPLIFY_TOLERANCE_M = 40.0
KIND_PREFIXES = ["Thị trấn ", "Thị xã ", "ThịXã ", "ThịTrấn ", "Huyện ", "Quận ", "Phường ", "Xã "]

# 197 Nghi Tàm, Yên Phụ, Tây Hồ: the Hanoi Public Administrative Service Centre headquarters.
# No geocode was found in the reference corpus; position interpolated on OSM way 1259558376
# (Đường Nghi Tàm, roads/hanoi_urban_drive_2025-05-14.osm) between the alleys Ngõ 210
# (21.0553) and the southern end of the street (21.0508): about ±250 m.
HQ_LON, HQ_LAT = 105.837061, 21.054400


def fold(s):
    """Lower-case ASCII folding of a Vietnamese name, spaces and punctuation removed."""
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D")
    return re.sub(r"[^a-z0-9]", "", s.lower())


def strip_kind(s):
    for p in KIND_PREFIXES:
        if s.startswith(p):
            return s[len(p):]
    return s


def syllables(name):
    """Folded syllables of a name; census names have no spaces, so split at capitals."""
    name = strip_kind(name)
    parts = re.findall(r"[A-ZÀ-ỸĐ][^A-ZÀ-ỸĐ\s-]*|[^\sA-ZÀ-ỸĐ-]+", name)
    return {fold(p) for p in parts if fold(p)}


def geodesic_area_km2(geom):
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


def parse_bounds(text):
    # "lat,lon – lat,lon"
    a, b = [p.strip() for p in text.split("–")]
    lat1, lon1 = map(float, a.split(","))
    lat2, lon2 = map(float, b.split(","))
    return box(min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2))


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def round_coords(geom, digits=6):
    def ring(coords):
        return [(round(x, digits), round(y, digits)) for x, y in coords]
    return Polygon(ring(geom.exterior.coords), [ring(i.coords) for i in geom.interiors])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join("data", "hanoi"))
    args = ap.parse_args()
    S = lambda p: os.path.join(args.shared, p)
    report = []
    say = lambda *a: (print(*a), report.append(" ".join(str(x) for x in a)))

    units = list(csv.DictReader(open(S("admin/hanoi_wards_communes_2025_vietnamadminunits.csv"), encoding="utf-8")))
    legacy = list(csv.DictReader(open(S("admin/hanoi_wards_legacy_2024_vietnamadminunits.csv"), encoding="utf-8")))
    mapping_rows = list(csv.DictReader(open(S("admin/hanoi_ward_mapping_legacy_to_2025_vietnamadminunits.csv"), encoding="utf-8")))
    census = list(csv.DictReader(open(S("population/hanoi_wards_census2019_with_geocoded_centroids.csv"), encoding="utf-8")))
    posts = list(csv.DictReader(open(S("service_points/hanoi_post_offices_vnpost_list.csv"), encoding="utf-8")))
    osm = json.load(open(S("admin/hanoi_wards_communes_2025_osm.geojson"), encoding="utf-8"))
    say(f"inputs: {len(units)} units 2025, {len(legacy)} legacy wards 2024, {len(mapping_rows)} mapping rows, "
        f"{len(census)} census wards 2019, {len(posts)} post offices, {len(osm['features'])} OSM features")

    # --- 2025 polygons (OSM) by name -------------------------------------------------------
    polys = {}
    osm_pop = {}
    for f in osm["features"]:
        if f["geometry"]["type"] != "Polygon":
            continue
        name = f["properties"]["name"]
        polys[name] = shape(f["geometry"])
        if "population" in f["properties"]:
            osm_pop[name] = int(f["properties"]["population"])
    assert len(polys) == 126, len(polys)
    unit_by_code = {u["wardCode"]: u for u in units}
    assert all(u["ward"] in polys for u in units), "every 2025 unit has an OSM polygon"
    holes = sum(len(p.interiors) for p in polys.values())
    say(f"OSM polygons: 126 matched by name; {holes} interior rings")

    # --- census ward 2019 -> legacy ward 2024 (code) with weights --------------------------
    legacy_by_code = {r["wardCode"]: r for r in legacy}
    legacy_by_district = collections.defaultdict(list)
    for r in legacy:
        legacy_by_district[fold(strip_kind(r["district"]))].append(r)
    matched_codes = {r["wardCode_GSO_2024"] for r in census if r["wardCode_GSO_2024"]}
    pop_by_legacy = collections.defaultdict(float)  # legacy code -> population (may be fractional)
    census_total = 0
    how = collections.Counter()
    how_pop = collections.Counter()
    unresolved = []  # census rows needing the district fallback
    resolved_census = {}  # (district fold, ward fold) -> list of legacy codes (for post offices)
    for r in census:
        p = int(r["population_2019_total"])
        census_total += p
        d = fold(strip_kind(r["district_2019"]))
        key = (d, fold(strip_kind(r["ward_2019"])))
        if r["wardCode_GSO_2024"]:
            pop_by_legacy[r["wardCode_GSO_2024"]] += p
            how["matched_by_name (shared file)"] += 1; how_pop["matched_by_name (shared file)"] += p
            resolved_census[key] = [r["wardCode_GSO_2024"]]
            continue
        w = key[1]
        cands = legacy_by_district[d]
        # 1. the 2024 name contains the 2019 name (e.g. "Phương Liên Trung Tự" ⊃ "Trung Tự")
        hits = [c for c in cands if w in fold(strip_kind(c["ward"]))]
        rule = "name contained in a 2024 name"
        if not hits:
            # 2. shared syllables with a 2024 ward that no 2019 ward matched (a merge product)
            orphans = [c for c in cands if c["wardCode"] not in matched_codes]
            sy = syllables(r["ward_2019"])
            scored = [(len(sy & syllables(c["ward"])), c) for c in orphans]
            best = max((s for s, _ in scored), default=0)
            if best > 0:
                hits = [c for s, c in scored if s == best]
                rule = "shared syllables with a merged 2024 ward"
        if hits:
            for c in hits:
                pop_by_legacy[c["wardCode"]] += p / len(hits)
            how[rule] += 1; how_pop[rule] += p
            resolved_census[key] = [c["wardCode"] for c in hits]
        else:
            unresolved.append((r, d, p))
    # 3. still unresolved: share among the district's merge products that received nothing,
    #    else among all its merge products, else in proportion to the district's placed population.
    for r, d, p in unresolved:
        cands = legacy_by_district[d]
        orphans = [c for c in cands if c["wardCode"] not in matched_codes]
        empty = [c for c in orphans if pop_by_legacy[c["wardCode"]] == 0]
        if empty or orphans:
            targets = empty or orphans
            for c in targets:
                pop_by_legacy[c["wardCode"]] += p / len(targets)
            rule = "district merge products, equal shares"
            resolved_census[(d, fold(strip_kind(r["ward_2019"])))] = [c["wardCode"] for c in targets]
        else:
            base = {c["wardCode"]: pop_by_legacy[c["wardCode"]] for c in cands}
            tot = sum(base.values())
            for code, v in base.items():
                pop_by_legacy[code] += p * v / tot
            rule = "district pool, pro rata to placed population"
        how[rule] += 1; how_pop[rule] += p
    say(f"census 2019 total {census_total:,}")
    for k in how:
        say(f"  {k}: {how[k]} wards, {how_pop[k]:,} people")
    assert abs(sum(pop_by_legacy.values()) - census_total) < 1e-6
    zero_legacy = [c for c in legacy_by_code if pop_by_legacy[c] == 0]
    say(f"legacy 2024 wards with no census population placed: {len(zero_legacy)}")

    # --- legacy ward 2024 -> 2025 units ------------------------------------------------------
    targets = collections.defaultdict(list)
    for m in mapping_rows:
        targets[m["legacy_wardCode"]].append(m["new_wardCode"])
    pop_by_unit = collections.defaultdict(float)
    split_count = 0
    equal_fallback = 0
    wards_by_unit = collections.Counter()
    for code, p in sorted(pop_by_legacy.items()):
        ts = targets[code]
        assert ts, code
        for t in ts:
            wards_by_unit[t] += 1
        if len(ts) == 1:
            pop_by_unit[ts[0]] += p
            continue
        split_count += 1
        bb = parse_bounds(legacy_by_code[code]["wardBounds"])
        overlaps = [bb.intersection(polys[unit_by_code[t]["ward"]]).area for t in ts]
        tot = sum(overlaps)
        if tot <= 0:
            equal_fallback += 1
            overlaps = [1.0] * len(ts); tot = float(len(ts))
        for t, o in zip(ts, overlaps):
            pop_by_unit[t] += p * o / tot
    say(f"legacy wards divided among several 2025 units: {split_count} "
        f"(split by overlap of the ward's bounding box with the 2025 polygons; equal shares for {equal_fallback})")

    # Round to whole persons, largest remainder, so the city total stays exact.
    codes = [u["wardCode"] for u in units]
    floors = {c: int(pop_by_unit[c]) for c in codes}
    short = census_total - sum(floors.values())
    order = sorted(codes, key=lambda c: (-(pop_by_unit[c] - floors[c]), c))
    for c in order[:short]:
        floors[c] += 1
    assert sum(floors.values()) == census_total
    say(f"2025 units: {len(codes)}; population total {sum(floors.values()):,} (census 2019 exact, residual 0)")

    # Compare with the 72 OSM gis.vn 2025 figures (a sanity check only).
    ratios = sorted(floors[u["wardCode"]] / osm_pop[u["ward"]] for u in units if u["ward"] in osm_pop)
    if ratios:
        say(f"vs OSM population tags (gis.vn 2025-07-01, {len(ratios)} units): census2019/gisvn median "
            f"{ratios[len(ratios)//2]:.2f}, p10 {ratios[len(ratios)//10]:.2f}, p90 {ratios[len(ratios)*9//10]:.2f}")

    # --- units.csv and zones.geojson ----------------------------------------------------------
    os.makedirs(args.out, exist_ok=True)
    unit_rows, features = [], []
    centroid_of = {}
    max_vertices = 0
    for u in sorted(units, key=lambda u: u["wardCode"]):
        name, code = u["ward"], u["wardCode"]
        poly = polys[name]
        c = poly.centroid
        if not poly.contains(c):
            c = poly.representative_point()
        centroid_of[code] = (round(c.x, 6), round(c.y, 6))
        wards = wards_by_unit[code]
        unit_rows.append([code, name, u["wardType"], f"{c.x:.6f}", f"{c.y:.6f}", u["wardAreaKm2"],
                          f"{geodesic_area_km2(poly):.2f}", floors[code],
                          f"census2019 via {wards} legacy ward{'s' if wards != 1 else ''}"])
        tol = SIMPLIFY_TOLERANCE_M
        while True:
            s = TO_WGS(TO_UTM(poly).simplify(tol, preserve_topology=True))
            s = round_coords(orient(s, sign=1.0))
            if s.is_valid and s.geom_type == "Polygon":
                break
            tol /= 2
        max_vertices = max(max_vertices, len(s.exterior.coords))
        features.append({"type": "Feature",
                         "properties": {"name": name, "code": code, "kind": u["wardType"]},
                         "geometry": mapping(s)})
    write_csv(os.path.join(args.out, "units.csv"),
              ["code", "name", "kind", "lon", "lat", "area_km2", "area_km2_osm", "population", "population_source"],
              unit_rows)
    with open(os.path.join(args.out, "zones.geojson"), "w", encoding="utf-8") as f:
        f.write('{"type":"FeatureCollection",\n"attribution":"© OpenStreetMap contributors, ODbL 1.0 (simplified; see README.md)",\n"features":[\n')
        lines = []
        for ft in features:
            g = ft["geometry"]
            coords = [[[round(x, 6), round(y, 6)] for x, y in ring] for ring in g["coordinates"]]
            lines.append(json.dumps({"type": "Feature", "properties": ft["properties"],
                                     "geometry": {"type": "Polygon", "coordinates": coords}},
                                    ensure_ascii=False, separators=(",", ":")))
        f.write(",\n".join(lines) + "\n]}\n")
    say(f"zones.geojson: 126 polygons, Douglas–Peucker {SIMPLIFY_TOLERANCE_M:.0f} m in UTM 48N, "
        f"max {max_vertices} vertices, {os.path.getsize(os.path.join(args.out, 'zones.geojson')):,} bytes")

    def zone_of(lon, lat):
        pt = Point(lon, lat)
        for name in sorted(polys):
            if polys[name].covers(pt):
                return name
        return ""

    # --- existing.csv --------------------------------------------------------------------------
    existing = [["hq", f"{HQ_LON:.6f}", f"{HQ_LAT:.6f}",
                 "Trung tâm Phục vụ hành chính công thành phố Hà Nội (197 Nghi Tàm)", zone_of(HQ_LON, HQ_LAT), "existing"]]
    for u in sorted(units, key=lambda u: u["wardCode"]):
        lon, lat = centroid_of[u["wardCode"]]
        existing.append([f"s{u['wardCode']}", f"{lon:.6f}", f"{lat:.6f}",
                         f"Trung tâm Phục vụ hành chính công {u['ward']}", u["ward"], "existing"])
    write_csv(os.path.join(args.out, "existing.csv"), ["id", "lon", "lat", "name", "zone", "role"], existing)
    say(f"existing.csv: {len(existing)} rows (126 unit centres at the OSM polygon centroid + HQ in {existing[0][4]})")

    # --- candidates.csv ------------------------------------------------------------------------
    cand = []
    districts = {}
    for r in legacy:
        districts.setdefault(r["districtCode"], r)
    for code in sorted(districts):
        r = districts[code]
        lon, lat = float(r["districtLon"]), float(r["districtLat"])
        cand.append([f"d{code}", f"{lon:.6f}", f"{lat:.6f}", f"Trụ sở {r['district']} (cũ)", zone_of(lon, lat), "candidate"])
    flagged = []
    for p in posts:
        if p["approx_lat_ward_centroid"]:
            lon, lat = float(p["approx_lon_ward_centroid"]), float(p["approx_lat_ward_centroid"])
            note = ""
        else:
            # The office's ward was merged 2019–2024: use the ward it was merged into (as above),
            # else the district centroid.
            d = fold(p["district"]); w = fold(p["ward"])
            codes_ = resolved_census.get((d, w))
            if codes_ and len(codes_) == 1:
                lr = legacy_by_code[codes_[0]]
                lon, lat = float(lr["wardLon"]), float(lr["wardLat"])
                note = f"ward {p['ward']} merged into {lr['ward']}: that ward's centroid"
            else:
                lr = legacy_by_district[d][0]
                lon, lat = float(lr["districtLon"]), float(lr["districtLat"])
                note = f"ward {p['ward']} merged (target unknown): district {lr['district']} centroid"
            flagged.append((f"p{int(p['id']):03d}", p["name"], note))
        cand.append([f"p{int(p['id']):03d}", f"{lon:.6f}", f"{lat:.6f}", f"Bưu cục {p['name']} ({p['address']})",
                     zone_of(lon, lat), "candidate"])
    write_csv(os.path.join(args.out, "candidates.csv"), ["id", "lon", "lat", "name", "zone", "role"], cand)
    ids = [r[0] for r in existing + cand]
    assert len(ids) == len(set(ids)), "ids unique across existing and candidates"
    say(f"candidates.csv: {len(cand)} rows ({len(districts)} district seats, {len(posts)} post offices)")
    for f_ in flagged:
        say(f"  flagged {f_[0]} {f_[1]}: {f_[2]}")
    no_zone = [r[0] for r in existing + cand if not r[4]]
    say(f"sites outside every 2025 polygon (zone empty): {no_zone}")
    with open(os.path.join("tools", "hanoi", "derivation_report.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
