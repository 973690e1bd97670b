import Foundation
import ReachGeo

/// Writes `plan.json` and `plan.geojson` (INTERFACE.md "Outputs").
public enum PlanOutputs {
    /// `plan.json`: the summary fields of the proposed network, then the plan fields.
    public static func planJSON(prepared: PreparedScenario, result: ScenarioPlanning.Result, warnings: [Warning],
                                timings: StageTimings?) -> OrderedJSON {
        let s = result.solution
        var members = CoverageOutputs.summaryMembers(scenarioName: prepared.loaded.scenario.name, standard: prepared.standard,
                                                     evaluation: result.evaluation, graph: prepared.network?.graph.stats,
                                                     warnings: warnings, timings: timings,
                                                     sites: (prepared.loaded.existing, prepared.loaded.candidates))
        // The summary's warnings and timings stay last.
        let tail = members.filter { $0.key == "warnings" || $0.key == "timings_s" }
        members.removeAll { $0.key == "warnings" || $0.key == "timings_s" }
        let objective: String
        var targetShare: Double? = nil
        switch s.problemType.objective {
        case .coverage: objective = "coverage"
        case .fewestBranches(let share): objective = "branches"; targetShare = share
        }
        members.append(.init("mode", .string(s.problemType.mode.rawValue)))
        members.append(.init("objective", .string(objective)))
        members.append(.init("branches_requested", s.branchesRequested.map { .integer($0) } ?? .null))
        if let targetShare {
            members.append(.init("target_share", .share(targetShare)))
            members.append(.init("target_population", .count(s.targetPopulation ?? 0)))
            members.append(.init("branch_count_proven_minimal", .bool(s.branchCountProvenMinimal ?? false)))
        }
        members.append(.init("branches", .array(s.branches.map { b in
            let site = prepared.sites[b.siteIndex]
            return .object([
                .init("id", .string(b.id)),
                .init("name", site.name.map { .string($0) } ?? .null),
                .init("lon", .number(site.position.lonDegrees, decimals: 7)),
                .init("lat", .number(site.position.latDegrees, decimals: 7)),
                .init("order", .integer(b.order)),
                .init("role", .string(b.role.rawValue)),
                .init("marginal_population", .count(b.marginalPopulation)),
                .init("cumulative_covered_population", .count(b.cumulativeCoveredPopulation)),
            ])
        })))
        members.append(.init("upper_bound_population", .count(s.upperBoundPopulation)))
        members.append(.init("gap", .number(s.gap, decimals: 6)))
        members.append(.init("proven_optimal", .bool(s.provenOptimal)))
        // Extensions (README): branches that add nothing, phases, zone rules.
        members.append(.init("no_further_gain_after", s.noFurtherGainAfter.map { .integer($0) } ?? .null))
        if let phases = s.phases { members.append(.init("phases", phasesJSON(phases))) }
        if let floor = s.zoneFloor { members.append(.init("zone_floor", zoneFloorJSON(floor))) }
        var solver: [OrderedJSON.Member] = [.init("name", .string(s.solver.name))]
        if timings != nil {
            solver.append(.init("seconds", .number(s.solver.seconds, decimals: 3)))
            // Where the solve stage's time went (with timings only: wall-clock figures).
            var phases: [OrderedJSON.Member] = []
            for p in s.solver.phases {
                if let k = phases.firstIndex(where: { $0.key == p.phase }), case .number(let v, let d) = phases[k].value {
                    phases[k].value = .number(v + p.seconds, decimals: d)
                } else {
                    phases.append(.init(p.phase, .number(p.seconds, decimals: 3)))
                }
            }
            let accounted = s.solver.phases.reduce(0) { $0 + $1.seconds }
            phases.append(.init("other", .number(max(0, s.solver.seconds - accounted), decimals: 3)))
            solver.append(.init("phases_s", .object(phases)))
        }
        if !s.solver.notes.isEmpty { solver.append(.init("notes", .array(s.solver.notes.map { .string($0) }))) }
        members.append(.init("solver", .object(solver)))
        // Extensions (README): the model's own figures and the coverage curve.
        members.append(.init("open_sites", .integer(s.openSites.count)))
        members.append(.init("coverable_population", .count(s.coverablePopulation)))
        members.append(.init("baseline_covered_population", .count(result.baseline.totals.coveredPopulation)))
        members.append(.init("planner_covered_population", .count(s.coveredPopulation)))
        members.append(.init("coverage_curve", .array(s.curve.map { c in
            .object([
                .init("branches", .integer(c.branches)),
                .init("covered_population", .count(c.coveredPopulation)),
                .init("covered_share", .share(c.coveredShare)),
                .init("upper_bound_population", c.upperBoundPopulation.map { .count($0) } ?? .null),
            ])
        })))
        members += tail
        return .object(members)
    }

    /// `plan.json` `phases[]`: per phase the branch ids open after it (in roll-out order), its
    /// coverage, its own proven bound, gap and the price of nesting.
    public static func phasesJSON(_ phases: [PhaseSummary]) -> OrderedJSON {
        .array(phases.map { p in
            .object([
                .init("branch_count", .integer(p.branches)),
                .init("branches", .array(p.ids.map { .string($0) })),
                .init("covered_population", .count(p.coveredPopulation)),
                .init("upper_bound_population", .count(p.upperBoundPopulation)),
                .init("gap", .number(p.gap, decimals: 6)),
                .init("best_unnested_population", .count(p.bestUnnestedPopulation)),
                .init("price_of_nesting_population", .count(p.priceOfNestingPopulation)),
            ])
        })
    }

    /// `plan.json` `zone_floor`: the rules, the zones that cannot reach the floor (best share),
    /// the price of fairness, and every zone's figures.
    public static func zoneFloorJSON(_ r: ZoneFloorReport) -> OrderedJSON {
        .object([
            .init("floor", r.floor.map { .share($0) } ?? .null),
            .init("min_sites_per_zone", r.minSitesPerZone.map { .integer($0) } ?? .null),
            .init("infeasible_zones", .array(r.infeasibleZones.map { z in
                .object([
                    .init("zone", .string(z.name)),
                    .init("coverable_population", .count(z.coverablePopulation)),
                    .init("best_share", z.bestPossibleShare.map { .share($0) } ?? .null),
                ])
            })),
            .init("price_of_fairness_population", .count(r.priceOfFairnessPopulation)),
            .init("unconstrained_covered_population", .count(r.unconstrainedCoveredPopulation)),
            .init("unconstrained_upper_bound_population", .count(r.unconstrainedUpperBoundPopulation)),
            .init("shortfall_population", .count(r.shortfallPopulation)),
            .init("targets_proven_jointly_infeasible", .bool(r.targetsProvenJointlyInfeasible)),
            .init("zones", .array(r.zones.map { z in
                .object([
                    .init("zone", .string(z.name)),
                    .init("coverable_population", .count(z.coverablePopulation)),
                    .init("covered_population", .count(z.coveredPopulation)),
                    .init("covered_share_of_coverable", .share(z.coveredShareOfCoverable)),
                    .init("target_population", .count(z.targetPopulation)),
                    .init("best_share", z.bestPossibleShare.map { .share($0) } ?? .null),
                    .init("cannot_reach_floor", .bool(z.cannotReachFloor)),
                    .init("open_sites", .integer(z.openSites)),
                    .init("required_open_sites", .integer(z.requiredOpenSites)),
                ])
            })),
        ])
    }

    /// `plan.geojson`: the chosen branches (Points) and the residents each newly covers.
    public static func planGeoJSON(prepared: PreparedScenario, result: ScenarioPlanning.Result) -> String {
        let s = result.solution
        var features: [GeoJSONFeature] = []
        var orderToBranch: [Int: CoverageSolution.Branch] = [:]
        for b in s.branches {
            orderToBranch[b.order] = b
            let site = prepared.sites[b.siteIndex]
            features.append(GeoJSONFeature(geometry: .point(site.position), properties: [
                ("kind", .string("branch")),
                ("id", .string(b.id)),
                ("name", site.name.map { .string($0) } ?? .null),
                ("role", .string(b.role.rawValue)),
                ("order", .integer(b.order)),
                ("marginal_population", .number(b.marginalPopulation, decimals: 3)),
                ("cumulative_covered_population", .number(b.cumulativeCoveredPopulation, decimals: 3)),
            ]))
        }
        let ev = result.evaluation
        for (i, r) in prepared.residents.enumerated() {
            guard let order = s.coveringBranchOrder[i], let b = orderToBranch[order] else { continue }
            var props: [(key: String, value: GeoJSONProperty)] = [("kind", .string("newly_covered_resident"))]
            props += CoverageOutputs.residentProperties(r, ev.outcomes[i], openSites: ev.openSites, sites: prepared.sites)
            props.append(("branch_id", .string(b.id)))
            props.append(("branch_order", .integer(order)))
            features.append(GeoJSONFeature(geometry: .point(r.position), properties: props))
        }
        return GeoJSONWriter.featureCollection(features, name: "plan")
    }
}
