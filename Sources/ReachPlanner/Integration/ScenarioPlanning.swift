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
        public var solver: any CoverageSolver {
            switch self {
            case .cbc: return CBCSolver()
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

    public static func plan(prepared: PreparedScenario, type: ProblemType, solver: SolverChoice = .cbc,
                            timeLimitSeconds: Double = 10, progress: ProgressReporter = .silent,
                            baseline knownBaseline: CoverageEvaluation? = nil,
                            timings: inout StageTimings) throws -> Result {
        if type.mode == .add && prepared.loaded.candidates.isEmpty {
            throw PlannerError.invalidInput(reason: "--mode add chooses among candidates, and the scenario has none")
        }
        let (problem, sets) = try problem(prepared: prepared, progress: progress, timings: &timings)
        progress.stage("solving (\(solver.rawValue), \(problem.mergedDemandCount) distinct coverage sets from \(problem.demandCount) residents, \(problem.siteCount) sites)")
        let solution = try timings.measure("solve") {
            try problem.solve(type, using: solver.solver, timeLimitSeconds: timeLimitSeconds)
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
