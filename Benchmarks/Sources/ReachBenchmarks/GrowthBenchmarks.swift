import Foundation
import ReachGeo
import ReachPlanner

/// `growth`: each stage run at four sizes, the work doubling each time, with the fitted exponent
/// of wall (and CPU) time against the size (least squares on log–log; 1 = linear) and the peak
/// RSS of each run (`VmHWM`, reset before each run through `/proc/self/clear_refs`).
/// A stage above 1.15 is a defect to explain or fix (issue 15, item 6).
func registerGrowthBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(name: "growth",
                               summary: "doubling residents, candidates and graph size per stage: fitted exponents and peak RSS") {
        try growthBenchmark()
    })
}

private struct GrowthRow {
    var size: Int
    var wall: Double
    var cpu: Double
    var peakMiB: Double
    var figure: String
}

/// Resets the peak RSS of this process (Linux ≥ 4.0: writing 5 to clear_refs).
private func resetPeakMemory() {
    if let h = FileHandle(forWritingAtPath: "/proc/self/clear_refs") { h.write("5".data(using: .utf8)!); try? h.close() }
}

private func currentRSSMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? .nan) / 1024
    }
    return .nan
}

/// Slope of log(y) against log(x).
private func fittedExponent(_ xs: [Double], _ ys: [Double]) -> Double {
    let lx = xs.map { log($0) }, ly = ys.map { log(max($0, 1e-9)) }
    let mx = lx.reduce(0, +) / Double(lx.count), my = ly.reduce(0, +) / Double(ly.count)
    var num = 0.0, den = 0.0
    for k in lx.indices { num += (lx[k] - mx) * (ly[k] - my); den += (lx[k] - mx) * (lx[k] - mx) }
    return num / den
}

/// Runs `body` at each size (best of `repeats` for wall and CPU) and prints one table.
private func growthStage(_ name: String, unit: String, sizes: [Int], repeats: Int = 2,
                         prepare: (Int) throws -> Any, body: (Any) throws -> String) rethrows -> String {
    var rows: [GrowthRow] = []
    for size in sizes {
        let input = try prepare(size)
        var best = Double.infinity, bestCPU = Double.infinity, peak = 0.0, figure = ""
        for _ in 0 ..< repeats {
            resetPeakMemory()
            let base = currentRSSMiB()
            let cpu0 = benchCPUSeconds()
            let (f, s) = try measureSeconds { try body(input) }
            let cpu = benchCPUSeconds() - cpu0
            best = min(best, s); bestCPU = min(bestCPU, cpu)
            peak = max(peak, peakMemoryMiB() - base)
            figure = f
        }
        rows.append(GrowthRow(size: size, wall: best, cpu: bestCPU, peakMiB: peak, figure: figure))
        print(String(format: "  %@ %@ %d: %.4f s wall, %.4f s CPU, +%.0f MiB peak above the inputs; %@",
                     name, unit, size, best, bestCPU, peak, figure))
    }
    let xs = rows.map { Double($0.size) }
    let e = fittedExponent(xs, rows.map(\.wall)), ec = fittedExponent(xs, rows.map(\.cpu))
    let em = fittedExponent(xs, rows.map { max($0.peakMiB, 0.5) })
    let flag = max(e, ec) > 1.15 ? " ABOVE 1.15" : ""
    let line = String(format: "%@ (%@ %d→%d): exponent %.2f wall, %.2f CPU, %.2f peak memory%@", name, unit,
                      sizes.first!, sizes.last!, e, ec, em, flag)
    print("  " + line)
    return line
}

/// A square grid of `side` × `side` vertices 100 m apart around Hanoi (the routing benchmark's
/// grid: every fifth street one-way, classes cycling).
func growthGridGraph(side: Int) throws -> RoadGraph {
    let profile = try TravelProfile.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("data/profiles/motorcycle.json"))
    let nodes = (0 ..< side * side).map { k in
        OSMNode(id: Int64(k + 1), position: LonLat(lonDegrees: 105.70 + Double(k % side) * 0.00096,
                                                   latDegrees: 20.90 + Double(k / side) * 0.0009))
    }
    let classes = ["primary", "secondary", "tertiary", "residential", "residential"]
    var ways: [OSMWay] = []
    for line in 0 ..< side {
        for vertical in [false, true] {
            var tags = ["highway": classes[line % classes.count]]
            if line % 5 == 2 { tags["oneway"] = line % 10 == 2 ? "yes" : "-1" }
            let ids = (0 ..< side).map { i in Int64((vertical ? i * side + line : line * side + i) + 1) }
            ways.append(OSMWay(id: Int64(ways.count + 1), nodeIds: ids, tags: tags))
        }
    }
    return try RoadGraphBuilder.build(nodes: nodes, ways: ways, profile: profile).graph
}

private func snappedNearVertices(_ graph: RoadGraph, _ snapper: EdgeSnapper, count: Int, seed: UInt64) throws -> [SnappedPoint?] {
    var rng = SplitMix64(seed: seed)
    let points = (0 ..< count).map { _ -> LonLat in
        let v = graph.vertices[Int(rng.next() % UInt64(graph.vertexCount))]
        return LonLat(lonDegrees: v.lonDegrees + (rng.unitInterval() - 0.5) * 0.0058, latDegrees: v.latDegrees + (rng.unitInterval() - 0.5) * 0.0054)
    }
    return try snapper.snapAll(points, maxDistanceMeters: 1000)
}

private func connector(_ s: [SnappedPoint?]) -> [Double] { s.map { ($0?.distanceMeters ?? 0) / (10 / 3.6) } }

func growthBenchmark() throws -> String {
    var lines: [String] = []
    // Coverage sets (no roads): residents doubling over a fixed 40 km square and 1,000 sites.
    lines.append(try growthStage("sets", unit: "residents", sizes: [25_000, 50_000, 100_000, 200_000], prepare: { n in
        try preparedSquareScenario(residents: n, sites: 1_000)
    }, body: { p in
        let prepared = p as! PreparedScenario
        var t = StageTimings()
        let sets = try CoverageSets.compute(prepared: prepared, siteIndices: Array(prepared.sites.indices), timings: &t)
        return "\(sets.pairCount) pairs"
    }))
    // Coverage sets: candidates doubling (the pairs double too), 50k residents.
    lines.append(try growthStage("sets", unit: "sites", sizes: [250, 500, 1_000, 2_000], prepare: { m in
        try preparedSquareScenario(residents: 50_000, sites: m, existing: 50)
    }, body: { p in
        let prepared = p as! PreparedScenario
        var t = StageTimings()
        let sets = try CoverageSets.compute(prepared: prepared, siteIndices: Array(prepared.sites.indices), timings: &t)
        return "\(sets.pairCount) pairs"
    }))
    // The planner's problem (merge + transpose) from the sets: residents doubling, 1,000 sites.
    lines.append(try growthStage("problem", unit: "residents", sizes: [25_000, 50_000, 100_000, 200_000], prepare: { n in
        let prepared = try preparedSquareScenario(residents: n, sites: 1_000)
        var t = StageTimings()
        let sets = try CoverageSets.compute(prepared: prepared, siteIndices: Array(prepared.sites.indices), timings: &t)
        return (prepared.residents.map(\.population), prepared.sites.map { PlanningSite(id: $0.id, role: $0.role) }, sets)
    }, body: { x in
        let (populations, sites, sets) = x as! ([Double], [PlanningSite], CoverageSets)
        let problem = try CoverageProblem.fromCoverageLists(populations: populations, sites: sites, coverOffsets: sets.offsets,
                                                            coverSites: sets.sites, coverMinutes: sets.minutes)
        return "\(problem.mergedDemandCount) merged demands"
    }))
    // Bounded 30-minute searches: sites doubling on a fixed 200 × 200 grid, 20,000 residents.
    let grid200 = try growthGridGraph(side: 200)
    let snapper200 = try EdgeSnapper(graph: grid200)
    let residents200 = try snappedNearVertices(grid200, snapper200, count: 20_000, seed: 13)
    lines.append(try growthStage("bounded", unit: "sites", sizes: [125, 250, 500, 1_000], prepare: { m in
        try snappedNearVertices(grid200, snapper200, count: m, seed: 14)
    }, body: { s in
        let sites = s as! [SnappedPoint?]
        let matrix = SiteReachMatrix.compute(graph: grid200, sites: sites, siteConnectorSeconds: connector(sites),
                                             residents: residents200, residentConnectorSeconds: connector(residents200),
                                             limitSeconds: 600)
        return "\(matrix.reduce(0) { $0 + $1.count }) entries"
    }))
    // Bounded 10-minute searches: graph size doubling (side × √2), 250 sites, residents ∝ vertices.
    let sides = [100, 141, 200, 283]
    lines.append(try growthStage("bounded", unit: "vertices", sizes: sides.map { $0 * $0 }, prepare: { v in
        let side = sides.first { $0 * $0 == v }!
        let g = try growthGridGraph(side: side)
        let sn = try EdgeSnapper(graph: g)
        return (g, try snappedNearVertices(g, sn, count: 250, seed: 14), try snappedNearVertices(g, sn, count: v / 2, seed: 13))
    }, body: { x in
        let (g, sites, residents) = x as! (RoadGraph, [SnappedPoint?], [SnappedPoint?])
        // Unbounded in effect (the whole grid is within 60 minutes), so the work grows with the graph.
        let matrix = SiteReachMatrix.compute(graph: g, sites: sites, siteConnectorSeconds: connector(sites),
                                             residents: residents, residentConnectorSeconds: connector(residents),
                                             limitSeconds: 3600)
        return "\(matrix.reduce(0) { $0 + $1.count }) entries"
    }))
    // Fastest intake: graph size doubling, residents ∝ vertices, 130 sites.
    lines.append(try growthStage("fastest", unit: "vertices", sizes: sides.map { $0 * $0 }, repeats: 3, prepare: { v in
        let side = sides.first { $0 * $0 == v }!
        let g = try growthGridGraph(side: side)
        let sn = try EdgeSnapper(graph: g)
        return (g, try snappedNearVertices(g, sn, count: 130, seed: 15), try snappedNearVertices(g, sn, count: 2 * v, seed: 12))
    }, body: { x in
        let (g, sites, residents) = x as! (RoadGraph, [SnappedPoint?], [SnappedPoint?])
        let found = FastestIntakeSearch.run(graph: g, sites: sites, siteConnectorSeconds: connector(sites),
                                            residents: residents, residentConnectorSeconds: connector(residents))
        return "\(found.lazy.filter { $0 != nil }.count) reached"
    }))
    return "\n  " + lines.joined(separator: "\n  ")
}
