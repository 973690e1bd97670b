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
    @Flag(help: "Maximise the population served within the sites' capacity (capacity, or staff × hours × 52 × 60 / service minutes).")
    var capacitated = false
    @Option(name: .customLong("default-staff"), help: "With --capacitated: counters at sites without a staff or capacity value (default: no limit).")
    var defaultStaff: Int?
    @OptionGroup var output: OutputOptions

    /// The share for `--objective branches`.
    var targetShare: Double { targetShareOption ?? 0.99 }

    /// Every flag is checked here, and a flag that the chosen objective would ignore is an
    /// error rather than silently dropped.
    func validate() throws {
        if capacitated && objective != .coverage { throw ValidationError("--capacitated works with --objective coverage") }
        if let defaultStaff, defaultStaff < 0 { throw ValidationError("--default-staff must be ≥ 0") }
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
        // Every destination is checked before any work: outputs never replace inputs.
        let resolved = try timings.measure("read") { try scenario.resolve() }
        let batch = OutputBatch(inputs: OutputPaths.inputs(of: resolved))
        let outDir = try output.outDirectory()
        try PlanRunOutput.reserve(batch, outDir: outDir, report: try output.reportURL(), format: output.formatOut)
        let prepared = try scenario.prepare(resolved, progress: progress, timings: &timings)
        if capacitated {
            try runCapacitated(prepared: prepared, outDir: outDir, batch: batch, start: start, progress: progress, timings: timings)
            return
        }
        let type: ProblemType = objective == .coverage
            ? .coverage(mode.mode, branches: branches ?? 0)
            : .fewestBranches(mode.mode, targetShare: targetShare)
        let result = try ScenarioPlanning.plan(prepared: prepared, type: type, solver: solver.choice,
                                               timeLimitSeconds: timeLimit, progress: progress, timings: &timings)
        try PlanRunOutput.emit(prepared: prepared, result: result, output: output, outDir: outDir, batch: batch,
                               start: start, timings: timings)
    }
}

enum PlanRunOutput {
    static let files = ["plan.json", "plan.geojson"] + CoverageRunOutput.residentFiles + CoverageRunOutput.siteFiles

    /// Validates the destinations of a plan run before any work is done.
    static func reserve(_ batch: OutputBatch, outDir: URL?, report: URL?, format: LayerFormat = .geojson) throws {
        if let outDir { try batch.reserve((files + LayerOutput.files(format, plan: true)).map { outDir.appendingPathComponent($0) }) }
        if let report { try batch.reserve(report) }
    }

    /// Stages every file, prints the summary on stdout, then commits the files in one step.
    static func emit(prepared: PreparedScenario, result: ScenarioPlanning.Result, output: OutputOptions, outDir: URL?,
                     batch: OutputBatch, start: UInt64, timings: StageTimings, reportTitle: String? = nil) throws {
        var timings = timings
        let warnings = prepared.warnings + result.warnings
        for w in warnings { printWarningToStderr(w.message) }
        let staffing = timings.measure("staffing") { StaffingEvaluation.evaluate(prepared: prepared, evaluation: result.evaluation) }
        let staffingMember = StaffingOutputs.staffingMember(staffing)
        if let outDir {
            try timings.measure("write") {
                let planGeoJSON = PlanOutputs.planGeoJSON(prepared: prepared, result: result)
                if output.formatOut == .geojson { try batch.add(planGeoJSON, as: outDir.appendingPathComponent("plan.geojson")) }
                try CoverageRunOutput.addResidentFiles(batch, outDir, prepared: prepared, evaluation: result.evaluation,
                                                       geoJSON: output.formatOut == .geojson)
                try LayerOutput.addSiteAndLayerFiles(batch, outDir, format: output.formatOut, prepared: prepared,
                                                     evaluation: result.evaluation, staffing: staffing, planGeoJSON: planGeoJSON)
            }
        }
        if let report = try output.reportURL() {
            try timings.measure("report") {
                try batch.add(ReportBuilder.planReport(prepared: prepared, result: result, title: reportTitle), as: report)
            }
        }
        // plan.json is staged last: with --timings it carries the time of everything before it.
        if let outDir {
            let lastStart = DispatchTime.now().uptimeNanoseconds
            var fileTimings = timings
            fileTimings.add("total", RunClock.seconds(since: start))
            try batch.add(StaffingOutputs.inserting(staffingMember, into: PlanOutputs.planJSON(
                prepared: prepared, result: result, warnings: warnings, timings: output.timings ? fileTimings : nil)).text(),
                          as: outDir.appendingPathComponent("plan.json"))
            timings.add("write", RunClock.seconds(since: lastStart))
        }
        timings.add("total", RunClock.seconds(since: start))
        let text: String
        switch output.format {
        case .json:
            text = StaffingOutputs.inserting(staffingMember, into: PlanOutputs.planJSON(
                prepared: prepared, result: result, warnings: warnings, timings: timings)).text()
        case .text:
            text = TextSummary.plan(prepared: prepared, result: result, timings: timings, outDir: outDir, outFormat: output.formatOut)
                + StaffingText.brief(prepared: prepared, staffing: staffing, indent: "  ")
        }
        try StandardOutput.write(text)
        try batch.commit()
    }
}

extension TextSummary {
    static func plan(prepared: PreparedScenario, result: ScenarioPlanning.Result, timings: StageTimings, outDir: URL?,
                     outFormat: LayerFormat = .geojson) -> String {
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
        if let outDir {
            let layers = outFormat == .gpkg ? "zones.csv, reach.gpkg"
                : "plan.geojson, branches.geojson, newly_covered.geojson, uncovered.geojson, sites.geojson, zones.csv, zones.geojson"
            out += "  wrote plan.json, residents.csv, sites.csv, \(layers) to \(outDir.path)\n"
        }
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
