import Foundation

/// The layers of a run as analysts open them: `zones.csv` / `zones.geojson`, the typed layers of
/// `--format-out gpkg` (`reach.gpkg`), and the split of a mixed GeoJSON into one file per layer.
public enum OutputLayers {
    // MARK: - Zones

    /// One zone's figures: the summary's per-zone totals plus the uncovered population by reason.
    public struct ZoneRow: Sendable, Hashable {
        public var zone: String
        public var residents: Int
        public var population: Double
        public var coveredPopulation: Double
        public var uncoveredByReason: [UncoveredReason: Double]
        /// The zone's polygons when the scenario's zones file has them.
        public var polygons: [[[LonLat]]]?
        public var coveredShare: Double { population > 0 ? coveredPopulation / population : 0 }
        public var uncoveredPopulation: Double { population - coveredPopulation }
    }

    /// The reasons that get a column (every reason, in the contract's order).
    static let reasons = UncoveredReason.allCases

    /// The zones of a run: the polygons of the zones file in file order (zones without residents
    /// included, with zeros), then the zones named only by the residents' `zone` column, by name.
    public static func zoneRows(residents: [Resident], evaluation: CoverageEvaluation, zones: ZoneIndex?) -> [ZoneRow] {
        var rows: [ZoneRow] = []
        var index: [String: Int] = [:]
        for z in zones?.zones ?? [] where index[z.name] == nil {
            index[z.name] = rows.count
            rows.append(ZoneRow(zone: z.name, residents: 0, population: 0, coveredPopulation: 0, uncoveredByReason: [:], polygons: z.polygons))
        }
        var extra: [String: ZoneRow] = [:]
        for (r, o) in zip(residents, evaluation.outcomes) {
            guard let name = r.zone else { continue }
            func add(_ row: inout ZoneRow) {
                row.residents += 1
                row.population += r.population
                if o.covered { row.coveredPopulation += r.population } else if let reason = o.reason {
                    row.uncoveredByReason[reason, default: 0] += r.population
                }
            }
            if let k = index[name] { add(&rows[k]) } else {
                var row = extra[name] ?? ZoneRow(zone: name, residents: 0, population: 0, coveredPopulation: 0, uncoveredByReason: [:], polygons: nil)
                add(&row)
                extra[name] = row
            }
        }
        return rows + extra.keys.sorted().map { extra[$0]! }
    }

    public static let zoneColumns = ["zone", "residents", "population", "covered_population", "uncovered_population", "covered_share"]
        + reasons.map { "uncovered_\($0.rawValue)" }

    /// `zones.csv`: one row per zone (``zoneRows(residents:evaluation:zones:)``); populations with 3
    /// decimals, the share with 6, as in `summary.json`.
    public static func zonesCSV(_ rows: [ZoneRow]) -> String {
        var out = zoneColumns.joined(separator: ",") + "\n"
        for r in rows {
            var fields = [CSVWriter.escape(r.zone), String(r.residents), DecimalText.fixed(r.population, decimals: 3),
                          DecimalText.fixed(r.coveredPopulation, decimals: 3), DecimalText.fixed(r.uncoveredPopulation, decimals: 3),
                          DecimalText.fixed(r.coveredShare, decimals: 6)]
            fields += reasons.map { DecimalText.fixed(r.uncoveredByReason[$0] ?? 0, decimals: 3) }
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    static func zoneProperties(_ r: ZoneRow) -> [(key: String, value: GeoJSONProperty)] {
        var props: [(key: String, value: GeoJSONProperty)] = [
            ("zone", .string(r.zone)), ("residents", .integer(r.residents)),
            ("population", .number(r.population, decimals: 3)),
            ("covered_population", .number(r.coveredPopulation, decimals: 3)),
            ("uncovered_population", .number(r.uncoveredPopulation, decimals: 3)),
            ("covered_share", .number(r.coveredShare, decimals: 6)),
        ]
        props += reasons.map { ("uncovered_\($0.rawValue)", .number(r.uncoveredByReason[$0] ?? 0, decimals: 3)) }
        return props
    }

    /// `zones.geojson`: the zones with polygons, as MultiPolygons with the `zones.csv` columns.
    public static func zonesGeoJSON(_ rows: [ZoneRow]) -> String {
        let features = rows.compactMap { r in
            r.polygons.map { GeoJSONFeature(geometry: .multiPolygon($0), properties: zoneProperties(r)) }
        }
        return GeoJSONWriter.featureCollection(features, name: "zones")
    }

    // MARK: - GeoPackage layers

    /// The `residents` (or, with `onlyUncovered`, `uncovered`) layer: the `residents.csv` columns,
    /// typed (population and distances as reals, flags as booleans).
    public static func residentsLayer(name: String, residents: [Resident], evaluation: CoverageEvaluation, sites: [Site],
                                      onlyUncovered: Bool = false) -> GDALDataset.OutputLayer {
        let fields: [(name: String, type: GDALDataset.FieldType)] = [
            ("id", .string), ("population", .real), ("zone", .string), ("nearest_id", .string), ("distance_m", .real),
            ("fastest_id", .string), ("minutes", .real), ("within_radius", .boolean), ("within_time", .boolean),
            ("covered", .boolean), ("reason", .string), ("time_method", .string),
        ]
        let ids = evaluation.openSites.map { GDALDataset.Value.string(sites[$0].id) }
        var layer = GDALDataset.OutputLayer(name: name, geometry: .point, fields: fields)
        layer.features.reserveCapacity(residents.count)
        for (r, o) in zip(residents, evaluation.outcomes) where !onlyUncovered || !o.covered {
            let hasFastest = o.fastestSite >= 0 && !o.minutes.isNaN
            layer.features.append((.point(r.position), [
                .string(r.id), .real(r.population), r.zone.map { .string($0) } ?? .null,
                o.nearestSite >= 0 ? ids[Int(o.nearestSite)] : .null,
                o.nearestSite >= 0 ? .real(o.distanceMeters) : .null,
                hasFastest ? ids[Int(o.fastestSite)] : .null,
                hasFastest ? .real(o.minutes) : .null,
                .boolean(o.withinRadius), .boolean(o.withinTime), .boolean(o.covered),
                o.reason.map { .string($0.rawValue) } ?? .null,
                o.timeMethod.map { .string($0.rawValue) } ?? .null,
            ]))
        }
        return layer.droppingAllNullStringColumns()
    }

    /// The `zones` layer (zones with polygons).
    public static func zonesLayer(_ rows: [ZoneRow]) -> GDALDataset.OutputLayer {
        var fields: [(name: String, type: GDALDataset.FieldType)] = [
            ("zone", .string), ("residents", .integer), ("population", .real), ("covered_population", .real),
            ("uncovered_population", .real), ("covered_share", .real),
        ]
        fields += reasons.map { ("uncovered_\($0.rawValue)", .real) }
        var layer = GDALDataset.OutputLayer(name: "zones", geometry: .multiPolygon, fields: fields)
        for r in rows {
            guard let polygons = r.polygons else { continue }
            var values: [GDALDataset.Value] = [.string(r.zone), .integer(Int64(r.residents)), .real(r.population),
                                               .real(r.coveredPopulation), .real(r.uncoveredPopulation), .real(r.coveredShare)]
            values += reasons.map { .real(r.uncoveredByReason[$0] ?? 0) }
            layer.features.append((.polygons(polygons), values))
        }
        return layer
    }

    /// Number columns that hold counts by definition (an integer column whatever the values).
    public static let integerColumns: Set<String> = ["order", "branch_order", "residents", "staff", "sites"]

    /// A typed layer from GeoJSON text that Reach wrote (sites, branches, isochrones): a property
    /// becomes an integer column when it is one of ``integerColumns`` and every value is an
    /// integer, a real when every value is a number (so that a column's type never depends on the
    /// data of one run), a boolean when every value is a boolean, else text; columns null everywhere are
    /// dropped. `where` keeps only some features (e.g. `kind == "branch"`); `dropping` removes
    /// properties (such as `kind`, which the layer name then says).
    public static func layer(fromGeoJSON text: String, name: String, fileName: String,
                             where keep: (GeoJSONReader.Feature) -> Bool = { _ in true },
                             dropping: Set<String> = []) throws -> GDALDataset.OutputLayer {
        let root = try JSONParser.parse(Data(text.utf8), fileName: fileName)
        let features = try GeoJSONReader.features(root, fileName: fileName).filter(keep)
        var order: [String] = []
        var kinds: [String: Set<Int>] = [:] // 0 integer, 1 real, 2 bool, 3 string
        func kind(_ n: JSONNode) -> Int? {
            switch n.value {
            case .null: return nil
            case .bool: return 2
            case .number:
                let t = n.numberText ?? ""
                return t.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) || Int64(t) == nil ? 1 : 0
            case .string: return 3
            default: return 3
            }
        }
        for f in features {
            for m in f.properties where !dropping.contains(m.key) {
                if kinds[m.key] == nil { kinds[m.key] = []; order.append(m.key) }
                if let k = kind(m.value) { kinds[m.key]!.insert(k) }
            }
        }
        let columns = order.filter { !(kinds[$0] ?? []).isEmpty }
        let types: [GDALDataset.FieldType] = columns.map { c in
            let k = kinds[c]!
            if k == [0] && integerColumns.contains(c) { return .integer }
            if k.isSubset(of: [0, 1]) { return .real }
            if k == [2] { return .boolean }
            return .string
        }
        var isPolygon = false
        var layer = GDALDataset.OutputLayer(name: name, geometry: .point, fields: Array(zip(columns, types)).map { ($0.0, $0.1) })
        for f in features {
            var values: [GDALDataset.Value] = []
            for (c, t) in zip(columns, types) {
                guard let n = f.property(c), !n.isNull else { values.append(.null); continue }
                switch (t, n.value) {
                case (.integer, _): values.append(.integer(Int64(n.numberText ?? "") ?? 0))
                case (.real, _): values.append(.real(n.numberValue ?? .nan))
                case (.boolean, .bool(let b)): values.append(.boolean(b))
                case (_, .string(let s)): values.append(.string(s))
                default: values.append(.string(n.numberText ?? "\(n.value)"))
                }
            }
            let geometry: GDALDataset.Geometry?
            switch f.geometry {
            case .point(let p)?: geometry = .point(p)
            case .polygon(let rings)?: geometry = .polygons([rings]); isPolygon = true
            case .multiPolygon(let polys)?: geometry = .polygons(polys); isPolygon = true
            default: geometry = nil
            }
            layer.features.append((geometry, values))
        }
        if isPolygon { layer.geometry = .multiPolygon }
        return layer
    }

    /// The bytes of a GeoPackage holding `layers` (written to a private temporary file through
    /// ``GDALDataset/writeGeoPackage(path:layers:)``, then read back so that ``OutputBatch``
    /// commits it with the run's other files).
    public static func geoPackage(_ layers: [GDALDataset.OutputLayer], displayName: String) throws -> Data {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-gpkg-\(UUID().uuidString)")
        do { try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true) } catch {
            throw OutputError(path: displayName, "cannot create a temporary folder: \(ErrorText.plainWords(for: error))")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("reach.gpkg").path
        do { try GDALDataset.writeGeoPackage(path: path, layers: layers) } catch let e as OutputError {
            throw OutputError(path: displayName, e.reason)
        }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw OutputError(path: displayName, "cannot read the temporary GeoPackage back: \(ErrorText.plainWords(for: error))")
        }
    }

    /// Features of a GeoJSON text (as Reach writes it) whose `kind` property is `kind`, as a new
    /// FeatureCollection named `name` without the `kind` property: `branches.geojson` and
    /// `newly_covered.geojson` from `plan.geojson`. Numbers keep their text.
    public static func split(geoJSON text: String, kind: String, name: String) throws -> String {
        let root = try JSONParser.parse(Data(text.utf8), fileName: name)
        let features = try GeoJSONReader.features(root, fileName: name)
        var out: [GeoJSONFeature] = []
        for f in features where f.property("kind")?.stringValue == kind {
            guard let g = f.geometry else { continue }
            let props: [(key: String, value: GeoJSONProperty)] = f.properties.filter { $0.key != "kind" }.map { m in
                let n = m.value
                switch n.value {
                case .string(let s): return (m.key, .string(s))
                case .bool(let b): return (m.key, .bool(b))
                case .number:
                    let t = n.numberText ?? ""
                    if let i = Int(t) { return (m.key, .integer(i)) }
                    let decimals = t.split(separator: ".").dropFirst().first.map { $0.prefix { $0.isNumber }.count } ?? 0
                    return (m.key, .number(n.numberValue ?? .nan, decimals: decimals))
                default: return (m.key, .null)
                }
            }
            out.append(GeoJSONFeature(geometry: g, properties: props))
        }
        return GeoJSONWriter.featureCollection(out, name: name)
    }
}
