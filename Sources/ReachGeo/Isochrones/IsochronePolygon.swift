/// One polygon of an isochrone: an outer ring and its holes, in WGS 84 longitude/latitude.
///
/// Rings are closed (the last position repeats the first) and follow RFC 7946: the outer ring
/// runs counter-clockwise and every hole clockwise (in the lon/lat plane). ``PolygonValidity``
/// checks these rules.
public struct IsochronePolygon: Sendable, Hashable {
    /// The exterior ring, counter-clockwise, closed.
    public var outer: [LonLat]
    /// Interior rings (unreached areas inside `outer`), each clockwise and closed.
    public var holes: [[LonLat]]

    public init(outer: [LonLat], holes: [[LonLat]] = []) {
        self.outer = outer
        self.holes = holes
    }
}

/// The area from which one intake point is reached within one time budget: a MultiPolygon
/// (separate reachable pockets stay separate polygons).
public struct IsochroneBand: Sendable, Hashable {
    /// The intake point's index in the caller's list of sites (the CLI's `id` comes from it).
    public var siteIndex: Int
    /// The time budget of the band, in minutes (resident → intake point, connector legs included).
    public var minutes: Double
    /// Disjoint polygons, largest area first.
    public var polygons: [IsochronePolygon]

    public init(siteIndex: Int, minutes: Double, polygons: [IsochronePolygon]) {
        self.siteIndex = siteIndex
        self.minutes = minutes
        self.polygons = polygons
    }
}

/// A polygon in a projected metric plane (x east, y north), before unprojection.
/// Rings are closed; the outer ring is counter-clockwise, holes clockwise.
public struct PlanarPolygon: Sendable, Hashable {
    public var outer: [PlanarPoint]
    public var holes: [[PlanarPoint]]

    public init(outer: [PlanarPoint], holes: [[PlanarPoint]] = []) {
        self.outer = outer
        self.holes = holes
    }
}

/// Why an isochrone could not be built. Bad arguments are the caller's error; an invalid
/// polygon after construction is an internal failure (it should never happen) and carries the
/// checker's findings.
public enum IsochroneError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A band is not a positive finite number of minutes, or no band was given.
    case invalidBands([Double])
    /// A parameter (named) is not positive and finite.
    case invalidParameter(name: String, value: Double)
    /// The polygons failed ``PolygonValidity`` (site index, minutes, first findings).
    case invalidPolygon(siteIndex: Int, minutes: Double, findings: [String])

    public var description: String {
        switch self {
        case .invalidBands(let b):
            return "isochrone bands must be positive finite minutes, got \(b)"
        case .invalidParameter(let name, let value):
            return "isochrone parameter \(name) must be positive and finite, got \(value)"
        case .invalidPolygon(let site, let minutes, let findings):
            return "internal error: isochrone of site #\(site) at \(minutes) min is not valid: "
                + findings.prefix(3).joined(separator: "; ")
        }
    }
}
