import ReachGeo
import TestSupport

/// A drawn map built into a graph, with a snapper and the test profile's connector speed, for
/// the routing tests.
struct RoutingFixture {
    let map: AsciiMap
    let graph: RoadGraph
    let snapper: EdgeSnapper
    let profile: TravelProfile

    init(_ map: AsciiMap, ways: [(nodes: String, tags: [String: String])], profile: TravelProfile = .testMotorcycle()) throws {
        self.map = map
        self.profile = profile
        graph = try map.build(ways: ways, profile: profile).graph
        snapper = try EdgeSnapper(graph: graph)
    }

    /// The point `eastMeters` east then `northMeters` north of drawn node `name` (geodesic steps).
    func point(_ name: Character, eastMeters: Double = 0, northMeters: Double = 0) -> LonLat {
        var p = map.point(name)
        if eastMeters != 0 {
            p = Geodesic.direct(from: p, azimuthDegrees: eastMeters > 0 ? 90 : 270, distanceMeters: abs(eastMeters))
        }
        if northMeters != 0 {
            p = Geodesic.direct(from: p, azimuthDegrees: northMeters > 0 ? 0 : 180, distanceMeters: abs(northMeters))
        }
        return p
    }

    func snap(_ p: LonLat) throws -> SnappedPoint? {
        try snapper.snap(p, maxDistanceMeters: profile.maxSnapMeters)
    }

    /// Connector seconds for a snapped point (geodesic distance at `connector_kmh`).
    func connectorSeconds(_ s: SnappedPoint?) -> Double {
        guard let s else { return 0 }
        return s.distanceMeters / (profile.connectorKmh / 3.6)
    }

    /// The fastest intake of each resident among `sites` (all points given as positions).
    func fastest(residents: [LonLat], sites: [LonLat]) throws -> [FastestIntake?] {
        let snappedSites = try sites.map { try snap($0) }
        let snappedResidents = try residents.map { try snap($0) }
        return FastestIntakeSearch.run(graph: graph, sites: snappedSites,
                                       siteConnectorSeconds: snappedSites.map(connectorSeconds),
                                       residents: snappedResidents,
                                       residentConnectorSeconds: snappedResidents.map(connectorSeconds))
    }

    /// Seconds from one resident position to one site position (nil when unreachable).
    func seconds(from resident: LonLat, to site: LonLat) throws -> Double? {
        try fastest(residents: [resident], sites: [site])[0]?.seconds
    }

    /// The index of the edge cut from way `wayId` (the first one when the way has several).
    func edge(ofWay wayId: Int64) -> Int32 {
        Int32(graph.edges.firstIndex { $0.wayId == wayId }!)
    }
}
