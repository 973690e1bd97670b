/// Every choice of K sites, compared by the full tie rules: a test oracle for tiny inputs.
///
/// Choices are enumerated in lexicographic order of local (= global) site indices; a choice
/// replaces the best so far only when it covers more population (beyond the tolerance), or
/// covers the same and has fewer population-weighted travel minutes (beyond a relative 1e-9).
/// The first of equal choices — the one with the lowest site indices — therefore wins.
public struct ExhaustiveSolver: CoverageSolver {
    public var name: String { "exhaustive" }
    public var polishesTies: Bool { false }
    /// Refuse inputs with more subsets than this.
    public var maxSubsets: Int

    public init(maxSubsets: Int = 2_000_000) { self.maxSubsets = maxSubsets }

    /// C(n, k), saturating at `Int.max`.
    static func binomial(_ n: Int, _ k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        let k = min(k, n - k)
        var result = 1
        for i in 0 ..< k {
            let (product, overflow) = result.multipliedReportingOverflow(by: n - i)
            if overflow { return Int.max }
            result = product / (i + 1)
        }
        return result
    }

    /// - Throws: ``PlannerError/invalidInput(reason:)`` when there are more than ``maxSubsets`` choices.
    /// - Complexity: O(C(M, K) × (K·d̄ + D)) plus a travel-minute evaluation per coverage tie.
    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        let m = instance.siteCount, k = instance.branchesToChoose
        let subsets = Self.binomial(m, k)
        guard subsets <= maxSubsets else {
            throw PlannerError.invalidInput(reason: "exhaustive search over C(\(m), \(k)) = \(subsets == Int.max ? "too many" : String(subsets)) choices exceeds \(maxSubsets)")
        }
        guard k > 0 else {
            return SolverOutcome(chosen: [], coreUpperBound: 0, provenOptimal: true)
        }
        let tolerance = instance.populationTolerance
        var stamp = [Int](repeating: -1, count: instance.demandCount)
        var current = Array(0 ..< k)
        var best = current
        var bestCoverage = -Double.infinity
        var bestMinutes: Double? = nil
        var serial = 0
        while true {
            var covered = 0.0
            for j in current {
                for i in instance.demands(coveredBy: j) where stamp[Int(i)] != serial {
                    stamp[Int(i)] = serial
                    covered += instance.demandWeights[Int(i)]
                }
            }
            serial += 1
            if covered > bestCoverage + tolerance {
                best = current; bestCoverage = covered
                bestMinutes = instance.weightedTravelMinutes(choosing: current)
            } else if covered >= bestCoverage - tolerance, let bm = bestMinutes,
                      let minutes = instance.weightedTravelMinutes(choosing: current),
                      minutes < bm - 1e-9 * max(1, bm) {
                best = current; bestCoverage = max(bestCoverage, covered); bestMinutes = minutes
            }
            // Next k-subset in lexicographic order.
            var position = k - 1
            while position >= 0 && current[position] == m - k + position { position -= 1 }
            if position < 0 { break }
            current[position] += 1
            for q in position + 1 ..< k { current[q] = current[q - 1] + 1 }
        }
        return SolverOutcome(chosen: best, coreUpperBound: bestCoverage, provenOptimal: true)
    }
}
