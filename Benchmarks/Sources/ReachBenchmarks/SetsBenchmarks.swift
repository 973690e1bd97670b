import Foundation
import ReachGeo
import ReachPlanner

/// Coverage sets for `reach plan` without roads (radius 5 km or the 30-minute estimate, rule
/// `either`): 200,000 residents × 2,000 sites (100 existing + 1,900 candidates) in a 40 × 40 km
/// square around Hanoi, half uniform and half in 24 clusters (σ = 2 km). The scenario is written
/// as CSV, loaded and prepared (projected) outside the timed part; `sets` is
/// `CoverageSets.compute`, `matrix` is `CoverageProblem.fromCoverageLists` (demands merged).
/// The digest (FNV-1a over offsets, sites and the minutes' bit patterns) must not change when
/// the stage gets faster.
func registerSetsBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(name: "sets-200k-2k",
                               summary: "coverage sets (no roads, 5 km or 30 min estimated) 200k residents × 2k sites, then the planner's problem (target ≤ 3 s, ≤ 1 GB)") {
        try setsBenchmark(residents: 200_000, sites: 2_000)
    })
    cases.append(BenchmarkCase(name: "sets-20k-2k", summary: "as sets-200k-2k with 20k residents") {
        try setsBenchmark(residents: 20_000, sites: 2_000)
    })
}

/// Residents and sites as lon/lat in a `sideMeters` square at Hanoi (seeded, like the planner's
/// generated instance).
func hanoiSquarePoints(residents: Int, sites: Int, sideMeters: Double = 40_000, seed: UInt64 = 2025)
    -> (residents: [LonLat], populations: [Double], sites: [LonLat]) {
    var rng = SplitMix64(seed: seed)
    let clusters = (0 ..< 24).map { _ in (rng.unitInterval() * sideMeters, rng.unitInterval() * sideMeters) }
    let lat0 = 20.85, lon0 = 105.65
    let metersPerDegreeLat = 110_750.0, metersPerDegreeLon = 111_320.0 * cos(21.03 * Double.pi / 180)
    func point() -> LonLat {
        var x: Double, y: Double
        if rng.unitInterval() < 0.5 {
            x = rng.unitInterval() * sideMeters; y = rng.unitInterval() * sideMeters
        } else {
            let c = clusters[Int(rng.next() % UInt64(clusters.count))]
            let r = 2_000 * (-2 * log(max(rng.unitInterval(), 1e-300))).squareRoot(), a = 2 * Double.pi * rng.unitInterval()
            x = min(max(c.0 + r * cos(a), 0), sideMeters); y = min(max(c.1 + r * sin(a), 0), sideMeters)
        }
        return LonLat(lonDegrees: lon0 + x / metersPerDegreeLon, latDegrees: lat0 + y / metersPerDegreeLat)
    }
    let s = (0 ..< sites).map { _ in point() }
    var r: [LonLat] = [], p: [Double] = []
    r.reserveCapacity(residents); p.reserveCapacity(residents)
    for _ in 0 ..< residents { r.append(point()); p.append(Double(1 + rng.next() % 100)) }
    return (r, p, s)
}

/// Writes the generated scenario as CSV files and loads and prepares it (no roads).
func preparedSquareScenario(residents residentCount: Int, sites siteCount: Int, existing existingCount: Int = 100,
                            sideMeters: Double = 40_000) throws -> PreparedScenario {
    let (residents, populations, sites) = hanoiSquarePoints(residents: residentCount, sites: siteCount, sideMeters: sideMeters)
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-sets-\(getpid())-\(residentCount)-\(siteCount)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    func f(_ x: Double) -> String { String(format: "%.7f", x) }
    var text = "id,lon,lat,population\n"
    for (i, p) in residents.enumerated() { text += "r\(i),\(f(p.lonDegrees)),\(f(p.latDegrees)),\(Int(populations[i]))\n" }
    try text.write(to: dir.appendingPathComponent("residents.csv"), atomically: false, encoding: .utf8)
    var existing = "id,lon,lat\n", candidates = "id,lon,lat\n"
    for (j, p) in sites.enumerated() {
        let line = "s\(j),\(f(p.lonDegrees)),\(f(p.latDegrees))\n"
        if j < existingCount { existing += line } else { candidates += line }
    }
    try existing.write(to: dir.appendingPathComponent("existing.csv"), atomically: false, encoding: .utf8)
    try candidates.write(to: dir.appendingPathComponent("candidates.csv"), atomically: false, encoding: .utf8)
    let scenario = Scenario(name: "sets bench", residents: dir.appendingPathComponent("residents.csv"),
                            existing: dir.appendingPathComponent("existing.csv"),
                            candidates: dir.appendingPathComponent("candidates.csv"))
    return try PreparedScenario.prepare(try ScenarioLoader.load(scenario))
}

/// FNV-1a digest of coverage sets (offsets, sites, minutes by bit pattern).
func coverageSetsDigest(_ sets: CoverageSets) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01B3 }
    for o in sets.offsets { mix(UInt64(o)) }
    for s in sets.sites { mix(UInt64(UInt32(bitPattern: s))) }
    for m in sets.minutes { mix(m.bitPattern) }
    return h
}

func setsBenchmark(residents: Int, sites: Int) throws -> String {
    let prepared = try preparedSquareScenario(residents: residents, sites: sites)
    let rssBefore = peakMemoryMiB()
    var timings = StageTimings()
    let cpu0 = benchCPUSeconds()
    let (sets, seconds) = try measureSeconds {
        try CoverageSets.compute(prepared: prepared, siteIndices: Array(prepared.sites.indices), timings: &timings)
    }
    let cpu1 = benchCPUSeconds()
    let rssSets = peakMemoryMiB()
    let planning = prepared.sites.map { PlanningSite(id: $0.id, role: $0.role) }
    let (problem, problemSeconds) = try measureSeconds {
        try CoverageProblem.fromCoverageLists(populations: prepared.residents.map(\.population), sites: planning,
                                              coverOffsets: sets.offsets, coverSites: sets.sites, coverMinutes: sets.minutes)
    }
    let cpu2 = benchCPUSeconds()
    return String(format: "sets %.3f s wall / %.3f s CPU, %d pairs (%.1f per resident), digest %016llx; problem %.3f s wall / %.3f s CPU, %d merged demands; peak before %.0f MiB, after sets %.0f MiB",
                  seconds, cpu1 - cpu0, sets.pairCount, Double(sets.pairCount) / Double(residents), coverageSetsDigest(sets),
                  problemSeconds, cpu2 - cpu1, problem.mergedDemandCount, rssBefore, rssSets)
}

/// User + system CPU seconds of this process.
func benchCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
