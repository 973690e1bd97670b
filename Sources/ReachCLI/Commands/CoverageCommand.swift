import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `reach coverage SCENARIO`: how the current intake points cover the residents.
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "How the current intake points cover the residents (5 km / 30 minutes by default).")

    @OptionGroup var scenario: ScenarioOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = ProgressReporter.terminal
        var timings = StageTimings()
        let (resolved, batch) = try scenario.resolveGuardingInputs(timings: &timings)
        let outDir = try output.outDirectory()
        try CoverageRunOutput.reserve(batch, outDir: outDir, report: try output.reportURL(), format: output.formatOut)
        var prepared = try scenario.prepare(resolved, progress: progress, timings: &timings)
        progress.stage("evaluating coverage of \(prepared.residents.count) residents by \(prepared.loaded.existing.count) intake points")
        let evaluation = try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        prepared.timings = timings
        try CoverageRunOutput.emit(prepared: prepared, evaluation: evaluation, output: output, outDir: outDir,
                                   batch: batch, start: start, timings: timings, progress: progress)
    }
}

/// Writing and printing a coverage run (shared by `coverage` and `demo`).
enum CoverageRunOutput {
    static let residentFiles = ["residents.csv", "uncovered.geojson"]
    static let siteFiles = ["sites.csv", "sites.geojson"]

    /// Validates the destinations of a coverage run before any work is done.
    static func reserve(_ batch: OutputBatch, outDir: URL?, report: URL?, format: LayerFormat = .geojson) throws {
        if let outDir { try batch.reserve((residentFiles + siteFiles + ["summary.json"] + LayerOutput.files(format, plan: false)).map { outDir.appendingPathComponent($0) }) }
        if let report { try batch.reserve(report) }
    }

    /// Stages `residents.csv` and `uncovered.geojson` for an evaluation.
    static func addResidentFiles(_ batch: OutputBatch, _ dir: URL, prepared: PreparedScenario, evaluation: CoverageEvaluation,
                                 geoJSON: Bool = true) throws {
        try batch.add(CoverageOutputs.residentsCSV(residents: prepared.residents, evaluation: evaluation, sites: prepared.sites),
                      as: dir.appendingPathComponent("residents.csv"))
        guard geoJSON else { return }
        try batch.add(CoverageOutputs.uncoveredGeoJSON(residents: prepared.residents, evaluation: evaluation, sites: prepared.sites),
                      as: dir.appendingPathComponent("uncovered.geojson"))
    }

    /// Stages every file, prints the summary on stdout, then commits the files in one step.
    static func emit(prepared: PreparedScenario, evaluation: CoverageEvaluation, output: OutputOptions, outDir: URL?,
                     batch: OutputBatch, start: UInt64, timings: StageTimings, progress: ProgressReporter) throws {
        var timings = timings
        let calibration = timings.measure("calibrate") { TimeCalibration.fit(prepared: prepared, evaluation: evaluation) }
        let staffing = timings.measure("staffing") { StaffingEvaluation.evaluate(prepared: prepared, evaluation: evaluation) }
        let warnings = prepared.warnings
        for w in warnings { printWarningToStderr(w.message) }
        if let outDir {
            try timings.measure("write") {
                try addResidentFiles(batch, outDir, prepared: prepared, evaluation: evaluation, geoJSON: output.formatOut == .geojson)
                try LayerOutput.addSiteAndLayerFiles(batch, outDir, format: output.formatOut, prepared: prepared,
                                                     evaluation: evaluation, staffing: staffing, planGeoJSON: nil)
            }
        }
        if let report = try output.reportURL() {
            try timings.measure("report") {
                try batch.add(ReportBuilder.coverageReport(prepared: prepared, evaluation: evaluation, staffing: staffing), as: report)
            }
        }
        // summary.json is staged last: with --timings it carries the time of everything before it.
        if let outDir {
            let lastStart = DispatchTime.now().uptimeNanoseconds
            var fileTimings = timings
            fileTimings.add("total", RunClock.seconds(since: start))
            let members = StaffingOutputs.inserting(StaffingOutputs.staffingMember(staffing), into: CoverageOutputs.summaryMembers(
                scenarioName: prepared.loaded.scenario.name, standard: prepared.standard, evaluation: evaluation,
                graph: prepared.network?.graph.stats, warnings: warnings, timings: output.timings ? fileTimings : nil,
                sites: (prepared.loaded.existing, prepared.loaded.candidates), calibration: calibration))
            try batch.add(OrderedJSON.object(members).text(), as: outDir.appendingPathComponent("summary.json"))
            timings.add("write", RunClock.seconds(since: lastStart))
        }
        timings.add("total", RunClock.seconds(since: start))
        let text: String
        switch output.format {
        case .json:
            text = OrderedJSON.object(StaffingOutputs.inserting(StaffingOutputs.staffingMember(staffing), into: CoverageOutputs.summaryMembers(
                scenarioName: prepared.loaded.scenario.name, standard: prepared.standard, evaluation: evaluation,
                graph: prepared.network?.graph.stats, warnings: warnings, timings: timings,
                sites: (prepared.loaded.existing, prepared.loaded.candidates), calibration: calibration))).text()
        case .text:
            text = TextSummary.coverage(prepared: prepared, evaluation: evaluation, calibration: calibration,
                                        timings: timings, outDir: outDir, outFormat: output.formatOut)
                + StaffingText.brief(prepared: prepared, staffing: staffing, indent: "  ")
        }
        try StandardOutput.write(text)
        try batch.commit()
    }
}

/// Wall-clock seconds for `timings_s`.
enum RunClock {
    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
}

/// Human-readable summaries for the terminal.
enum TextSummary {
    static func people(_ v: Double) -> String {
        // Checked: readers cap populations (ValueRanges), but a summary must never trap.
        guard let whole = Int(exactly: v.rounded()), abs(whole) < 1 << 62 else { return DecimalText.fixed(v, decimals: 0) }
        let digits = String(abs(whole))
        var out = ""
        for (k, ch) in digits.reversed().enumerated() {
            if k > 0 && k % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (whole < 0 ? "-" : "") + String(out.reversed())
    }

    /// One line on the no-roads estimate fitted to the network (``TimeCalibration``).
    static func calibration(_ c: TimeCalibration, profile: TravelProfile) -> String {
        func f(_ v: Double, _ d: Int) -> String { DecimalText.fixed(v, decimals: d) }
        return "estimate fitted to the network (\(people(Double(c.residents))) residents ≥ 1 km from a site): detour factor \(f(c.detourFactor.median, 2)) (p10–p90 \(f(c.detourFactor.p10, 2))–\(f(c.detourFactor.p90, 2))), \(f(c.estimateKmh.median, 1)) km/h (\(f(c.estimateKmh.p10, 1))–\(f(c.estimateKmh.p90, 1))); the profile's estimate uses \(f(profile.detourFactor, 2)) and \(f(profile.estimateKmh, 1)) km/h; agreement on within-time \(percent(c.agreement))"
    }

    /// A share as a percentage with 2 decimals; never rounds a partial share to "100 %" or "0 %".
    static func percent(_ share: Double) -> String {
        let text = DecimalText.fixed(share * 100, decimals: 2)
        if share < 1 && text == "100" { return ">99.99 %" }
        if share > 0 && text == "0" { return "<0.01 %" }
        return text + " %"
    }

    static func coverage(prepared: PreparedScenario, evaluation: CoverageEvaluation, calibration: TimeCalibration?,
                         timings: StageTimings, outDir: URL?, outFormat: LayerFormat = .geojson) -> String {
        let t = evaluation.totals
        let s = prepared.standard
        var out = "\(prepared.loaded.scenario.name)\n"
        out += "  standard: within \(DecimalText.fixed(s.radiusMeters, decimals: 1)) m \(s.rule == .either ? "or" : s.rule == .both ? "and" : "(rule \(s.rule.rawValue))") \(DecimalText.fixed(s.maxMinutes, decimals: 2)) min of travel (\(prepared.loaded.profile.name), time \(evaluation.timeMethod.rawValue))\n"
        if let g = prepared.network?.graph.stats {
            out += "  roads: \(g.vertices) vertices, \(g.edges) edges, \(DecimalText.fixed(g.totalKm, decimals: 1)) km, \(g.components) components (largest \(g.largestComponentVertices))\n"
        }
        out += "  residents: \(people(Double(t.residents))) points, population \(people(t.population))\n"
        out += "  intake points open: \(evaluation.openSites.count)\n"
        out += "  covered:   \(people(t.coveredPopulation)) (\(percent(t.coveredShare)))\n"
        out += "    within radius \(people(t.withinRadiusPopulation)), within time \(people(t.withinTimePopulation)), both \(people(t.withinBothPopulation))\n"
        out += "  uncovered: \(people(t.uncoveredPopulation))\n"
        for r in UncoveredReason.allCases {
            if let p = t.uncoveredByReason[r] { out += "    \(r.rawValue): \(people(p))\n" }
        }
        let worst = evaluation.zoneTotals.filter { $0.coveredShare < 1 }.sorted { ($0.coveredShare, $0.zone) < ($1.coveredShare, $1.zone) }.prefix(5)
        if !worst.isEmpty {
            out += "  least covered zones:\n"
            for z in worst { out += "    \(z.zone): \(percent(z.coveredShare)) of \(people(z.population))\n" }
        }
        if let c = calibration { out += "  " + TextSummary.calibration(c, profile: prepared.loaded.profile) + "\n" }
        if let outDir {
            let layers = outFormat == .gpkg ? "zones.csv, reach.gpkg" : "uncovered.geojson, sites.geojson, zones.csv, zones.geojson"
            out += "  wrote residents.csv, summary.json, sites.csv, \(layers) to \(outDir.path)\n"
        }
        let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
        out += "  time: \(DecimalText.fixed(total, decimals: 2)) s\n"
        return out
    }
}
