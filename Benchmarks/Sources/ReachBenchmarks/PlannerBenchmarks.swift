import Foundation
import ReachGeo
import ReachPlanner

/// Planner benchmark scenarios (see Benchmarks/README.md for recorded figures).
///
/// A generated "Hanoi-sized" instance: 200,000 residents and 2,000 candidate sites in a
/// 40 × 40 km square (half uniform, half in 24 Gaussian clusters of σ = 2 km, like dense wards
/// around a sparser periphery), populations 1…100 per resident, coverage = straight-line
/// distance ≤ 5 km (found with a 5 km grid), N = 30 new branches (mode add, no existing sites).
/// Everything is drawn from a seeded SplitMix64, so every run plans the same instance.
func registerPlannerBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(name: "plan-greedy-200k",
                               summary: "greedy (lazy gains) + roll-out, 200k residents × 2k candidates, N = 30 (target ≤ 1 s)") {
        try runPlannerBenchmark(solver: GreedySolver(), timeLimitSeconds: 10)
    })
    cases.append(BenchmarkCase(name: "plan-swap-200k",
                               summary: "greedy + best-improvement swaps (one descent, no kicks), 200k × 2k, N = 30 (target ≤ 1 s)") {
        try runPlannerBenchmark(solver: GreedySwapSolver(), timeLimitSeconds: 10)
    })
    cases.append(BenchmarkCase(name: "plan-bound-200k",
                               summary: "greedy + iterated swaps + Lagrangian bound and gap, 200k × 2k, N = 30 (target ≤ 5 s, gap ≤ 0.1 %)") {
        try runPlannerBenchmark(solver: LagrangianSolver(), timeLimitSeconds: 5)
    })
    cases.append(BenchmarkCase(name: "plan-bound-200k-long",
                               summary: "as plan-bound-200k with 3000 iterations / 120 s: how far the Lagrangian bound goes") {
        try runPlannerBenchmark(solver: LagrangianSolver(maxIterations: 3000), timeLimitSeconds: 120)
    })
    cases.append(BenchmarkCase(name: "plan-cbc-200k",
                               summary: "CBC back end with the size guard off, 200k × 2k, N = 30, 60 s: the time limit holds even inside CBC's root LP") {
        try runPlannerBenchmark(solver: CBCSolver(maxCoveringPairs: nil), timeLimitSeconds: 60)
    })
    cases.append(BenchmarkCase(name: "plan-default-200k",
                               summary: "the back end of `reach plan` as shipped (CBC with its size guard, warm-started), 200k × 2k, N = 30, --time-limit 60 (issue 14: gap ≤ 0.1 %)") {
        try runPlannerBenchmark(solver: CBCSolver(), timeLimitSeconds: 60)
    })
    cases.append(BenchmarkCase(name: "plan-capacitated-200k",
                               summary: "capacitated plan (reach plan --capacitated path), 200k × 2k, N = 30, --time-limit 30: a gap must be reported within 30 s (issue 13)") {
        try runCapacitatedBenchmark(timeLimitSeconds: 30)
    })
    cases.append(BenchmarkCase(name: "plan-cbc-20k",
                               summary: "CBC exact back end warm-started, 20k residents × 400 candidates, N = 10, 60 s") {
        try runPlannerBenchmark(solver: CBCSolver(), timeLimitSeconds: 60, size: .small)
    })
    cases.append(BenchmarkCase(name: "plan-bound-20k",
                               summary: "greedy + swaps + Lagrangian bound, 20k residents × 400 candidates, N = 10") {
        try runPlannerBenchmark(solver: LagrangianSolver(), timeLimitSeconds: 5, size: .small)
    })
}

private enum PlannerInstanceSize { case hanoi, small }

private typealias PlannerInstance = Result<(CoverageProblem, buildSeconds: Double, problemSeconds: Double), Error>

/// Builds the seeded instance: residents, candidates and the ≤ 5 km coverage lists.
private func makePlannerInstance(residents: Int, candidates: Int) -> PlannerInstance {
    Result {
        let ((offsets, sites, populations, siteCount), buildSeconds) = measureSeconds {
            makeHanoiSizedCoverage(residents: residents, candidates: candidates)
        }
        let roles = (0 ..< siteCount).map { PlanningSite(id: "c\($0)", role: .candidate) }
        let (problem, problemSeconds) = try measureSeconds {
            try CoverageProblem.fromCoverageLists(populations: populations, sites: roles, coverOffsets: offsets, coverSites: sites)
        }
        return (problem, buildSeconds, problemSeconds)
    }
}

/// The 200k × 2k instance (N = 30) and a 20k × 400 one (N = 10), each built once per process.
private let hanoiSizedInstance = makePlannerInstance(residents: 200_000, candidates: 2_000)
private let smallInstance = makePlannerInstance(residents: 20_000, candidates: 400)

private func runPlannerBenchmark(solver: any CoverageSolver, timeLimitSeconds: Double,
                                 size: PlannerInstanceSize = .hanoi) throws -> String {
    let (problem, buildSeconds, problemSeconds) = try (size == .hanoi ? hanoiSizedInstance : smallInstance).get()
    let branches = size == .hanoi ? 30 : 10
    let cpuBefore = processCPUSeconds()
    let (solution, solveSeconds) = try measureSeconds {
        try problem.solve(.coverage(.add, branches: branches), using: solver, timeLimitSeconds: timeLimitSeconds)
    }
    let cpu = processCPUSeconds() - cpuBefore
    let covered = solution.coveredPopulation
    let phases = solution.solver.phases.map { String(format: "%@ %.3f s", $0.phase, $0.seconds) }.joined(separator: ", ")
    return String(format: "coverage sets %.2f s, problem (merge %d → %d demands, %d pairs) %.2f s; solve %.3f s wall, %.3f s CPU [%@]; covered %.0f of %.0f (%.3f %%); bound %.0f; gap %.4f %%; proven %@; %@",
                  buildSeconds, problem.demandCount, problem.mergedDemandCount, problem.demandCoverSites.count, problemSeconds,
                  solveSeconds, cpu, phases, covered, solution.totalPopulation, 100 * solution.coveredShare,
                  solution.upperBoundPopulation, 100 * solution.gap, solution.provenOptimal ? "yes" : "no",
                  solution.solver.notes.joined(separator: "; "))
}

/// The capacitated plan on the 200k × 2k instance: filings = population × 0.24 (the default
/// rate), each candidate staffed with 2…12 counters (seeded), 15 min per filing, 40 h a week, so
/// a site serves 8,320 filings a year per counter; the same solve as `reach plan --capacitated`
/// (``CapacitatedPlanning/solve(_:uncapacitated:type:timeLimitSeconds:progress:timings:)``).
private func runCapacitatedBenchmark(timeLimitSeconds: Double) throws -> String {
    let (problem, _, _) = try hanoiSizedInstance.get()
    let ((offsets, sites, populations, siteCount), buildSeconds) = measureSeconds { makeHanoiSizedCoverage() }
    var rng = SplitMix64(seed: 13)
    let staff = (0 ..< siteCount).map { _ in 2 + Int(rng.next() % 11) }
    let capacities = staff.map { Double($0) * 40 * 52 * 60 / 15 }
    let loads = populations.map { $0 * 0.24 }
    let full = try CapacitatedCoverageInstance(weights: populations, loads: loads, offsets: offsets, sites: sites, capacities: capacities,
                                               forced: [], selectable: Array(0 ..< siteCount), branches: 30)
    let cpuBefore = processCPUSeconds()
    var timings = StageTimings()
    let ((solution, mergedIndex), seconds) = try measureSeconds {
        try CapacitatedPlanning.solve(full, uncapacitated: problem, type: .coverage(.add, branches: 30),
                                      timeLimitSeconds: timeLimitSeconds, timings: &timings)
    }
    let cpu = processCPUSeconds() - cpuBefore
    let merged = Set(mergedIndex.filter { $0 >= 0 }).count
    let total = populations.reduce(0, +)
    let capacity = solution.chosen.reduce(0.0) { $0 + capacities[$1] }
    return String(format: "coverage lists %.2f s (%d pairs); %d merged demands; solve %.2f s wall, %.2f s CPU (parent; the CBC worker not counted); served %.0f of %.0f (%.2f %%), capacity of the 30 chosen %.0f filings/yr = %.0f people; bound %.0f; gap %.3f %%; proven %@; %@",
                  buildSeconds, sites.count, merged, seconds, cpu, solution.servedPopulation, total, 100 * solution.servedPopulation / total,
                  capacity, capacity / 0.24, solution.upperBoundPopulation, 100 * solution.gap, solution.provenOptimal ? "yes" : "no",
                  solution.notes.joined(separator: "; "))
}

/// Residents, sites and the ≤ 5 km coverage lists (CSR) of the generated instance.
private func makeHanoiSizedCoverage(residents: Int = 200_000, candidates: Int = 2_000, sideMeters: Double = 40_000,
                                    radiusMeters: Double = 5_000, seed: UInt64 = 2025)
    -> (offsets: [Int], sites: [Int32], populations: [Double], siteCount: Int) {
    var rng = SplitMix64(seed: seed)
    let clusters = (0 ..< 24).map { _ in (rng.unitInterval() * sideMeters, rng.unitInterval() * sideMeters) }
    func point() -> (Double, Double) {
        if rng.unitInterval() < 0.5 { return (rng.unitInterval() * sideMeters, rng.unitInterval() * sideMeters) }
        let c = clusters[Int(rng.next() % UInt64(clusters.count))]
        // Box–Muller, σ = 2 km, clamped to the square.
        let r = 2_000 * (-2 * log(max(rng.unitInterval(), 1e-300))).squareRoot(), a = 2 * Double.pi * rng.unitInterval()
        return (min(max(c.0 + r * cos(a), 0), sideMeters), min(max(c.1 + r * sin(a), 0), sideMeters))
    }
    let sitePoints = (0 ..< candidates).map { _ in point() }
    var populations: [Double] = []
    var residentPoints: [(Double, Double)] = []
    for _ in 0 ..< residents {
        residentPoints.append(point())
        populations.append(Double(1 + rng.next() % 100))
    }
    // Grid of radius-sized cells over the sites.
    let cells = Int((sideMeters / radiusMeters).rounded(.up)) + 1
    var grid = [[Int32]](repeating: [], count: cells * cells)
    for (j, p) in sitePoints.enumerated() {
        grid[Int(p.1 / radiusMeters) * cells + Int(p.0 / radiusMeters)].append(Int32(j))
    }
    var offsets = [0]
    var covering: [Int32] = []
    let r2 = radiusMeters * radiusMeters
    var scratch: [Int32] = []
    for p in residentPoints {
        let cx = Int(p.0 / radiusMeters), cy = Int(p.1 / radiusMeters)
        scratch.removeAll(keepingCapacity: true)
        for gy in max(0, cy - 1) ... min(cells - 1, cy + 1) {
            for gx in max(0, cx - 1) ... min(cells - 1, cx + 1) {
                for j in grid[gy * cells + gx] {
                    let s = sitePoints[Int(j)]
                    let dx = s.0 - p.0, dy = s.1 - p.1
                    if dx * dx + dy * dy <= r2 { scratch.append(j) }
                }
            }
        }
        scratch.sort()
        covering.append(contentsOf: scratch)
        offsets.append(covering.count)
    }
    return (offsets, covering, populations, candidates)
}
