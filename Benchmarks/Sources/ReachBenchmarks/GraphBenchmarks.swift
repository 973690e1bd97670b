import Foundation
import ReachGeo

/// Graph benchmark scenarios (see Benchmarks/README.md for recorded figures).
///
/// Each case reads a road file — the Hanoi urban drive network (96,092 nodes, 20,514 ways), its XML
/// twin, Liechtenstein, or the whole-province network (1,011,006 nodes, 358,136 ways) — and builds
/// the motorcycle graph five times, reporting the best and median wall time of one build
/// (read + parse + split + lengths + CSR + SCC). Target: PBF to graph ≤ 1 s in release.
func registerGraphBenchmarks(_ cases: inout [BenchmarkCase]) {
    for (name, file) in [("graph-build-hanoi-pbf", "roads/hanoi_urban_drive_2025-05-14.osm.pbf"),
                         ("graph-build-hanoi-xml", "roads/hanoi_urban_drive_2025-05-14.osm"),
                         ("graph-build-liechtenstein-pbf", "roads/liechtenstein-latest.osm.pbf"),
                         ("graph-build-province-pbf", "roads/hanoi_province_roads_omt2021-08-06.osm.pbf")] {
        cases.append(BenchmarkCase(name: name, summary: "\(file) → motorcycle RoadGraph, best/median of 5 builds") {
            let url = sharedDataDirectory().appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: url.path) else { return "skipped: \(url.path) not found" }
            let profile = try TravelProfile.load(from: bundledProfilesDirectory().appendingPathComponent("motorcycle.json"))
            var seconds: [Double] = []
            var stats = RoadGraphStats()
            var digests: Set<UInt64> = []
            for _ in 0..<5 {
                let (result, s) = try measureSeconds { try RoadGraphBuilder.build(osmFile: url, profile: profile) }
                seconds.append(s)
                stats = result.graph.stats
                digests.insert(graphDigest(result))
            }
            seconds.sort()
            return String(format: "best %.3f s, median %.3f s per build; ", seconds[0], seconds[2])
                + "\(stats.vertices) vertices, \(stats.edges) edges, \(String(format: "%.1f", stats.totalKm)) km, "
                + "largest SCC \(stats.largestComponentVertices); digest "
                + digests.sorted().map { String(format: "%016llx", $0) }.joined(separator: " ")
        })
    }
}

/// The parent repository's `data/profiles` (Benchmarks/../data/profiles).
private func bundledProfilesDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/profiles")
}

/// FNV-1a over every field of the graph and the warnings (bit patterns of the doubles), so two
/// builds that print the same digest gave the same graph bit for bit.
func graphDigest(_ result: RoadGraphBuildResult) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ v: UInt64) { h = (h ^ v) &* 0x100_0000_01b3 }
    func mix(_ d: Double) { mix(d.bitPattern) }
    func mix(_ s: String) { for b in s.utf8 { mix(UInt64(b)) }; mix(UInt64(0xff)) }
    let g = result.graph
    for p in g.vertices { mix(p.lonDegrees); mix(p.latDegrees) }
    for id in g.vertexNodeIds { mix(UInt64(bitPattern: id)) }
    for e in g.edges {
        mix(UInt64(UInt32(bitPattern: e.fromVertex))); mix(UInt64(UInt32(bitPattern: e.toVertex)))
        mix(UInt64(bitPattern: e.wayId)); mix(e.lengthMeters); mix(e.speedKmh)
        mix(UInt64(e.forward ? 1 : 0) | UInt64(e.backward ? 2 : 0))
        mix(UInt64(UInt32(bitPattern: e.shapeStart))); mix(UInt64(UInt32(bitPattern: e.shapeEnd))); mix(e.highwayClass)
    }
    for p in g.shape { mix(p.lonDegrees); mix(p.latDegrees) }
    for d in g.shapeOffsetMeters { mix(d) }
    for arcs in [g.outgoingArcs, g.incomingArcs] {
        for a in arcs {
            mix(UInt64(UInt32(bitPattern: a.otherVertex))); mix(UInt64(UInt32(bitPattern: a.edge)))
            mix(UInt64(a.alongEdge ? 1 : 0)); mix(a.seconds)
        }
    }
    for offsets in [g.outgoingOffsets, g.incomingOffsets, g.componentOfVertex, g.componentSizes] {
        for o in offsets { mix(UInt64(UInt32(bitPattern: o))) }
    }
    for t in g.isSnapTarget { mix(UInt64(t ? 1 : 0)) }
    let st = g.stats
    for v in [st.osmNodesRead, st.osmWaysRead, st.routableWays, st.vertices, st.edges, st.arcs, st.components,
              st.largestComponentVertices, st.snapTargetEdges] { mix(UInt64(v)) }
    mix(st.totalKm)
    for w in result.warnings { mix(w.message) }
    return h
}
