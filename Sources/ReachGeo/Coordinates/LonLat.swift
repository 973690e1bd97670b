/// A position on the WGS 84 ellipsoid in decimal degrees, **longitude first**.
///
/// `LonLat` is the only type that carries geographic degrees; projected metres live in
/// ``PlanarPoint``. Keeping the two apart means the compiler refuses to mix them.
public struct LonLat: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Longitude in degrees east of Greenwich, −180…180.
    public var lonDegrees: Double
    /// Latitude in degrees north of the equator, −90…90.
    public var latDegrees: Double

    @inlinable
    public init(lonDegrees: Double, latDegrees: Double) {
        self.lonDegrees = lonDegrees
        self.latDegrees = latDegrees
    }

    /// True when both values are finite and inside the WGS 84 ranges.
    @inlinable
    public var isValid: Bool {
        lonDegrees.isFinite && latDegrees.isFinite
            && lonDegrees >= -180 && lonDegrees <= 180
            && latDegrees >= -90 && latDegrees <= 90
    }

    public var description: String { "(\(lonDegrees), \(latDegrees))" }

    // Codable as a GeoJSON position `[lon, lat]`.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        lonDegrees = try c.decode(Double.self)
        latDegrees = try c.decode(Double.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(lonDegrees)
        try c.encode(latDegrees)
    }
}

/// A point in a projected, metric CRS: x (easting) and y (northing) in metres.
public struct PlanarPoint: Hashable, Sendable, CustomStringConvertible {
    public var xMeters: Double
    public var yMeters: Double

    @inlinable
    public init(xMeters: Double, yMeters: Double) {
        self.xMeters = xMeters
        self.yMeters = yMeters
    }

    /// Euclidean distance in the plane, in the CRS's metres.
    @inlinable
    public func planarDistanceMeters(to other: PlanarPoint) -> Double {
        let dx = xMeters - other.xMeters, dy = yMeters - other.yMeters
        return (dx * dx + dy * dy).squareRoot()
    }

    public var description: String { "(\(xMeters) m, \(yMeters) m)" }
}

/// A longitude/latitude box (no antimeridian crossing), degrees.
public struct GeoBoundingBox: Hashable, Sendable, Codable {
    public var minLonDegrees: Double
    public var minLatDegrees: Double
    public var maxLonDegrees: Double
    public var maxLatDegrees: Double

    public init(minLonDegrees: Double, minLatDegrees: Double, maxLonDegrees: Double, maxLatDegrees: Double) {
        self.minLonDegrees = minLonDegrees
        self.minLatDegrees = minLatDegrees
        self.maxLonDegrees = maxLonDegrees
        self.maxLatDegrees = maxLatDegrees
    }

    /// The smallest box holding every point; nil for an empty sequence.
    public init?<S: Sequence>(covering points: S) where S.Element == LonLat {
        var it = points.makeIterator()
        guard let first = it.next() else { return nil }
        var b = GeoBoundingBox(minLonDegrees: first.lonDegrees, minLatDegrees: first.latDegrees,
                               maxLonDegrees: first.lonDegrees, maxLatDegrees: first.latDegrees)
        while let p = it.next() { b.extend(p) }
        self = b
    }

    public mutating func extend(_ p: LonLat) {
        minLonDegrees = Swift.min(minLonDegrees, p.lonDegrees)
        maxLonDegrees = Swift.max(maxLonDegrees, p.lonDegrees)
        minLatDegrees = Swift.min(minLatDegrees, p.latDegrees)
        maxLatDegrees = Swift.max(maxLatDegrees, p.latDegrees)
    }

    public mutating func extend(_ other: GeoBoundingBox) {
        minLonDegrees = Swift.min(minLonDegrees, other.minLonDegrees)
        maxLonDegrees = Swift.max(maxLonDegrees, other.maxLonDegrees)
        minLatDegrees = Swift.min(minLatDegrees, other.minLatDegrees)
        maxLatDegrees = Swift.max(maxLatDegrees, other.maxLatDegrees)
    }

    public var center: LonLat {
        LonLat(lonDegrees: (minLonDegrees + maxLonDegrees) / 2, latDegrees: (minLatDegrees + maxLatDegrees) / 2)
    }

    public func contains(_ p: LonLat) -> Bool {
        p.lonDegrees >= minLonDegrees && p.lonDegrees <= maxLonDegrees
            && p.latDegrees >= minLatDegrees && p.latDegrees <= maxLatDegrees
    }
}
