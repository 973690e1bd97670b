import Foundation
import Testing
import ReachGeo
import ReachPlanner

@Suite struct StaffAllocationTests {
    typealias Queue = StaffAllocation.Queue

    /// Every way to give `total` counters to `n` sites, each at least one.
    func compositions(_ total: Int, _ n: Int) -> [[Int]] {
        if n == 1 { return [[total]] }
        guard total >= n else { return [] }
        var out: [[Int]] = []
        for first in 1...(total - n + 1) { for rest in compositions(total - first, n - 1) { out.append([first] + rest) } }
        return out
    }

    func value(_ q: [Queue], _ c: [Int], _ objective: StaffAllocation.Objective) -> Double {
        let waits = zip(q, c).map { $0.waitMinutes(counters: $1) }
        switch objective {
        case .mean:
            let w = q.reduce(0) { $0 + $1.weight }
            return w > 0 ? zip(q, waits).reduce(0) { $0 + ($1.0.weight > 0 ? $1.0.weight * $1.1 : 0) } / w : 0
        case .max:
            return zip(q, waits).filter { $0.0.arrivalsPerHour > 0 }.map(\.1).max() ?? 0
        }
    }

    func maxUtilisation(_ q: [Queue], _ c: [Int]) -> Double {
        zip(q, c).map { $0.arrivalsPerHour / ($0.serviceRatePerHour * Double($1)) }.max() ?? 0
    }

    func randomQueues(_ rng: inout SplitMix64) -> [Queue] {
        let n = 2 + Int(rng.next() % 3)
        return (0..<n).map { _ in
            let mu = 2 + 4 * rng.unitInterval()
            let lambda = rng.next() % 7 == 0 ? 0 : 10 * rng.unitInterval()
            return Queue(arrivalsPerHour: lambda, serviceRatePerHour: mu, weight: lambda * 1000)
        }
    }

    // The greedy equals exhaustive allocation on random seeded cases (objective value; both objectives).
    @Test(arguments: StaffAllocation.Objective.allCases)
    func greedyEqualsExhaustiveSearch(objective: StaffAllocation.Objective) throws {
        for seed in UInt64(1)...150 {
            var rng = SplitMix64(seed: seed)
            let q = randomQueues(&rng)
            let total = q.count + Int(rng.next() % 9)
            let a = try StaffAllocation.allocate(q, staffTotal: total, objective: objective)
            #expect(a.counters.reduce(0, +) == total && a.counters.allSatisfy { $0 >= 1 }, "seed \(seed)")
            let all = compositions(total, q.count)
            let best = all.map { value(q, $0, objective) }.min()!
            let got = value(q, a.counters, objective)
            if best.isFinite {
                #expect(abs(got - best) <= 1e-9 * max(1, best), "seed \(seed): greedy \(got), exhaustive \(best), \(a.counters)")
            } else {
                // Too few staff for every queue: the allocation minimises the highest utilisation.
                #expect(got == .infinity && a.staffNeededForStability > total && !a.unstableSites.isEmpty, "seed \(seed)")
                let bestRho = all.map { maxUtilisation(q, $0) }.min()!
                #expect(abs(maxUtilisation(q, a.counters) - bestRho) <= 1e-12 * max(1, bestRho), "seed \(seed)")
                #expect(a.unstableSites == q.indices.filter { q[$0].arrivalsPerHour > 0 && a.waitMinutes[$0] == .infinity })
            }
        }
    }

    // The fewest staff for a wait target, by brute force over totals and allocations.
    @Test(arguments: StaffAllocation.Objective.allCases)
    func fewestStaffEqualsBruteForce(objective: StaffAllocation.Objective) {
        var checked = 0
        for seed in UInt64(200)...320 {
            var rng = SplitMix64(seed: seed)
            let q = randomQueues(&rng)
            let target = 0.5 + 20 * rng.unitInterval()
            let upTo = q.count + 12
            var brute: Int? = nil
            for total in q.count...upTo where brute == nil {
                if compositions(total, q.count).contains(where: { value(q, $0, objective) <= target }) { brute = total }
            }
            let f = StaffAllocation.fewestStaff(q, maxWaitMinutes: target, objective: objective)
            if let brute {
                #expect(f?.staffTotal == brute, "seed \(seed): \(String(describing: f?.staffTotal)) vs \(brute)")
                if let f { #expect(value(q, f.counters, objective) <= target, "seed \(seed)") }
                checked += 1
            } else {
                #expect((f?.staffTotal ?? Int.max) > upTo, "seed \(seed)")
            }
        }
        #expect(checked > 50)
    }

    @Test func tooFewStaffIsAnError() {
        let q = [Queue(arrivalsPerHour: 1, serviceRatePerHour: 4, weight: 1), Queue(arrivalsPerHour: 1, serviceRatePerHour: 4, weight: 1)]
        #expect(throws: PlannerError.self) { try StaffAllocation.allocate(q, staffTotal: 1, objective: .mean) }
    }

    // A site whose demand needs more counters than the whole total can give it stays over capacity.
    // Site 0: a = 40/4 = 10 → needs 11; site 1: a = 0.5 → needs 1; total 6 < 12. Highest utilisation
    // first: site 0 takes every extra counter (10/c > 0.5 up to c = 5): [5, 1], ρ = 2 and 0.5.
    @Test func hopelessSiteIsReported() throws {
        let q = [Queue(arrivalsPerHour: 40, serviceRatePerHour: 4, weight: 10), Queue(arrivalsPerHour: 2, serviceRatePerHour: 4, weight: 1)]
        let a = try StaffAllocation.allocate(q, staffTotal: 6, objective: .mean)
        #expect(a.unstableSites == [0])
        #expect(a.staffNeededForStability == 12)
        #expect(a.counters == [5, 1])
        #expect(a.waitMinutes[0] == .infinity && a.waitMinutes[1].isFinite)
    }
}
