import Foundation

/// Reads residents and sites from CSV or GeoJSON point tables, as INTERFACE.md specifies, and
/// reports every bad value as an ``InputError`` naming the file and line.
public enum PointTables {
    /// Which kind of table a file holds; decides the required columns and the default role.
    public enum Kind: Sendable {
        case residents, existing, candidates
    }

    /// The named text cells of one row. A CSV table's rows share one column index and keep
    /// the record's fields as they are (no dictionary per row); rows from GeoJSON and GDAL,
    /// whose properties vary per feature, carry their own dictionary (`extra`).
    struct RowValues: Sendable {
        /// Column name → position in `cells`, shared by every row of a table.
        final class ColumnIndex: Sendable {
            let positions: [String: Int]
            init(_ names: [String]) {
                var p: [String: Int] = [:]
                for (k, n) in names.enumerated() where !n.isEmpty { p[n] = k }
                positions = p
            }
            static let none = ColumnIndex([])
        }
        let columns: ColumnIndex
        var cells: [String]
        var extra: [String: String]?

        init(columns: ColumnIndex, cells: [String]) { self.columns = columns; self.cells = cells; self.extra = nil }
        init(_ values: [String: String]) { columns = .none; cells = []; extra = values }

        subscript(name: String) -> String? {
            get {
                if let k = columns.positions[name] { return cells[k] }
                return extra?[name]
            }
            set {
                if let k = columns.positions[name] { cells[k] = newValue ?? ""; return }
                if extra == nil { extra = [:] }
                extra![name] = newValue
            }
        }
    }

    /// One row, independent of the file format: named text values and the row's line.
    struct Row: Sendable {
        var values: RowValues
        var line: Int
        var feature: Int?
        var position: LonLat?
        /// `FILE:LAYER` for rows read through GDAL (then `line` is the 1-based feature number).
        var file: String? = nil
    }

    /// How to find the columns of a table: the layer of a multi-layer file, explicit column names
    /// (`--lon-column` …), and the CRS of projected `x/y` columns of a CSV table. Without explicit
    /// names the common ones are recognised: `lon|longitude|lng|long|x`, `lat|latitude|y`,
    /// `population|pop`.
    public struct Columns: Sendable, Hashable {
        public var layer: String?
        public var lon: String?
        public var lat: String?
        public var id: String?
        public var population: String?
        /// The CRS of the coordinate columns of a CSV/GeoJSON-property table (PROJ syntax); nil: WGS 84.
        public var crs: String?
        public init(layer: String? = nil, lon: String? = nil, lat: String? = nil, id: String? = nil,
                    population: String? = nil, crs: String? = nil) {
            self.layer = layer; self.lon = lon; self.lat = lat; self.id = id; self.population = population; self.crs = crs
        }

        static let lonNames = ["lon", "longitude", "lng", "long", "x"]
        static let latNames = ["lat", "latitude", "y"]
        static let populationNames = ["population", "pop"]

        /// Which source column becomes each canonical column (`lon`, `lat`, `id`, `population`).
        func renames(for names: [String]) -> [(from: String, to: String)] {
            func pick(_ explicit: String?, _ candidates: [String]) -> String? {
                if let e = explicit?.lowercased() { return e }
                return candidates.first(where: names.contains)
            }
            var out: [(String, String)] = []
            for (canonical, source) in [("lon", pick(lon, Self.lonNames)), ("lat", pick(lat, Self.latNames)),
                                        ("id", pick(id, ["id"])), ("population", pick(population, Self.populationNames))] {
                if let source, source != canonical { out.append((source, canonical)) }
            }
            return out
        }
    }

    public static func isGeoJSON(_ url: URL) -> Bool {
        let ext = url.pathExtension.lowercased()
        return ext == "geojson" || ext == "json"
    }

    /// Reads residents (`id, lon, lat, population`, optional `zone`).
    /// - Returns: the residents in input order and warnings (zero populations).
    public static func readResidents(url: URL, displayName: String? = nil, columns: Columns = Columns()) throws -> (residents: [Resident], warnings: [Warning]) {
        let name = displayName ?? url.path
        let rows = try readRows(url: url, fileName: name, required: ["id", "lon", "lat", "population"], columns: columns)
        guard !rows.isEmpty else { throw InputError(file: name, line: 1, "no residents: the table has a header but no rows") }
        var out: [Resident] = []
        out.reserveCapacity(rows.count)
        var firstLine: [String: Int] = [:]
        firstLine.reserveCapacity(rows.count)
        var zeroCount = 0, zeroExample = ""
        var total = 0.0
        // Positions and populations are parsed on every core first. The loop below takes them
        // where this pass found them valid and re-reads a row the old way (which throws its
        // message) only where it did not, so errors and their order are unchanged.
        let parsed = Parallel.map(count: rows.count, minimumChunk: 16_384, initial: nil as (LonLat, Double)?) { i in
            let row = rows[i]
            guard let p = try? position(row, fileName: name) else { return nil }
            let popText = (row.values["population"] ?? "").trimmingWhitespace()
            guard let pop = number(popText), ValueRanges.populationProblem(pop, text: popText) == nil else { return nil }
            return (p, pop)
        }
        for (i, row) in rows.enumerated() {
            let id = try identifier(row, fileName: name, firstLine: &firstLine)
            let p: LonLat, pop: Double
            if let (pp, qq) = parsed[i] {
                p = pp; pop = qq
            } else {
                p = try position(row, fileName: name)
                let popText = (row.values["population"] ?? "").trimmingWhitespace()
                guard let v = number(popText) else {
                    throw error(name, row, "population \(ErrorText.quoted(popText)) is not a decimal number")
                }
                if let problem = ValueRanges.populationProblem(v, text: popText) { throw error(name, row, problem) }
                pop = v
            }
            total += pop
            if let problem = ValueRanges.totalPopulationProblem(total) { throw error(name, row, problem) }
            if pop == 0 { zeroCount += 1; if zeroExample.isEmpty { zeroExample = "\(id) (line \(row.line))" } }
            let zone = row.values["zone"].flatMap { $0.isEmpty ? nil : $0 }
            var resident = Resident(id: id, position: p, population: pop, zone: zone, sourceLine: row.line)
            if let text = row.values["filings_per_person_year"], !text.isEmpty {
                guard let v = Double(text.trimmingWhitespace()), v.isFinite, v >= 0 else {
                    throw error(name, row, "filings_per_person_year \"\(text)\" is not a non-negative number")
                }
                resident.filingsPerPersonYear = v
            }
            out.append(resident)
        }
        var warnings: [Warning] = []
        if zeroCount > 0 {
            warnings.append(Warning("\(name): \(zeroCount) resident(s) with population 0, e.g. \(zeroExample)"))
        }
        return (out, warnings)
    }

    /// Reads existing intake points or candidate sites (`id, lon, lat`, optional `name, zone,
    /// capacity, role, location_quality`). `role` may be `required` in either file; `existing` only in the existing
    /// file and `candidate` only in the candidates file.
    public static func readSites(url: URL, kind: Kind, displayName: String? = nil, columns: Columns = Columns()) throws -> (sites: [Site], warnings: [Warning]) {
        let name = displayName ?? url.path
        let rows = try readRows(url: url, fileName: name, required: ["id", "lon", "lat"], columns: columns)
        var warnings: [Warning] = []
        if rows.isEmpty { warnings.append(Warning("\(name): the table has no rows")) }
        var firstLine: [String: Int] = [:]
        var out: [Site] = []
        out.reserveCapacity(rows.count)
        let defaultRole: SiteRole = kind == .existing ? .existing : .candidate
        for row in rows {
            let id = try identifier(row, fileName: name, firstLine: &firstLine)
            let p = try position(row, fileName: name)
            var role = defaultRole
            if let r = row.values["role"], !r.isEmpty {
                guard let parsed = SiteRole(rawValue: r.lowercased()) else {
                    throw error(name, row, "role \(ErrorText.quoted(r)) is not one of existing, candidate, required")
                }
                if parsed != .required && parsed != defaultRole {
                    throw error(name, row, "role \(ErrorText.quoted(r)) does not belong in the \(kind == .existing ? "existing" : "candidates") table")
                }
                role = parsed
            }
            var capacity: Double? = nil
            if let c = row.values["capacity"], !c.isEmpty {
                guard let v = number(c.trimmingWhitespace()), v >= 0, v <= 1e15 else {
                    throw error(name, row, "capacity \(ErrorText.quoted(c)) is not a decimal number in 0…1e15")
                }
                capacity = v
            }
            var site = Site(id: id, position: p,
                            name: row.values["name"].flatMap { $0.isEmpty ? nil : $0 },
                            zone: row.values["zone"].flatMap { $0.isEmpty ? nil : $0 },
                            capacity: capacity, role: role, sourceLine: row.line,
                            locationQuality: row.values["location_quality"].flatMap { $0.isEmpty ? nil : $0 })
            try readServiceColumns(row, into: &site, fileName: name)
            out.append(site)
        }
        return (out, warnings)
    }

    /// The optional site columns `staff` (a whole number of counters ≥ 0), `opening_hours_per_week`
    /// (0 < h ≤ 168) and `service_minutes` (> 0).
    static func readServiceColumns(_ row: Row, into site: inout Site, fileName: String) throws {
        if let t = row.values["staff"], !t.isEmpty {
            guard let v = Int(t.trimmingWhitespace()), v >= 0 else {
                throw error(fileName, row, "staff \"\(t)\" is not a whole number of counters ≥ 0")
            }
            site.staff = v
        }
        if let t = row.values["opening_hours_per_week"], !t.isEmpty {
            guard let v = Double(t.trimmingWhitespace()), v.isFinite, v > 0, v <= 168 else {
                throw error(fileName, row, "opening_hours_per_week \"\(t)\" is not a number of hours in (0, 168]")
            }
            site.openingHoursPerWeek = v
        }
        if let t = row.values["service_minutes"], !t.isEmpty {
            guard let v = Double(t.trimmingWhitespace()), v.isFinite, v > 0 else {
                throw error(fileName, row, "service_minutes \"\(t)\" is not a number of minutes > 0")
            }
            site.serviceMinutes = v
        }
    }

    static func error(_ file: String, _ row: Row, _ message: String) -> InputError {
        InputError(file: row.file ?? file, line: row.line, feature: row.feature, message)
    }

    static func identifier(_ row: Row, fileName: String, firstLine: inout [String: Int]) throws -> String {
        let id = row.values["id"] ?? ""
        guard !id.isEmpty else { throw error(fileName, row, "empty id") }
        if let earlier = firstLine.updateValue(row.line, forKey: id) { // one hash lookup per row
            throw error(fileName, row, "duplicate id \(ErrorText.quoted(id)) (first on line \(earlier))")
        }
        return id
    }

    static func position(_ row: Row, fileName: String) throws -> LonLat {
        if let p = row.position { return try checkRange(p, row: row, fileName: fileName) }
        let lonText = (row.values["lon"] ?? "").trimmingWhitespace()
        let latText = (row.values["lat"] ?? "").trimmingWhitespace()
        guard let lon = number(lonText) else {
            throw error(fileName, row, "lon \(ErrorText.quoted(lonText)) is not a decimal number")
        }
        guard let lat = number(latText) else {
            throw error(fileName, row, "lat \(ErrorText.quoted(latText)) is not a decimal number")
        }
        return try checkRange(LonLat(lonDegrees: lon, latDegrees: lat), row: row, fileName: fileName)
    }

    /// A field's number: decimal only (no hex, inf, nan or text after a NUL), finite.
    static func number(_ text: String) -> Double? { DecimalNumber.parse(text) }

    static func checkRange(_ p: LonLat, row: Row, fileName: String) throws -> LonLat {
        let lonOK = p.lonDegrees >= -180 && p.lonDegrees <= 180
        let latOK = p.latDegrees >= -90 && p.latDegrees <= 90
        if !latOK && lonOK && abs(p.lonDegrees) <= 90 && abs(p.latDegrees) <= 180 {
            throw error(fileName, row, "latitude \(p.latDegrees) is outside -90…90 while longitude \(p.lonDegrees) would fit as a latitude: lon and lat look swapped (longitude comes first)")
        }
        if !latOK { throw error(fileName, row, "latitude \(p.latDegrees) is outside -90…90") }
        if !lonOK { throw error(fileName, row, "longitude \(p.lonDegrees) is outside -180…180") }
        return p
    }

    static func readRows(url: URL, fileName: String, required: [String], columns: Columns = Columns()) throws -> [Row] {
        if GDALDataset.isVectorFile(url) { return try gdalRows(url: url, fileName: fileName, required: required, columns: columns) }
        var rows: [Row]
        if isGeoJSON(url) {
            rows = try geoJSONRows(url: url, fileName: fileName, required: required, columns: columns)
        } else {
            rows = try csvRows(url: url, fileName: fileName, required: required, columns: columns)
        }
        if let crs = columns.crs { try reprojectColumns(&rows, crs: crs, fileName: fileName) }
        return rows
    }

    /// The optional columns of residents and sites (the only other attributes read from GDAL layers).
    static let optionalColumns = ["zone", "filings_per_person_year", "name", "capacity", "role", "location_quality",
                                  "staff", "opening_hours_per_week", "service_minutes"]

    /// Rows of a GDAL vector layer (GeoPackage, Shapefile, FlatGeobuf, …): positions from Point
    /// geometries (reprojected by ``GDALDataset``), else from the coordinate columns.
    static func gdalRows(url: URL, fileName: String, required: [String], columns: Columns) throws -> [Row] {
        let wanted = Set(required + optionalColumns + Columns.lonNames + Columns.latNames + Columns.populationNames
                         + [columns.lon, columns.lat, columns.id, columns.population].compactMap { $0?.lowercased() })
        var rows: [Row] = []
        var hasCoordinateColumns = false
        var display = fileName
        // The rows are built as GDAL streams the features (no second copy of the layer), with the
        // recognised columns renamed to the canonical ones on the way.
        let info = try GDALDataset.scanLayer(
            url: url, displayName: fileName, layer: columns.layer, fields: wanted,
            rename: { layerDisplay, names in
                display = layerDisplay
                let renames = columns.renames(for: names)
                let canonical = Set(names).union(renames.map(\.to))
                hasCoordinateColumns = canonical.contains("lon")
                if let first = required.first(where: { $0 != "lon" && $0 != "lat" && !canonical.contains($0) }) {
                    throw InputError(file: layerDisplay, "missing column \(ErrorText.quoted(first)) (the layer has: \(ErrorText.echo(names.joined(separator: ", "))))")
                }
                return Dictionary(renames.map { ($0.from, $0.to) }, uniquingKeysWith: { a, _ in a })
            },
            reserve: { rows.reserveCapacity($0) },
            each: { index, values, geometry in
                var row = Row(values: RowValues(values), line: index, feature: nil, position: nil, file: display)
                switch geometry {
                case .point(let p)?: row.position = p
                case .other(let type)?:
                    throw error(fileName, row, "expected a Point geometry, found \(type)")
                case .polygons?:
                    throw error(fileName, row, "expected a Point geometry, found a polygon")
                case nil:
                    if !hasCoordinateColumns { throw error(fileName, row, "the feature has no geometry and the layer no lon/lat columns") }
                }
                for r in required where r != "lon" && r != "lat" && row.values[r] == nil { row.values[r] = "" }
                rows.append(row)
            })
        if let wkt = info.sourceWKT {
            // Only the geometries are in the layer's CRS; lon/lat columns of features without a
            // geometry are read as WGS 84 degrees, as before.
            let projector = try GDALDataset.makeProjector(wkt: wkt, info: info)
            try transformPositions(&rows, with: projector, fileName: info.displayName, what: "the geometries")
        }
        return rows
    }

    /// Projected `x/y` (or lon/lat) columns in `crs` → WGS 84 through PROJ.
    static func reprojectColumns(_ rows: inout [Row], crs: String, fileName: String) throws {
        for i in rows.indices where rows[i].position == nil {
            let xText = (rows[i].values["lon"] ?? "").trimmingWhitespace()
            let yText = (rows[i].values["lat"] ?? "").trimmingWhitespace()
            guard let x = number(xText) else { throw error(fileName, rows[i], "x \(ErrorText.quoted(xText)) is not a decimal number") }
            guard let y = number(yText) else { throw error(fileName, rows[i], "y \(ErrorText.quoted(yText)) is not a decimal number") }
            rows[i].position = LonLat(lonDegrees: x, latDegrees: y)
        }
        let projector: Projector
        do { projector = try Projector(from: crs, to: "EPSG:4326") } catch {
            throw InputError(file: fileName, "cannot reproject the coordinates from \(ErrorText.quoted(crs)) to WGS 84: \(error)")
        }
        try transformPositions(&rows, with: projector, fileName: fileName, what: "the coordinates from \(ErrorText.quoted(crs))")
    }

    /// Every row's `position` through `projector` in one PROJ call (rows without one are left).
    static func transformPositions(_ rows: inout [Row], with projector: borrowing Projector, fileName: String, what: String) throws {
        var xs: [Double] = [], ys: [Double] = [], at: [Int] = []
        xs.reserveCapacity(rows.count); ys.reserveCapacity(rows.count); at.reserveCapacity(rows.count)
        for (i, r) in rows.enumerated() { if let p = r.position { xs.append(p.lonDegrees); ys.append(p.latDegrees); at.append(i) } }
        do { try projector.transformInPlace(xs: &xs, ys: &ys) } catch {
            throw InputError(file: fileName, "cannot reproject \(what) to WGS 84: \(error)")
        }
        for (k, i) in at.enumerated() { rows[i].position = LonLat(lonDegrees: xs[k], latDegrees: ys[k]) }
    }

    static func csvRows(url: URL, fileName: String, required: [String], columns: Columns = Columns()) throws -> [Row] {
        let records = try CSVReader.read(url: url, displayName: fileName)
        guard let header = records.first else { throw InputError(file: fileName, "the file is empty") }
        var names = header.fields.map { $0.trimmingWhitespace().lowercased() }
        for r in columns.renames(for: names) where !names.contains(r.to) {
            if let k = names.firstIndex(of: r.from) { names[k] = r.to }
        }
        var seen = Set<String>()
        for n in names where !n.isEmpty {
            if !seen.insert(n).inserted { throw InputError(file: fileName, line: header.line, "the column \(ErrorText.quoted(n)) appears twice in the header") }
        }
        let missing = required.filter { !names.contains($0) }
        if !missing.isEmpty {
            throw InputError(file: fileName, line: header.line,
                             "missing column\(missing.count > 1 ? "s" : "") \(missing.map { "\"\($0)\"" }.joined(separator: ", ")) (the header has: \(ErrorText.echo(names.joined(separator: ", "))))")
        }
        var rows: [Row] = []
        rows.reserveCapacity(records.count - 1)
        let index = RowValues.ColumnIndex(names)
        for rec in records.dropFirst() {
            guard rec.fields.count == names.count else {
                throw InputError(file: fileName, line: rec.line, "the row has \(rec.fields.count) field(s), the header has \(names.count)")
            }
            rows.append(Row(values: RowValues(columns: index, cells: rec.fields), line: rec.line, feature: nil, position: nil))
        }
        return rows
    }

    static func geoJSONRows(url: URL, fileName: String, required: [String], columns: Columns = Columns()) throws -> [Row] {
        let features = try GeoJSONReader.read(url: url, displayName: fileName)
        var rows: [Row] = []
        rows.reserveCapacity(features.count)
        for f in features {
            guard case .point(let p)? = f.geometry else {
                throw InputError(file: fileName, line: f.line, feature: f.index, "expected a Point geometry")
            }
            var values: [String: String] = [:]
            for m in f.properties {
                let key = m.key.lowercased()
                switch m.value.value {
                case .string(let s): values[key] = s
                case .number:
                    // The number as written in the file (`1234` stays `1234`, 2^53 + 1 keeps its
                    // last digit); the reader keeps every number's source text.
                    values[key] = m.value.numberText ?? ""
                case .bool(let b): values[key] = b ? "true" : "false"
                case .null: values[key] = ""
                default:
                    throw InputError(file: fileName, line: m.value.line, feature: f.index, "property \(ErrorText.quoted(m.key)) must be a string or a number")
                }
            }
            for r in columns.renames(for: Array(values.keys)) where r.to != "lon" && r.to != "lat" && values[r.to] == nil {
                values[r.to] = values.removeValue(forKey: r.from)
            }
            for r in required where r != "lon" && r != "lat" && values[r] == nil {
                throw InputError(file: fileName, line: f.line, feature: f.index, "missing property \(ErrorText.quoted(r))")
            }
            rows.append(Row(values: RowValues(values), line: f.line, feature: f.index, position: p))
        }
        return rows
    }
}
