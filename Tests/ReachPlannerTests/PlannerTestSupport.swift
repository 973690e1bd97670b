import ReachGeo
@testable import ReachPlanner
import TestSupport

/// Builds a problem from compact site roles ("c" candidate, "e" existing, "r" required), ids s0, s1, ….
func makeProblem(populations: [Double], roles: String, covers: [[Int32]], minutes: [[Double]]? = nil) throws -> CoverageProblem {
    let sites = roles.enumerated().map { (j, ch) -> PlanningSite in
        let role: SiteRole = ch == "e" ? .existing : (ch == "r" ? .required : .candidate)
        return PlanningSite(id: "s\(j)", role: role)
    }
    return try CoverageProblem.fromCoverageSets(populations: populations, sites: sites, covers: covers, travelMinutes: minutes)
}

/// A seeded problem of `demands` demands over `sites` candidate sites, each demand covered by up
/// to `coversPerDemand` sites drawn at random, populations 1…`maxPopulation`: sized for the
/// solvers' scale tests rather than for the exhaustive oracle.
func randomCandidateProblem(seed: UInt64, demands: Int, sites: Int, coversPerDemand: Int,
                            maxPopulation: UInt64) throws -> CoverageProblem {
    var rng = SplitMix64(seed: seed)
    let covers: [[Int32]] = (0 ..< demands).map { _ in
        Array(Set((0 ..< coversPerDemand).map { _ in Int32(rng.next() % UInt64(sites)) })).sorted()
    }
    return try makeProblem(populations: covers.map { _ in Double(1 + rng.next() % maxPopulation) },
                           roles: String(repeating: "c", count: sites), covers: covers)
}

/// The covered-population change of putting site `j` in slot `r` of `chosen`, by two full
/// recomputations with ``MCLPInstance/corePopulation(covered:)`` (the oracle for swap tables).
func bruteForceSwapDelta(_ instance: MCLPInstance, chosen: [Int], slot r: Int, site j: Int) -> Double {
    var swapped = chosen
    swapped[r] = j
    return instance.corePopulation(covered: swapped) - instance.corePopulation(covered: chosen)
}

/// A random small instance: integer populations, random coverage sets (some repeated, to exercise
/// merging), optional travel minutes, and roles drawn from `roles`.
struct RandomInstance {
    var populations: [Double]
    var roles: String
    var covers: [[Int32]]
    var minutes: [[Double]]?

    init(seed: UInt64, siteRange: ClosedRange<Int> = 4 ... 9, demandRange: ClosedRange<Int> = 4 ... 24,
         roleChoices: [Character] = ["c", "c", "c", "e", "r"], withMinutes: Bool = true) {
        var rng = SplitMix64(seed: seed)
        let m = Int.random(in: siteRange, using: &rng)
        let n = Int.random(in: demandRange, using: &rng)
        var roles = ""
        var requiredCount = 0
        for _ in 0 ..< m {
            var ch = roleChoices.randomElement(using: &rng)!
            if ch == "r" { if requiredCount >= 1 { ch = "c" } else { requiredCount += 1 } }
            roles.append(ch)
        }
        self.roles = roles
        populations = []
        covers = []
        var mins: [[Double]] = []
        for _ in 0 ..< n {
            populations.append(Double(Int.random(in: 0 ... 100, using: &rng)))
            if !covers.isEmpty && Int.random(in: 0 ..< 5, using: &rng) == 0 {
                covers.append(covers.randomElement(using: &rng)!)  // a repeated set: merged
            } else {
                covers.append((0 ..< m).filter { _ in Int.random(in: 0 ..< 10, using: &rng) < 3 }.map { Int32($0) })
            }
            mins.append(covers.last!.map { _ in Double(Int.random(in: 1 ... 30, using: &rng)) })
        }
        minutes = withMinutes ? mins : nil
    }

    func problem() throws -> CoverageProblem {
        try makeProblem(populations: populations, roles: roles, covers: covers, minutes: minutes)
    }
}

/// The MCLP optimum straight from the formulation (Church & ReVelle 1974), independent of every
/// solver: enumerate x ∈ {0,1}^M with the mode's fixings and Σ x = N, set yᵢ = 1 exactly when
/// some j ∈ Nᵢ has xⱼ = 1 (the largest value the constraint yᵢ ≤ Σ_{j∈Nᵢ} xⱼ allows), and
/// maximise Σ wᵢ yᵢ. Existing sites in mode add are open and not counted.
func formulationOptimum(populations: [Double], roles: String, covers: [[Int32]], mode: PlanningMode, branches: Int) -> Double? {
    let roleList = Array(roles)
    let m = roleList.count
    var best: Double? = nil
    for mask in 0 ..< (1 << m) {
        var counted = 0
        var feasible = true
        for j in 0 ..< m {
            let isOpen = mask & (1 << j) != 0
            switch (roleList[j], mode) {
            case ("e", .add): if !isOpen { feasible = false }
            case ("r", _): if !isOpen { feasible = false } else { counted += 1 }
            default: if isOpen { counted += 1 }
            }
        }
        guard feasible, counted == branches else { continue }
        var objective = 0.0
        for (i, set) in covers.enumerated() {
            let y = set.contains { mask & (1 << Int($0)) != 0 } ? 1.0 : 0.0
            objective += populations[i] * y
        }
        best = max(best ?? -1, objective)
    }
    return best
}
