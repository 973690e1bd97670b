import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `reach demo`: the bundled Hanoi scenario, answering the three planning questions.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the bundled Hanoi scenario: coverage today, the best 30 sites, the fewest post offices for full coverage, waits with 184 staff, the 30 sites in three phases and with a floor per commune.",
        discussion: """
        Uses data/hanoi/scenario.json with its road network for the whole province (data/hanoi/roads.osm.pbf;
        --no-roads uses the documented estimate instead). Writes coverage/, consolidate-30/, post-offices/,
        staff-184/, phases-10-20-30/, consolidate-30-floor-80/, demo.json and report.html under --out.
        """)

    @Option(help: "Output folder.") var out: String = "reach-demo"
    @Option(help: "The HTML report (default: OUT/report.html).") var report: String?
    @Option(name: .customLong("time-limit"), help: "Seconds the exact solver may use per question.") var timeLimit: Double = 20
    @Option(help: "Number of sites to keep in the consolidation question.") var keep: Int = 30
    @Option(help: "Staff total placed at the kept sites in question (d).") var staff: Int = 184
    @Option(name: .customLong("max-wait-minutes"), help: "Wait target of question (d).") var maxWaitMinutes: Double = 15
    @Option(help: ArgumentHelp("Question (e): the cumulative site counts of the roll-out of (b), strictly increasing and ending at --keep (default: a third, two thirds and all of --keep, 10,20,30).", valueName: "N1,N2,…"))
    var phases: String?
    @Option(name: .customLong("zone-floor"), help: ArgumentHelp("Question (f): every commune reaches at least this share (0 < F ≤ 1) of its coverable population with the --keep sites, or as close as they allow.", valueName: "SHARE"))
    var zoneFloor: Double = 0.8
    @Flag(name: .customLong("no-roads"), help: "Ignore data/hanoi/roads.osm.pbf even when present.") var noRoads = false
    @Option(help: "stdout format: text or json.") var format: OutputFormat = .text

    func validate() throws {
        try validateTimeLimit(timeLimit)
        guard keep >= 1 else { throw ValidationError("--keep must be a whole number ≥ 1, not \(keep)") }
        if let phases, try PlanCommand.parsePhases(phases).last != keep {
            throw ValidationError("--phases must end at --keep (\(keep)): the last phase is the consolidation of question (b)")
        }
        guard zoneFloor.isFinite, zoneFloor > 0, zoneFloor <= 1 else {
            throw ValidationError("--zone-floor must be a share with 0 < F ≤ 1, not \(zoneFloor)")
        }
        // An existing file where the output folder should be is a usage mistake (exit 2), found
        // before any work is done.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw ValidationError("--out \(ErrorText.quoted(out)) is a file, not a folder")
        }
    }

    /// The phase counts of question (e).
    var phaseCounts: [Int] {
        if let phases, let counts = try? PlanCommand.parsePhases(phases) { return counts }
        var counts: [Int] = []
        for n in [keep / 3, 2 * keep / 3, keep] where n > (counts.last ?? 0) { counts.append(n) }
        return counts
    }

    /// Hanoi's roll-out dates, named for a three-phase roll-out (issue 14).
    static let phaseDates = ["2024-10-01", "2025-04-01", "2025-07-01"]
    var phaseDates: [String] { phaseCounts.count == Self.phaseDates.count ? Self.phaseDates : [] }
    var phasesFolder: String { "phases-" + phaseCounts.map(String.init).joined(separator: "-") }
    var floorFolder: String { "consolidate-\(keep)-floor-\(DecimalText.fixed(zoneFloor * 100, decimals: zoneFloor * 100 == (zoneFloor * 100).rounded() ? 0 : 1))" }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = ProgressReporter.terminal
        guard let data = BundledData.directory() else {
            throw InputError(file: "data/hanoi/scenario.json", "cannot find the bundled data folder (run from the checkout or set REACH_DATA)")
        }
        let scenarioURL = data.appendingPathComponent("hanoi/scenario.json")
        var scenario = try Scenario.load(from: scenarioURL, displayName: Scenario.displayName(scenarioURL))
        // Every destination is checked before any work: outputs never replace inputs.
        let batch = OutputBatch(inputs: OutputPaths.inputs(of: scenario))
        let outDir = try OutputPaths.url(out, option: "--out")
        let reportURL = try report.map { try OutputPaths.url($0, option: "--report") } ?? outDir.appendingPathComponent("report.html")
        try batch.reserve(destinations(outDir) + [reportURL])
        var notes: [String] = []
        if noRoads {
            scenario.roads = nil
        } else if let roads = scenario.roads, !FileManager.default.fileExists(atPath: roads.path) {
            notes.append("\(Scenario.displayName(roads)) is absent: travel times are estimated (restore it from the repository or run tools/hanoi/build_roads.py)")
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
        progress.stage("(d) \(staff) staff at the \(consolidate.evaluation.openSites.count) sites of (b)")
        guard staff >= consolidate.evaluation.openSites.count else {
            throw UsageError("--staff \(staff) is fewer than the \(consolidate.evaluation.openSites.count) sites kept: each needs at least one counter")
        }
        let staffing = try timings.measure("staff") {
            try StaffingRun.run(prepared: prepared, evaluation: consolidate.evaluation, staffTotal: staff,
                                objective: .mean, maxWaitMinutes: maxWaitMinutes)
        }
        // (e) and (f) ask on the coverage matrix of (b), and reuse its plan as the unnested plan
        // of the last phase and as the plan without the floor. The phases get 1.5 × the time of a
        // question: their four solves (2 × 3 − 1, less the plan of (b)) share it, so that the first
        // phase's CBC proves its 10 sites with room to spare (≈ 4 s of its 6.75 s on 2 cores).
        progress.stage("(e) \(keep) sites in phases of \(phaseCounts.map(String.init).joined(separator: ", "))")
        let phased = try ScenarioPlanning.plan(prepared: prepared, problem: consolidate.problem, sets: consolidate.sets,
                                               type: .coverage(.consolidate, branches: keep), timeLimitSeconds: 1.5 * timeLimit,
                                               progress: progress, baseline: today, rules: .init(phases: phaseCounts),
                                               unconstrained: consolidate.solution, timings: &timings)
        progress.stage("(f) \(keep) sites with a floor of \(TextSummary.percent(zoneFloor)) per commune")
        let floored = try ScenarioPlanning.plan(prepared: prepared, problem: consolidate.problem, sets: consolidate.sets,
                                                type: .coverage(.consolidate, branches: keep), timeLimitSeconds: timeLimit,
                                                progress: progress, baseline: today, rules: .init(zoneFloor: zoneFloor),
                                                unconstrained: consolidate.solution, timings: &timings)
        let onlineNeeded = StaffingRun.onlineShareNeeded(
            staffing.staffed.queues,  // the same arrivals and service rates; counters do not enter a queue's load
            currentShare: prepared.loaded.scenario.service.onlineShare, staffTotal: staff,
            maxWaitMinutes: maxWaitMinutes, objective: .mean)

        let planWarnings = consolidate.warnings + fewest.warnings + phased.warnings + floored.warnings
        let warnings = prepared.warnings + notes.map(Warning.init) + planWarnings
        for w in prepared.warnings + planWarnings { printWarningToStderr(w.message) }
        let writeStart = DispatchTime.now().uptimeNanoseconds
        let coverageDir = outDir.appendingPathComponent("coverage")
        try CoverageRunOutput.addResidentFiles(batch, coverageDir, prepared: prepared, evaluation: today)
        try batch.add(OrderedJSON.object(CoverageOutputs.summaryMembers(
            scenarioName: loaded.scenario.name, standard: prepared.standard, evaluation: today,
            graph: prepared.network?.graph.stats, warnings: warnings, timings: nil,
            sites: (prepared.loaded.existing, prepared.loaded.candidates),
            calibration: TimeCalibration.fit(prepared: prepared, evaluation: today))).text(),
                      as: coverageDir.appendingPathComponent("summary.json"))
        for (sub, p, pr) in [("consolidate-\(keep)", consolidate, prepared), ("post-offices", fewest, postOffices),
                             (phasesFolder, phased, prepared), (floorFolder, floored, prepared)] {
            let dir = outDir.appendingPathComponent(sub)
            try batch.add(PlanOutputs.planJSON(prepared: pr, result: p, warnings: warnings, timings: nil).text(), as: dir.appendingPathComponent("plan.json"))
            try batch.add(PlanOutputs.planGeoJSON(prepared: pr, result: p), as: dir.appendingPathComponent("plan.geojson"))
            try CoverageRunOutput.addResidentFiles(batch, dir, prepared: pr, evaluation: p.evaluation)
        }
        let staffDir = outDir.appendingPathComponent("staff-\(staff)")
        try StaffingText.addSiteFiles(batch, staffDir, prepared: prepared, staffing: staffing.staffed)
        try batch.add(StaffingOutputs.staffJSON(prepared: prepared, result: staffing, warnings: warnings).text(),
                      as: staffDir.appendingPathComponent("staff.json"))
        var demo = demoJSON(prepared: prepared, today: today, consolidate: consolidate, fewest: fewest,
                            phased: phased, floored: floored, warnings: warnings)
        demo = StaffingOutputs.inserting(staffMember(prepared: prepared, staffing: staffing, onlineNeeded: onlineNeeded), into: demo)
        try batch.add(demo.text(), as: outDir.appendingPathComponent("demo.json"))
        try batch.add(ReportBuilder.coverageReport(prepared: prepared, evaluation: today),
                      as: coverageDir.appendingPathComponent("report.html"))
        try batch.add(ReportBuilder.planReport(prepared: prepared, result: consolidate, title: nil, staffing: staffing.staffed,
                                               staffingCaption: "Question (d): \(staff) staff placed by marginal gain.", waitTargetMinutes: maxWaitMinutes),
                      as: outDir.appendingPathComponent("consolidate-\(keep)/report.html"))
        try batch.add(ReportBuilder.planReport(prepared: postOffices, result: fewest, title: nil),
                      as: outDir.appendingPathComponent("post-offices/report.html"))
        try batch.add(ReportBuilder.planReport(prepared: prepared, result: phased, title: "\(prepared.loaded.scenario.name): the \(keep) sites of the consolidation in \(phaseCounts.count) phases"),
                      as: outDir.appendingPathComponent("\(phasesFolder)/report.html"))
        try batch.add(ReportBuilder.planReport(prepared: prepared, result: floored, title: "\(prepared.loaded.scenario.name): \(keep) sites kept with a floor of \(TextSummary.percent(zoneFloor)) per commune"),
                      as: outDir.appendingPathComponent("\(floorFolder)/report.html"))
        try batch.add(ReportBuilder.demoReport(prepared: prepared, today: today, consolidate: consolidate,
                                               postOffices: postOffices, fewest: fewest, phased: phased, phaseDates: phaseDates,
                                               floored: floored, notes: notes, staffing: staffing),
                      as: reportURL)
        timings.add("write", RunClock.seconds(since: writeStart))
        timings.add("total", RunClock.seconds(since: start))
        switch format {
        case .json: try StandardOutput.write(demo.text())
        case .text:
            try StandardOutput.write(demoText(prepared: prepared, today: today, consolidate: consolidate, fewest: fewest,
                                              phased: phased, floored: floored, outDir: outDir, report: reportURL, timings: timings,
                                              staffText: staffText(prepared: prepared, staffing: staffing, onlineNeeded: onlineNeeded)))
        }
        try batch.commit()
    }

    /// Every file the demo writes under `outDir` (the default report aside).
    func destinations(_ outDir: URL) -> [URL] {
        var files = ["demo.json"].map { outDir.appendingPathComponent($0) }
        let coverage = outDir.appendingPathComponent("coverage")
        files += (CoverageRunOutput.residentFiles + ["summary.json", "report.html"]).map { coverage.appendingPathComponent($0) }
        for sub in ["consolidate-\(keep)", "post-offices", phasesFolder, floorFolder] {
            let dir = outDir.appendingPathComponent(sub)
            files += (PlanRunOutput.files + ["report.html"]).map { dir.appendingPathComponent($0) }
        }
        let staffDir = outDir.appendingPathComponent("staff-\(staff)")
        files += (CoverageRunOutput.siteFiles + ["staff.json"]).map { staffDir.appendingPathComponent($0) }
        return files
    }

    /// Question (d) in demo.json: the allocation's figures and the busiest sites.
    func staffMember(prepared: PreparedScenario, staffing: StaffingRun, onlineNeeded: Double?) -> OrderedJSON.Member {
        let e = staffing.staffed
        func minutes(_ v: Double?) -> OrderedJSON { v.map { $0.isFinite ? .number($0, decimals: 2) : .null } ?? .null }
        return .init("staff_\(staff)", .object([
            .init("folder", .string("staff-\(staff)")),
            .init("sites", .integer(e.sites.count)),
            .init("staff_total", .integer(staff)),
            .init("counter_filings_per_year", .number(e.counterFilingsPerYear, decimals: 1)),
            .init("staff_needed_for_stability", .integer(staffing.allocation.staffNeededForStability)),
            .init("unstable_sites", .array(staffing.allocation.unstableSites.map { .string(prepared.sites[e.sites[$0].site].id) })),
            .init("mean_wait_minutes", minutes(e.meanWaitMinutes)),
            .init("max_wait_minutes", minutes(e.maxWaitMinutes)),
            .init("over_capacity_sites", .integer(e.overCapacitySites.count)),
            .init("max_wait_target_minutes", .number(maxWaitMinutes, decimals: 3)),
            .init("fewest_staff_for_target", staffing.fewest.map { .integer($0.staffTotal) } ?? .null),
            .init("online_share_needed_for_target", onlineNeeded.map { .share($0) } ?? .null),
            .init("staff_by_site", .object(e.sites.map { .init(prepared.sites[$0.site].id, $0.counters.map(OrderedJSON.integer) ?? .null) })),
        ]))
    }

    /// Question (d) in the text output.
    func staffText(prepared: PreparedScenario, staffing: StaffingRun, onlineNeeded: Double?) -> String {
        let e = staffing.staffed, a = staffing.allocation
        let par = e.parameters
        var out = "(d) With \(staff) staff at the \(e.sites.count) sites of (b): \(TextSummary.people(e.counterFilingsPerYear)) counter filings a year (\(DecimalText.fixed(par.filingsPerPersonYear, decimals: 2)) per person, \(TextSummary.percent(par.onlineShare)) online, \(DecimalText.fixed(par.serviceMinutes, decimals: 0)) min each, \(DecimalText.fixed(par.openingHoursPerWeek, decimals: 0)) h a week, busiest hour \(DecimalText.fixed(par.peakFactor, decimals: 1)) × the average).\n"
        let yearly = e.sites.reduce(0.0) { $0 + ($1.capacityPerYear ?? 0) }
        out += "    \(staff) counters serve at most \(TextSummary.people(yearly)) filings a year even at an even pace (\(TextSummary.percent(yearly / max(1, e.counterFilingsPerYear))) of the demand).\n"
        if a.unstableSites.isEmpty {
            out += "    placed by marginal gain, the expected wait at the busiest hour is \(StaffingText.minutes(e.meanWaitMinutes)) per filing on average, \(StaffingText.minutes(e.maxWaitMinutes)) at the worst site.\n"
        } else {
            out += "    \(staff) staff cannot serve them: keeping every site's queue stable at the busiest hour needs \(a.staffNeededForStability); \(a.unstableSites.count) of the \(e.sites.count) sites stay over capacity (unbounded waits).\n"
        }
        if let f = staffing.fewest {
            out += "    a mean wait ≤ \(DecimalText.fixed(maxWaitMinutes, decimals: 0)) min needs \(f.staffTotal) staff"
            if let s = onlineNeeded {
                out += s < 1 ? "; \(staff) staff reach it once \(TextSummary.percent(s)) of filings go online" : "; \(staff) staff do not reach it at any online share below 100 %"
            }
            out += ".\n"
        }
        let top = e.busiest.prefix(3).map { k -> String in
            let s = e.sites[k]
            return "\(prepared.sites[s.site].name ?? prepared.sites[s.site].id) (\(s.counters ?? 0) staff, \(TextSummary.people(s.assignedFilingsPerYear)) filings, wait \(StaffingText.minutes(s.waitMinutes)))"
        }
        out += "    busiest: " + top.joined(separator: "; ") + "\n"
        return out
    }

    /// Question (e) in the text output.
    func phasesText(_ r: ScenarioPlanning.Result) -> String {
        let phases = r.solution.phases ?? []
        var out = "(e) Keeping \(keep) sites, rolled out in \(phases.count) phase\(phases.count == 1 ? "" : "s"), each keeping the sites of the one before and itself the best extension found:\n"
        out += TextSummary.phaseLines(phases, indent: "    ", labels: phaseDates)
        let nesting = phases.reduce(0) { $0 + $1.priceOfNestingPopulation }
        out += nesting > 0 ? "    nesting costs \(TextSummary.people(nesting)) residents summed over the phases against the best unnested plans found.\n"
                           : "    nesting costs nothing: every phase covers as many as the best plan of its size found without it.\n"
        return out
    }

    /// Question (f) in the text output (the zone-rule lines are the plan command's).
    func floorText(_ r: ScenarioPlanning.Result) -> String {
        let s = r.solution, t = r.evaluation.totals
        var out = "(f) Keeping \(keep) sites with a floor of \(TextSummary.percent(zoneFloor)) of each commune's coverable population: \(TextSummary.people(t.coveredPopulation)) covered (\(TextSummary.percent(t.coveredShare))).\n"
        out += "    proof: \(TextSummary.proofSentence(s))\n"
        if let advice = TextSummary.gapAdvice(s) { out += "    \(advice)\n" }
        if let z = s.zoneFloor {
            out += TextSummary.zoneFloorText(z).split(separator: "\n").dropFirst().map { "  " + $0 + "\n" }.joined()
            if let lowest = Self.lowestZone(z) { out += "      \(lowest)\n" }
        }
        return out
    }

    /// "lowest commune: NAME, S of its coverable population covered" (text and report).
    static func lowestZone(_ z: ZoneFloorReport) -> String? {
        guard let lowest = z.zones.filter({ $0.coverablePopulation > 0 }).min(by: { $0.coveredShareOfCoverable < $1.coveredShareOfCoverable }) else { return nil }
        return "lowest commune: \(lowest.name), \(TextSummary.percent(lowest.coveredShareOfCoverable)) of its coverable population covered"
    }

    /// Partner post offices among the Hanoi candidates: ids `p…` (data/hanoi/README.md).
    static func isPostOffice(_ site: Site) -> Bool { site.id.hasPrefix("p") }

    func demoJSON(prepared: PreparedScenario, today: CoverageEvaluation, consolidate: ScenarioPlanning.Result,
                  fewest: ScenarioPlanning.Result, phased: ScenarioPlanning.Result, floored: ScenarioPlanning.Result,
                  warnings: [Warning]) -> OrderedJSON {
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
            .init("phases", phasesMember(phased)),
            .init("zone_floor", floorMember(floored)),
            .init("warnings", .array(warnings.map { .string($0.message) })),
        ])
    }

    /// Question (e) in demo.json: plan.json's `phases[]` (one implementation), with the dates.
    func phasesMember(_ r: ScenarioPlanning.Result) -> OrderedJSON {
        var list = PlanOutputs.phasesJSON(r.solution.phases ?? [])
        if case .array(var items) = list {
            for k in items.indices where k < phaseDates.count {
                if case .object(var m) = items[k] { m.insert(.init("date", .string(phaseDates[k])), at: 0); items[k] = .object(m) }
            }
            list = .array(items)
        }
        return .object([
            .init("folder", .string(phasesFolder)),
            .init("objective", .string("lexicographic: each phase the best extension of the one before")),
            .init("covered_population", .count(r.evaluation.totals.coveredPopulation)),
            .init("upper_bound_population", .count(r.solution.upperBoundPopulation)),
            .init("gap", .number(r.solution.gap, decimals: 6)),
            .init("phases", list),
        ])
    }

    /// Question (f) in demo.json: the plan's figures and plan.json's `zone_floor` (one implementation).
    func floorMember(_ r: ScenarioPlanning.Result) -> OrderedJSON {
        var members: [OrderedJSON.Member] = [
            .init("folder", .string(floorFolder)),
            .init("branches", .array(r.solution.branches.map { .string($0.id) })),
            .init("covered_population", .count(r.evaluation.totals.coveredPopulation)),
            .init("covered_share", .share(r.evaluation.totals.coveredShare)),
            .init("upper_bound_population", .count(r.solution.upperBoundPopulation)),
            .init("gap", .number(r.solution.gap, decimals: 6)),
            .init("proven_optimal", .bool(r.solution.provenOptimal)),
        ]
        if let z = r.solution.zoneFloor, case .object(let m) = PlanOutputs.zoneFloorJSON(z) { members += m }
        return .object(members)
    }

    func demoText(prepared: PreparedScenario, today: CoverageEvaluation, consolidate: ScenarioPlanning.Result,
                  fewest: ScenarioPlanning.Result, phased: ScenarioPlanning.Result, floored: ScenarioPlanning.Result,
                  outDir: URL, report: URL, timings: StageTimings, staffText: String) -> String {
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
        out += "    left out even then: \(p(f.evaluation.totals.uncoveredPopulation)) (no site of any kind within reach).\n"
        out += staffText
        out += phasesText(phased)
        out += floorText(floored) + "\n"
        out += "Files: \(outDir.path)/{coverage,consolidate-\(keep),post-offices,staff-\(staff),\(phasesFolder),\(floorFolder)}/, demo.json\nReport: \(report.path)\n"
        let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
        out += "Time: \(DecimalText.fixed(total, decimals: 1)) s\n"
        return out
    }
}
