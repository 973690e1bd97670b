import Foundation

/// Writes the coverage outputs of INTERFACE.md: `residents.csv`, `summary.json`,
/// `uncovered.geojson`.
public enum CoverageOutputs {
    public static let residentColumns = ["id", "lon", "lat", "population", "zone", "nearest_id", "distance_m", "fastest_id",
                                         "minutes", "within_radius", "within_time", "covered", "reason"]

    /// `residents.csv`: one row per resident, in input order.
    public static func residentsCSV(residents: [Resident], evaluation: CoverageEvaluation, sites: [Site]) -> String {
        let n = residents.count
        // Rows are formatted in parallel chunks, then joined in order.
        let chunkSize = 16_384
        let chunkCount = (n + chunkSize - 1) / chunkSize
        let parts = residents.withUnsafeBufferPointer { rb in
            evaluation.outcomes.withUnsafeBufferPointer { ob in
                let r = UnsafeSendableBuffer(rb), o = UnsafeSendableBuffer(ob)
                let openSites = evaluation.openSites
                return Parallel.map(count: chunkCount, minimumChunk: 1, initial: "") { c in
                    var text = ""
                    text.reserveCapacity(chunkSize * 100)
                    for i in (c * chunkSize)..<min(n, (c + 1) * chunkSize) {
                        appendRow(&text, r[i], o[i], openSites: openSites, sites: sites)
                    }
                    return text
                }
            }
        }
        var out = residentColumns.joined(separator: ",") + "\n"
        out.reserveCapacity(parts.reduce(0) { $0 + $1.utf8.count } + out.utf8.count)
        for p in parts { out += p }
        return out
    }

    static func appendRow(_ text: inout String, _ r: Resident, _ o: ResidentOutcome, openSites: [Int], sites: [Site]) {
        text += CSVWriter.escape(r.id); text += ","
        text += DecimalText.degrees(r.position.lonDegrees); text += ","
        text += DecimalText.degrees(r.position.latDegrees); text += ","
        text += DecimalText.population(r.population); text += ","
        text += CSVWriter.escape(r.zone ?? ""); text += ","
        if o.nearestSite >= 0 {
            text += CSVWriter.escape(sites[openSites[Int(o.nearestSite)]].id); text += ","
            text += DecimalText.fixed(o.distanceMeters, decimals: 1); text += ","
        } else { text += ",," }
        if o.fastestSite >= 0 && !o.minutes.isNaN {
            text += CSVWriter.escape(sites[openSites[Int(o.fastestSite)]].id); text += ","
            text += DecimalText.fixed(o.minutes, decimals: 2); text += ","
        } else { text += ",," }
        text += o.withinRadius ? "true," : "false,"
        text += o.withinTime ? "true," : "false,"
        text += o.covered ? "true," : "false,"
        text += o.reason?.rawValue ?? ""
        text += "\n"
    }

    /// The `residents.csv` columns of one resident as GeoJSON properties (for `uncovered.geojson`
    /// and `plan.geojson`).
    public static func residentProperties(_ r: Resident, _ o: ResidentOutcome, openSites: [Int], sites: [Site]) -> [(key: String, value: GeoJSONProperty)] {
        let nearest = o.nearestSite >= 0 ? sites[openSites[Int(o.nearestSite)]].id : nil
        let fastest = o.fastestSite >= 0 && !o.minutes.isNaN ? sites[openSites[Int(o.fastestSite)]].id : nil
        return [
            ("id", .string(r.id)),
            ("lon", .number(r.position.lonDegrees, decimals: 7)),
            ("lat", .number(r.position.latDegrees, decimals: 7)),
            ("population", .number(r.population, decimals: 3)),
            ("zone", r.zone.map { .string($0) } ?? .null),
            ("nearest_id", nearest.map { .string($0) } ?? .null),
            ("distance_m", o.nearestSite >= 0 ? .number(o.distanceMeters, decimals: 1) : .null),
            ("fastest_id", fastest.map { .string($0) } ?? .null),
            ("minutes", fastest != nil ? .number(o.minutes, decimals: 2) : .null),
            ("within_radius", .bool(o.withinRadius)),
            ("within_time", .bool(o.withinTime)),
            ("covered", .bool(o.covered)),
            ("reason", o.reason.map { .string($0.rawValue) } ?? .null),
        ]
    }

    /// `uncovered.geojson`: the uncovered residents as Points with the `residents.csv` columns.
    public static func uncoveredGeoJSON(residents: [Resident], evaluation: CoverageEvaluation, sites: [Site]) -> String {
        var features: [GeoJSONFeature] = []
        for (r, o) in zip(residents, evaluation.outcomes) where !o.covered {
            features.append(GeoJSONFeature(geometry: .point(r.position),
                                           properties: residentProperties(r, o, openSites: evaluation.openSites, sites: sites)))
        }
        return GeoJSONWriter.featureCollection(features, name: "uncovered")
    }

    /// The summary members of INTERFACE.md's `summary.json`, in its order. `timings` is included
    /// only when given (wall-clock times differ between runs; files stay byte-identical without).
    public static func summaryMembers(scenarioName: String, standard: ServiceStandard, evaluation: CoverageEvaluation,
                                      graph: RoadGraphStats?, warnings: [Warning], timings: StageTimings?) -> [OrderedJSON.Member] {
        let t = evaluation.totals
        var members: [OrderedJSON.Member] = [
            .init("scenario", .string(scenarioName)),
            .init("standard", .object([
                .init("radius_m", .number(standard.radiusMeters, decimals: 3)),
                .init("max_minutes", .number(standard.maxMinutes, decimals: 3)),
                .init("rule", .string(standard.rule.rawValue)),
            ])),
            .init("time_method", .string(evaluation.timeMethod.rawValue)),
            .init("residents", .integer(t.residents)),
            .init("population", .count(t.population)),
            .init("covered_population", .count(t.coveredPopulation)),
            .init("uncovered_population", .count(t.uncoveredPopulation)),
            .init("covered_share", .share(t.coveredShare)),
            .init("covered_by", .object([
                .init("radius", .count(t.withinRadiusPopulation)),
                .init("time", .count(t.withinTimePopulation)),
                .init("both", .count(t.withinBothPopulation)),
            ])),
            .init("uncovered_by_reason", .object(UncoveredReason.allCases.compactMap { r in
                t.uncoveredByReason[r].map { .init(r.rawValue, .count($0)) }
            })),
            .init("zones", .array(evaluation.zoneTotals.map { z in
                .object([
                    .init("zone", .string(z.zone)),
                    .init("residents", .integer(z.residents)),
                    .init("population", .count(z.population)),
                    .init("covered_population", .count(z.coveredPopulation)),
                    .init("covered_share", .share(z.coveredShare)),
                ])
            })),
        ]
        if let g = graph {
            members.append(.init("graph", .object([
                .init("osm_nodes_read", .integer(g.osmNodesRead)),
                .init("osm_ways_read", .integer(g.osmWaysRead)),
                .init("routable_ways", .integer(g.routableWays)),
                .init("vertices", .integer(g.vertices)),
                .init("edges", .integer(g.edges)),
                .init("arcs", .integer(g.arcs)),
                .init("total_km", .number(g.totalKm, decimals: 3)),
                .init("components", .integer(g.components)),
                .init("largest_component_vertices", .integer(g.largestComponentVertices)),
                .init("snap_target_edges", .integer(g.snapTargetEdges)),
            ])))
        }
        members.append(.init("warnings", .array(warnings.map { .string($0.message) })))
        if let timings {
            members.append(.init("timings_s", .object(timings.entries.map { .init($0.stage, .number($0.seconds, decimals: 3)) })))
        }
        return members
    }
}
