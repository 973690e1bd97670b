import Foundation

/// Writes the coverage outputs of INTERFACE.md: `residents.csv`, `summary.json`,
/// `uncovered.geojson`.
public enum CoverageOutputs {
    public static let residentColumns = ["id", "lon", "lat", "population", "zone", "nearest_id", "distance_m", "fastest_id",
                                         "minutes", "within_radius", "within_time", "covered", "reason", "time_method"]

    /// `residents.csv`: one row per resident, in input order, as UTF-8 bytes.
    /// - Complexity: O(residents), formatted in parallel chunks straight into bytes.
    public static func residentsCSV(residents: [Resident], evaluation: CoverageEvaluation, sites: [Site]) -> Data {
        let n = residents.count
        let chunkSize = 16_384
        let chunkCount = (n + chunkSize - 1) / chunkSize
        // Site ids escaped once.
        let openIDs: [[UInt8]] = evaluation.openSites.map { Array(CSVWriter.escape(sites[$0].id).utf8) }
        let parts = residents.withUnsafeBufferPointer { rb in
            evaluation.outcomes.withUnsafeBufferPointer { ob in
                let r = UnsafeSendableBuffer(rb), o = UnsafeSendableBuffer(ob)
                return Parallel.map(count: chunkCount, minimumChunk: 1, initial: [UInt8]()) { c in
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(chunkSize * 96)
                    for i in (c * chunkSize)..<min(n, (c + 1) * chunkSize) {
                        appendRow(&bytes, r[i], o[i], openIDs: openIDs)
                    }
                    return bytes
                }
            }
        }
        var out = Data((residentColumns.joined(separator: ",") + "\n").utf8)
        out.reserveCapacity(parts.reduce(out.count) { $0 + $1.count })
        for p in parts { out.append(contentsOf: p) }
        return out
    }

    static let trueComma = Array("true,".utf8), falseComma = Array("false,".utf8)

    static func appendText(_ text: String, _ bytes: inout [UInt8]) {
        bytes.append(contentsOf: CSVWriter.escape(text).utf8)
    }

    static func appendRow(_ b: inout [UInt8], _ r: Resident, _ o: ResidentOutcome, openIDs: [[UInt8]]) {
        let comma = UInt8(ascii: ",")
        appendText(r.id, &b); b.append(comma)
        DecimalText.appendFixed(r.position.lonDegrees, decimals: 7, to: &b); b.append(comma)
        DecimalText.appendFixed(r.position.latDegrees, decimals: 7, to: &b); b.append(comma)
        DecimalText.appendFixed(r.population, decimals: 3, to: &b); b.append(comma)
        if let z = r.zone { appendText(z, &b) }
        b.append(comma)
        if o.nearestSite >= 0 {
            b.append(contentsOf: openIDs[Int(o.nearestSite)]); b.append(comma)
            DecimalText.appendFixed(o.distanceMeters, decimals: 1, to: &b); b.append(comma)
        } else { b.append(comma); b.append(comma) }
        if o.fastestSite >= 0 && !o.minutes.isNaN {
            b.append(contentsOf: openIDs[Int(o.fastestSite)]); b.append(comma)
            DecimalText.appendFixed(o.minutes, decimals: 2, to: &b); b.append(comma)
        } else { b.append(comma); b.append(comma) }
        b.append(contentsOf: o.withinRadius ? trueComma : falseComma)
        b.append(contentsOf: o.withinTime ? trueComma : falseComma)
        b.append(contentsOf: o.covered ? trueComma : falseComma)
        if let reason = o.reason { b.append(contentsOf: reason.rawValue.utf8) }
        b.append(comma)
        if let method = o.timeMethod { b.append(contentsOf: method.rawValue.utf8) }
        b.append(UInt8(ascii: "\n"))
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
            ("time_method", o.timeMethod.map { .string($0.rawValue) } ?? .null),
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

    /// `"sites_by_location_quality": {"existing": {quality: count, …}, "candidates": {…}}`, the
    /// counts of the tables' `location_quality` values (most frequent first, then by name;
    /// `unknown` for rows without one); nil when no site carries a quality.
    public static func locationQualityMember(existing: [Site], candidates: [Site]) -> OrderedJSON.Member? {
        guard (existing + candidates).contains(where: { $0.locationQuality != nil }) else { return nil }
        func counts(_ sites: [Site]) -> OrderedJSON {
            var c: [String: Int] = [:]
            for s in sites { c[s.locationQuality ?? "unknown", default: 0] += 1 }
            return .object(c.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { .init($0.key, .integer($0.value)) })
        }
        return .init("sites_by_location_quality", .object([.init("existing", counts(existing)),
                                                           .init("candidates", counts(candidates))]))
    }

    /// `"timings_s": {stage: seconds, …}`.
    public static func timingsMember(_ timings: StageTimings) -> OrderedJSON.Member {
        .init("timings_s", .object(timings.entries.map { .init($0.stage, .number($0.seconds, decimals: 3)) }))
    }

    /// The summary members of INTERFACE.md's `summary.json`, in its order. `timings` is included
    /// only when given (wall-clock times differ between runs; files stay byte-identical without).
    public static func summaryMembers(scenarioName: String, standard: ServiceStandard, evaluation: CoverageEvaluation,
                                      graph: RoadGraphStats?, warnings: [Warning], timings: StageTimings?,
                                      sites: (existing: [Site], candidates: [Site])? = nil,
                                      calibration: TimeCalibration? = nil) -> [OrderedJSON.Member] {
        let t = evaluation.totals
        var members: [OrderedJSON.Member] = [
            .init("scenario", .string(scenarioName)),
            .init("standard", .object([
                .init("radius_m", .number(standard.radiusMeters, decimals: 3)),
                .init("max_minutes", .number(standard.maxMinutes, decimals: 3)),
                .init("rule", .string(standard.rule.rawValue)),
            ])),
            .init("time_method", .string(evaluation.timeMethod.rawValue)),
            .init("residents_by_time_method", .object(
                [TimeMethod?.some(.network), .some(.estimated), .none].compactMap { m in
                    t.residentsByTimeMethod[m].map { .init(m?.rawValue ?? "none", .integer($0)) }
                })),
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
        if let calibration { members.append(calibration.member) }
        if let sites, let member = locationQualityMember(existing: sites.existing, candidates: sites.candidates) {
            members.append(member)
        }
        members.append(.init("warnings", .array(warnings.map { .string($0.message) })))
        if let timings { members.append(timingsMember(timings)) }
        return members
    }
}
