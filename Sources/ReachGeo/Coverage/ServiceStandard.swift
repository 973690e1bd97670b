/// How the radius and time tests combine into "covered".
public enum CoverageRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Covered when within the radius OR within the time (the Hanoi promise).
    case either
    /// Covered when within the radius AND within the time.
    case both
    /// Covered when within the radius; time is reported but does not decide.
    case radius
    /// Covered when within the time; distance is reported but does not decide.
    case time
}

/// The service standard: a geodesic radius and a travel-time limit, both inclusive (≤).
public struct ServiceStandard: Sendable, Hashable {
    public var radiusMeters: Double
    public var maxMinutes: Double
    public var rule: CoverageRule

    public init(radiusMeters: Double = 5000, maxMinutes: Double = 30, rule: CoverageRule = .either) {
        self.radiusMeters = radiusMeters
        self.maxMinutes = maxMinutes
        self.rule = rule
    }

    /// Applies the rule.
    @inlinable
    public func isCovered(withinRadius: Bool, withinTime: Bool) -> Bool {
        switch rule {
        case .either: return withinRadius || withinTime
        case .both: return withinRadius && withinTime
        case .radius: return withinRadius
        case .time: return withinTime
        }
    }
}

/// How travel times were obtained.
public enum TimeMethod: String, Sendable, Hashable, Codable {
    /// Fastest paths over the road graph.
    case network
    /// Geodesic distance × detour factor ÷ estimate speed (no roads in the scenario).
    case estimated
}

/// Why a resident is not covered (the first that applies, in this order).
public enum UncoveredReason: String, Sendable, Hashable, Codable, CaseIterable {
    case noRoadWithinSnap = "no_road_within_snap"
    case unreachable
    case beyondRadiusAndTime = "beyond_radius_and_time"
    case beyondRadius = "beyond_radius"
    case beyondTime = "beyond_time"
    /// Within the standard but not served within the open sites' capacity (`reach plan
    /// --capacitated` only; such residents stay `covered`).
    case overCapacity = "over_capacity"
}
