import Foundation
import ReachGeo
import ReachPlanner
import ReachReport

/// Maps coverage and plan results onto the HTML report's input (the report module knows nothing
/// of the engines).
enum ReportBuilder {
    static func residents(_ prepared: PreparedScenario, _ evaluation: CoverageEvaluation) -> [ReportResident] {
        zip(prepared.residents, evaluation.outcomes).map { r, o in
            ReportResident(position: r.position, population: r.population, covered: o.covered, reason: o.reason?.rawValue)
        }
    }

    static func zones(_ prepared: PreparedScenario, _ evaluation: CoverageEvaluation) -> [ReportZone] {
        let totals = Dictionary(evaluation.zoneTotals.map { ($0.zone, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ReportZone] = []
        var drawn = Set<String>()
        for z in prepared.loaded.zones?.zones ?? [] {
            let t = totals[z.name]
            out.append(ReportZone(name: z.name, polygons: z.polygons, population: t?.population ?? 0, coveredPopulation: t?.coveredPopulation ?? 0))
            drawn.insert(z.name)
        }
        for t in evaluation.zoneTotals where !drawn.contains(t.zone) {
            out.append(ReportZone(name: t.zone, polygons: [], population: t.population, coveredPopulation: t.coveredPopulation))
        }
        return out
    }

    /// Intake points: open sites as existing/required, existing sites not open as closed.
    static func sites(_ prepared: PreparedScenario, open: [Int], branches: Set<Int>) -> [ReportSite] {
        let openSet = Set(open)
        var out: [ReportSite] = []
        for (k, s) in prepared.sites.enumerated() where !branches.contains(k) {
            let isExisting = k < prepared.loaded.existing.count
            let role: ReportSiteRole
            if openSet.contains(k) { role = s.role == .required ? .required : .existing }
            else if isExisting { role = .closed }
            else { continue }
            out.append(ReportSite(id: s.id, name: s.name ?? "", position: s.position, role: role))
        }
        return out
    }

    /// The report's assumptions for an evaluation: ``assumptions(_:)`` plus how the residents'
    /// times were obtained and how the sites were located.
    static func assumptions(_ prepared: PreparedScenario, _ evaluation: CoverageEvaluation) -> ReportAssumptions {
        var a = assumptions(prepared)
        let byMethod = evaluation.totals.residentsByTimeMethod
        let p = TextSummary.people
        var parts: [String] = []
        if let n = byMethod[.network] { parts.append("\(p(Double(n))) from the road network") }
        if let n = byMethod[.estimated] { parts.append("\(p(Double(n))) estimated from the straight-line distance") }
        if let n = byMethod[.none] {
            parts.append(prepared.network != nil
                ? "\(p(Double(n))) without a time (no road within \(DecimalText.fixed(prepared.loaded.profile.maxSnapMeters, decimals: 0)) m)"
                : "\(p(Double(n))) without a time (no open site)")
        }
        a.notes.append("Travel times of the \(p(Double(evaluation.totals.residents))) resident points: \(parts.joined(separator: "; ")) (column time_method of residents.csv).")
        let sites = prepared.loaded.existing + prepared.loaded.candidates
        if sites.contains(where: { $0.locationQuality != nil }) {
            func counts(_ list: [Site]) -> String {
                var c: [String: Int] = [:]
                for s in list { c[s.locationQuality ?? "unknown", default: 0] += 1 }
                return c.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            }
            var text = "Site positions by location quality: intake points \(counts(prepared.loaded.existing))"
            if !prepared.loaded.candidates.isEmpty { text += "; candidates \(counts(prepared.loaded.candidates))" }
            a.notes.append(text + ".")
        }
        return a
    }

    static func assumptions(_ prepared: PreparedScenario) -> ReportAssumptions {
        let s = prepared.standard
        var sources: [ReportDataSource] = []
        let scenario = prepared.loaded.scenario
        sources.append(ReportDataSource(name: "Residents", detail: Scenario.displayName(scenario.residents)))
        sources.append(ReportDataSource(name: "Intake points", detail: Scenario.displayName(scenario.existing)))
        if let c = scenario.candidates { sources.append(ReportDataSource(name: "Candidates", detail: Scenario.displayName(c))) }
        if let r = scenario.roads {
            sources.append(ReportDataSource(name: "Roads", detail: Scenario.displayName(r), licence: "ODbL 1.0",
                                            attribution: "© OpenStreetMap contributors"))
        }
        if let z = scenario.zones { sources.append(ReportDataSource(name: "Zones", detail: Scenario.displayName(z))) }
        sources += scenario.sources
        let method: ReportTimeMethod = prepared.timeMethod == .network ? .network : .estimated
        let note = prepared.timeMethod == .network
            ? "fastest road time over OpenStreetMap roads plus connector legs at \(DecimalText.fixed(prepared.loaded.profile.connectorKmh, decimals: 1)) km/h"
            : "geodesic distance × \(prepared.loaded.profile.detourFactor) ÷ \(prepared.loaded.profile.estimateKmh) km/h (no road network)"
        return ReportAssumptions(radiusMeters: s.radiusMeters, maxMinutes: s.maxMinutes, rule: s.rule.rawValue,
                                 profileName: prepared.loaded.profile.name, timeMethod: method, timeMethodNote: note,
                                 dataSources: sources, notes: [])
    }

    static func curve(_ solution: CoverageSolution) -> [ReportCurvePoint] {
        solution.curve.map { ReportCurvePoint(branches: $0.branches, coveredShare: $0.coveredShare) }
    }

    static func branches(_ prepared: PreparedScenario, _ solution: CoverageSolution) -> [ReportBranch] {
        solution.branches.map { b in
            let s = prepared.sites[b.siteIndex]
            return ReportBranch(id: b.id, name: s.name ?? "", position: s.position, order: b.order,
                                marginalPopulation: b.marginalPopulation, cumulativeCoveredPopulation: b.cumulativeCoveredPopulation)
        }
    }

    /// The open sites' loads and queues, as sites.csv of the same run writes them.
    static func siteLoads(_ prepared: PreparedScenario, _ staffing: StaffingEvaluation) -> [ReportSiteLoad] {
        staffing.sites.map { s in
            let site = prepared.sites[s.site]
            return ReportSiteLoad(id: site.id, name: site.name ?? "", position: site.position,
                                  assignedPopulation: s.assignedPopulation, filingsPerYear: s.assignedFilingsPerYear,
                                  staff: s.counters, capacityPerYear: s.capacityPerYear, utilisation: s.utilisation,
                                  waitMinutes: s.waitMinutes, overCapacity: s.overCapacity)
        }
    }

    /// Adds the loads, waits and their key figures and assumptions to a report; nothing when
    /// there is no staffing result or no counter filing at all.
    static func addStaffing(_ input: inout ReportInput, prepared: PreparedScenario, staffing: StaffingEvaluation?,
                            caption: String, waitTargetMinutes: Double? = nil) {
        guard let e = staffing, !e.sites.isEmpty, e.counterFilingsPerYear > 0 else { return }
        input.siteLoads = siteLoads(prepared, e)
        input.siteLoadsCaption = caption
        input.waitTargetMinutes = waitTargetMinutes
        if input.keyFigures.isEmpty { input.keyFigures = input.derivedKeyFigures() }
        let minutes = HTMLReport.waitText
        if e.queuesKnown, let mean = e.meanWaitMinutes {
            input.keyFigures.append(ReportFigure(label: "Expected wait at the busiest hour", value: minutes(mean),
                                                 note: "filings-weighted mean; worst site \(minutes(e.maxWaitMinutes)); \(e.overCapacitySites.count) site(s) over capacity"))
        } else {
            input.keyFigures.append(ReportFigure(label: "Counter filings a year", value: ReportFormat.grouped(e.counterFilingsPerYear),
                                                 note: "waits not computed: no staff or capacity for every open site"))
        }
        let p = e.parameters
        input.assumptions.notes.append("Staffing: \(DecimalText.fixed(p.filingsPerPersonYear, decimals: 3)) filings per person a year, \(ReportFormat.percent(p.onlineShare)) online, \(DecimalText.fixed(p.serviceMinutes, decimals: 1)) min per filing, \(DecimalText.fixed(p.openingHoursPerWeek, decimals: 1)) counter hours a week, busiest hour \(DecimalText.fixed(p.peakFactor, decimals: 2)) × the average hour, wait target \(ReportFormat.minutes(waitTargetMinutes ?? ReportSiteLoad.defaultWaitTargetMinutes)). Only the filing rate has a published source (Đà Nẵng 2024); service minutes, peak factor and the wait target are planner assumptions — set them in the scenario (README \"Capacity and staffing\").")
    }

    /// The map of a coverage result (its residents, open sites and zones) under a title.
    static func coverageInput(prepared: PreparedScenario, evaluation: CoverageEvaluation, title: String, subtitle: String) -> ReportInput {
        ReportInput(
            title: title,
            subtitle: subtitle,
            assumptions: assumptions(prepared, evaluation),
            residents: residents(prepared, evaluation),
            intakePoints: sites(prepared, open: evaluation.openSites, branches: []),
            zones: zones(prepared, evaluation),
            warnings: prepared.warnings.map(\.message))
    }

    static func coverageReport(prepared: PreparedScenario, evaluation: CoverageEvaluation,
                               staffing: StaffingEvaluation? = nil, staffingCaption: String = "Staff from the sites table.") throws -> String {
        var input = coverageInput(prepared: prepared, evaluation: evaluation,
                                  title: "\(prepared.loaded.scenario.name): who is covered today",
                                  subtitle: "\(evaluation.openSites.count) intake points, \(TextSummary.people(evaluation.totals.population)) residents")
        addStaffing(&input, prepared: prepared, staffing: staffing, caption: staffingCaption)
        return HTMLReport.render(input)
    }

    /// `reach staff --report`: the open sites' loads and the allocation's waits over today's coverage.
    static func staffReport(prepared: PreparedScenario, evaluation: CoverageEvaluation, result: StaffingRun) throws -> String {
        let e = result.staffed, a = result.allocation
        var input = coverageInput(prepared: prepared, evaluation: evaluation,
                                  title: "\(prepared.loaded.scenario.name): \(a.staffTotal) staff at \(e.sites.count) open sites",
                                  subtitle: "loads under file-anywhere, staff placed by marginal gain (objective \(a.objective.rawValue)), expected waits at the busiest hour")
        var caption = "\(a.staffTotal) staff placed by marginal gain at the \(e.sites.count) open sites."
        if let target = result.maxWaitMinutes {
            let what = a.objective == .mean ? "a mean wait" : "every site's wait"
            caption += result.fewest.map { " The fewest staff for \(what) ≤ \(ReportFormat.minutes(target)): \($0.staffTotal)." }
                ?? " No staff total up to 10,000,000 gives \(what) ≤ \(ReportFormat.minutes(target))."
        }
        addStaffing(&input, prepared: prepared, staffing: e, caption: caption, waitTargetMinutes: result.maxWaitMinutes)
        return HTMLReport.render(input)
    }

    static func planReport(prepared: PreparedScenario, result: ScenarioPlanning.Result, title: String?,
                           staffing: StaffingEvaluation? = nil, staffingCaption: String = "Staff from the sites table.",
                           waitTargetMinutes: Double? = nil) throws -> String {
        let s = result.solution
        let modeText = s.problemType.mode == .add ? "new branches added to today's intake points" : "sites kept (consolidation)"
        let input = ReportInput(
            title: title ?? "\(prepared.loaded.scenario.name): proposal of \(s.branches.count) \(modeText)",
            subtitle: "covered \(TextSummary.percent(result.evaluation.totals.coveredShare)) (today \(TextSummary.percent(result.baseline.totals.coveredShare))); proven bound \(TextSummary.people(s.upperBoundPopulation)), gap \(DecimalText.fixed(s.gap * 100, decimals: 3)) %",
            assumptions: assumptions(prepared, result.evaluation),
            residents: residents(prepared, result.evaluation),
            intakePoints: sites(prepared, open: s.openSites, branches: Set(s.branches.map(\.siteIndex))),
            proposedBranches: branches(prepared, s),
            zones: zones(prepared, result.evaluation),
            coverageCurve: curve(s),
            warnings: (prepared.warnings + result.warnings).map(\.message))
        var withProof = input
        addProof(&withProof, s)
        addStaffing(&withProof, prepared: prepared, staffing: staffing, caption: staffingCaption, waitTargetMinutes: waitTargetMinutes)
        return HTMLReport.render(withProof)
    }

    /// The proof sentence, the gap advice, the phases table and the zone-rule sentences.
    static func addProof(_ input: inout ReportInput, _ s: CoverageSolution) {
        input.proof = [capitalised(TextSummary.proofSentence(s)) + "."] + gapAdvice(s)
        if let gain = s.noFurtherGainAfter, gain < s.branches.count {
            let span = gain + 1 == s.branches.count ? "Branch \(gain + 1) adds" : "Branches \(gain + 1)–\(s.branches.count) add"
            input.proof.append("\(span) no further coverage: they are opened only because \(s.branches.count) were asked for.")
        }
        let rows = phaseRows(s)
        if !rows.isEmpty { input.phases = rows }
        if s.zoneFloor != nil { input.zoneRules = zoneRuleSentences(s) }
    }

    static func capitalised(_ text: some StringProtocol) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    /// What to do about a large gap, as a sentence (none when the gap is small).
    static func gapAdvice(_ s: CoverageSolution) -> [String] {
        TextSummary.gapAdvice(s).map { [capitalised($0) + "."] } ?? []
    }

    /// The phases table (a roll-out of more than one phase), else none.
    static func phaseRows(_ s: CoverageSolution) -> [ReportPhase] {
        guard let phases = s.phases, phases.count > 1 else { return [] }
        return phases.map {
            ReportPhase(branches: $0.branches, coveredPopulation: $0.coveredPopulation, upperBoundPopulation: $0.upperBoundPopulation,
                        gap: $0.gap, priceOfNestingPopulation: $0.priceOfNestingPopulation)
        }
    }

    /// The zone floor's sentences, one per line of its text summary.
    static func zoneRuleSentences(_ s: CoverageSolution) -> [String] {
        guard let z = s.zoneFloor else { return [] }
        return TextSummary.zoneFloorText(z).split(separator: "\n").map { capitalised($0.trimmingWhitespace()) }
    }

    static func demoReport(prepared: PreparedScenario, today: CoverageEvaluation, consolidate: ScenarioPlanning.Result,
                           postOffices: PreparedScenario, fewest: ScenarioPlanning.Result, phased: ScenarioPlanning.Result,
                           phaseDates: [String], floored: ScenarioPlanning.Result, notes: [String],
                           staffing: StaffingRun? = nil) throws -> String {
        let p = TextSummary.people, pc = TextSummary.percent
        let figures = [
            ReportFigure(label: "Residents", value: p(today.totals.population), note: "\(p(Double(prepared.residents.count))) points"),
            ReportFigure(label: "Covered today", value: pc(today.totals.coveredShare), note: "\(p(today.totals.coveredPopulation)) people, \(today.openSites.count) intake points"),
            ReportFigure(label: "Best \(consolidate.solution.branches.count) sites only", value: pc(consolidate.evaluation.totals.coveredShare),
                         note: "gap \(DecimalText.fixed(consolidate.solution.gap * 100, decimals: 3)) % to the proven bound"),
            ReportFigure(label: "Post offices to add", value: "\(fewest.solution.branches.count)",
                         note: "then \(pc(fewest.evaluation.totals.coveredShare)) covered; \(p(fewest.evaluation.totals.uncoveredPopulation)) out of any reach"),
        ]
        var a = assumptions(prepared, today)
        a.notes = notes + a.notes + ["Map: residents coloured by today's coverage; numbered markers are the partner post offices to add, in roll-out order (question c). The consolidation to \(consolidate.solution.branches.count) sites (question b) is in consolidate-\(consolidate.solution.branches.count)/report.html."]
        let input = ReportInput(
            title: "Hà Nội — who is within 5 km or 30 minutes of an intake point",
            subtitle: "\(prepared.loaded.scenario.name): coverage today, the best \(consolidate.solution.branches.count) sites, and the fewest post offices for full coverage",
            keyFigures: figures,
            assumptions: a,
            residents: residents(prepared, today),
            intakePoints: sites(prepared, open: today.openSites, branches: []),
            proposedBranches: branches(postOffices, fewest.solution),
            zones: zones(prepared, today),
            coverageCurve: curve(fewest.solution),
            warnings: (prepared.warnings + fewest.warnings).map(\.message))
        var withProof = input
        demoProof(&withProof, consolidate: consolidate.solution, phased: phased.solution, phaseDates: phaseDates, floored: floored.solution)
        if let staffing {
            addStaffing(&withProof, prepared: prepared, staffing: staffing.staffed,
                        caption: "Question (d): \(staffing.allocation.staffTotal) staff placed by marginal gain at the \(staffing.staffed.sites.count) sites of (b) (circles; files in staff-\(staffing.allocation.staffTotal)/).",
                        waitTargetMinutes: staffing.maxWaitMinutes)
        }
        return HTMLReport.render(withProof)
    }

    /// The demo's "What is proven": the bound of question (b), the phases of (e) (the plan
    /// report's table) and the floor of (f) (the plan report's zone-rule sentences).
    static func demoProof(_ input: inout ReportInput, consolidate: CoverageSolution, phased: CoverageSolution,
                          phaseDates: [String], floored: CoverageSolution) {
        input.proof = ["Question (b): " + TextSummary.proofSentence(consolidate) + "."]
        input.phases = phaseRows(phased)
        if !input.phases.isEmpty {
            let dates = phaseDates.count == input.phases.count ? " (phases of " + phaseDates.joined(separator: ", ") + ")" : ""
            input.proof.append("Question (e), \(phased.branches.count) sites rolled out in \(input.phases.count) phases\(dates), each keeping the sites of the one before: the table below.")
        }
        input.zoneRules = ["Question (f), a floor per commune: " + TextSummary.proofSentence(floored) + "."]
            + gapAdvice(floored)
            + zoneRuleSentences(floored).dropFirst()
            + (floored.zoneFloor.flatMap(DemoCommand.lowestZone).map { [capitalised($0) + "."] } ?? [])
    }
}
