import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `reach staff SCENARIO --staff-total N`: where the counters should go, and how long people wait.
struct StaffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Place a staff total across the open sites to minimise the expected wait (M/M/c queues).",
        discussion: """
        Demand: population × filings_per_person_year × (1 − online_share) filings a year, filed at the
        fastest-reached open site (file anywhere). A site with c counters open H hours a week, s minutes
        per filing, serves c × H × 52 × 60 / s filings a year; its busiest hour sees peak_factor × the
        average hourly arrivals; the wait is the M/M/c (Erlang C) expected wait in line. Each open site
        gets at least one counter; the marginal-gain greedy is optimal (Dyer & Proll 1977).
        Writes sites.csv, sites.geojson and staff.json into --out.
        """)

    @OptionGroup var scenario: ScenarioOptions
    @Option(name: .customLong("staff-total"), help: "Counters to place across the open sites.") var staffTotal: Int
    @Option(name: .customLong("max-wait-minutes"), help: "Wait target: also report the fewest staff meeting it.") var maxWaitMinutes: Double?
    @Option(help: "mean (filings-weighted mean wait) or max (worst site's wait).") var objective: StaffObjectiveArgument = .mean
    @Option(name: .customLong("open-sites"), help: "Comma-separated ids of the open sites (default: the existing table).") var openSites: String?
    @Option(help: "Write sites.csv, sites.geojson and staff.json into this folder (created if needed).") var out: String?
    @Option(help: "stdout format: text or json.") var format: OutputFormat = .text
    @Option(help: "Also write a self-contained HTML map report (loads, waits, busiest sites) to this file.") var report: String?

    func validate() throws {
        guard staffTotal >= 1 else { throw ValidationError("--staff-total must be ≥ 1") }
        if let m = maxWaitMinutes {
            guard m.isFinite, m > 0 else { throw ValidationError("--max-wait-minutes must be a number of minutes > 0") }
        }
    }

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let progress = ProgressReporter.terminal
        var timings = StageTimings()
        let (resolved, batch) = try scenario.resolveGuardingInputs(timings: &timings)
        let outDir = try out.map { try OutputPaths.url($0, option: "--out") }
        if let outDir { try batch.reserve(["sites.csv", "sites.geojson", "staff.json"].map { outDir.appendingPathComponent($0) }) }
        let reportURL = try report.map { try OutputPaths.url($0, option: "--report") }
        if let reportURL { try batch.reserve(reportURL) }
        let prepared = try scenario.prepare(resolved, progress: progress, timings: &timings)
        let open = try StaffCommand.openSiteIndices(openSites, prepared: prepared)
        guard staffTotal >= open.count else {
            throw UsageError("--staff-total \(staffTotal) is fewer than the \(open.count) open sites: each open site needs at least one counter")
        }
        progress.stage("assigning demand to \(open.count) open sites and placing \(staffTotal) staff")
        let evaluation = try prepared.evaluate(openSites: open, timings: &timings)
        let result = try timings.measure("staff") {
            try StaffingRun.run(prepared: prepared, evaluation: evaluation, staffTotal: staffTotal,
                                objective: objective.objective, maxWaitMinutes: maxWaitMinutes)
        }
        let warnings = prepared.warnings
        for w in warnings { printWarningToStderr(w.message) }
        let json = StaffingOutputs.staffJSON(prepared: prepared, result: result, warnings: warnings)
        if let outDir {
            try StaffingText.addSiteFiles(batch, outDir, prepared: prepared, staffing: result.staffed)
            try batch.add(json.text(), as: outDir.appendingPathComponent("staff.json"))
        }
        if let reportURL {
            try batch.add(ReportBuilder.staffReport(prepared: prepared, evaluation: evaluation, result: result), as: reportURL)
        }
        timings.add("total", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        let output: String
        switch format {
        case .json: output = json.text()
        case .text:
            var text = "\(prepared.loaded.scenario.name): \(staffTotal) staff at \(open.count) open sites (objective \(objective.rawValue))\n"
            text += StaffingText.run(prepared: prepared, result: result, indent: "  ")
            if let outDir { text += "  wrote sites.csv, sites.geojson, staff.json to \(outDir.path)\n" }
            let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
            text += "  time: \(DecimalText.fixed(total, decimals: 2)) s\n"
            output = text
        }
        try StandardOutput.write(output)
        try batch.commit()
    }

    /// The open sites: the ids listed (in scenario order), or the existing table.
    static func openSiteIndices(_ list: String?, prepared: PreparedScenario) throws -> [Int] {
        guard let list else { return prepared.currentlyOpenSites }
        var index: [String: Int] = [:]
        for (k, s) in prepared.sites.enumerated() { index[s.id] = k }
        var chosen = Set<Int>()
        for raw in list.split(separator: ",") {
            let id = raw.trimmingWhitespace()
            guard !id.isEmpty else { continue }
            guard let k = index[id] else { throw UsageError("--open-sites: no site with id \"\(id)\" in the existing or candidates table") }
            chosen.insert(k)
        }
        guard !chosen.isEmpty else { throw UsageError("--open-sites lists no site") }
        return chosen.sorted()
    }
}

enum StaffObjectiveArgument: String, ExpressibleByArgument, CaseIterable {
    case mean, max
    var objective: StaffAllocation.Objective { self == .mean ? .mean : .max }
}

/// Staffing lines of the terminal summaries and the site files of every run.
enum StaffingText {
    /// Stages `sites.csv` and (unless `geoJSON` is false) `sites.geojson`; returns the GeoJSON text.
    @discardableResult
    static func addSiteFiles(_ batch: OutputBatch, _ dir: URL, prepared: PreparedScenario, staffing: StaffingEvaluation,
                             geoJSON: Bool = true) throws -> String {
        try batch.add(StaffingOutputs.sitesCSV(prepared: prepared, staffing: staffing), as: dir.appendingPathComponent("sites.csv"))
        let sites = StaffingOutputs.sitesGeoJSON(prepared: prepared, staffing: staffing)
        if geoJSON { try batch.add(sites, as: dir.appendingPathComponent("sites.geojson")) }
        return sites
    }

    static func minutes(_ v: Double?) -> String {
        guard let v else { return "—" }
        return v.isFinite ? DecimalText.fixed(v, decimals: 1) + " min" : "∞ (over capacity)"
    }

    static func filings(_ v: Double) -> String { TextSummary.people(v) }

    /// The demand line: filings, online share, parameters.
    static func demand(_ e: StaffingEvaluation) -> String {
        let p = e.parameters
        var s = "demand: \(filings(e.demandFilingsPerYear)) filings a year (\(DecimalText.fixed(p.filingsPerPersonYear, decimals: 3)) per person)"
        if p.onlineShare > 0 { s += ", \(filings(e.onlineFilingsPerYear)) online (\(TextSummary.percent(p.onlineShare)))" }
        s += ", \(filings(e.counterFilingsPerYear)) at counters"
        if e.unassignedFilingsPerYear > 0 { s += " (\(filings(e.unassignedFilingsPerYear)) with no open site)" }
        if e.outsideStandardFilingsPerYear > 0 { s += "; \(filings(e.outsideStandardFilingsPerYear)) from residents outside the standard" }
        s += "; \(DecimalText.fixed(p.serviceMinutes, decimals: 1)) min per filing, \(DecimalText.fixed(p.openingHoursPerWeek, decimals: 1)) h a week, busiest hour \(DecimalText.fixed(p.peakFactor, decimals: 2)) × the average"
        return s
    }

    /// One line per busiest site.
    static func busiest(_ e: StaffingEvaluation, prepared: PreparedScenario, count: Int, indent: String) -> String {
        var out = ""
        for k in e.busiest.prefix(count) {
            let s = e.sites[k]
            let site = prepared.sites[s.site]
            let name = site.name.map { " \($0)" } ?? ""
            out += "\(indent)\(site.id)\(name): \(filings(s.assignedFilingsPerYear)) filings/yr (own unit only: \(filings(s.ownUnitFilingsPerYear)))"
            if let c = s.counters {
                let rho = s.utilisation.map { $0.isFinite ? TextSummary.percent($0) : "∞" } ?? "—"
                out += ", \(c) staff, \(DecimalText.fixed(s.arrivalsPerHour, decimals: 1))/h at the peak, utilisation \(rho), wait \(minutes(s.waitMinutes))"
            }
            out += "\n"
        }
        return out
    }

    /// The staffing lines of `coverage` and `plan`: the demand, and the busiest sites when the
    /// tables give counters.
    static func brief(prepared: PreparedScenario, staffing e: StaffingEvaluation, indent: String) -> String {
        var out = "\(indent)\(demand(e))\n"
        if e.sites.contains(where: { $0.counters != nil }) {
            out += "\(indent)expected wait at the busiest hour (counters from the tables): mean \(minutes(e.meanWaitMinutes)), worst \(minutes(e.maxWaitMinutes)); \(e.overCapacitySites.count) site(s) over capacity\n"
            out += "\(indent)busiest sites:\n" + busiest(e, prepared: prepared, count: 5, indent: indent + "  ")
        } else {
            out += "\(indent)no staff column: waits are not computed (reach staff places a staff total)\n"
        }
        return out
    }

    /// The body of `reach staff`'s summary (also demo question (d)).
    static func run(prepared: PreparedScenario, result: StaffingRun, indent: String) -> String {
        let e = result.staffed, a = result.allocation
        var out = "\(indent)\(demand(e))\n"
        if !a.unstableSites.isEmpty {
            out += "\(indent)too few staff: making every site stable needs \(a.staffNeededForStability); over capacity even so: " +
                a.unstableSites.map { prepared.sites[e.sites[$0].site].id }.joined(separator: ", ") + "\n"
        }
        out += "\(indent)expected wait at the busiest hour: mean \(minutes(e.meanWaitMinutes)) per filing, worst \(minutes(e.maxWaitMinutes))"
        out += "; \(e.overCapacitySites.count) site(s) over capacity\n"
        if let target = result.maxWaitMinutes {
            let what = a.objective == .mean ? "a mean wait" : "every site's wait"
            if let f = result.fewest {
                out += "\(indent)fewest staff for \(what) ≤ \(DecimalText.fixed(target, decimals: 1)) min: \(f.staffTotal) (\(f.staffTotal <= a.staffTotal ? "met" : "not met") by \(a.staffTotal))\n"
            } else {
                out += "\(indent)fewest staff for \(what) ≤ \(DecimalText.fixed(target, decimals: 1)) min: more than 10,000,000\n"
            }
        }
        let moved = e.zones.reduce(0) { $0 + $1.filingsPerYear - $1.filedInZoneFileAnywhere }
        if e.counterFilingsPerYear > 0 {
            out += "\(indent)file anywhere: \(filings(moved)) filings a year (\(TextSummary.percent(moved / e.counterFilingsPerYear))) go to a site outside the resident's own unit; own unit only would leave \(TextSummary.people(e.ownUnitFallbackPopulation)) people with no site in their unit\n"
        }
        out += "\(indent)busiest sites:\n" + busiest(e, prepared: prepared, count: 10, indent: indent + "  ")
        return out
    }
}
