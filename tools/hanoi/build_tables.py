#!/usr/bin/env python3
"""Derive the bundled Hanoi scenario tables (data/hanoi/) from ../shared/data.

Run from the repository root:  python3 tools/hanoi/build_tables.py [--shared ../shared/data]
Needs shapely 2.2.0 and pyproj 3.7.2 (pip install shapely==2.2.0 pyproj==3.7.2). Deterministic:
the same inputs give byte-identical outputs. Writes units.csv, zones.geojson, existing.csv,
candidates.csv and prints the figures quoted in data/hanoi/README.md (derivation_report.txt
holds them too). residents.csv is NOT written here: `reach residents --from-zones … --weights`
generates it; roads.osm.pbf comes from tools/hanoi/build_roads.py.
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


def geodesic_area_km2(geom):
    return abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e6


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


# Town-hall matches of the shared seat file that its own notes call wrong (SOURCES.md: "Some
# matches are wrong (Từ Liêm → UBND phường Mai Dịch …)"): the seat falls back to the next rule.
REJECTED_TOWNHALL_MATCHES = {"Từ Liêm": "SOURCES.md flags the match with UBND phường Mai Dịch as wrong"}
EVIDENCE_WORDS = {"street": "a road named as in the address within about 90 m",
                  "oldunit_in_address": "the address names the old unit of this town hall",
                  "former_district_hq": "the former district seat of the same name"}


def unit_key(kind, name):
    return ("Phường " if kind == "phường" else "Xã ") + name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--out", default=os.path.join("data", "hanoi"))
    ap.add_argument("--report", default=os.path.join("tools", "hanoi", "derivation_report.txt"))
    args = ap.parse_args()
    S = lambda p: os.path.join(args.shared, p)
    report = []
    say = lambda *a: (print(*a), report.append(" ".join(str(x) for x in a)))

    def rows(path):
        with open(S(path), encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    units = rows("admin/hanoi_wards_communes_2025_vietnamadminunits.csv")
    sapnhap = [r for r in rows("admin/vietnam_units_2025_sapnhap_2025-07-17.csv") if r["matinh"] == "1"]
    seats = rows("service_points/hanoi_2025_commune_seats_with_townhall_candidates.csv")
    pois = rows("service_points/hanoi_osm2021_public_service_pois.csv")
    legacy = rows("admin/hanoi_wards_legacy_2024_vietnamadminunits.csv")
    posts = rows("service_points/hanoi_post_offices_vnpost_list.csv")
    posts_osm = {r["vnpost_id"]: r for r in rows("service_points/hanoi_vnpost_offices_matched_to_osm2021.csv")}
    with open(S("admin/hanoi_wards_communes_2025_osm.geojson"), encoding="utf-8") as f:
        osm = json.load(f)
    say(f"inputs: {len(units)} units 2025 (vietnamadminunits), {len(sapnhap)} Hanoi units 2025 (sapnhap), "
        f"{len(seats)} seat rows, {len(pois)} OSM-2021 service points, {len(legacy)} legacy wards 2024, "
        f"{len(posts)} post offices ({len(posts_osm)} matched to OSM 2021), {len(osm['features'])} OSM features")

    # --- 2025 polygons (OSM) by name -------------------------------------------------------
    polys, osm_pop = {}, {}
    for f in osm["features"]:
        if f["geometry"]["type"] != "Polygon":
            continue
        name = f["properties"]["name"]
        polys[name] = shape(f["geometry"])
        if "population" in f["properties"]:
            osm_pop[name] = int(f["properties"]["population"])
    assert len(polys) == 126, len(polys)
    assert all(u["ward"] in polys for u in units), "every 2025 unit has an OSM polygon"
    say(f"OSM polygons: 126 matched by name; {sum(len(p.interiors) for p in polys.values())} interior rings")

    # --- 2025 official populations and seat addresses (sapnhap.bando.com.vn) -----------------
    official = {unit_key(r["loai"], r["tenhc"]): r for r in sapnhap}
    assert set(official) == {u["ward"] for u in units}, "sapnhap and vietnamadminunits name the same 126 units"
    total = sum(int(r["dansonguoi"]) for r in sapnhap)
    say(f"population 2025 (sapnhap dansonguoi): {total:,} in {len(sapnhap)} units")
    equal_tags = sum(1 for n, p in osm_pop.items() if int(official[n]["dansonguoi"]) == p)
    say(f"  equal to the OSM population tag on {equal_tags} of the {len(osm_pop)} units that carry one")
    seat_by_name = {unit_key(r["type"], r["name"]): r for r in seats}
    assert set(seat_by_name) == set(official), "the seat file covers the 126 units"

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
        unit_rows.append([code, name, u["wardType"], f"{c.x:.6f}", f"{c.y:.6f}", u["wardAreaKm2"],
                          f"{geodesic_area_km2(poly):.2f}", official[name]["dansonguoi"],
                          "sapnhap.bando.com.vn 2025-07-17 (dansonguoi)"])
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
    # Point-in-unit tests use the simplified polygons the scenario ships (what Reach sees).
    simplified = {ft["properties"]["name"]: shape(ft["geometry"]) for ft in features}

    def zone_of(lon, lat):
        pt = Point(lon, lat)
        for name in sorted(simplified):
            if simplified[name].covers(pt):
                return name
        return ""

    # --- existing.csv: the 126 commune centres, located from their seat addresses --------------
    header = ["id", "lon", "lat", "name", "zone", "role", "location_quality", "location_evidence", "address"]
    hq_zone = zone_of(HQ_LON, HQ_LAT)
    existing = [["hq", f"{HQ_LON:.6f}", f"{HQ_LAT:.6f}", "Trung tâm Phục vụ hành chính công thành phố Hà Nội",
                 hq_zone, "existing", "street",
                 "interpolated along Đường Nghi Tàm (OSM way 1259558376, 2025 urban extract) between Ngõ 210 and the "
                 "street's southern end: about ±250 m", "197 Nghi Tàm, Yên Phụ, Tây Hồ"]]
    quality_count = collections.Counter()
    for u in sorted(units, key=lambda u: u["wardCode"]):
        name, code = u["ward"], u["wardCode"]
        seat, off = seat_by_name[name], official[name]
        poly = simplified[name]
        short = off["tenhc"]
        located = None
        if seat["best_evidence"] and short not in REJECTED_TOWNHALL_MATCHES:
            lon, lat = float(seat["best_lon"]), float(seat["best_lat"])
            if poly.covers(Point(lon, lat)):
                words = "; ".join(EVIDENCE_WORDS[e] for e in seat["best_evidence"].split("+"))
                located = (lon, lat, "townhall", f"OSM 2021 town hall “{seat['best_candidate_name']}”: {words}")
        if located is None and seat["street_geocode_lon"]:
            lon, lat = float(seat["street_geocode_lon"]), float(seat["street_geocode_lat"])
            if poly.covers(Point(lon, lat)):
                note = f" ({REJECTED_TOWNHALL_MATCHES[short]})" if short in REJECTED_TOWNHALL_MATCHES else ""
                located = (lon, lat, "street",
                           f"point of the address's street “{seat['street_geocode_street']}” nearest the unit's label point "
                           f"({int(seat['street_geocode_len_in_unit_m']):,} m of it in the unit){note}")
        if located is None:
            lon, lat = float(off["kinhdo"]), float(off["vido"])
            if poly.covers(Point(lon, lat)):
                located = (lon, lat, "unit_label_point", "seat address not located: the unit's label point (sapnhap.bando.com.vn)")
            else:
                lon, lat = centroid_of[code]
                located = (lon, lat, "unit_centroid", "seat address not located: the centroid of the unit's OSM polygon")
        lon, lat, quality, evidence = located
        assert poly.covers(Point(round(lon, 6), round(lat, 6))), name
        quality_count[quality] += 1
        existing.append([f"s{code}", f"{lon:.6f}", f"{lat:.6f}", f"Trung tâm Phục vụ hành chính công {name}", name,
                         "existing", quality, evidence, off["trungtamhc"]])
    write_csv(os.path.join(args.out, "existing.csv"), header, existing)
    say(f"existing.csv: {len(existing)} rows: HQ in {hq_zone} (street) and 126 commune centres located as "
        + ", ".join(f"{k} {v}" for k, v in quality_count.most_common()))

    # --- candidates.csv: former district seats and post offices -------------------------------
    townhalls = [p for p in pois if p["subclass"] == "townhall"]
    districts = {}
    for r in legacy:
        districts.setdefault(r["districtCode"], r)
    cand = []
    cand_quality = collections.Counter()
    for code in sorted(districts):
        r = districts[code]
        dname = r["district"]  # e.g. "Quận Ba Đình", "Huyện Mỹ Đức", "Thị xã Sơn Tây"
        want = fold(dname)
        hits = sorted((p for p in townhalls if want in fold(p["name"])), key=lambda p: (p["name"], p["lon"], p["lat"]))
        if hits:
            lon, lat = float(hits[0]["lon"]), float(hits[0]["lat"])
            quality, evidence = "townhall", f"OSM 2021 town hall “{hits[0]['name']}”"
        else:
            lon, lat = float(r["districtLon"]), float(r["districtLat"])
            quality, evidence = "district_geocode", "no OSM 2021 town hall of this district: the district's geocoded centroid (vietnamadminunits)"
        cand_quality[quality] += 1
        cand.append([f"d{code}", f"{lon:.6f}", f"{lat:.6f}", f"Trụ sở {dname} (cũ)", zone_of(lon, lat), "candidate",
                     quality, evidence, ""])
    district_centroid = {fold(strip_kind(r["district"])): (float(r["districtLon"]), float(r["districtLat"])) for r in legacy}
    for p in posts:
        m = posts_osm.get(p["id"])
        if m:
            lon, lat = float(m["osm2021_lon"]), float(m["osm2021_lat"])
            quality, evidence = "post_office_osm", f"OSM 2021 post office “{m['osm2021_name']}” (same name)"
        elif p["approx_lat_ward_centroid"]:
            lon, lat = float(p["approx_lon_ward_centroid"]), float(p["approx_lat_ward_centroid"])
            quality, evidence = "ward_geocode", f"geocoded centroid of the office's 2024 ward {p['ward']} (vietnamadminunits)"
        else:
            lon, lat = district_centroid[fold(p["district"])]
            quality, evidence = "district_geocode", f"ward {p['ward']} no longer exists in 2024: geocoded centroid of district {p['district']}"
        cand_quality[quality] += 1
        cand.append([f"p{int(p['id']):03d}", f"{lon:.6f}", f"{lat:.6f}", f"Bưu cục {p['name']}", zone_of(lon, lat), "candidate",
                     quality, evidence, p["address"]])
    write_csv(os.path.join(args.out, "candidates.csv"), header, cand)
    ids = [r[0] for r in existing + cand]
    assert len(ids) == len(set(ids)), "ids unique across existing and candidates"
    say(f"candidates.csv: {len(cand)} rows ({len(districts)} former district seats, {len(posts)} post offices) located as "
        + ", ".join(f"{k} {v}" for k, v in cand_quality.most_common()))
    no_zone = [r[0] for r in existing + cand if not r[4]]
    say(f"sites outside every 2025 polygon (zone empty): {no_zone}")
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("\n".join(report) + "\n")


if __name__ == "__main__":
    main()
