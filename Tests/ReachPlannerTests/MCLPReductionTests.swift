import ReachGeo
@testable import ReachPlanner
import TestSupport
import Testing

/// The reductions CBC's model is built from (``MCLPReduction``) keep the optimum: on seeded small
/// instances, the best K kept sites plus the constant equal the exhaustive optimum, for every K.
@Suite struct MCLPReductionTests {
    /// Every K-subset of `items`.
    static func subsets(_ items: [Int], _ k: Int) -> [[Int]] {
        guard k > 0 else { return [[]] }
        guard items.count >= k else { return [] }
        var out: [[Int]] = []
        for (p, first) in items.enumerated() {
            for rest in subsets(Array(items[(p + 1)...]), k - 1) { out.append([first] + rest) }
        }
        return out
    }

    @Test(arguments: Array(UInt64(1) ... 60))
    func reductionsPreserveTheOptimum(seed: UInt64) throws {
        // Denser coverage than the default generator, so that sites dominate each other.
        let random = RandomInstance(seed: seed, siteRange: 4 ... 9, demandRange: 4 ... 30)
        let problem = try random.problem()
        for mode in PlanningMode.allCases {
            let probe = MCLPInstance(problem: problem, mode: mode, branchesToChoose: 0)
            for k in 0 ... probe.siteCount {
                let instance = probe.choosing(k)
                let reduction = MCLPReduction.compute(instance)
                let context = "seed \(seed) mode \(mode) K \(k) roles \(random.roles)"
                #expect(reduction.keptSites.count >= k, "\(context)")
                for j in 0 ..< instance.siteCount {
                    // Every dropped site's representative is kept and covers all it covers.
                    let r = reduction.representative[j]
                    #expect(reduction.keptSites.contains(r), "\(context)")
                    #expect(Set(instance.demands(coveredBy: j)).isSubset(of: Set(instance.demands(coveredBy: r))), "\(context)")
                }
                let exact = try ExhaustiveSolver().solve(instance, timeLimitSeconds: 10)
                let optimum = instance.corePopulation(covered: exact.chosen)
                let reduced = Self.subsets(reduction.keptSites, k).map { reduction.value(of: $0, instance: instance) }.max() ?? -1
                #expect(abs(reduced - optimum) < 1e-6, "\(context)")
                // The warm start mapped onto kept sites covers at least as much.
                let mapped = reduction.keptChoice(exact.chosen)
                #expect(mapped.count == k && instance.corePopulation(covered: mapped) >= optimum - 1e-6, "\(context)")
            }
        }
    }

    /// s0 = {d0, d1}, s1 = {d1} (dominated by s0), s2 = {d0, d1} (same as s0: dominated, higher
    /// index), s3 = {d2}; d3 is covered by every site. K = 2 keeps s0 and s3 only; d3 (5) is a
    /// constant; the optimum s0 + s3 covers 10 + 20 + 30 + 5 = 65.
    @Test func handMadeReduction() throws {
        let problem = try makeProblem(populations: [10, 20, 30, 5], roles: "cccc",
                                      covers: [[0, 2], [0, 1, 2], [3], [0, 1, 2, 3]])
        let instance = MCLPInstance(problem: problem, mode: .add, branchesToChoose: 2)
        let reduction = MCLPReduction.compute(instance)
        #expect(reduction.keptSites == [0, 3])
        #expect(reduction.constant == 5)
        #expect(reduction.value(of: [0, 3], instance: instance) == 65)
        let solution = try problem.solve(.coverage(branches: 2), using: CBCSolver())
        #expect(solution.coveredPopulation == 65 && solution.provenOptimal)
    }
}
