import Foundation
import Testing
import ReachGeo
import ReachPlanner

/// The capacitated planner against an exhaustive oracle whose evaluation of a plan is an
/// independent max-flow (Edmonds–Karp): with one filing rate for everyone the population served
/// is (max flow of filings from demands through covering open sites to the site capacities) / rate.
@Suite struct CapacitatedCoverageTests {
    struct Case {
        var weights: [Double], covers: [[Int32]], capacities: [Double], forced: [Int], selectable: [Int], k: Int
        let rate = 0.25
        var loads: [Double] { weights.map { $0 * rate } }
        func instance() throws -> CapacitatedCoverageInstance {
            var offsets = [0], sites: [Int32] = []
            for c in covers { sites += c.sorted(); offsets.append(sites.count) }
            return try CapacitatedCoverageInstance(weights: weights, loads: loads, offsets: offsets, sites: sites,
                                                   capacities: capacities, forced: forced, selectable: selectable, branches: k)
        }
    }

    /// Max flow of filings with `open` sites open, by BFS augmenting paths on a dense residual matrix.
    func maxFlowServed(_ c: Case, open: Set<Int>) -> Double {
        let n = c.weights.count, m = c.capacities.count
        let source = 0, sink = n + m + 1, size = n + m + 2
        var cap = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
        let big = 1e18
        for i in 0..<n {
            cap[source][1 + i] = c.loads[i]
            for j in c.covers[i] where open.contains(Int(j)) { cap[1 + i][1 + n + Int(j)] = big }
        }
        for j in 0..<m where open.contains(j) { cap[1 + n + j][sink] = c.capacities[j].isFinite ? c.capacities[j] : big }
        var flow = 0.0
        while true {
            var parent = [Int](repeating: -1, count: size)
            parent[source] = source
            var queue = [source], head = 0
            while head < queue.count, parent[sink] < 0 {
                let u = queue[head]; head += 1
                for v in 0..<size where parent[v] < 0 && cap[u][v] > 1e-12 { parent[v] = u; queue.append(v) }
            }
            guard parent[sink] >= 0 else { break }
            var push = Double.infinity, v = sink
            while v != source { push = min(push, cap[parent[v]][v]); v = parent[v] }
            v = sink
            while v != source { cap[parent[v]][v] -= push; cap[v][parent[v]] += push; v = parent[v] }
            flow += push
        }
        return flow / c.rate
    }

    func subsets(_ items: [Int], _ k: Int) -> [[Int]] {
        if k == 0 { return [[]] }
        guard items.count >= k else { return [] }
        let first = items[0], rest = Array(items.dropFirst())
        return subsets(rest, k - 1).map { [first] + $0 } + subsets(rest, k)
    }

    func randomCase(_ seed: UInt64, infinite: Bool = false) -> Case {
        var rng = SplitMix64(seed: seed)
        let m = 3 + Int(rng.next() % 4), n = 3 + Int(rng.next() % 6)
        let weights = (0..<n).map { _ in Double(1 + rng.next() % 100) }
        let covers: [[Int32]] = (0..<n).map { _ in (0..<m).filter { _ in rng.next() % 3 == 0 }.map(Int32.init) }
        let capacities = (0..<m).map { _ in infinite ? Double.infinity : Double(rng.next() % 40) }
        let forced = rng.next() % 2 == 0 ? [0] : []
        let selectable = Array((forced.isEmpty ? 0 : 1)..<m)
        let k = 1 + Int(rng.next() % UInt64(min(3, selectable.count)))
        return Case(weights: weights, covers: covers, capacities: capacities, forced: forced, selectable: selectable, k: k)
    }

    @Test func equalsTheExhaustiveOracleAndTheBoundHolds() throws {
        for seed in UInt64(1)...40 {
            let c = randomCase(seed)
            let best = subsets(c.selectable, c.k).map { maxFlowServed(c, open: Set($0 + c.forced)) }.max()!
            let s = try CapacitatedCoverage.solve(try c.instance(), timeLimitSeconds: 10)
            let tol = 1e-6 * max(1, best)
            #expect(abs(s.servedPopulation - best) <= tol, "seed \(seed): \(s.servedPopulation) vs oracle \(best)")
            #expect(abs(maxFlowServed(c, open: Set(s.chosen + c.forced)) - s.servedPopulation) <= tol, "seed \(seed): its plan")
            #expect(s.upperBoundPopulation >= best - tol, "seed \(seed): bound \(s.upperBoundPopulation) below \(best)")
            #expect(s.chosen.count == c.k && s.provenOptimal, "seed \(seed)")
            // Site loads never exceed capacities.
            for (j, load) in s.siteLoads.enumerated() { #expect(load <= c.capacities[j] + 1e-6, "seed \(seed) site \(j)") }
            // The greedy's plan is feasible and never better than the optimum.
            let g = CapacitatedCoverage.greedy(try c.instance())
            #expect(maxFlowServed(c, open: Set(g + c.forced)) <= best + tol)
        }
    }

    /// The Lagrangian bound (demand rows relaxed) is never below the exhaustive optimum (max-flow
    /// oracle) and never above the coverable population.
    @Test func lagrangianBoundNeverBelowTheOracle() throws {
        for seed in UInt64(1)...60 {
            for infinite in [false, true] {
                let c = randomCase(seed, infinite: infinite)
                let best = subsets(c.selectable, c.k).map { maxFlowServed(c, open: Set($0 + c.forced)) }.max()!
                let coverable = zip(c.weights, c.covers).filter { !$0.1.isEmpty }.reduce(0) { $0 + $1.0 }
                let tol = 1e-6 * max(1, best)
                for target in [0, best] {
                    let l = try #require(CapacitatedCoverage.lagrangianBound(try c.instance(), target: target))
                    #expect(l >= best - tol, "seed \(seed) infinite \(infinite): Lagrangian \(l) below the optimum \(best)")
                    #expect(l <= coverable + tol, "seed \(seed): Lagrangian \(l) above the coverable \(coverable)")
                }
            }
        }
    }

    /// By hand: d0 (100 people, 25 filings) covered only by A (room for 10 filings = 40 people),
    /// d1 (100 people) only by B (no limit); open both (K = 2). The best plan serves 40 + 100 = 140.
    /// The uncapacitated bound is 200 and the capacity bound is the coverable 200 (B has no
    /// limit); the Lagrangian at u = 0 is already v_A + v_B = 40 + 100 = 140, the optimum.
    @Test func lagrangianBoundByHand() throws {
        let c = Case(weights: [100, 100], covers: [[0], [1]], capacities: [10, .infinity], forced: [], selectable: [0, 1], k: 2)
        #expect(CapacitatedCoverage.capacityBound(try c.instance()) == 200)
        #expect(CapacitatedCoverage.lagrangianBound(try c.instance(), target: 0) == 140)
        let s = try CapacitatedCoverage.solve(try c.instance(), timeLimitSeconds: 10, upperBoundHint: 200)
        #expect(s.servedPopulation == 140 && s.upperBoundPopulation == 140 && s.provenOptimal)
    }

    /// By hand: d0 and d1 (40 people, 10 filings each); A (room for 10 filings) covers both, B
    /// (room for 10) only d0; open both. The greedy opens A first (a tie, lower index) and fills
    /// it with d0 (a tie, lower index), so B finds nothing left: its fill serves 40. Assigned
    /// exactly (d1 at A, d0 at B) the same plan serves 80 = the capacity bound 4 × 20: proven.
    @Test func thePlanIsAssignedExactly() throws {
        let c = Case(weights: [40, 40], covers: [[0, 1], [0]], capacities: [10, 10], forced: [], selectable: [0, 1], k: 2)
        let s = try CapacitatedCoverage.solve(try c.instance(), timeLimitSeconds: 10)
        #expect(s.servedPopulation == 80 && s.provenOptimal && s.chosen == [0, 1])
        #expect(s.notes.contains { $0.contains("assigned exactly") && $0.contains("instead of 40") }, "\(s.notes)")
        #expect(abs(s.siteLoads[0] - 10) < 1e-9 && abs(s.siteLoads[1] - 10) < 1e-9)
    }

    @Test func infiniteCapacityEqualsTheUncapacitatedPlanner() throws {
        for seed in UInt64(100)...130 {
            let c = randomCase(seed, infinite: true)
            let roles: [SiteRole] = (0..<c.capacities.count).map { c.forced.contains($0) ? .existing : .candidate }
            let problem = try CoverageProblem.fromCoverageSets(populations: c.weights,
                                                               sites: roles.enumerated().map { PlanningSite(id: "s\($0.offset)", role: $0.element) },
                                                               covers: c.covers)
            let plan = try problem.solve(.coverage(.add, branches: c.k), using: ExhaustiveSolver(), timeLimitSeconds: 10)
            let s = try CapacitatedCoverage.solve(try c.instance(), timeLimitSeconds: 10)
            #expect(abs(s.servedPopulation - plan.coveredPopulation) <= 1e-6 * max(1, plan.coveredPopulation),
                    "seed \(seed): capacitated \(s.servedPopulation), uncapacitated \(plan.coveredPopulation)")
        }
    }

    // Drawn by hand: sites A and B both cover demands d0 (100 people, 25 filings) and d1 (60 people,
    // 15 filings); A has room for 20 filings, B for 30. One site: B serves 30 filings = 120 people
    // (d0 fully 25 filings + 5 of d1's 15 → 100 + 20); A would serve 20 filings = 80 people.
    // Two sites: everything (40 filings ≤ 50): 160.
    @Test func handDrawnSpill() throws {
        let c = Case(weights: [100, 60], covers: [[0, 1], [0, 1]], capacities: [20, 30], forced: [], selectable: [0, 1], k: 1)
        let one = try CapacitatedCoverage.solve(try c.instance(), timeLimitSeconds: 10)
        #expect(one.chosen == [1] && abs(one.servedPopulation - 120) < 1e-6)
        var two = c; two.k = 2
        let both = try CapacitatedCoverage.solve(try two.instance(), timeLimitSeconds: 10)
        #expect(abs(both.servedPopulation - 160) < 1e-6 && both.gap < 1e-9)
    }
}
