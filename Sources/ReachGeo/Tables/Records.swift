/// A resident: a point with a population count (a census block, a grid cell, a building).
public struct Resident: Sendable, Hashable {
    public var id: String
    public var position: LonLat
    /// People at this point (non-negative, finite).
    public var population: Double
    /// The zone it belongs to (from the input, or assigned from `zones` polygons), if any.
    public var zone: String?
    /// The 1-based line (CSV), feature start line (GeoJSON) or grid row it came from; 0 if generated.
    public var sourceLine: Int
    /// The resident's own filing rate (the optional `filings_per_person_year` column); nil: the
    /// scenario's.
    public var filingsPerPersonYear: Double? = nil

    public init(id: String, position: LonLat, population: Double, zone: String? = nil, sourceLine: Int = 0) {
        self.id = id
        self.position = position
        self.population = population
        self.zone = zone
        self.sourceLine = sourceLine
    }
}

/// What a site is in a plan: open today, a possible new branch, or one that must stay open.
public enum SiteRole: String, Sendable, Hashable, Codable, CaseIterable {
    case existing, candidate, required
}

/// An intake point (existing) or a site where a branch could open (candidate).
public struct Site: Sendable, Hashable {
    public var id: String
    public var position: LonLat
    public var name: String?
    public var zone: String?
    public var capacity: Double?
    public var role: SiteRole
    public var sourceLine: Int
    /// How the site's position was obtained (the optional `location_quality` column, e.g.
    /// `townhall`, `street`, `unit_label_point`); nil when the table does not say.
    public var locationQuality: String?
    /// Counters staffed (the optional `staff` column); nil when the table does not say.
    public var staff: Int? = nil
    /// The site's own `opening_hours_per_week` and `service_minutes` (nil: the scenario's).
    public var openingHoursPerWeek: Double? = nil
    public var serviceMinutes: Double? = nil

    public init(id: String, position: LonLat, name: String? = nil, zone: String? = nil, capacity: Double? = nil,
                role: SiteRole, sourceLine: Int = 0, locationQuality: String? = nil) {
        self.locationQuality = locationQuality
        self.id = id
        self.position = position
        self.name = name
        self.zone = zone
        self.capacity = capacity
        self.role = role
        self.sourceLine = sourceLine
    }
}
