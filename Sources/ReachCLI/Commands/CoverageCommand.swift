import ArgumentParser
import Foundation
import ReachGeo

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
        var prepared = try scenario.prepare(progress: progress, timings: &timings)
        let outDir = try output.outDirectory()
        progress.stage("evaluating coverage of \(prepared.residents.count) residents by \(prepared.loaded.existing.count) intake points")
        let evaluation = try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        prepared.timings = timings
        try CoverageRunOutput.emit(prepared: prepared, evaluation: evaluation, output: output, outDir: outDir,
                                   start: start, timings: timings, progress: progress)
    }
}

/// Writing and printing a coverage run (shared by `coverage` and `demo`).
enum CoverageRunOutput {
    /// Stages `residents.csv` and `uncovered.geojson` for an evaluation.
    static func addResidentFiles(_ batch: inout OutputBatch, _ dir: URL, prepared: PreparedScenario, evaluation: CoverageEvaluation) throws {
        try batch.add(CoverageOutputs.residentsCSV(residents: prepared.residents, evaluation: evaluation, sites: prepared.sites),
                      as: dir.appendingPathComponent("residents.csv"))
        try batch.add(CoverageOutputs.uncoveredGeoJSON(residents: prepared.residents, evaluation: evaluation, sites: prepared.sites),
                      as: dir.appendingPathComponent("uncovered.geojson"))
    }

    static func emit(prepared: PreparedScenario, evaluation: CoverageEvaluation, output: OutputOptions, outDir: URL?,
                     start: UInt64, timings: StageTimings, progress: ProgressReporter) throws {
        var timings = timings
        let warnings = prepared.warnings
        for w in warnings { printWarningToStderr(w.message) }
        var batch = OutputBatch()
        if let outDir {
            let writeStart = DispatchTime.now().uptimeNanoseconds
            try addResidentFiles(&batch, outDir, prepared: prepared, evaluation: evaluation)
            timings.add("write", Double(DispatchTime.now().uptimeNanoseconds - writeStart) / 1e9)
        }
        timings.add("total", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        // Files carry timings only with --timings (byte-identical otherwise); stdout always does.
        let members = CoverageOutputs.summaryMembers(
            scenarioName: prepared.loaded.scenario.name, standard: prepared.standard, evaluation: evaluation,
            graph: prepared.network?.graph.stats, warnings: warnings, timings: nil)
        let withTimings = OrderedJSON.object(members + [CoverageOutputs.timingsMember(timings)])
        if let outDir {
            try batch.add((output.timings ? withTimings : .object(members)).text(), as: outDir.appendingPathComponent("summary.json"))
        }
        if let report = output.report {
            try batch.add(ReportBuilder.coverageReport(prepared: prepared, evaluation: evaluation),
                          as: URL(fileURLWithPath: report).standardizedFileURL)
        }
        try batch.commit()
        switch output.format {
        case .json:
            print(withTimings.text(), terminator: "")
        case .text:
            print(TextSummary.coverage(prepared: prepared, evaluation: evaluation, timings: timings, outDir: outDir), terminator: "")
        }
    }
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

    /// A share as a percentage with 2 decimals; never rounds a partial share to "100 %" or "0 %".
    static func percent(_ share: Double) -> String {
        let text = DecimalText.fixed(share * 100, decimals: 2)
        if share < 1 && text == "100" { return ">99.99 %" }
        if share > 0 && text == "0" { return "<0.01 %" }
        return text + " %"
    }

    static func coverage(prepared: PreparedScenario, evaluation: CoverageEvaluation, timings: StageTimings, outDir: URL?) -> String {
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
        if let outDir { out += "  wrote residents.csv, summary.json, uncovered.geojson to \(outDir.path)\n" }
        let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
        out += "  time: \(DecimalText.fixed(total, decimals: 2)) s\n"
        return out
    }
}
