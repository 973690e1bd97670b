import Foundation
import Testing
@testable import ReachGeo
import TestSupport

/// The coverage matrix at the seam between the geo module and the planner: residents placed
/// exactly at the radius and exactly at the time limit (and a hair either side), on drawn maps,
/// for every rule, checked on the planner's pairs (``CoverageSets``), their minutes, the
/// coverage report's outcomes (``CoverageClassifier`` via ``PreparedScenario/evaluate``) and the
/// per-site matrix (``SiteReachMatrix``).
///
/// Each test here exists to fail when an inclusive bound (≤) becomes strict (<) or when the
/// rule is ignored; Documentation/testing.md lists the planted faults and
/// `scripts/plant-faults.sh` checks that each one is caught.
///
/// Floating point: "exactly at the limit" is arranged so that the value the code compares is
/// bit-identical to the limit — the distance is a `geod_inverse` result that equals 5000.0
/// exactly (the azimuth is searched for and the equality required), the estimate profile divides
/// by exactly 1000 m/min, and the network limit is the network time itself (with the
/// minutes ↔ seconds round trip required) — and the neighbours at ± 1 mm / ± 1 ulp show the
/// bound is where it is said to be.
@Suite struct BoundaryCoverageTests {
    /// Hoàn Kiếm Lake, Hanoi.
    static let origin = LonLat(lonDegrees: 105.85, latDegrees: 21.03)

    /// A profile with round numbers: primary 36 km/h = 10 m/s, connector 10 km/h, detour 1 and
    /// estimate 60 km/h = exactly 1000 m per minute (so estimated minutes = metres ÷ 1000).
    static let profileJSON = """
        {"name": "boundary", "mode": "motorcycle", "speeds_kmh": {"primary": 36, "residential": 18},
         "maxspeed_caps": true, "oneway": true, "connector_kmh": 10, "max_snap_m": 1000,
         "min_component_nodes": 2, "congestion_factor": 1.0, "detour_factor": 1.0, "estimate_kmh": 60}
        """

    /// Writes residents (populations 1, 2, 4, 8, … so that every subset has its own total), one
    /// existing site, optional roads, and prepares the scenario.
    static func prepare(residents: [LonLat], sites: [LonLat], standard: ServiceStandard, roads: String? = nil) throws -> PreparedScenario {
        let dir = try makeTemporaryDirectory("reach-boundary")
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "id,lon,lat,population\n"
        // `\(Double)` prints the shortest text that reads back to the same Double.
        for (i, p) in residents.enumerated() { text += "r\(i),\(p.lonDegrees),\(p.latDegrees),\(1 << i)\n" }
        try text.write(to: dir.appendingPathComponent("residents.csv"), atomically: true, encoding: .utf8)
        var existing = "id,lon,lat\n"
        for (j, p) in sites.enumerated() { existing += "s\(j),\(p.lonDegrees),\(p.latDegrees)\n" }
        try existing.write(to: dir.appendingPathComponent("existing.csv"), atomically: true, encoding: .utf8)
        let profile = dir.appendingPathComponent("boundary.json")
        try profileJSON.write(to: profile, atomically: true, encoding: .utf8)
        var roadsURL: URL? = nil
        if let roads {
            roadsURL = dir.appendingPathComponent("roads.osm")
            try roads.write(to: roadsURL!, atomically: true, encoding: .utf8)
        }
        let scenario = Scenario(name: "boundary", residents: dir.appendingPathComponent("residents.csv"),
                                existing: dir.appendingPathComponent("existing.csv"), roads: roadsURL,
                                profile: profile.path, standard: standard)
        let prepared = try PreparedScenario.prepare(try ScenarioLoader.load(scenario))
        // The coordinates read back bit for bit (the boundary cases depend on it).
        try #require(prepared.residents.map(\.position) == residents)
        return prepared
    }

    /// The planner's pairs as (resident, site) lists, and their minutes.
    static func pairs(_ sets: CoverageSets) -> [[Int32]] {
        (0 ..< sets.offsets.count - 1).map { Array(sets.sites[sets.offsets[$0] ..< sets.offsets[$0 + 1]]) }
    }
    static func minutes(_ sets: CoverageSets) -> [[Double]] {
        (0 ..< sets.offsets.count - 1).map { Array(sets.minutes[sets.offsets[$0] ..< sets.offsets[$0 + 1]]) }
    }

    static func sets(_ prepared: PreparedScenario) throws -> CoverageSets {
        var timings = StageTimings()
        return try CoverageSets.compute(prepared: prepared, siteIndices: Array(prepared.sites.indices), timings: &timings)
    }

    static func evaluate(_ prepared: PreparedScenario) throws -> CoverageEvaluation {
        var timings = StageTimings()
        return try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
    }

    // MARK: - No roads: the radius and the estimated time at exactly 5000 m

    /// An azimuth from `origin` along which `geod_direct` 5000 m followed by `geod_inverse` gives
    /// back exactly 5000.0, found by search over tenths of a degree. Few do: pyproj
    /// (`Geod(ellps='WGS84')`, `fwd` then `inv`, the same GeographicLib code in PROJ) finds 7.8°
    /// and 352.2° from this origin; the others come back up to a few hundred ulps (≈ 4e-10 m) off,
    /// as the point's coordinates are rounded to doubles.
    static func exactAzimuth() throws -> Double {
        let az = (0 ..< 3600).map { Double($0) / 10 }.first { az in
            Geodesic.distanceMeters(origin, Geodesic.direct(from: origin, azimuthDegrees: az, distanceMeters: 5000)) == 5000
        }
        return try #require(az, "no azimuth gives exactly 5000.0 back")
    }

    /// Residents at 5000 m (exactly), 5000.001 m and 4999.999 m from the one site, placed with
    /// `geod_direct` (GeographicLib through PROJ). Estimated minutes = metres × 1 ÷ 1000, so the
    /// first is exactly 5.0 minutes.
    static func noRoadsResidents() throws -> [LonLat] {
        let az = try exactAzimuth()
        let pts = [5000.0, 5000.001, 4999.999].map { Geodesic.direct(from: origin, azimuthDegrees: az, distanceMeters: $0) }
        #expect(Geodesic.distanceMeters(origin, pts[0]) == 5000)
        #expect(Geodesic.distanceMeters(origin, pts[1]) > 5000)
        #expect(Geodesic.distanceMeters(origin, pts[2]) < 5000)
        return pts
    }

    /// Radius 5000 m and 5 minutes: radius and time coincide, so every rule covers the resident
    /// at exactly 5000 m / 5.0 min and the one 1 mm inside, never the one 1 mm outside.
    @Test(arguments: CoverageRule.allCases)
    func noRoadsExactlyAtRadiusAndTime(rule: CoverageRule) throws {
        let residents = try Self.noRoadsResidents()
        let prepared = try Self.prepare(residents: residents, sites: [Self.origin],
                                        standard: ServiceStandard(radiusMeters: 5000, maxMinutes: 5, rule: rule))
        let sets = try Self.sets(prepared)
        #expect(Self.pairs(sets) == [[0], [], [0]], "rule \(rule): pairs")
        // Minutes by hand: 5000 m ÷ 1000 m/min = 5.0 exactly; 4999.999 m → 4.999999 min.
        let m = Self.minutes(sets)
        #expect(m[0] == [5.0], "rule \(rule): minutes at 5000 m")
        #expect(abs(m[2][0] - 4.999999) < 1e-9, "rule \(rule): minutes at 4999.999 m")
        let e = try Self.evaluate(prepared)
        #expect(e.outcomes.map(\.withinRadius) == [true, false, true], "rule \(rule): within_radius")
        #expect(e.outcomes.map(\.withinTime) == [true, false, true], "rule \(rule): within_time")
        #expect(e.outcomes.map(\.covered) == [true, false, true], "rule \(rule): covered")
        #expect(e.outcomes[0].minutes == 5.0 && e.outcomes[0].distanceMeters == 5000)
        #expect(e.totals.coveredPopulation == 1 + 4)
    }

    /// Radius 4500 m and 5 minutes: the 5000 m residents are within the time only (the first
    /// exactly at it), so the rules now differ.
    @Test(arguments: CoverageRule.allCases)
    func noRoadsTimeOnly(rule: CoverageRule) throws {
        let residents = try Self.noRoadsResidents()
        let prepared = try Self.prepare(residents: residents, sites: [Self.origin],
                                        standard: ServiceStandard(radiusMeters: 4500, maxMinutes: 5, rule: rule))
        let expected: [CoverageRule: [Bool]] = [.either: [true, false, true], .both: [false, false, false],
                                                .radius: [false, false, false], .time: [true, false, true]]
        let covered = try #require(expected[rule])
        let sets = try Self.sets(prepared)
        #expect(Self.pairs(sets) == covered.map { $0 ? [0] : [] }, "rule \(rule): pairs")
        if covered[0] { #expect(Self.minutes(sets)[0] == [5.0], "rule \(rule): minutes") }
        let e = try Self.evaluate(prepared)
        #expect(e.outcomes.map(\.withinRadius) == [false, false, false])
        #expect(e.outcomes.map(\.withinTime) == [true, false, true], "rule \(rule): within_time")
        #expect(e.outcomes.map(\.covered) == covered, "rule \(rule): covered")
    }

    /// Radius 5000 m and 4.5 minutes: within the radius only (the first exactly at it).
    @Test(arguments: CoverageRule.allCases)
    func noRoadsRadiusOnly(rule: CoverageRule) throws {
        let residents = try Self.noRoadsResidents()
        let prepared = try Self.prepare(residents: residents, sites: [Self.origin],
                                        standard: ServiceStandard(radiusMeters: 5000, maxMinutes: 4.5, rule: rule))
        let expected: [CoverageRule: [Bool]] = [.either: [true, false, true], .both: [false, false, false],
                                                .radius: [true, false, true], .time: [false, false, false]]
        let covered = try #require(expected[rule])
        let sets = try Self.sets(prepared)
        #expect(Self.pairs(sets) == covered.map { $0 ? [0] : [] }, "rule \(rule): pairs")
        if covered[0] { #expect(Self.minutes(sets)[0] == [5.0], "rule \(rule): minutes") }
        let e = try Self.evaluate(prepared)
        #expect(e.outcomes.map(\.withinRadius) == [true, false, true])
        #expect(e.outcomes.map(\.withinTime) == [false, false, false])
        #expect(e.outcomes.map(\.covered) == covered, "rule \(rule): covered")
    }

    // MARK: - Roads: a resident at exactly the time limit

    /// A straight two-way primary road east from the site A, 100 m per column, split at B:
    ///
    ///     A----D----B----E----C
    ///
    /// At 36 km/h (10 m/s) D is 50 s from A, B 100 s, E 150 s and C 200 s (OSM's 7 decimals move
    /// the nodes by at most 1.1 cm, 0.001 s). N stands 700 m due north of A, off the road: it
    /// snaps to A and walks 700 m at 10 km/h = 252 s.
    static let line = AsciiMap(gridMeters: 100, origin: origin, "A----D----B----E----C")

    /// Residents D, E (on the second edge: the limit), N, C, and the travel time of E computed on
    /// the prepared network. The limit is that time, so E is exactly at it; `E` is nudged east by
    /// whole millimetres until seconds → minutes → seconds round-trips (the planner's limit is
    /// `max_minutes × 60`).
    static func lineScenario(radius: Double, rule: CoverageRule) throws -> (PreparedScenario, limitSeconds: Double) {
        let osm = line.osmXML(ways: [("ADB", ["highway": "primary"]), ("BEC", ["highway": "primary"])])
        let north = Geodesic.direct(from: line.point("A"), azimuthDegrees: 0, distanceMeters: 700)
        for nudge in 0 ..< 50 {
            let e = Geodesic.direct(from: line.point("E"), azimuthDegrees: 90, distanceMeters: Double(nudge) / 1000)
            let residents = [line.point("D"), e, north, line.point("C")]
            // A first preparation (any limit) gives the time of E.
            let probe = try prepare(residents: residents, sites: [line.point("A")],
                                    standard: ServiceStandard(radiusMeters: radius, maxMinutes: 30, rule: rule), roads: osm)
            let seconds = try #require(FastestIntakeSearch.run(graph: probe.network!.graph, sites: probe.siteSnaps,
                                                               siteConnectorSeconds: probe.siteConnectorSeconds,
                                                               residents: probe.residentSnaps,
                                                               residentConnectorSeconds: probe.residentConnectorSeconds)[1]).seconds
            let limitMinutes = seconds / 60
            guard limitMinutes * 60 == seconds else { continue }
            // By hand: 1500 m at 10 m/s plus the nudge, ± the 7-decimal rounding.
            #expect(abs(seconds - (150 + Double(nudge) / 10_000)) < 1e-3, "E is \(seconds) s from A")
            let prepared = try prepare(residents: residents, sites: [line.point("A")],
                                       standard: ServiceStandard(radiusMeters: radius, maxMinutes: limitMinutes, rule: rule),
                                       roads: osm)
            return (prepared, seconds)
        }
        throw NoExactLimit()
    }
    struct NoExactLimit: Error {}

    /// Radius 1000 m: D is within both (500 m, 50 s), E within the time only (1500 m, exactly the
    /// limit), N within the radius only (700 m, 252 s), C within neither (2000 m, 200 s).
    @Test(arguments: CoverageRule.allCases)
    func roadsExactlyAtTheTimeLimit(rule: CoverageRule) throws {
        let (prepared, limit) = try Self.lineScenario(radius: 1000, rule: rule)
        let expected: [CoverageRule: [Bool]] = [.either: [true, true, true, false], .both: [true, false, false, false],
                                                .radius: [true, false, true, false], .time: [true, true, false, false]]
        let covered = try #require(expected[rule])
        let sets = try Self.sets(prepared)
        #expect(Self.pairs(sets) == covered.map { $0 ? [0] : [] }, "rule \(rule): pairs")
        // Minutes of the pairs: the network time (stored in single precision) when within the
        // limit, else the estimate (metres ÷ 1000) but never below the limit.
        let m = Self.minutes(sets)
        if covered[0] {
            if rule == .radius { #expect(m[0] == [limit / 60], "rule radius: D minutes = the limit (no road search)") }
            else { #expect(abs(m[0][0] - 50.0 / 60) < 1e-4, "rule \(rule): D minutes \(m[0])") }
        }
        if covered[1] { #expect(m[1] == [Double(Float(limit)) / 60], "rule \(rule): E minutes") }
        if covered[2] { #expect(m[2] == [limit / 60], "rule \(rule): N minutes = the limit (700 m ÷ 1000 = 0.7 < limit)") }
        let e = try Self.evaluate(prepared)
        #expect(e.outcomes.map(\.withinRadius) == [true, false, true, false], "rule \(rule): within_radius")
        #expect(e.outcomes.map(\.withinTime) == [true, true, false, false], "rule \(rule): within_time")
        #expect(e.outcomes.map(\.covered) == covered, "rule \(rule): covered")
        #expect(e.outcomes[1].minutes == limit / 60)
        #expect(abs(e.outcomes[2].minutes - 252.0 / 60) < 1e-3, "N walks 700 m at 10 km/h")
    }

    /// The per-site matrix (the planner's times): E is listed at a limit of exactly its time, not one ulp below.
    @Test func siteReachMatrixIsInclusive() throws {
        let (prepared, limit) = try Self.lineScenario(radius: 1000, rule: .time)
        let network = try #require(prepared.network)
        func matrix(_ limitSeconds: Double) -> [Int32] {
            SiteReachMatrix.compute(graph: network.graph, sites: prepared.siteSnaps,
                                    siteConnectorSeconds: prepared.siteConnectorSeconds,
                                    residents: prepared.residentSnaps,
                                    residentConnectorSeconds: prepared.residentConnectorSeconds,
                                    limitSeconds: limitSeconds)[0].map(\.resident)
        }
        #expect(matrix(limit) == [0, 1])
        #expect(matrix(limit.nextDown) == [0])
        #expect(matrix(252.0 * 1.01) == [0, 1, 2, 3])
    }

    /// The fastest-intake search (the coverage report's times) keeps E at a limit of exactly its
    /// time, not one ulp below.
    @Test func fastestIntakeIsInclusive() throws {
        let (prepared, limit) = try Self.lineScenario(radius: 1000, rule: .time)
        let network = try #require(prepared.network)
        func reached(_ limitSeconds: Double) -> [Bool] {
            FastestIntakeSearch.run(graph: network.graph, sites: prepared.siteSnaps,
                                    siteConnectorSeconds: prepared.siteConnectorSeconds,
                                    residents: prepared.residentSnaps,
                                    residentConnectorSeconds: prepared.residentConnectorSeconds,
                                    limitSeconds: limitSeconds).map { $0 != nil }
        }
        #expect(reached(limit) == [true, true, false, false])
        #expect(reached(limit.nextDown) == [true, false, false, false])
    }
}
