import Foundation

/// One zone of a population table: a name, a centroid, an area and a whole-person population
/// (a row of `data/hanoi/units.csv`).
public struct ZoneUnit: Sendable, Hashable {
    /// A short code used in resident ids (`u{code}-0001`); the 1-based row number, zero-padded
    /// to 5 digits, when the table has no `code` column.
    public var code: String
    public var name: String
    public var centroid: LonLat
    /// Area in km²; needed only when the zone has no polygon (the disc fallback).
    public var areaSquareKilometers: Double?
    public var population: Int
    public var sourceLine: Int

    public init(code: String, name: String, centroid: LonLat, areaSquareKilometers: Double?, population: Int, sourceLine: Int = 0) {
        self.code = code
        self.name = name
        self.centroid = centroid
        self.areaSquareKilometers = areaSquareKilometers
        self.population = population
        self.sourceLine = sourceLine
    }

    /// Reads a zone table: CSV with a header holding `name, lon, lat, population` and optionally
    /// `code` and `area_km2` (other columns are ignored). Population must be a non-negative
    /// whole number. Throws ``InputError`` with the line for a missing column, a bad number,
    /// an empty or duplicate name or code.
    public static func loadUnits(from url: URL, displayName: String? = nil) throws -> [ZoneUnit] {
        let fileName = displayName ?? url.relativePath
        let records = try CSVReader.read(url: url, displayName: fileName)
        guard let header = records.first else { throw InputError(file: fileName, "the file is empty") }
        func column(_ key: String) -> Int? { header.fields.firstIndex(of: key) }
        var required: [String: Int] = [:]
        for key in ["name", "lon", "lat", "population"] {
            guard let c = column(key) else {
                throw InputError(file: fileName, line: header.line, "missing column \(ErrorText.quoted(key)) (a zone table needs name, lon, lat, population; optional code, area_km2)")
            }
            required[key] = c
        }
        let codeColumn = column("code"), areaColumn = column("area_km2")
        var units: [ZoneUnit] = []
        var names: [String: Int] = [:], codes: [String: Int] = [:]
        for (k, r) in records.dropFirst().enumerated() {
            guard r.fields.count == header.fields.count else {
                throw InputError(file: fileName, line: r.line, "\(r.fields.count) fields, the header has \(header.fields.count)")
            }
            func number(_ key: String, _ c: Int) throws -> Double {
                let text = r.fields[c].trimmingCharacters(in: .whitespaces)
                guard let v = DecimalNumber.parse(text) else {
                    throw InputError(file: fileName, line: r.line, "\(key) is not a decimal number: \(ErrorText.quoted(r.fields[c]))")
                }
                return v
            }
            let name = r.fields[required["name"]!]
            guard !name.isEmpty else { throw InputError(file: fileName, line: r.line, "empty name") }
            if let first = names[name] {
                throw InputError(file: fileName, line: r.line, "zone name \(ErrorText.quoted(name)) appears twice (first on line \(first))")
            }
            names[name] = r.line
            let centroid = LonLat(lonDegrees: try number("lon", required["lon"]!), latDegrees: try number("lat", required["lat"]!))
            guard centroid.isValid else {
                throw InputError(file: fileName, line: r.line, "lon/lat \(centroid) out of range (WGS 84 degrees, longitude first)")
            }
            let populationValue = try number("population", required["population"]!)
            guard populationValue >= 0, populationValue == populationValue.rounded(), populationValue < 1e11 else {
                throw InputError(file: fileName, line: r.line, "population must be a non-negative whole number, found \(r.fields[required["population"]!])")
            }
            var area: Double? = nil
            if let a = areaColumn, !r.fields[a].isEmpty {
                let v = try number("area_km2", a)
                guard v > 0, v <= 6e8 else {
                    throw InputError(file: fileName, line: r.line, "area_km2 must be in 0 < A ≤ 6e8 (the Earth's surface is 5.1e8 km²), found \(ErrorText.quoted(r.fields[a]))")
                }
                area = v
            }
            let code = codeColumn.map { r.fields[$0] }.flatMap { $0.isEmpty ? nil : $0 } ?? zeroPadded(String(k + 1), to: 5)
            if let first = codes[code] {
                throw InputError(file: fileName, line: r.line, "code \(ErrorText.quoted(code)) appears twice (first on line \(first))")
            }
            codes[code] = r.line
            units.append(ZoneUnit(code: code, name: name, centroid: centroid, areaSquareKilometers: area,
                                  population: Int(populationValue), sourceLine: r.line))
        }
        if units.isEmpty { throw InputError(file: fileName, line: header.line, "no zones after the header") }
        return units
    }
}

/// Turns zone populations into resident points: a seeded, documented disaggregation.
///
/// For each zone, a square grid of points `spacingMeters` apart is laid over the zone in a local
/// tangent plane at the zone centroid (metres per degree from the WGS 84 radii of curvature
/// there; the distortion over a 30 km zone is below 0.1 %). The grid's offset within one cell is
/// drawn from SplitMix64 seeded with `seed` mixed with the zone code (FNV-1a), so each zone's
/// points depend only on the seed and that zone, not on the order of the table.
/// - With a polygon for the zone (matched by name): the grid points inside the polygon
///   (even–odd, holes excluded).
/// - Without: the grid points within a disc of the zone's area (`area_km2`) around its centroid.
/// If no grid point falls inside, the zone gets one point at its centroid.
/// The population is split equally with cumulative rounding to whole persons: point k of n
/// (0-based, in north-to-south, west-to-east order) gets ⌊P(k+1)/n⌋ − ⌊Pk/n⌋, so each point has
/// ⌊P/n⌋ or ⌈P/n⌉ people, the extra persons are spread evenly, and the zone total is exact.
/// Points that would get 0 people (P < n) are dropped; a zone of population 0 keeps its first
/// point with population 0. Ids are `u{code}-{k}` with k 1-based and at least 4 digits.
public enum ZoneDisaggregation {
    /// The most points one run may generate (a guard against a spacing typo).
    public static let maximumPointCount = 20_000_000

    /// Generates the residents of `units`, in table order.
    /// - Parameters:
    ///   - zones: polygons by name; a unit whose name is not among them throws, unless `zones`
    ///     is empty (then every unit uses the disc of its area).
    ///   - unitsFile: the table's name for error messages.
    /// - Complexity: O(Σ grid points × polygon vertices).
    public static func residents(units: [ZoneUnit], zones: [ZonePolygon], spacingMeters: Double, seed: UInt64,
                                 unitsFile: String = "zones table") throws -> [Resident] {
        guard spacingMeters.isFinite, spacingMeters > 0 else {
            throw InputError(file: unitsFile, "spacing must be a positive number of metres, found \(spacingMeters)")
        }
        let zoneByName = Dictionary(zones.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Resident] = []
        var total = 0
        for unit in units {
            let frame = ZoneTangentFrame(origin: unit.centroid)
            var rng = SplitMix64(seed: seed ^ fnv1a64(unit.code))
            let offsetX = spacingMeters * rng.unitInterval()
            let offsetY = spacingMeters * rng.unitInterval()
            var points: [LonLat] = []
            if !zones.isEmpty {
                guard let polygon = zoneByName[unit.name] else {
                    throw InputError(file: unitsFile, line: unit.sourceLine, "no zone polygon named \(ErrorText.quoted(unit.name))")
                }
                let b = polygon.boundingBox
                let sw = frame.toPlane(LonLat(lonDegrees: b.minLonDegrees, latDegrees: b.minLatDegrees))
                let ne = frame.toPlane(LonLat(lonDegrees: b.maxLonDegrees, latDegrees: b.maxLatDegrees))
                try gridPoints(minX: sw.x, maxX: ne.x, minY: sw.y, maxY: ne.y, offsetX: offsetX, offsetY: offsetY,
                               spacing: spacingMeters, budget: maximumPointCount - total, unit: unit, file: unitsFile) { x, y in
                    let p = frame.toLonLat(x: x, y: y)
                    if polygon.contains(p) { points.append(p) }
                }
            } else {
                guard let areaKm2 = unit.areaSquareKilometers else {
                    throw InputError(file: unitsFile, line: unit.sourceLine, "zone \(ErrorText.quoted(unit.name)) has no area_km2 and no polygon (give --zones or an area_km2 column)")
                }
                let radius = (areaKm2 * 1e6 / Double.pi).squareRoot()
                try gridPoints(minX: -radius, maxX: radius, minY: -radius, maxY: radius, offsetX: offsetX, offsetY: offsetY,
                               spacing: spacingMeters, budget: maximumPointCount - total, unit: unit, file: unitsFile) { x, y in
                    if x * x + y * y <= radius * radius { points.append(frame.toLonLat(x: x, y: y)) }
                }
            }
            if points.isEmpty { points = [unit.centroid] }
            total += points.count
            let n = points.count, population = unit.population
            var k = 0
            for (index, p) in points.enumerated() {
                let share = (population * (index + 1)) / n - (population * index) / n
                if share == 0 && !(population == 0 && index == 0) { continue }
                k += 1
                out.append(Resident(id: "u\(unit.code)-\(zeroPadded(String(k), to: 4))", position: p,
                                    population: Double(share), zone: unit.name, sourceLine: 0))
            }
        }
        return out
    }

    /// The residents as CSV `id,lon,lat,population,zone` (6 decimals for degrees, ≈0.1 m;
    /// population as written by `DecimalText.population`), LF line ends.
    public static func csv(_ residents: [Resident]) -> String {
        var s = "id,lon,lat,population,zone\n"
        s.reserveCapacity(residents.count * 64)
        for r in residents {
            s += CSVWriter.escape(r.id); s += ","
            s += DecimalText.fixed(r.position.lonDegrees, decimals: 6); s += ","
            s += DecimalText.fixed(r.position.latDegrees, decimals: 6); s += ","
            s += DecimalText.population(r.population); s += ","
            s += CSVWriter.escape(r.zone ?? ""); s += "\n"
        }
        return s
    }

    /// Calls `body(x, y)` for the grid points `offset + i·spacing` inside the box, rows from
    /// north to south, west to east within a row.
    private static func gridPoints(minX: Double, maxX: Double, minY: Double, maxY: Double, offsetX: Double, offsetY: Double,
                                   spacing: Double, budget: Int, unit: ZoneUnit, file: String,
                                   _ body: (Double, Double) -> Void) throws {
        // Counted in Double first: the conversions to Int below then cannot overflow.
        let fi0 = ((minX - offsetX) / spacing).rounded(.up), fi1 = ((maxX - offsetX) / spacing).rounded(.down)
        let fj0 = ((minY - offsetY) / spacing).rounded(.up), fj1 = ((maxY - offsetY) / spacing).rounded(.down)
        guard fi1 >= fi0, fj1 >= fj0 else { return }
        guard (fi1 - fi0 + 1) * (fj1 - fj0 + 1) <= Double(budget), abs(fi0) < 1e15, abs(fi1) < 1e15,
              abs(fj0) < 1e15, abs(fj1) < 1e15 else {
            throw InputError(file: file, line: unit.sourceLine, "spacing \(spacing) m gives more than \(maximumPointCount) points; use a larger spacing")
        }
        let i0 = Int(fi0), i1 = Int(fi1), j0 = Int(fj0), j1 = Int(fj1)
        for j in stride(from: j1, through: j0, by: -1) {
            let y = offsetY + Double(j) * spacing
            for i in i0...i1 { body(offsetX + Double(i) * spacing, y) }
        }
    }

    /// FNV-1a 64-bit hash of the UTF-8 bytes (stable across runs and platforms, unlike `Hasher`).
    static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}

/// A local tangent plane at `origin`: x east and y north in metres, from the WGS 84 meridional
/// and prime-vertical radii of curvature at the origin's latitude.
private struct ZoneTangentFrame {
    let origin: LonLat
    let metersPerDegreeLon: Double
    let metersPerDegreeLat: Double

    init(origin: LonLat) {
        self.origin = origin
        let a = Geodesic.wgs84SemiMajorAxisMeters, f = Geodesic.wgs84Flattening
        let e2 = f * (2 - f)
        let phi = origin.latDegrees * .pi / 180
        let w = 1 - e2 * sin(phi) * sin(phi)
        let meridional = a * (1 - e2) / (w * w.squareRoot())
        let primeVertical = a / w.squareRoot()
        metersPerDegreeLat = meridional * .pi / 180
        metersPerDegreeLon = primeVertical * cos(phi) * .pi / 180
    }

    func toPlane(_ p: LonLat) -> (x: Double, y: Double) {
        ((p.lonDegrees - origin.lonDegrees) * metersPerDegreeLon, (p.latDegrees - origin.latDegrees) * metersPerDegreeLat)
    }

    func toLonLat(x: Double, y: Double) -> LonLat {
        LonLat(lonDegrees: origin.lonDegrees + x / metersPerDegreeLon, latDegrees: origin.latDegrees + y / metersPerDegreeLat)
    }
}

/// `text` left-padded with zeros to `width` characters (unchanged if already as wide).
private func zeroPadded(_ text: String, to width: Int) -> String {
    text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
