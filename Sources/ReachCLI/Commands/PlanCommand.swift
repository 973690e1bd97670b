import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `reach plan SCENARIO --branches N`: where to put branches, with a proven bound.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Propose branch placement (maximal covering or fewest branches) with a proven bound on the gap.",
        discussion: """
        --mode add: existing intake points stay open; choose N new branches among the candidates.
        --mode consolidate: choose N sites among existing + candidates (which desks to keep).
        --objective branches: the fewest branches reaching --target-share of the coverable population.
        Writes plan.json, plan.geojson, residents.csv and uncovered.geojson for the proposed network.
        """)

    @OptionGroup var scenario: ScenarioOptions
    @Option(help: "Number of branches N (required with --objective coverage).") var branches: Int?
    @Option(help: "add or consolidate.") var mode: PlanningModeArgument = .add
    @Option(help: "coverage (maximise covered population with N branches) or branches (fewest branches for --target-share).")
    var objective: ObjectiveArgument = .coverage
    @Option(name: .customLong("target-share"), help: "Share of the coverable population to reach with --objective branches (default 0.99).")
    var targetShareOption: Double?
    @Option(name: .customLong("time-limit"), help: "Seconds the exact solver may use (0 < S ≤ 1e6).") var timeLimit: Double = 10
    @Option(help: "Solver: cbc (exact, default), lagrangian (heuristic + bound), greedy.") var solver: SolverArgument = .cbc
    @OptionGroup var output: OutputOptions

    /// The share for `--objective branches`.
    var targetShare: Double { targetShareOption ?? 0.99 }

    /// Every flag is checked here, and a flag that the chosen objective would ignore is an
    /// error rather than silently dropped.
    func validate() throws {
        switch objective {
        case .coverage:
            guard let branches else { throw ValidationError("--branches N is required with --objective coverage") }
            guard branches >= 0 else { throw ValidationError("--branches must be a whole number ≥ 0, not \(branches)") }
            if targetShareOption != nil {
                throw ValidationError("--target-share applies only to --objective branches (with --objective coverage give --branches N)")
            }
        case .branches:
            if branches != nil {
                throw ValidationError("--branches applies only to --objective coverage (--objective branches finds the number; give --target-share)")
            }
        }
        guard targetShare.isFinite, targetShare > 0, targetShare <= 1 else {
            throw ValidationError("--target-share must be in (0, 1], not \(ErrorText.echo(String(targetShare)))")
        }
        try validateTimeLimit(timeLimit)
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = ProgressReporter.terminal
        var timings = StageTimings()
        let prepared = try scenario.prepare(progress: progress, timings: &timings)
        let outDir = try output.outDirectory()
        let type: ProblemType = objective == .coverage
            ? .coverage(mode.mode, branches: branches ?? 0)
            : .fewestBranches(mode.mode, targetShare: targetShare)
        let result = try ScenarioPlanning.plan(prepared: prepared, type: type, solver: solver.choice,
                                               timeLimitSeconds: timeLimit, progress: progress, timings: &timings)
        try PlanRunOutput.emit(prepared: prepared, result: result, output: output, outDir: outDir, start: start, timings: timings)
    }
}

enum PlanRunOutput {
    static func emit(prepared: PreparedScenario, result: ScenarioPlanning.Result, output: OutputOptions, outDir: URL?,
                     start: UInt64, timings: StageTimings, reportTitle: String? = nil) throws {
        var timings = timings
        let warnings = prepared.warnings + result.warnings
        for w in warnings { printWarningToStderr(w.message) }
        timings.add("total", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        var batch = OutputBatch()
        if let outDir {
            try batch.add(PlanOutputs.planJSON(prepared: prepared, result: result, warnings: warnings, timings: output.timings ? timings : nil).text(),
                          as: outDir.appendingPathComponent("plan.json"))
            try batch.add(PlanOutputs.planGeoJSON(prepared: prepared, result: result), as: outDir.appendingPathComponent("plan.geojson"))
            try CoverageRunOutput.addResidentFiles(&batch, outDir, prepared: prepared, evaluation: result.evaluation)
        }
        if let report = output.report {
            try batch.add(ReportBuilder.planReport(prepared: prepared, result: result, title: reportTitle),
                          as: URL(fileURLWithPath: report).standardizedFileURL)
        }
        try batch.commit()
        switch output.format {
        case .json:
            print(PlanOutputs.planJSON(prepared: prepared, result: result, warnings: warnings, timings: timings).text(), terminator: "")
        case .text:
            print(TextSummary.plan(prepared: prepared, result: result, timings: timings, outDir: outDir), terminator: "")
        }
    }
}

extension TextSummary {
    static func plan(prepared: PreparedScenario, result: ScenarioPlanning.Result, timings: StageTimings, outDir: URL?) -> String {
        let s = result.solution
        let t = result.evaluation.totals
        var out = "\(prepared.loaded.scenario.name): plan (\(s.problemType.mode.rawValue), "
        switch s.problemType.objective {
        case .coverage(let n): out += "best \(n) branches)\n"
        case .fewestBranches(let share): out += "fewest branches reaching \(percent(share)) of the coverable population)\n"
        }
        out += "  today: \(people(result.baseline.totals.coveredPopulation)) covered (\(percent(result.baseline.totals.coveredShare)))\n"
        out += "  proposal: \(s.openSites.count) sites open, \(people(t.coveredPopulation)) covered (\(percent(t.coveredShare))), \(people(t.uncoveredPopulation)) left out\n"
        out += "  bound: no plan of this size covers more than \(people(s.upperBoundPopulation)); gap \(DecimalText.fixed(s.gap * 100, decimals: 4)) %\(s.provenOptimal ? " (proven optimal)" : "")\n"
        if let minimal = s.branchCountProvenMinimal { out += "  branch count proven minimal: \(minimal ? "yes" : "no")\n" }
        out += "  roll-out order:\n"
        for b in s.branches.prefix(40) {
            let name = prepared.sites[b.siteIndex].name.map { " \($0)" } ?? ""
            out += "    \(b.order). \(b.id)\(name): +\(people(b.marginalPopulation)) → \(people(b.cumulativeCoveredPopulation))\n"
        }
        if s.branches.count > 40 { out += "    … \(s.branches.count - 40) more in plan.json\n" }
        for r in UncoveredReason.allCases {
            if let p = t.uncoveredByReason[r] { out += "  uncovered, \(r.rawValue): \(people(p))\n" }
        }
        if let outDir { out += "  wrote plan.json, plan.geojson, residents.csv, uncovered.geojson to \(outDir.path)\n" }
        let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
        out += "  solver: \(s.solver.name); time: \(DecimalText.fixed(total, decimals: 2)) s\n"
        for note in s.solver.notes { out += "    \(note)\n" }
        return out
    }
}

enum PlanningModeArgument: String, ExpressibleByArgument, CaseIterable {
    case add, consolidate
    var mode: PlanningMode { self == .add ? .add : .consolidate }
}

enum ObjectiveArgument: String, ExpressibleByArgument, CaseIterable {
    case coverage, branches
}

enum SolverArgument: String, ExpressibleByArgument, CaseIterable {
    case cbc, lagrangian, greedy
    var choice: ScenarioPlanning.SolverChoice {
        switch self {
        case .cbc: return .cbc
        case .lagrangian: return .lagrangian
        case .greedy: return .greedy
        }
    }
}

/// `--time-limit` in seconds: 0 < S ≤ ``ValueRanges/maximumTimeLimitSeconds`` (README "Value ranges").
func validateTimeLimit(_ seconds: Double) throws {
    guard seconds.isFinite, seconds > 0, seconds <= ValueRanges.maximumTimeLimitSeconds else {
        throw ValidationError("--time-limit must be a number of seconds with 0 < S ≤ 1e6, not \(seconds)")
    }
}
