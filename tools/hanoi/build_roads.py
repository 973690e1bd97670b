#!/usr/bin/env python3
"""Derive the bundled Hanoi road network data/hanoi/roads.osm.pbf from the province extract.

Run from the repository root:  python3 tools/hanoi/build_roads.py [--shared ../shared/data] [--out FILE]
Needs pyosmium (pip install osmium==4.3.2). Deterministic: the same input and pyosmium version
give a byte-identical file (no timestamps, no metadata, zlib at libosmium's fixed level; a test
regenerates the file and compares it with the committed one).

Input: roads/hanoi_province_roads_omt2021-08-06.osm.pbf (OSM 2021-08-06 rebuilt from
OpenMapTiles vector tiles, synthetic ids; see ../shared/data/SOURCES.md).
Rule:
- a way is kept when its `highway` value is routable by at least one bundled profile
  (a key of `speeds_kmh` in data/profiles/*.json);
- a kept way keeps only the tags the travel-time model reads (INTERFACE.md): highway, oneway,
  oneway:<mode>, junction, maxspeed and the access tags of the bundled modes; `name`, `ref`,
  `bridge`, `service`, `omt:class`… are dropped;
- a node is kept when a kept way references it; nodes keep their coordinates and no tags;
- ids, node order and way order are those of the input (sorted by id).
The figures of the run are printed and appended to tools/hanoi/derivation_report_roads.txt.
"""
import argparse
import collections
import glob
import json
import os

import osmium

# The tags the model reads (INTERFACE.md, "The model, exactly"): direction, speed, access.
MODEL_TAG_KEYS_FIXED = ["highway", "oneway", "junction", "maxspeed",
                        "access", "vehicle", "motor_vehicle"]


def profile_facts(profile_dir):
    classes, modes = set(), set()
    for path in sorted(glob.glob(os.path.join(profile_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            p = json.load(f)
        classes.update(p["speeds_kmh"].keys())
        modes.add(p["mode"])
    return classes, modes


def mode_access_tag(mode):
    # INTERFACE.md fine print: motorcar for car, foot for walk, else the mode name.
    return {"car": "motorcar", "walk": "foot"}.get(mode, mode)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=os.path.join("..", "shared", "data"))
    ap.add_argument("--profiles", default=os.path.join("data", "profiles"))
    ap.add_argument("--out", default=os.path.join("data", "hanoi", "roads.osm.pbf"))
    ap.add_argument("--report", default=os.path.join("tools", "hanoi", "derivation_report_roads.txt"))
    args = ap.parse_args()
    source = os.path.join(args.shared, "roads", "hanoi_province_roads_omt2021-08-06.osm.pbf")

    classes, modes = profile_facts(args.profiles)
    keep_keys = set(MODEL_TAG_KEYS_FIXED)
    for m in modes:
        keep_keys.add(mode_access_tag(m))
        keep_keys.add("oneway:" + mode_access_tag(m))
        keep_keys.add("oneway:" + m)

    # Pass 1: which ways are kept, which nodes they need.
    class Ways(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.needed = set()
            self.kept = 0
            self.dropped = collections.Counter()
            self.by_class = collections.Counter()
            self.dropped_keys = collections.Counter()

        def way(self, w):
            hw = w.tags.get("highway")
            if hw not in classes:
                self.dropped[hw] += 1
                return
            self.kept += 1
            self.by_class[hw] += 1
            for t in w.tags:
                if t.k not in keep_keys:
                    self.dropped_keys[t.k] += 1
            for n in w.nodes:
                self.needed.add(n.ref)

    ways = Ways()
    ways.apply_file(source)

    # Pass 2: write the kept nodes (no tags) and the kept ways (model tags only).
    header = osmium.io.Header()
    header.set("generator", "reach tools/hanoi/build_roads.py")
    header.add_box(osmium.osm.Box(osmium.osm.Location(105.27, 20.53), osmium.osm.Location(106.04, 21.41)))
    tmp = args.out + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    writer = osmium.SimpleWriter(osmium.io.File(tmp, "pbf,add_metadata=false,pbf_compression=zlib"),
                                 header=header, overwrite=True)
    counts = collections.Counter()

    class Copy(osmium.SimpleHandler):
        def node(self, n):
            if n.id in ways.needed:
                writer.add_node(osmium.osm.mutable.Node(id=n.id, location=n.location, tags={}))
                counts["nodes"] += 1

        def way(self, w):
            if w.tags.get("highway") not in classes:
                return
            tags = {t.k: t.v for t in w.tags if t.k in keep_keys}
            writer.add_way(osmium.osm.mutable.Way(id=w.id, nodes=[n.ref for n in w.nodes], tags=tags))
            counts["ways"] += 1

    Copy().apply_file(source)
    writer.close()
    os.replace(tmp, args.out)

    lines = [
        f"source: {source}",
        f"routable classes (union of {args.profiles}/*.json): {', '.join(sorted(classes))}",
        f"tags kept: {', '.join(sorted(keep_keys))}",
        f"ways kept: {counts['ways']:,} ({', '.join(f'{k} {v:,}' for k, v in ways.by_class.most_common())})",
        f"ways dropped (highway not routable by any profile): {sum(ways.dropped.values()):,} "
        f"({', '.join(f'{k} {v:,}' for k, v in ways.dropped.most_common())})",
        f"tags dropped from kept ways: {', '.join(f'{k} {v:,}' for k, v in ways.dropped_keys.most_common())}",
        f"nodes kept: {counts['nodes']:,}",
        f"{args.out}: {os.path.getsize(args.out):,} bytes",
    ]
    for line in lines:
        print(line)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
