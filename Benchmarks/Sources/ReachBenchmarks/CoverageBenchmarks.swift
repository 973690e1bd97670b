import Foundation
import ReachGeo

/// Coverage benchmark scenarios: the 5 km (geodesic) nearest-site pass with outputs, at the
/// issue's scale (1,000,000 residents × 1,000 intake points over a Hanoi-sized area).
func registerCoverageBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(name: "coverage-1m-1k", summary: "1M residents × 1k sites: project, nearest by geodesic, classify, residents.csv") {
        try coverageBenchmark(residents: 1_000_000, sites: 1_000, writeOutputs: true)
    })
    cases.append(BenchmarkCase(name: "coverage-200k-130", summary: "200k residents × 130 sites (Hanoi-like), no outputs") {
        try coverageBenchmark(residents: 200_000, sites: 130, writeOutputs: false)
    })
}

/// Seeded points: half uniform over a 0.8° × 0.8° box around Hanoi, half clustered.
func seededPoints(count: Int, seed: UInt64) -> [LonLat] {
    var rng = SplitMix64(seed: seed)
    func next() -> Double { rng.unitInterval() }
    var out: [LonLat] = []
    out.reserveCapacity(count)
    for i in 0..<count {
        if i % 2 == 0 {
            out.append(LonLat(lonDegrees: 105.45 + next() * 0.8, latDegrees: 20.65 + next() * 0.8))
        } else {
            out.append(LonLat(lonDegrees: 105.85 + (next() - 0.5) * 0.15, latDegrees: 21.03 + (next() - 0.5) * 0.15))
        }
    }
    return out
}

func coverageBenchmark(residents residentCount: Int, sites siteCount: Int, writeOutputs: Bool) throws -> String {
    let residentPoints = seededPoints(count: residentCount, seed: 1)
    let sitePoints = seededPoints(count: siteCount, seed: 2)
    let residents = residentPoints.enumerated().map { Resident(id: "r\($0.offset)", position: $0.element, population: 10) }
    let sites = sitePoints.enumerated().map { Site(id: "s\($0.offset)", position: $0.element, role: .existing) }
    let standard = ServiceStandard()
    var timings = StageTimings()
    let finder = timings.measure("index") { NearestSiteFinder(sites: sitePoints) }
    let nearest: [(site: Int, distanceMeters: Double)?] = timings.measure("nearest") {
        residentPoints.withUnsafeBufferPointer { rb in
            let r = UnsafeSendableBuffer(rb)
            return Parallel.map(count: residentCount, minimumChunk: 8192, initial: nil) { i in finder.nearest(to: r[i]) }
        }
    }
    let times = TimeEstimate.times(nearest: nearest, detourFactor: 1.35, estimateKmh: 22)
    let outcomes = timings.measure("classify") { CoverageClassifier.classify(nearest: nearest, times: times, standard: standard) }
    let evaluation = CoverageEvaluation(openSites: Array(0..<siteCount), outcomes: outcomes,
                                        totals: CoverageClassifier.totals(residents: residents, outcomes: outcomes),
                                        zoneTotals: [], timeMethod: .estimated)
    var bytes = 0
    if writeOutputs {
        let csv = timings.measure("residents.csv") { CoverageOutputs.residentsCSV(residents: residents, evaluation: evaluation, sites: sites) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try timings.measure("write") {
            let batch = OutputBatch()
            try batch.add(csv, as: dir.appendingPathComponent("residents.csv"))
            try batch.commit()
        }
        bytes = csv.count
        try? FileManager.default.removeItem(at: dir)
    }
    let stages = timings.entries.map { "\($0.stage) \(String(format: "%.3f", $0.seconds)) s" }.joined(separator: ", ")
    return "covered share \(String(format: "%.4f", evaluation.totals.coveredShare)), \(bytes) bytes of CSV; \(stages)"
}
