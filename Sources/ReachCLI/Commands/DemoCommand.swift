import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `reach demo`: the bundled Hanoi scenario, answering the three planning questions.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the bundled Hanoi scenario: coverage today, the best 30 sites, the fewest post offices for full coverage.",
        discussion: """
        Uses data/hanoi/scenario.json. Roads come from data/hanoi/roads.osm.pbf when that file is present
        (it is ignored by git; `make demo` links the shared Hanoi extract there); otherwise travel times are
        the documented estimate. Writes coverage/, consolidate-30/, post-offices/, demo.json and report.html
        under --out.
        """)

    @Option(help: "Output folder.") var out: String = "reach-demo"
    @Option(help: "The HTML report (default: OUT/report.html).") var report: String?
    @Option(name: .customLong("time-limit"), help: "Seconds the exact solver may use per question.") var timeLimit: Double = 20
    @Option(help: "Number of sites to keep in the consolidation question.") var keep: Int = 30
    @Flag(name: .customLong("no-roads"), help: "Ignore data/hanoi/roads.osm.pbf even when present.") var noRoads = false
    @Option(help: "stdout format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        try validateTimeLimit(timeLimit)
        guard keep >= 1 else { throw ValidationError("--keep must be a whole number ≥ 1, not \(keep)") }
        // An existing file where the output folder should be is a usage mistake (exit 2), found
        // before any work is done.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--out \(ErrorText.quoted(out)) is a file, not a folder")
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = ProgressReporter.terminal
        guard let data = BundledData.directory() else {
            throw InputError(file: "data/hanoi/scenario.json", "cannot find the bundled data folder (run from the checkout or set REACH_DATA)")
        }
        let scenarioURL = data.appendingPathComponent("hanoi/scenario.json")
        var scenario = try Scenario.load(from: scenarioURL, displayName: Scenario.displayName(scenarioURL))
        var notes: [String] = []
        if noRoads {
            scenario.roads = nil
        } else if let roads = scenario.roads, !FileManager.default.fileExists(atPath: roads.path) {
            notes.append("\(Scenario.displayName(roads)) is absent: travel times are estimated (see README, \"Roads for the demo\")")
            scenario.roads = nil
        }
        for n in notes { printWarningToStderr(n) }
        var timings = StageTimings()
        let loaded = try timings.measure("read") { try ScenarioLoader.load(scenario) }
        let prepared = try PreparedScenario.prepare(loaded, progress: progress, timings: timings)
        timings = prepared.timings

        progress.stage("(a) coverage today")
        let today = try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        progress.stage("(b) the best \(keep) sites among today's \(loaded.existing.count) and \(loaded.candidates.count) candidates")
        let consolidate = try ScenarioPlanning.plan(prepared: prepared, type: .coverage(.consolidate, branches: keep),
                                                    timeLimitSeconds: timeLimit, progress: progress, baseline: today, timings: &timings)
        progress.stage("(c) the fewest partner post offices for full coverage")
        let postOffices = prepared.restrictingCandidates { DemoCommand.isPostOffice($0) }
        let fewest = try ScenarioPlanning.plan(prepared: postOffices, type: .fewestBranches(.add, targetShare: 1),
                                               timeLimitSeconds: timeLimit, progress: progress, baseline: today, timings: &timings)
        timings.add("total", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)

        let warnings = prepared.warnings + notes.map(Warning.init) + consolidate.warnings + fewest.warnings
        for w in prepared.warnings + consolidate.warnings + fewest.warnings { printWarningToStderr(w.message) }
        let outDir = URL(fileURLWithPath: out).standardizedFileURL
        for sub in ["coverage", "consolidate-\(keep)", "post-offices"] {
            try FileManager.default.createDirectory(at: outDir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        var batch = OutputBatch()
        let coverageDir = outDir.appendingPathComponent("coverage")
        try CoverageRunOutput.addResidentFiles(&batch, coverageDir, prepared: prepared, evaluation: today)
        try batch.add(OrderedJSON.object(CoverageOutputs.summaryMembers(
            scenarioName: loaded.scenario.name, standard: prepared.standard, evaluation: today,
            graph: prepared.network?.graph.stats, warnings: warnings, timings: nil)).text(),
                      as: coverageDir.appendingPathComponent("summary.json"))
        for (sub, p, pr) in [("consolidate-\(keep)", consolidate, prepared), ("post-offices", fewest, postOffices)] {
            let dir = outDir.appendingPathComponent(sub)
            try batch.add(PlanOutputs.planJSON(prepared: pr, result: p, warnings: warnings, timings: nil).text(), as: dir.appendingPathComponent("plan.json"))
            try batch.add(PlanOutputs.planGeoJSON(prepared: pr, result: p), as: dir.appendingPathComponent("plan.geojson"))
            try CoverageRunOutput.addResidentFiles(&batch, dir, prepared: pr, evaluation: p.evaluation)
        }
        let demo = demoJSON(prepared: prepared, today: today, consolidate: consolidate, fewest: fewest, warnings: warnings)
        try batch.add(demo.text(), as: outDir.appendingPathComponent("demo.json"))
        let reportURL = report.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? outDir.appendingPathComponent("report.html")
        try batch.add(ReportBuilder.coverageReport(prepared: prepared, evaluation: today),
                      as: coverageDir.appendingPathComponent("report.html"))
        try batch.add(ReportBuilder.planReport(prepared: prepared, result: consolidate, title: nil),
                      as: outDir.appendingPathComponent("consolidate-\(keep)/report.html"))
        try batch.add(ReportBuilder.planReport(prepared: postOffices, result: fewest, title: nil),
                      as: outDir.appendingPathComponent("post-offices/report.html"))
        try batch.add(ReportBuilder.demoReport(prepared: prepared, today: today, consolidate: consolidate,
                                               postOffices: postOffices, fewest: fewest, notes: notes),
                      as: reportURL)
        try batch.commit()
        switch format {
        case .json: print(demo.text(), terminator: "")
        case .text:
            print(demoText(prepared: prepared, today: today, consolidate: consolidate, fewest: fewest, outDir: outDir,
                           report: reportURL, timings: timings), terminator: "")
        }
    }

    /// Partner post offices among the Hanoi candidates: ids `p…` (data/hanoi/README.md).
    static func isPostOffice(_ site: Site) -> Bool { site.id.hasPrefix("p") }

    func demoJSON(prepared: PreparedScenario, today: CoverageEvaluation, consolidate: ScenarioPlanning.Result,
                  fewest: ScenarioPlanning.Result, warnings: [Warning]) -> OrderedJSON {
        func plan(_ r: ScenarioPlanning.Result, _ dir: String) -> OrderedJSON {
            .object([
                .init("folder", .string(dir)),
                .init("branches", .array(r.solution.branches.map { .string($0.id) })),
                .init("covered_population", .count(r.evaluation.totals.coveredPopulation)),
                .init("covered_share", .share(r.evaluation.totals.coveredShare)),
                .init("uncovered_population", .count(r.evaluation.totals.uncoveredPopulation)),
                .init("upper_bound_population", .count(r.solution.upperBoundPopulation)),
                .init("gap", .number(r.solution.gap, decimals: 6)),
                .init("proven_optimal", .bool(r.solution.provenOptimal)),
            ])
        }
        var fewestMembers: [OrderedJSON.Member] = []
        if case .object(let m) = plan(fewest, "post-offices") { fewestMembers = m }
        fewestMembers.insert(.init("post_offices_added", .integer(fewest.solution.branches.count)), at: 1)
        fewestMembers.append(.init("branch_count_proven_minimal", .bool(fewest.solution.branchCountProvenMinimal ?? false)))
        fewestMembers.append(.init("coverable_population", .count(fewest.solution.coverablePopulation)))
        return .object([
            .init("scenario", .string(prepared.loaded.scenario.name)),
            .init("time_method", .string(prepared.timeMethod.rawValue)),
            .init("population", .count(today.totals.population)),
            .init("today", .object([
                .init("folder", .string("coverage")),
                .init("intake_points", .integer(today.openSites.count)),
                .init("covered_population", .count(today.totals.coveredPopulation)),
                .init("covered_share", .share(today.totals.coveredShare)),
                .init("uncovered_population", .count(today.totals.uncoveredPopulation)),
            ])),
            .init("consolidate_\(keep)", plan(consolidate, "consolidate-\(keep)")),
            .init("post_offices_for_full_coverage", .object(fewestMembers)),
            .init("warnings", .array(warnings.map { .string($0.message) })),
        ])
    }

    func demoText(prepared: PreparedScenario, today: CoverageEvaluation, consolidate: ScenarioPlanning.Result,
                  fewest: ScenarioPlanning.Result, outDir: URL, report: URL, timings: StageTimings) -> String {
        let p = TextSummary.people, pc = TextSummary.percent
        let t = today.totals
        var out = "\(prepared.loaded.scenario.name) — promise: within \(DecimalText.fixed(prepared.standard.radiusMeters / 1000, decimals: 1)) km or \(DecimalText.fixed(prepared.standard.maxMinutes, decimals: 1)) minutes (\(prepared.loaded.profile.name); time \(prepared.timeMethod.rawValue))\n\n"
        out += "(a) Today, \(today.openSites.count) intake points cover \(p(t.coveredPopulation)) of \(p(t.population)) residents (\(pc(t.coveredShare))); \(p(t.uncoveredPopulation)) are left out"
        let reasons = UncoveredReason.allCases.compactMap { r in t.uncoveredByReason[r].map { "\(r.rawValue) \(p($0))" } }
        out += reasons.isEmpty ? ".\n" : " (\(reasons.joined(separator: ", "))).\n"
        let c = consolidate
        out += "(b) Keeping only \(keep) sites, the best choice covers \(p(c.evaluation.totals.coveredPopulation)) (\(pc(c.evaluation.totals.coveredShare))); no choice of \(keep) covers more than \(p(c.solution.upperBoundPopulation)) (gap \(DecimalText.fixed(c.solution.gap * 100, decimals: 3)) %\(c.solution.provenOptimal ? ", proven optimal" : "")).\n"
        out += "    first five in roll-out order: " + c.solution.branches.prefix(5).map { b in prepared.sites[b.siteIndex].name ?? b.id }.joined(separator: "; ") + "\n"
        let f = fewest
        out += "(c) Adding \(f.solution.branches.count) partner post office(s) covers everyone that any site can cover: \(p(f.evaluation.totals.coveredPopulation)) (\(pc(f.evaluation.totals.coveredShare)))"
        out += (f.solution.branchCountProvenMinimal ?? false) ? "; no smaller number does.\n" : "; a smaller number was not ruled out within the time limit.\n"
        out += "    left out even then: \(p(f.evaluation.totals.uncoveredPopulation)) (no site of any kind within reach).\n\n"
        out += "Files: \(outDir.path)/{coverage,consolidate-\(keep),post-offices}/, demo.json\nReport: \(report.path)\n"
        let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
        out += "Time: \(DecimalText.fixed(total, decimals: 1)) s\n"
        return out
    }
}
