import Foundation
import ReachGeo
import ReachPlanner

extension PlanCommand {
    /// `reach plan --capacitated`: branches maximising the population served within capacity.
    func runCapacitated(prepared: PreparedScenario, outDir: URL?, batch: OutputBatch, start: UInt64, progress: ProgressReporter,
                        timings: StageTimings) throws {
        var timings = timings
        let result = try CapacitatedPlanning.plan(prepared: prepared, mode: mode.mode, branches: branches ?? 0,
                                                  defaultStaff: defaultStaff, timeLimitSeconds: timeLimit,
                                                  progress: progress, timings: &timings)
        let warnings = prepared.warnings + result.warnings
        for w in warnings { printWarningToStderr(w.message) }
        let staffing = StaffingEvaluation.evaluate(prepared: prepared, evaluation: result.evaluation)
        timings.add("total", Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        func planJSON(_ withTimings: Bool) -> OrderedJSON {
            var members = CoverageOutputs.summaryMembers(scenarioName: prepared.loaded.scenario.name, standard: prepared.standard,
                                                         evaluation: result.evaluation, graph: prepared.network?.graph.stats,
                                                         warnings: warnings, timings: withTimings ? timings : nil,
                                                         sites: (prepared.loaded.existing, prepared.loaded.candidates))
            for m in CapacitatedPlanning.planMembers(prepared: prepared, result: result) + [StaffingOutputs.staffingMember(staffing)] {
                members = StaffingOutputs.inserting(m, into: members)
            }
            return .object(members)
        }
        if let outDir {
            try batch.add(planJSON(output.timings).text(), as: outDir.appendingPathComponent("plan.json"))
            let branches = result.chosenSites.enumerated().map { k, j in
                GeoJSONFeature(geometry: .point(prepared.sites[j].position), properties: [
                    ("kind", .string("branch")), ("id", .string(prepared.sites[j].id)),
                    ("name", prepared.sites[j].name.map { .string($0) } ?? .null), ("order", .integer(k + 1)),
                    ("capacity", result.capacities[j].isFinite ? .number(result.capacities[j], decimals: 1) : .null),
                    ("served_filings_per_year", .number(result.solution.siteLoads[j], decimals: 1)),
                ])
            }
            let planGeoJSON = GeoJSONWriter.featureCollection(branches, name: "plan")
            let geoJSON = output.formatOut == .geojson
            if geoJSON { try batch.add(planGeoJSON, as: outDir.appendingPathComponent("plan.geojson")) }
            try CoverageRunOutput.addResidentFiles(batch, outDir, prepared: prepared, evaluation: result.evaluation, geoJSON: geoJSON)
            try LayerOutput.addSiteAndLayerFiles(batch, outDir, format: output.formatOut, prepared: prepared, evaluation: result.evaluation,
                                                 staffing: staffing, planGeoJSON: planGeoJSON, newlyCovered: false)
        }
        if let report = try output.reportURL() {
            try batch.add(ReportBuilder.coverageReport(prepared: prepared, evaluation: result.evaluation, staffing: staffing,
                                                      staffingCaption: "Loads of the capacitated plan's open sites under file-anywhere; staff from the sites table."),
                          as: report)
        }
        let text: String
        switch output.format {
        case .json: text = planJSON(true).text()
        case .text:
            let s = result.solution
            var out = "\(prepared.loaded.scenario.name): capacitated plan (\(mode.rawValue), best \(branches ?? 0) branches)\n"
            out += "  served within capacity: \(TextSummary.people(s.servedPopulation)) of \(TextSummary.people(result.evaluation.totals.population)); covered but over capacity: \(TextSummary.people(result.overCapacityPopulation))\n"
            out += "  bound: no plan of this size serves more than \(TextSummary.people(s.upperBoundPopulation)); gap \(DecimalText.fixed(s.gap * 100, decimals: 4)) %\(s.provenOptimal ? " (proven optimal)" : "")\n"
            out += "  branches:\n"
            for j in result.chosenSites.prefix(40) {
                let cap = result.capacities[j].isFinite ? TextSummary.people(result.capacities[j]) : "no limit"
                out += "    \(prepared.sites[j].id)\(prepared.sites[j].name.map { " \($0)" } ?? ""): serves \(TextSummary.people(s.siteLoads[j])) filings a year (capacity \(cap))\n"
            }
            if let outDir {
                let layers = output.formatOut == .geojson
                    ? "plan.geojson, uncovered.geojson, sites.geojson, zones.geojson, branches.geojson" : LayerOutput.geoPackageName
                out += "  wrote plan.json, residents.csv, sites.csv, zones.csv, \(layers) to \(outDir.path)\n"
            }
            let total = timings.entries.first(where: { $0.stage == "total" })?.seconds ?? 0
            out += "  solver: greedy + cbc; time: \(DecimalText.fixed(total, decimals: 2)) s\n"
            for note in s.notes { out += "    \(note)\n" }
            text = out
        }
        try StandardOutput.write(text)
        try batch.commit()
    }
}
