import Foundation
import ReachGeo

/// Runs a planning question on a prepared scenario: coverage sets from the geo module, the
/// solver, then a coverage evaluation of the proposed network (the figures of `plan.json` and
/// `residents.csv`).
public enum ScenarioPlanning {
    /// The solver back ends selectable from the CLI.
    public enum SolverChoice: String, Sendable, CaseIterable {
        /// CBC branch-and-cut, warm-started from greedy + swaps, bounded by the Lagrangian.
        case cbc
        /// Greedy + swaps with the Lagrangian bound (no MILP).
        case lagrangian
        /// Greedy + swaps only (the bound is the trivial one from the greedy guarantee).
        case greedy

        /// The solver. (CBC's node limit follows the seconds each solve is given, which depend
        /// only on `--time-limit` and the question, so reruns make the same CBC runs.)
        public var solver: any CoverageSolver { solver(progress: nil) }

        /// The solver, reporting its progress to `progress` (CBC only).
        public func solver(progress: SolveProgress?) -> any CoverageSolver {
            switch self {
            case .cbc:
                var cbc = CBCSolver()
                cbc.progress = progress
                return cbc
            case .lagrangian: return LagrangianSolver()
            case .greedy: return GreedySwapSolver()
            }
        }
    }

    public struct Result: Sendable {
        public var problem: CoverageProblem
        public var solution: CoverageSolution
        /// Coverage with the proposed network open.
        public var evaluation: CoverageEvaluation
        /// Coverage with only today's existing sites open (for comparison).
        public var baseline: CoverageEvaluation
        public var sets: CoverageSets
        public var warnings: [Warning]
    }

    /// Builds the problem over every site of the scenario (existing, then candidates).
    public static func problem(prepared: PreparedScenario, progress: ProgressReporter,
                               timings: inout StageTimings) throws -> (CoverageProblem, CoverageSets) {
        let siteIndices = Array(prepared.sites.indices)
        // "sets": building the coverage lists (radius pairs, merging), apart from the bounded
        // road searches inside it, which count as "reach". It grows with the radius squared.
        let setsStart = DispatchTime.now().uptimeNanoseconds
        let reachBefore = timings.seconds("reach")
        let sets = try CoverageSets.compute(prepared: prepared, siteIndices: siteIndices, progress: progress, timings: &timings)
        let setsSeconds = Double(DispatchTime.now().uptimeNanoseconds - setsStart) / 1e9
        timings.add("sets", max(0, setsSeconds - (timings.seconds("reach") - reachBefore)))
        let sites = prepared.sites.map { PlanningSite(id: $0.id, role: $0.role) }
        let problem = try timings.measure("matrix") {
            try CoverageProblem.fromCoverageLists(populations: prepared.residents.map(\.population), sites: sites,
                                                  coverOffsets: sets.offsets, coverSites: sets.sites, coverMinutes: sets.minutes)
        }
        return (problem, sets)
    }

    /// Extra planning rules (`reach plan --phases`, `--zone-floor`, `--min-sites-per-zone`).
    public struct Rules: Sendable, Hashable {
        /// Cumulative branch counts of a phased roll-out (the last is N); nil: one plan.
        public var phases: [Int]?
        /// The coverage floor per zone (share of the zone's coverable population); nil: none.
        public var zoneFloor: Double?
        /// The minimum number of open sites per zone; nil: none.
        public var minSitesPerZone: Int?

        public init(phases: [Int]? = nil, zoneFloor: Double? = nil, minSitesPerZone: Int? = nil) {
            self.phases = phases
            self.zoneFloor = zoneFloor
            self.minSitesPerZone = minSitesPerZone
        }

        var hasZoneRules: Bool { zoneFloor != nil || minSitesPerZone != nil }
    }

    /// The zone of every resident and site: the `zone` column, else the zone polygon holding it.
    public static func zoneRules(prepared: PreparedScenario, floor: Double?, minSitesPerZone: Int?) -> ZoneRules {
        let index = prepared.loaded.zones
        let siteZones = prepared.sites.map { site -> String? in
            if let z = site.zone, !z.isEmpty { return z }
            return index?.zoneIndex(containing: site.position).map { index!.zones[$0].name }
        }
        return ZoneRules(demandZoneNames: prepared.residents.map(\.zone), siteZoneNames: siteZones,
                         floor: floor, minSitesPerZone: minSitesPerZone)
    }

    public static func plan(prepared: PreparedScenario, type: ProblemType, solver: SolverChoice = .cbc,
                            timeLimitSeconds: Double = 10, progress: ProgressReporter = .silent,
                            baseline knownBaseline: CoverageEvaluation? = nil, rules: Rules = Rules(),
                            timings: inout StageTimings) throws -> Result {
        if type.mode == .add && prepared.loaded.candidates.isEmpty {
            throw PlannerError.invalidInput(reason: "--mode add chooses among candidates, and the scenario has none")
        }
        let (problem, sets) = try problem(prepared: prepared, progress: progress, timings: &timings)
        return try plan(prepared: prepared, problem: problem, sets: sets, type: type, solver: solver, timeLimitSeconds: timeLimitSeconds,
                        progress: progress, baseline: knownBaseline, rules: rules, timings: &timings)
    }

    /// ``plan(prepared:type:solver:timeLimitSeconds:progress:baseline:rules:timings:)`` on a
    /// problem already built from `prepared` (``problem(prepared:progress:timings:)``, or the
    /// ``Result/problem`` of an earlier question on the same scenario): `reach demo` asks its
    /// phased and floor questions on the coverage matrix of its consolidation question.
    ///
    /// `unconstrained`: the plan of the same question without `rules`, already solved on this
    /// problem (the demo's consolidation plan). The zone rules take it as their reference plan,
    /// and the phases as the unnested plan of the last count, instead of solving it again.
    public static func plan(prepared: PreparedScenario, problem: CoverageProblem, sets: CoverageSets, type: ProblemType,
                            solver: SolverChoice = .cbc, timeLimitSeconds: Double = 10, progress: ProgressReporter = .silent,
                            baseline knownBaseline: CoverageEvaluation? = nil, rules: Rules = Rules(),
                            unconstrained: CoverageSolution? = nil, timings: inout StageTimings) throws -> Result {
        guard problem.demandCount == prepared.residents.count, problem.siteCount == prepared.sites.count else {
            throw PlannerError.invalidInput(reason: "the coverage problem has \(problem.demandCount) residents and \(problem.siteCount) sites, the scenario \(prepared.residents.count) and \(prepared.sites.count)")
        }
        if let unconstrained, unconstrained.problemType != type {
            throw PlannerError.invalidInput(reason: "the plan given without the rules answers another question (\(unconstrained.problemType), not \(type))")
        }
        progress.stage("solving (\(solver.rawValue), \(problem.mergedDemandCount) distinct coverage sets from \(problem.demandCount) residents, \(problem.siteCount) sites)")
        let solveProgress: SolveProgress? = progress.enabled ? SolveProgress { writeToStderr("reach: \($0)\n") } : nil
        let backEnd = solver.solver(progress: solveProgress)
        let solution = try timings.measure("solve") { () throws -> CoverageSolution in
            if let phases = rules.phases {
                guard case .coverage = type.objective else {
                    throw PlannerError.invalidInput(reason: "--phases applies to --objective coverage only")
                }
                guard !rules.hasZoneRules else {
                    throw PlannerError.invalidInput(reason: "--phases does not combine with --zone-floor or --min-sites-per-zone")
                }
                return try problem.solvePhased(phases, mode: type.mode, using: backEnd, timeLimitSeconds: timeLimitSeconds,
                                               progress: solveProgress, known: unconstrained.map { [$0] } ?? [])
            }
            if rules.hasZoneRules {
                guard prepared.residents.contains(where: { $0.zone != nil }) else {
                    throw PlannerError.invalidInput(reason: "--zone-floor and --min-sites-per-zone need zones: a zone column in the residents or \"zones\" in the scenario")
                }
                let zoneRules = zoneRules(prepared: prepared, floor: rules.zoneFloor, minSitesPerZone: rules.minSitesPerZone)
                return try problem.solve(type, zoneRules: zoneRules, using: backEnd, timeLimitSeconds: timeLimitSeconds,
                                         progress: solveProgress, unconstrained: unconstrained)
            }
            if case .coverage(let n) = type.objective {
                solveProgress?.begin("\(n) sites", baseline: MCLPInstance(problem: problem, mode: type.mode, branchesToChoose: 0).baselinePopulation)
            } else {
                solveProgress?.begin("fewest branches", baseline: MCLPInstance(problem: problem, mode: type.mode, branchesToChoose: 0).baselinePopulation)
            }
            defer { solveProgress?.end() }
            return try problem.solve(type, using: backEnd, timeLimitSeconds: timeLimitSeconds)
        }
        // Evaluate the proposal: ties in nearest/fastest go to the site that comes first in the
        // scenario (existing, then candidates), so open sites are listed by site index.
        let evaluation = try prepared.evaluate(openSites: solution.openSites.sorted(), timings: &timings)
        // Today's coverage: callers that already evaluated it pass it in (the existing sites keep
        // their indices in every `restrictingCandidates` view).
        let baseline = try knownBaseline ?? prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        var warnings: [Warning] = []
        if abs(evaluation.totals.coveredPopulation - solution.coveredPopulation) > 1e-6 * max(1, solution.totalPopulation) {
            warnings.append(Warning("the coverage report of the proposed network covers \(DecimalText.fixed(evaluation.totals.coveredPopulation, decimals: 0)) people and the planner's model \(DecimalText.fixed(solution.coveredPopulation, decimals: 0))" + (prepared.standard.rule == .both ? " (rule both: the planner requires one site to meet both tests)" : " (travel times at the limit are compared in single precision by the planner)")))
        }
        return Result(problem: problem, solution: solution, evaluation: evaluation, baseline: baseline, sets: sets, warnings: warnings)
    }
}
