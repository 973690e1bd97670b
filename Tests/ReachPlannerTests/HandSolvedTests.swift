import ReachGeo
@testable import ReachPlanner
import Testing

/// Instances small enough to solve by hand; each optimum is worked out in the comment above it.
@Suite struct HandSolvedTests {
    /// Sites s0…s3 (candidates). Demands (population: covering sites):
    ///   d0 10: s0 · d1 20: s0 s1 · d2 30: s1 · d3 25: s2 · d4 15: s2 s3 · d5 12: s3 · d6 5: none
    /// Single-site coverage: s0 30, s1 50, s2 40, s3 27. Total 117, coverable 112.
    /// N = 1: s1 (50). N = 2: pairs s0s1 60, s0s2 70, s0s3 57, s1s2 90, s1s3 77, s2s3 52 → s1s2 (90).
    /// N = 3: s0s1s2 100, s0s1s3 87, s0s2s3 82, s1s2s3 102 → s1s2s3 (102).
    /// Greedy: s1 (+50), then gains s0 10, s2 40, s3 27 → s2 (+40), then s0 10, s3 12 → s3 (+12).
    static func problem() throws -> CoverageProblem {
        try makeProblem(populations: [10, 20, 30, 25, 15, 12, 5], roles: "cccc",
                        covers: [[0], [0, 1], [1], [2], [2, 3], [3], []])
    }

    @Test(arguments: [(1, 50.0, [1]), (2, 90.0, [1, 2]), (3, 102.0, [1, 2, 3])])
    func coverageOptimum(branches: Int, expected: Double, sites: [Int]) throws {
        let problem = try Self.problem()
        for solver in [CBCSolver(), ExhaustiveSolver(), LagrangianSolver()] as [any CoverageSolver] {
            let solution = try problem.solve(.coverage(.add, branches: branches), using: solver)
            #expect(solution.coveredPopulation == expected, "\(solver.name)")
            #expect(solution.openSites == sites, "\(solver.name)")
            #expect(solution.provenOptimal, "\(solver.name)")
            #expect(solution.uncoveredPopulation == 117 - expected)
            #expect(solution.upperBoundPopulation >= expected)
        }
    }

    @Test func rollOutOrderAndCurve() throws {
        let solution = try Self.problem().solve(.coverage(.add, branches: 3), using: GreedySolver())
        #expect(solution.branches.map(\.id) == ["s1", "s2", "s3"])
        #expect(solution.branches.map(\.marginalPopulation) == [50, 40, 12])
        #expect(solution.branches.map(\.cumulativeCoveredPopulation) == [50, 90, 102])
        #expect(solution.curve.map(\.coveredPopulation) == [0, 50, 90, 102])
        #expect(solution.totalPopulation == 117 && solution.coverablePopulation == 112)
        // d1 is covered by s1 (order 1), d4 by s2 (order 2), d5 by s3 (order 3), d6 by none.
        #expect(solution.coveringBranchOrder == [nil, 1, 1, 2, 2, 3, nil])
        #expect(solution.uncoveredDemands == [0, 6])
        // Bounds per k are never below the optimum worked out above (0, 50, 90, 102).
        let optimum = [0.0, 50, 90, 102]
        for point in solution.curve { #expect(point.upperBoundPopulation! >= optimum[point.branches]) }
    }

    /// Demands p0…p3 of 10 each and p4 of 1. s0 = {p0, p1}, s1 = {p2, p3}, s2 = {p1, p2, p4}.
    /// Greedy N = 2 takes s2 (21) then s0 (gain 10, tie with s1, lower index): 31.
    /// The optimum is s0 + s1 = 40 (s0s2 31, s1s2 31). The swap search must find it.
    @Test func swapsRepairGreedy() throws {
        let problem = try makeProblem(populations: [10, 10, 10, 10, 1], roles: "ccc",
                                      covers: [[0], [0, 2], [1, 2], [1], [2]])
        let greedy = try problem.solve(.coverage(branches: 2), using: GreedySolver())
        #expect(greedy.coveredPopulation == 31)
        #expect(greedy.coveredPopulation >= (1 - 1 / 2.718281828459045) * 40)
        #expect(greedy.upperBoundPopulation >= 40)
        let swapped = try problem.solve(.coverage(branches: 2), using: GreedySwapSolver())
        #expect(swapped.coveredPopulation == 40 && swapped.openSites == [0, 1])
        let exact = try problem.solve(.coverage(branches: 2), using: CBCSolver())
        #expect(exact.coveredPopulation == 40 && exact.provenOptimal && exact.gap < 1e-9)
    }

    /// One demand of 10 covered by s0 (10 min) and s1 (5 min); another of 4 covered by s2 only.
    /// N = 1: s0 and s1 both cover 10 (s2 only 4); s1 has fewer person-minutes (50 < 100) → s1.
    /// With equal minutes the lower site index wins → s0.
    @Test func travelTimeThenSiteIndexBreakTies() throws {
        let faster = try makeProblem(populations: [10, 4], roles: "ccc", covers: [[0, 1], [2]], minutes: [[10, 5], [1]])
        for solver in [CBCSolver(), ExhaustiveSolver(), GreedySwapSolver()] as [any CoverageSolver] {
            let s = try faster.solve(.coverage(branches: 1), using: solver)
            #expect(s.openSites == [1], "\(solver.name)")
            #expect(s.weightedTravelMinutes == 50)
        }
        let equal = try makeProblem(populations: [10, 4], roles: "ccc", covers: [[1, 0], [2]], minutes: [[7, 7], [1]])
        for solver in [CBCSolver(), ExhaustiveSolver(), GreedySwapSolver()] as [any CoverageSolver] {
            #expect(try equal.solve(.coverage(branches: 1), using: solver).openSites == [0], "\(solver.name)")
        }
    }

    /// Consolidate: existing desks e0…e3 each alone cover a neighbourhood of 100, 80, 60, 40;
    /// candidate c4 covers only parts of e0's and e3's areas (d4 5 people, also covered by e0).
    /// Keeping N = 3 must keep e0, e1, e2 (100 + 80 + 60 + the 5 shared = 245): any plan
    /// dropping one of them loses at least 60 and c4 can add at most 40 (d3) back.
    /// Mode add with N = 1 keeps all four desks and opens c4, which adds nothing new: 285.
    @Test func consolidateForcedAnswer() throws {
        let problem = try makeProblem(populations: [100, 80, 60, 40, 5], roles: "eeeec",
                                      covers: [[0], [1], [2], [3, 4], [0, 4]])
        for solver in [CBCSolver(), ExhaustiveSolver(), LagrangianSolver()] as [any CoverageSolver] {
            let kept = try problem.solve(.coverage(.consolidate, branches: 3), using: solver)
            #expect(kept.openSites == [0, 1, 2], "\(solver.name)")
            #expect(kept.coveredPopulation == 245)
            #expect(kept.branches.map(\.id) == ["s0", "s1", "s2"])
            #expect(kept.baselinePopulation == 0)
        }
        let added = try problem.solve(.coverage(.add, branches: 1))
        #expect(added.openSites == [0, 1, 2, 3, 4])
        #expect(added.baselinePopulation == 285 && added.coveredPopulation == 285)
        #expect(added.branches.map(\.marginalPopulation) == [0])
    }

    /// Required sites are open in every plan and count within N. s0 (required) covers 1,
    /// s1 covers 50, s2 covers 40. N = 2 → s0 + s1 = 51, roll-out s0 first.
    @Test func requiredSitesCountWithinN() throws {
        let problem = try makeProblem(populations: [1, 50, 40], roles: "rcc", covers: [[0], [1], [2]])
        let s = try problem.solve(.coverage(branches: 2))
        #expect(s.openSites == [0, 1] && s.coveredPopulation == 51)
        #expect(s.branches.map(\.id) == ["s0", "s1"])
        #expect(s.curve[0].upperBoundPopulation == nil)
        #expect(throws: PlannerError.self) { try problem.solve(.coverage(branches: 0)) }
        #expect(throws: PlannerError.tooManyFacilities(requested: 4, available: 3)) { try problem.solve(.coverage(branches: 4)) }
    }
}
