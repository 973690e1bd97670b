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
    @Option(help: "Number of branches N (required with --objective coverage, unless --phases gives it).") var branches: Int?
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
    @Option(help: ArgumentHelp("Roll out in phases: cumulative branch counts, strictly increasing (e.g. 10,20,30); the last is N and replaces --branches.",
                               valueName: "N1,N2,…"))
    var phases: String?
    @Option(name: .customLong("zone-floor"), help: ArgumentHelp("Every zone reaches at least this share (0…1) of its coverable population, or as close as N sites allow.", valueName: "SHARE"))
    var zoneFloor: Double?
    @Option(name: .customLong("min-sites-per-zone"), help: ArgumentHelp("Every zone with a site that can open gets at least min(K, its sites) open sites.", valueName: "K"))
    var minSitesPerZone: Int?
    @OptionGroup var output: OutputOptions

    /// The parsed `--phases` counts.
    static func parsePhases(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        var counts: [Int] = []
        for part in parts {
            guard let n = Int(part), n > 0 else { throw ValidationError("--phases: \"\(part)\" is not a positive whole number (give cumulative counts like 10,20,30)") }
            if let last = counts.last, n <= last {
                throw ValidationError("--phases must be strictly increasing cumulative counts (\(last) then \(n))")
            }
            counts.append(n)
        }
        return counts
    }

    /// The share for `--objective branches`.
    var targetShare: Double { targetShareOption ?? 0.99 }

    /// Every flag is checked here, and a flag that the chosen objective would ignore is an
    /// error rather than silently dropped.
    func validate() throws {
        if capacitated && objective != .coverage { throw ValidationError("--capacitated works with --objective coverage") }
        if let defaultStaff, defaultStaff < 0 { throw ValidationError("--default-staff must be ≥ 0") }
        if capacitated && (phases != nil || zoneFloor != nil || minSitesPerZone != nil) {
            throw ValidationError("--capacitated does not combine with --phases, --zone-floor or --min-sites-per-zone")
        }
        if !capacitated && defaultStaff != nil { throw ValidationError("--default-staff applies only with --capacitated") }
        if let phases {
            let counts = try Self.parsePhases(phases)
            guard objective == .coverage else { throw ValidationError("--phases applies to --objective coverage only") }
            if let branches, branches != counts.last { throw ValidationError("--branches \(branches) differs from the last phase (\(counts.last!)); give one of them") }
            guard zoneFloor == nil && minSitesPerZone == nil else { throw ValidationError("--phases does not combine with --zone-floor or --min-sites-per-zone") }
        }
        if let zoneFloor {
            guard zoneFloor.isFinite, zoneFloor >= 0, zoneFloor <= 1 else { throw ValidationError("--zone-floor must be a share within 0…1 (got \(zoneFloor))") }
        }
        if let minSitesPerZone { guard minSitesPerZone >= 0 else { throw ValidationError("--min-sites-per-zone must be ≥ 0") } }
        if (zoneFloor != nil || minSitesPerZone != nil) && objective != .coverage {
            throw ValidationError("--zone-floor and --min-sites-per-zone apply to --objective coverage only")
        }
        switch objective {
        case .coverage:
            if phases == nil {
                guard let branches else { throw ValidationError("--branches N is required with --objective coverage") }
                guard branches >= 0 else { throw ValidationError("--branches must be a whole number ≥ 0, not \(branches)") }
            }
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
        let (resolved, batch) = try scenario.resolveGuardingInputs(timings: &timings)
        let outDir = try output.outDirectory()
        try PlanRunOutput.reserve(batch, outDir: outDir, report: try output.reportURL(), format: output.formatOut,
                                  newlyCovered: !capacitated)
        let prepared = try scenario.prepare(resolved, progress: progress, timings: &timings)
        if capacitated {
            try runCapacitated(prepared: prepared, outDir: outDir, batch: batch, start: start, progress: progress, timings: timings)
            return
        }
        let phaseCounts = try phases.map(Self.parsePhases)
        let type: ProblemType = objective == .coverage
            ? .coverage(mode.mode, branches: phaseCounts?.last ?? branches ?? 0)
            : .fewestBranches(mode.mode, targetShare: targetShare)
        let rules = ScenarioPlanning.Rules(phases: phaseCounts, zoneFloor: zoneFloor, minSitesPerZone: minSitesPerZone)
        let result = try ScenarioPlanning.plan(prepared: prepared, type: type, solver: solver.choice,
                                               timeLimitSeconds: timeLimit, progress: progress, rules: rules, timings: &timings)
        try PlanRunOutput.emit(prepared: prepared, result: result, output: output, outDir: outDir, batch: batch,
                               start: start, timings: timings)
    }
}

enum PlanRunOutput {
    static let files = ["plan.json", "plan.geojson"] + CoverageRunOutput.residentFiles + CoverageRunOutput.siteFiles

    /// Validates the destinations of a plan run before any work is done.
    static func reserve(_ batch: OutputBatch, outDir: URL?, report: URL?, format: LayerFormat = .geojson, newlyCovered: Bool = true) throws {
        if let outDir {
            try batch.reserve((files + LayerOutput.files(format, plan: true, newlyCovered: newlyCovered)).map { outDir.appendingPathComponent($0) })
        }
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
                try batch.add(ReportBuilder.planReport(prepared: prepared, result: result, title: reportTitle, staffing: staffing), as: report)
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
        out += "  proof: \(proofSentence(s))\n"
        if let advice = gapAdvice(s) { out += "    \(advice)\n" }
        if let minimal = s.branchCountProvenMinimal { out += "  branch count proven minimal: \(minimal ? "yes" : "no")\n" }
        if let phases = s.phases, phases.count > 1 {
            out += "  phases (each keeps every site of the one before):\n"
            out += phaseLines(phases, indent: "    ")
        }
        if let z = s.zoneFloor { out += zoneFloorText(z) }
        out += "  roll-out order:\n"
        let gaining = s.noFurtherGainAfter ?? s.branches.count
        for b in s.branches.prefix(min(40, gaining)) {
            let name = prepared.sites[b.siteIndex].name.map { " \($0)" } ?? ""
            out += "    \(b.order). \(b.id)\(name): +\(people(b.marginalPopulation)) → \(people(b.cumulativeCoveredPopulation))\n"
        }
        if gaining > 40 { out += "    … \(gaining - 40) more in plan.json\n" }
        if gaining < s.branches.count {
            let ids = s.branches[gaining...].map(\.id)
            let shown = ids.prefix(10).joined(separator: ", ") + (ids.count > 10 ? ", …" : "")
            let span = gaining + 1 == s.branches.count ? "\(gaining + 1)" : "\(gaining + 1)–\(s.branches.count)"
            out += "    \(span): no further gain (\(shown)): every resident these sites could add is already covered; they are opened only because \(s.branches.count) were asked for (plan.json keeps branches_requested and lists them)\n"
        }
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

extension TextSummary {
    /// One line per phase: its coverage, its own bound and gap, the price of nesting (`labels`:
    /// an optional name per phase, e.g. its date).
    static func phaseLines(_ phases: [PhaseSummary], indent: String, labels: [String] = []) -> String {
        var out = ""
        for (k, p) in phases.enumerated() {
            let label = k < labels.count ? " (\(labels[k]))" : ""
            out += "\(indent)\(k + 1). \(p.branches) sites\(label): \(people(p.coveredPopulation)) covered; no choice of \(p.branches) sites covers more than \(people(p.upperBoundPopulation)) (gap \(DecimalText.fixed(p.gap * 100, decimals: 3)) %); price of nesting \(people(p.priceOfNestingPopulation))\n"
        }
        return out
    }

    /// "no choice of 30 sites covers more than X (gap g)": the proof in words.
    static func proofSentence(_ s: CoverageSolution) -> String {
        let n = s.branches.count
        let what = s.problemType.mode == .add ? "\(n) new branch\(n == 1 ? "" : "es") (with today's sites open)" : "\(n) site\(n == 1 ? "" : "s")"
        // With zone rules the bound is over the plans meeting them, unless the plan itself misses a
        // target: then it is the bound over every plan.
        let rulesMet = s.zoneFloor.map { $0.shortfallPopulation == 0 } ?? false
        var text = "no choice of \(what)\(rulesMet ? " meeting the zone rules" : "") covers more than \(people(s.upperBoundPopulation))"
        text += "; this plan covers \(people(s.coveredPopulation)), gap \(DecimalText.fixed(s.gap * 100, decimals: 3)) %"
        if s.provenOptimal { text += " (proven optimal)" }
        return text
    }

    /// What to do when the gap is above 0.1 %.
    static func gapAdvice(_ s: CoverageSolution) -> String? {
        guard s.gap > 0.001 else { return nil }
        if let z = s.zoneFloor, z.shortfallPopulation > 0 {
            return "the gap is measured against the bound without the zone rules (no plan meets every zone's target), so it includes what the rules cost"
        }
        return "the gap is above 0.1 %: to narrow it, allow more time (--time-limit: it also raises CBC's node limit), use coarser residents (fewer points, e.g. a coarser population grid), or fewer candidates"
    }

    static func zoneFloorText(_ z: ZoneFloorReport) -> String {
        var out = "  zone rules:"
        if let f = z.floor { out += " floor \(percent(f)) of each zone's coverable population" }
        if let k = z.minSitesPerZone { out += (z.floor == nil ? "" : ";") + " at least \(k) open site\(k == 1 ? "" : "s") per zone" }
        out += "\n"
        let below = z.zones.filter { $0.coveredPopulation < $0.targetPopulation - 1e-6 * max(1, $0.targetPopulation) }
        out += "    price of fairness: \(people(z.priceOfFairnessPopulation)) fewer covered than the best plan found without the rules (\(people(z.unconstrainedCoveredPopulation)); without them no choice covers more than \(people(z.unconstrainedUpperBoundPopulation)))\n"
        if z.shortfallPopulation > 0 {
            out += "    \(below.count) zone(s) below their reachable floor (\(people(z.shortfallPopulation)) short in total)\(z.targetsProvenJointlyInfeasible ? "; proven: no plan meets them all together" : "")\n"
            for zone in below.prefix(10) {
                out += "      \(zone.name): \(percent(zone.coveredShareOfCoverable)) of its coverable population covered, target \(people(zone.targetPopulation)) of \(people(zone.coverablePopulation))\n"
            }
            if below.count > 10 { out += "      … \(below.count - 10) more in plan.json (zone_floor.zones)\n" }
        } else if z.floor != nil {
            out += "    every zone reaches the floor, or its best possible share with these sites\n"
        }
        let infeasible = z.infeasibleZones
        if !infeasible.isEmpty {
            out += "    cannot reach the floor with any choice of these sites (best possible share of the coverable population):\n"
            for zone in infeasible.prefix(20) {
                out += "      \(zone.name): \(zone.bestPossibleShare.map(percent) ?? "?")\n"
            }
            if infeasible.count > 20 { out += "      … \(infeasible.count - 20) more in plan.json\n" }
        }
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
