import Foundation
import ReachGeo

/// One phase of a phased roll-out (`reach plan --phases 10,20,30`).
public struct PhaseSummary: Sendable, Hashable, Codable {
    /// The cumulative number of branches open after this phase (required sites included).
    public var branches: Int
    /// The branches open after this phase, in roll-out order (earlier phases first): site indices.
    public var siteIndices: [Int]
    /// Their ids, in the same order.
    public var ids: [String]
    /// Population covered once this phase is open.
    public var coveredPopulation: Double
    /// A proven upper bound on what *any* choice of ``branches`` sites covers (nested or not).
    public var upperBoundPopulation: Double
    /// (bound − covered) / bound.
    public var gap: Double
    /// The best plan of this size found without the nesting constraint (at least the phase's own
    /// coverage: the phase plan is such a plan too).
    public var bestUnnestedPopulation: Double
    /// `bestUnnestedPopulation − coveredPopulation` (≥ 0): what keeping the earlier phases' sites
    /// costs against the best unnested plan found.
    public var priceOfNestingPopulation: Double
}

extension CoverageProblem {
    /// A roll-out in phases with cumulative branch counts `counts` (strictly increasing): nested
    /// plans S₁ ⊂ S₂ ⊂ … with |Sₖ| = countsₖ, optimised **lexicographically**: S₁ is the best
    /// plan of its size, then S₂ the best extension of S₁, and so on. Each step is an ordinary
    /// ``solve(_:using:timeLimitSeconds:)`` of the residual question with the earlier phase's
    /// sites turned into required sites (open, counted within the count).
    ///
    /// Each phase k ≥ 2 is also solved without the nesting constraint; that solve's proven bound
    /// is the phase's bound (no choice of countsₖ sites covers more; a later phase's bound, when
    /// smaller, bounds it too, as every choice of countsₖ sites lies inside a larger one), and the better of the two
    /// plans gives the price of nesting (≥ 0). Phase 1 is both at once. Every solve gets the same
    /// fixed share of `timeLimitSeconds` (2·phases − 1 solves), so reruns make the same solves.
    /// With one phase this is exactly ``solve(_:using:timeLimitSeconds:)``.
    ///
    /// `known`: plans of this problem already solved without nesting (`reach demo` has the one of
    /// the last count from its consolidation question). A phase k ≥ 2 whose count has such a plan
    /// uses it instead of its unnested solve, and the time is shared among the solves left.
    ///
    /// The returned solution is the last phase's plan, its branches rolled out phase by phase
    /// (the first countsₖ branches are Sₖ); ``CoverageSolution/phases`` has the per-phase figures.
    /// - Throws: ``PlannerError/invalidInput(reason:)`` for counts that are not strictly
    ///   increasing or below the required sites; ``PlannerError/tooManyFacilities(requested:available:)``.
    public func solvePhased(_ counts: [Int], mode: PlanningMode, using solver: any CoverageSolver = CBCSolver(),
                            timeLimitSeconds: Double = 10, progress: SolveProgress? = nil,
                            known: [CoverageSolution] = []) throws -> CoverageSolution {
        guard let last = counts.last else { throw PlannerError.invalidInput(reason: "no phases given") }
        for (a, b) in zip(counts, counts.dropFirst()) where b <= a {
            throw PlannerError.invalidInput(reason: "phase counts must be strictly increasing (\(a) then \(b))")
        }
        guard !timeLimitSeconds.isNaN, timeLimitSeconds >= 0 else {
            throw PlannerError.invalidInput(reason: "time limit \(timeLimitSeconds) s is not a non-negative number")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var knownByCount: [Int: CoverageSolution] = [:]
        for plan in known {
            guard case .coverage(let n) = plan.problemType.objective, plan.problemType.mode == mode,
                  plan.demandCovered.count == demandCount else {
                throw PlannerError.invalidInput(reason: "a plan given without nesting answers another question (\(plan.problemType))")
            }
            knownByCount[n] = plan
        }
        let solves = 2 * counts.count - 1 - counts.dropFirst().filter { knownByCount[$0] != nil }.count
        let perSolve = timeLimitSeconds / Double(solves)
        let tolerance = 1e-9 * max(1, totalPopulation)
        func labelled(_ text: String, _ problem: CoverageProblem, _ n: Int) throws -> CoverageSolution {
            if let progress {
                let baseline = MCLPInstance(problem: problem, mode: mode, branchesToChoose: 0).baselinePopulation
                progress.begin(text, baseline: baseline)
            }
            defer { progress?.end() }
            return try problem.solve(.coverage(mode, branches: n), using: solver, timeLimitSeconds: perSolve)
        }

        var phases: [PhaseSummary] = []
        var nested: [CoverageSolution] = []
        var notes: [String] = []
        var timings: [PhaseTiming] = []
        var upperBounds: [Double] = []
        var current = self
        for (k, n) in counts.enumerated() {
            let name = counts.count == 1 ? "\(n) sites" : "phase \(k + 1)/\(counts.count), \(n) sites"
            if k > 0 {
                // The earlier phase's branches stay open: they become required (counted within n).
                for b in nested[k - 1].branches { current.sites[b.siteIndex].role = .required }
            }
            let plan = try labelled(name, current, n)
            var unnested = plan
            if k > 0 { unnested = try knownByCount[n] ?? labelled("\(name) without nesting (for its bound)", self, n) }
            let bound = max(unnested.upperBoundPopulation, plan.coveredPopulation)
            let best = max(unnested.coveredPopulation, plan.coveredPopulation)
            phases.append(PhaseSummary(
                branches: n, siteIndices: [], ids: [], coveredPopulation: plan.coveredPopulation,
                upperBoundPopulation: bound,
                gap: bound > 0 && bound - plan.coveredPopulation > tolerance ? (bound - plan.coveredPopulation) / bound : 0,
                bestUnnestedPopulation: best,
                priceOfNestingPopulation: best - plan.coveredPopulation > tolerance ? best - plan.coveredPopulation : 0))
            upperBounds.append(bound)
            nested.append(plan)
            let prefix = counts.count == 1 ? "" : "phase \(k + 1) (\(n) sites): "
            notes += plan.solver.notes.map { prefix + $0 }
            timings += plan.solver.phases.map { PhaseTiming(phase: prefix + $0.phase, seconds: $0.seconds) }
            if k > 0, knownByCount[n] != nil {
                notes.append("phase \(k + 1) without nesting: the plan of \(n) sites solved before (its figures and time are its own)")
            } else if k > 0 {
                notes += unnested.solver.notes.map { "phase \(k + 1) without nesting: " + $0 }
                timings += unnested.solver.phases.map { PhaseTiming(phase: "phase \(k + 1) without nesting: " + $0.phase, seconds: $0.seconds) }
            }
        }
        // A later phase's bound holds for an earlier one too: every choice of countsₖ sites lies
        // inside a choice of countsₖ₊₁ sites, which covers at least as many.
        for k in stride(from: counts.count - 2, through: 0, by: -1) where upperBounds[k + 1] < upperBounds[k] {
            let covered = phases[k].coveredPopulation
            upperBounds[k] = max(upperBounds[k + 1], covered)
            phases[k].upperBoundPopulation = upperBounds[k]
            phases[k].gap = upperBounds[k] > 0 && upperBounds[k] - covered > tolerance ? (upperBounds[k] - covered) / upperBounds[k] : 0
        }
        if counts.count == 1 {
            var solution = nested[0]
            phases[0].siteIndices = solution.branches.map(\.siteIndex)
            phases[0].ids = solution.branches.map(\.id)
            solution.phases = phases
            return solution
        }

        // The last phase's plan, rolled out phase by phase.
        let instance = MCLPInstance(problem: self, mode: mode, branchesToChoose: last - MCLPInstance(problem: self, mode: mode, branchesToChoose: 0).requiredSites.count)
        var localOfGlobal = [Int: Int]()
        for (j, g) in instance.selectableSites.enumerated() { localOfGlobal[Int(g)] = j }
        var groups: [[Int]] = []
        var seen = Set<Int>()
        for plan in nested {
            var group: [Int] = []
            for b in plan.branches {
                guard let local = localOfGlobal[b.siteIndex], !seen.contains(local) else { continue }
                seen.insert(local)
                group.append(local)
            }
            groups.append(group)
        }
        let chosen = groups.flatMap { $0 }
        let lastBound = upperBounds.last! - instance.baselinePopulation
        let outcome = SolverOutcome(chosen: chosen.sorted(), coreUpperBound: lastBound, provenOptimal: false,
                                    notes: notes, phases: timings)
        var solution = SolutionBuilder.build(instance, outcome: outcome, type: .coverage(mode, branches: last),
                                             solverName: solver.name, start: start, rolloutGroups: groups)
        for (k, n) in counts.enumerated() {
            phases[k].siteIndices = solution.branches.prefix(n).map(\.siteIndex)
            phases[k].ids = solution.branches.prefix(n).map(\.id)
            if n < solution.curve.count, let b = solution.curve[n].upperBoundPopulation {
                solution.curve[n].upperBoundPopulation = max(solution.curve[n].coveredPopulation, min(b, upperBounds[k]))
            }
        }
        solution.phases = phases
        return solution
    }
}
