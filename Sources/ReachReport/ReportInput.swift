import ReachGeo

/// Everything an HTML map report shows, as plain data.
///
/// `ReportInput` deliberately knows nothing of the coverage or planner result types: the CLI
/// maps a coverage run, a plan or the demo onto it, and the renderer (``HTMLReport``) only
/// reads it. Every collection may be empty; the report then leaves that part out (or says it
/// has nothing to show). Positions are WGS 84 degrees, longitude first; populations are
/// people (fractional values are allowed, as disaggregated populations often are).
public struct ReportInput: Sendable {
    /// The page title, e.g. "Hanoi — coverage of the 126 commune service centres".
    public var title: String
    /// One line under the title (scenario name, command), may be empty.
    public var subtitle: String
    /// The headline numbers shown as cards. When empty, the report derives population,
    /// covered, uncovered and covered share from ``residents`` (see ``derivedKeyFigures()``).
    public var keyFigures: [ReportFigure]
    /// The service standard, travel profile, time method and data sources.
    public var assumptions: ReportAssumptions
    /// The residents, each with its coverage status. Above
    /// ``HTMLReport/residentPointLimit`` residents the map aggregates them to a grid.
    public var residents: [ReportResident]
    /// Intake points open today or otherwise relevant (existing, required, closed, candidate).
    public var intakePoints: [ReportSite]
    /// Proposed branches; drawn as markers numbered by ``ReportBranch/order``.
    public var proposedBranches: [ReportBranch]
    /// Zones (administrative units) with their outlines and populations.
    public var zones: [ReportZone]
    /// Travel-time bands around sites, when computed.
    public var isochrones: [ReportIsochrone]
    /// Covered share against the number of branches (the roll-out curve of a plan).
    public var coverageCurve: [ReportCurvePoint]
    /// Warnings of the run, shown near the top of the page.
    public var warnings: [String]
    /// The plan's proof in plain words ("no choice of 30 sites covers more than …") and what to
    /// do when the gap is large; one sentence each, shown above the roll-out. May be empty.
    public var proof: [String] = []
    /// The phases of a phased roll-out (a small table); empty for a plain plan.
    public var phases: [ReportPhase] = []
    /// Sentences on the zone rules (floor, price of fairness, zones that cannot reach it).
    public var zoneRules: [String] = []
    /// Open sites with their loads and queues (sites.csv of the same run): drawn as symbols sized
    /// by filings a year and coloured by expected wait, and listed busiest first. Empty: no
    /// loads are shown.
    public var siteLoads: [ReportSiteLoad] = []
    /// One sentence on where the loads come from (e.g. "184 staff placed by marginal gain at the
    /// 30 sites of (b)"); shown under the busiest-sites heading and in the legend. May be empty.
    public var siteLoadsCaption: String = ""
    /// The wait target in minutes: the wait colour classes are drawn around it (⅓ T, T, 2 T)
    /// and waits above it are marked in the table. Nil: ``ReportSiteLoad/defaultWaitTargetMinutes``.
    public var waitTargetMinutes: Double?
    /// An optional footer line (tool version, command line, a date passed in by the caller).
    /// The renderer never adds a date of its own, so equal inputs give equal bytes.
    public var footer: String?

    public init(title: String,
                subtitle: String = "",
                keyFigures: [ReportFigure] = [],
                assumptions: ReportAssumptions = ReportAssumptions(),
                residents: [ReportResident] = [],
                intakePoints: [ReportSite] = [],
                proposedBranches: [ReportBranch] = [],
                zones: [ReportZone] = [],
                isochrones: [ReportIsochrone] = [],
                coverageCurve: [ReportCurvePoint] = [],
                warnings: [String] = [],
                footer: String? = nil) {
        self.title = title
        self.subtitle = subtitle
        self.keyFigures = keyFigures
        self.assumptions = assumptions
        self.residents = residents
        self.intakePoints = intakePoints
        self.proposedBranches = proposedBranches
        self.zones = zones
        self.isochrones = isochrones
        self.coverageCurve = coverageCurve
        self.warnings = warnings
        self.footer = footer
    }

    /// Population, covered, uncovered and covered share computed from ``residents``, formatted
    /// for people. Used when ``keyFigures`` is empty.
    public func derivedKeyFigures() -> [ReportFigure] {
        var population = 0.0, covered = 0.0
        for r in residents {
            population += r.population
            if r.covered { covered += r.population }
        }
        var figures: [ReportFigure] = [
            ReportFigure(label: "Residents' population", value: ReportFormat.grouped(population),
                         note: "\(ReportFormat.grouped(Double(residents.count))) resident points"),
            ReportFigure(label: "Covered", value: ReportFormat.grouped(covered)),
            ReportFigure(label: "Not covered", value: ReportFormat.grouped(population - covered)),
            ReportFigure(label: "Covered share",
                         value: population > 0 ? ReportFormat.percent(covered / population) : "—"),
        ]
        if !proposedBranches.isEmpty {
            figures.append(ReportFigure(label: "Proposed branches",
                                        value: ReportFormat.grouped(Double(proposedBranches.count))))
        }
        return figures
    }
}

/// One phase of a phased roll-out: what it covers, its proven bound and the price of nesting.
public struct ReportPhase: Sendable, Hashable {
    /// Cumulative number of branches after the phase.
    public var branches: Int
    public var coveredPopulation: Double
    /// No choice of `branches` sites covers more.
    public var upperBoundPopulation: Double
    /// (bound − covered) / bound.
    public var gap: Double
    /// Best unnested plan of that size found minus this phase's coverage (≥ 0).
    public var priceOfNestingPopulation: Double

    public init(branches: Int, coveredPopulation: Double, upperBoundPopulation: Double, gap: Double, priceOfNestingPopulation: Double) {
        self.branches = branches
        self.coveredPopulation = coveredPopulation
        self.upperBoundPopulation = upperBoundPopulation
        self.gap = gap
        self.priceOfNestingPopulation = priceOfNestingPopulation
    }
}

/// One headline number: a label, the value already formatted (use ``ReportFormat``), and an
/// optional note in small print.
public struct ReportFigure: Sendable, Hashable {
    public var label: String
    public var value: String
    public var note: String?

    public init(label: String, value: String, note: String? = nil) {
        self.label = label
        self.value = value
        self.note = note
    }
}

/// How travel times were obtained.
public enum ReportTimeMethod: String, Sendable, Hashable {
    /// Shortest paths on an OpenStreetMap road network.
    case network
    /// The documented estimate: geodesic distance × detour factor ÷ estimate speed.
    case estimated
}

/// The assumptions behind the numbers: service standard, profile, time method, sources.
public struct ReportAssumptions: Sendable, Hashable {
    /// The radius of the standard in metres (INTERFACE default 5000), nil when not used.
    public var radiusMeters: Double?
    /// The travel-time limit of the standard in minutes (default 30), nil when not used.
    public var maxMinutes: Double?
    /// How radius and time combine: `either`, `both`, `radius` or `time`.
    public var rule: String
    /// The travel profile's name (`motorcycle`, `walk`, …).
    public var profileName: String?
    /// Network times or the estimate.
    public var timeMethod: ReportTimeMethod
    /// A sentence on the time method (roads file used, or how the estimate is made).
    public var timeMethodNote: String?
    /// Where the data come from, with licences and attribution lines.
    public var dataSources: [ReportDataSource]
    /// Further assumptions, one sentence each.
    public var notes: [String]

    public init(radiusMeters: Double? = 5000, maxMinutes: Double? = 30, rule: String = "either",
                profileName: String? = nil, timeMethod: ReportTimeMethod = .network,
                timeMethodNote: String? = nil, dataSources: [ReportDataSource] = [],
                notes: [String] = []) {
        self.radiusMeters = radiusMeters
        self.maxMinutes = maxMinutes
        self.rule = rule
        self.profileName = profileName
        self.timeMethod = timeMethod
        self.timeMethodNote = timeMethodNote
        self.dataSources = dataSources
        self.notes = notes
    }

    /// The standard in words, e.g. "within 5 km or within 30 min (rule: either)".
    public var standardDescription: String {
        let radius = radiusMeters.map { "within \(ReportFormat.distance(meters: $0))" }
        let time = maxMinutes.map { "within \(ReportFormat.minutes($0)) of travel" }
        let text: String
        switch (rule, radius, time) {
        case ("either", let r?, let t?): text = "\(r) or \(t)"
        case ("both", let r?, let t?): text = "\(r) and \(t)"
        case ("radius", let r?, _): text = r
        case ("time", _, let t?): text = t
        case (_, let r?, let t?): text = "\(r) / \(t)"
        case (_, let r?, nil): text = r
        case (_, nil, let t?): text = t
        default: text = "not stated"
        }
        return "\(text) (rule: \(rule))"
    }
}

/// One data source: what it is, its licence and the attribution line it requires — the same
/// value a scenario's `sources` field holds.
public typealias ReportDataSource = ScenarioSource

/// One resident (a census block, a population-grid cell, a building) and its coverage status.
public struct ReportResident: Sendable, Hashable {
    public var position: LonLat
    /// People represented by this point (≥ 0).
    public var population: Double
    public var covered: Bool
    /// Why not covered (INTERFACE `reason`): `no_road_within_snap`, `unreachable`,
    /// `beyond_radius_and_time`, `beyond_radius` or `beyond_time`; nil or empty when covered.
    /// Other values are shown as they are, in a neutral colour.
    public var reason: String?

    public init(position: LonLat, population: Double, covered: Bool, reason: String? = nil) {
        self.position = position
        self.population = population
        self.covered = covered
        self.reason = reason
    }
}

/// The part an intake point plays on the map.
public enum ReportSiteRole: String, Sendable, Hashable, CaseIterable {
    /// Open today.
    case existing
    /// Must be open in every proposal (e.g. the city centre's headquarters).
    case required
    /// Open today but not kept by a consolidation proposal.
    case closed
    /// A candidate site that the proposal did not choose.
    case candidate
}

/// An intake point or candidate site.
public struct ReportSite: Sendable, Hashable {
    public var id: String
    public var name: String
    public var position: LonLat
    public var role: ReportSiteRole

    public init(id: String, name: String = "", position: LonLat, role: ReportSiteRole = .existing) {
        self.id = id
        self.name = name
        self.position = position
        self.role = role
    }
}

/// A proposed branch, in roll-out order.
public struct ReportBranch: Sendable, Hashable {
    public var id: String
    public var name: String
    public var position: LonLat
    /// Roll-out order 1…N: the first k branches are the proposal for k branches.
    public var order: Int
    /// Population newly covered by this branch, given the branches before it.
    public var marginalPopulation: Double
    /// Population covered once this branch and all before it are open.
    public var cumulativeCoveredPopulation: Double

    public init(id: String, name: String = "", position: LonLat, order: Int,
                marginalPopulation: Double, cumulativeCoveredPopulation: Double) {
        self.id = id
        self.name = name
        self.position = position
        self.order = order
        self.marginalPopulation = marginalPopulation
        self.cumulativeCoveredPopulation = cumulativeCoveredPopulation
    }
}

/// A zone (administrative unit): outline and populations.
public struct ReportZone: Sendable, Hashable {
    public var name: String
    /// Polygons, each a list of rings (outer ring first, then holes), each ring a list of
    /// positions (closed or not). Empty when the zone has no geometry (table only).
    public var polygons: [[[LonLat]]]
    public var population: Double
    public var coveredPopulation: Double

    public init(name: String, polygons: [[[LonLat]]] = [], population: Double, coveredPopulation: Double) {
        self.name = name
        self.polygons = polygons
        self.population = population
        self.coveredPopulation = coveredPopulation
    }

    /// coveredPopulation ÷ population; nil when the zone has no population.
    public var coveredShare: Double? {
        population > 0 ? min(1, max(0, coveredPopulation / population)) : nil
    }
}

/// A travel-time band: the area reached from a site within `minutes`.
public struct ReportIsochrone: Sendable, Hashable {
    public var siteId: String
    public var minutes: Double
    /// Polygons as in ``ReportZone/polygons``.
    public var polygons: [[[LonLat]]]

    public init(siteId: String, minutes: Double, polygons: [[[LonLat]]]) {
        self.siteId = siteId
        self.minutes = minutes
        self.polygons = polygons
    }
}

/// One point of the coverage curve: the covered share with `branches` branches open.
public struct ReportCurvePoint: Sendable, Hashable {
    public var branches: Int
    /// Covered share of the population, 0…1.
    public var coveredShare: Double

    public init(branches: Int, coveredShare: Double) {
        self.branches = branches
        self.coveredShare = coveredShare
    }

    /// The roll-out curve of a plan: the share before any branch (`baseCoveredPopulation`, e.g.
    /// the existing network's coverage in `add` mode, 0 in `consolidate` mode), then one point
    /// per branch in roll-out order from its ``ReportBranch/cumulativeCoveredPopulation``.
    /// Empty when `totalPopulation` is not positive.
    public static func rollOutCurve(branches: [ReportBranch], baseCoveredPopulation: Double,
                                    totalPopulation: Double) -> [ReportCurvePoint] {
        guard totalPopulation > 0 else { return [] }
        var curve = [ReportCurvePoint(branches: 0, coveredShare: baseCoveredPopulation / totalPopulation)]
        for b in branches.sorted(by: { ($0.order, $0.id) < ($1.order, $1.id) }) {
            curve.append(ReportCurvePoint(branches: b.order, coveredShare: b.cumulativeCoveredPopulation / totalPopulation))
        }
        return curve
    }
}
