import Foundation
import ReachGeo

/// Graph benchmark scenarios (see Benchmarks/README.md for recorded figures).
///
/// Each case reads the Hanoi urban drive network (96,092 nodes, 20,514 ways) and builds the
/// motorcycle graph five times, reporting the best and median wall time of one build
/// (read + parse + split + lengths + CSR + SCC). Target: PBF to graph ≤ 1 s in release.
func registerGraphBenchmarks(_ cases: inout [BenchmarkCase]) {
    for (name, file) in [("graph-build-hanoi-pbf", "roads/hanoi_urban_drive_2025-05-14.osm.pbf"),
                         ("graph-build-hanoi-xml", "roads/hanoi_urban_drive_2025-05-14.osm"),
                         ("graph-build-liechtenstein-pbf", "roads/liechtenstein-latest.osm.pbf")] {
        cases.append(BenchmarkCase(name: name, summary: "\(file) → motorcycle RoadGraph, best/median of 5 builds") {
            let url = sharedDataDirectory().appendingPathComponent(file)
            let profile = try TravelProfile.load(from: bundledProfilesDirectory().appendingPathComponent("motorcycle.json"))
            var seconds: [Double] = []
            var stats = RoadGraphStats()
            for _ in 0..<5 {
                let (result, s) = try measureSeconds { try RoadGraphBuilder.build(osmFile: url, profile: profile) }
                seconds.append(s)
                stats = result.graph.stats
            }
            seconds.sort()
            return String(format: "best %.3f s, median %.3f s per build; ", seconds[0], seconds[2])
                + "\(stats.vertices) vertices, \(stats.edges) edges, \(String(format: "%.1f", stats.totalKm)) km, "
                + "largest SCC \(stats.largestComponentVertices)"
        })
    }
}

/// The parent repository's `data/profiles` (Benchmarks/../data/profiles).
private func bundledProfilesDirectory() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/profiles")
}
