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
                let text = r.fields[c].trimmingWhitespace()
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
///
/// **Uniform** (the default): if no grid point falls inside, the zone gets one point at its
/// centroid. The population is split equally with cumulative rounding to whole persons: point k
/// of n (0-based, in north-to-south, west-to-east order) gets ⌊P(k+1)/n⌋ − ⌊Pk/n⌋, so each
/// point has ⌊P/n⌋ or ⌈P/n⌉ people, the extra persons are spread evenly, and the zone total is
/// exact.
///
/// **Weighted** (dasymetric, with a population grid: ``residents(units:zones:weights:spacingMeters:seed:unitsFile:)``;
/// polygons required): the zone's population P is split over the parts of the grid's cells
/// inside its polygon in proportion to (cell population ÷ cell area) × area(cell ∩ polygon),
/// areas exact on the WGS 84 ellipsoid (``DasymetricWeights``); nodata and zero cells and land
/// outside the grid weigh 0. Parts are taken in grid order (rows north to south, west to east);
/// within a part, its share goes in equal amounts to the zone's grid points that lie in that
/// cell (north-to-south, west-to-east), or, if none does, to one point inside the part (its
/// centroid when inside the polygon, else the middle of a horizontal span through it). Grid
/// points in cells of weight 0 get nobody. Rounding is cumulative over the zone's points in that
/// order: with S_k the exact running share after point k (S at the end of part j is
/// P·(w₁+…+w_j)/(w₁+…+w_m), points within a part step evenly from its start to its end, the last
/// point ends at exactly P), point k gets round(S_k) − round(S_{k−1}) (halves away from zero), so
/// each part gets its exact share within one person (exactly, when the running shares at both
/// ends of the part are whole numbers), and the zone total is exact. A zone whose polygon
/// overlaps no cell with population > 0 falls back to the uniform rule and is listed in
/// ``WeightedResult/uniformFallbackZones``.
///
/// Either way, points that would get 0 people are dropped; a zone of population 0 keeps its
/// first point with population 0. Ids are `u{code}-{k}` with k 1-based and at least 4 digits.
public enum ZoneDisaggregation {
    /// The most points one run may generate (a guard against a spacing typo).
    public static let maximumPointCount = 20_000_000

    /// The outcome of a weighted run: the residents and the zones that fell back to the uniform rule.
    public struct WeightedResult: Sendable {
        public var residents: [Resident]
        /// Names of the zones (in table order) whose polygon overlaps no cell with population > 0.
        public var uniformFallbackZones: [String]
    }

    /// Generates the residents of `units`, in table order, by the uniform rule.
    /// - Parameters:
    ///   - zones: polygons by name; a unit whose name is not among them throws, unless `zones`
    ///     is empty (then every unit uses the disc of its area).
    ///   - unitsFile: the table's name for error messages.
    /// - Complexity: O(Σ grid points × polygon vertices).
    public static func residents(units: [ZoneUnit], zones: [ZonePolygon], spacingMeters: Double, seed: UInt64,
                                 unitsFile: String = "zones table") throws -> [Resident] {
        try generate(units: units, zones: zones, weights: nil, spacingMeters: spacingMeters, seed: seed, unitsFile: unitsFile).residents
    }

    /// Generates the residents of `units`, in table order, by the weighted (dasymetric) rule.
    /// - Parameters:
    ///   - zones: polygons by name (not empty); a unit whose name is not among them throws.
    ///   - weights: the population grid whose densities weight the cell parts; only read.
    ///   - unitsFile: the table's name for error messages.
    /// - Throws: ``InputError`` for a unit without polygon, an empty `zones`, a bad spacing or
    ///   too many points.
    /// - Complexity: O(Σ grid points × polygon vertices + Σ rows × vertices + Σ cells × vertices in the row).
    public static func residents(units: [ZoneUnit], zones: [ZonePolygon], weights: DasymetricWeights,
                                 spacingMeters: Double, seed: UInt64, unitsFile: String = "zones table") throws -> WeightedResult {
        guard !zones.isEmpty else {
            throw InputError(file: unitsFile, "weights need zone polygons: the population is split over the cells inside each polygon")
        }
        return try generate(units: units, zones: zones, weights: weights, spacingMeters: spacingMeters, seed: seed, unitsFile: unitsFile)
    }

    private static func generate(units: [ZoneUnit], zones: [ZonePolygon], weights: DasymetricWeights?,
                                 spacingMeters: Double, seed: UInt64, unitsFile: String) throws -> WeightedResult {
        guard spacingMeters.isFinite, spacingMeters > 0 else {
            throw InputError(file: unitsFile, "spacing must be a positive number of metres, found \(spacingMeters)")
        }
        let zoneByName = Dictionary(zones.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [Resident] = []
        var fallbacks: [String] = []
        var total = 0
        for unit in units {
            let frame = ZoneTangentFrame(origin: unit.centroid)
            var rng = SplitMix64(seed: seed ^ fnv1a64(unit.code))
            let offsetX = spacingMeters * rng.unitInterval()
            let offsetY = spacingMeters * rng.unitInterval()
            var points: [LonLat] = []
            var zonePolygon: ZonePolygon? = nil
            if !zones.isEmpty {
                guard let polygon = zoneByName[unit.name] else {
                    throw InputError(file: unitsFile, line: unit.sourceLine, "no zone polygon named \(ErrorText.quoted(unit.name))")
                }
                zonePolygon = polygon
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
            if let weights, let zonePolygon {
                if let weighted = weightedShares(population: unit.population, polygon: zonePolygon, gridPoints: points, weights: weights) {
                    total += weighted.points.count
                    guard total <= maximumPointCount else {
                        throw InputError(file: unitsFile, line: unit.sourceLine, "spacing \(spacingMeters) m gives more than \(maximumPointCount) points; use a larger spacing")
                    }
                    append(unit, points: weighted.points, counts: weighted.counts, to: &out)
                    continue
                }
                fallbacks.append(unit.name)
            }
            if points.isEmpty { points = [unit.centroid] }
            total += points.count
            let n = points.count, population = unit.population
            let counts = (0..<n).map { index in (population * (index + 1)) / n - (population * index) / n }
            append(unit, points: points, counts: counts, to: &out)
        }
        return WeightedResult(residents: out, uniformFallbackZones: fallbacks)
    }

    /// Appends the zone's points with their person counts: points with 0 are dropped, except the
    /// first point of a zone of population 0; ids `u{code}-{k}` count the kept points.
    private static func append(_ unit: ZoneUnit, points: [LonLat], counts: [Int], to out: inout [Resident]) {
        var k = 0
        for (index, p) in points.enumerated() {
            let share = counts[index]
            if share == 0 && !(unit.population == 0 && index == 0) { continue }
            k += 1
            out.append(Resident(id: "u\(unit.code)-\(zeroPadded(String(k), to: 4))", position: p,
                                population: Double(share), zone: unit.name, sourceLine: 0))
        }
    }

    /// The weighted rule for one zone: its points (cell parts in grid order, the grid points of
    /// each part, or its representative point) and whole-person counts; nil when no cell part
    /// has weight (the caller falls back to the uniform rule).
    static func weightedShares(population: Int, polygon: ZonePolygon, gridPoints: [LonLat],
                               weights: DasymetricWeights) -> (points: [LonLat], counts: [Int])? {
        let parts = weights.cellParts(of: polygon).filter { $0.weight > 0 }
        guard !parts.isEmpty else { return nil }
        let columns = weights.grid.columnCount
        var partByCell: [Int: Int] = [:]
        for (i, part) in parts.enumerated() { partByCell[part.row * columns + part.column] = i }
        var members = [[LonLat]](repeating: [], count: parts.count)
        for p in gridPoints {
            if let cell = weights.cell(containing: p), let i = partByCell[cell.row * columns + cell.column] {
                members[i].append(p)
            }
        }
        let totalWeight = parts.reduce(0.0) { $0 + $1.weight }
        let persons = Double(population)
        var points: [LonLat] = [], counts: [Int] = []
        points.reserveCapacity(gridPoints.count + parts.count)
        counts.reserveCapacity(gridPoints.count + parts.count)
        var cumulativeWeight = 0.0, shareAtStart = 0.0, roundedBefore = 0
        for (i, part) in parts.enumerated() {
            cumulativeWeight += part.weight
            let shareAtEnd = i == parts.count - 1 ? persons : persons * (cumulativeWeight / totalWeight)
            let roundedAtEnd = Int(shareAtEnd.rounded())
            let partPoints: [LonLat]
            if !members[i].isEmpty {
                partPoints = members[i]
            } else if let p = part.representativePoint {
                partPoints = [p]
            } else {
                continue // cannot happen: a part without a point has weight 0 and was filtered out
            }
            let n = partPoints.count
            for (t, p) in partPoints.enumerated() {
                let share = t == n - 1 ? shareAtEnd : shareAtStart + (shareAtEnd - shareAtStart) * (Double(t + 1) / Double(n))
                let rounded = max(roundedBefore, min(roundedAtEnd, Int(share.rounded())))
                points.append(p)
                counts.append(rounded - roundedBefore)
                roundedBefore = rounded
            }
            shareAtStart = shareAtEnd
        }
        return (points, counts)
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
