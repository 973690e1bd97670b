/// Side constraints per zone (commune, district): a coverage floor and a minimum number of open
/// sites (`reach plan --zone-floor F --min-sites-per-zone K`).
///
/// - **Floor** F ∈ [0, 1]: every zone with coverable population C_z (covered when every site is
///   open) should have at least F × C_z covered — or, when no choice of N sites gets it there,
///   its best possible coverage with N sites (the zone's *reachable floor*). The plan first
///   minimises the total shortfall below the reachable floors, then maximises coverage.
/// - **Minimum sites** K: every zone with at least one site that can be open gets at least
///   min(K, sites of the zone that can be open) open sites (AccessMod's rule); open existing
///   sites in mode `.add` count.
public struct ZoneRules: Sendable, Hashable {
    /// Zone names; zone index z stands for `zoneNames[z]`.
    public var zoneNames: [String]
    /// The zone of each original demand (index into ``zoneNames``), −1 for none.
    public var demandZone: [Int32]
    /// The zone of each site, −1 for none (only ``minSitesPerZone`` uses it).
    public var siteZone: [Int32]
    /// The floor F in [0, 1], or nil.
    public var floor: Double?
    /// The minimum number of open sites per zone, or nil.
    public var minSitesPerZone: Int?

    public init(zoneNames: [String], demandZone: [Int32], siteZone: [Int32], floor: Double? = nil, minSitesPerZone: Int? = nil) {
        self.zoneNames = zoneNames
        self.demandZone = demandZone
        self.siteZone = siteZone
        self.floor = floor
        self.minSitesPerZone = minSitesPerZone
    }

    /// Builds the zone indices from per-demand and per-site zone names (nil: no zone); zones are
    /// numbered in order of first appearance (demands first, then sites).
    public init(demandZoneNames: [String?], siteZoneNames: [String?], floor: Double? = nil, minSitesPerZone: Int? = nil) {
        var names: [String] = []
        var index: [String: Int32] = [:]
        func id(_ name: String?) -> Int32 {
            guard let name, !name.isEmpty else { return -1 }
            if let z = index[name] { return z }
            let z = Int32(names.count)
            names.append(name)
            index[name] = z
            return z
        }
        let demands = demandZoneNames.map(id)
        let sites = siteZoneNames.map(id)
        self.init(zoneNames: names, demandZone: demands, siteZone: sites, floor: floor, minSitesPerZone: minSitesPerZone)
    }

    /// True when the rules constrain anything.
    public var isActive: Bool { (floor ?? 0) > 0 || (minSitesPerZone ?? 0) > 0 }
}

/// What a plan with zone rules reports (`plan.json` `zone_floor`).
public struct ZoneFloorReport: Sendable, Hashable, Codable {
    /// One zone's figures.
    public struct Zone: Sendable, Hashable, Codable {
        public var name: String
        /// Population of the zone covered when every site is open.
        public var coverablePopulation: Double
        /// Covered by the plan.
        public var coveredPopulation: Double
        /// The population the plan must reach: min(F × coverable, best possible with N sites).
        public var targetPopulation: Double
        /// The most any choice of N sites covers in this zone alone, as a share of its coverable
        /// population (1 when N sites can cover all of it); nil when not computed (the floor is
        /// reachable by the zone's greedy).
        public var bestPossibleShare: Double?
        /// True when no choice of N sites gets the zone to F × coverable (proven).
        public var cannotReachFloor: Bool
        /// Open sites in the zone (for ``ZoneRules/minSitesPerZone``).
        public var openSites: Int
        /// The minimum number of open sites the rules ask of this zone.
        public var requiredOpenSites: Int
        /// `coveredPopulation / coverablePopulation` (0 when nothing is coverable).
        public var coveredShareOfCoverable: Double { coverablePopulation > 0 ? coveredPopulation / coverablePopulation : 0 }
    }

    public var floor: Double?
    public var minSitesPerZone: Int?
    /// Every zone with coverable population or with a site, in zone order.
    public var zones: [Zone]
    /// Σ max(0, target − covered) over the zones (0 when every reachable floor is met).
    public var shortfallPopulation: Double
    /// The best plan found without the zone rules (covered population) and its proven bound.
    public var unconstrainedCoveredPopulation: Double
    public var unconstrainedUpperBoundPopulation: Double
    /// `max(unconstrained, covered) − covered` (≥ 0): the coverage given up for the rules.
    public var priceOfFairnessPopulation: Double
    /// True when the exact model proved that no plan meets every zone's target (the plan then
    /// has the smallest shortfall the heuristics found).
    public var targetsProvenJointlyInfeasible: Bool

    /// The zones that cannot reach the floor with any choice of N sites.
    public var infeasibleZones: [Zone] { zones.filter(\.cannotReachFloor) }
}
