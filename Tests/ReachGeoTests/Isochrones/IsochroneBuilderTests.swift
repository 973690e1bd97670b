import Foundation
import Testing
import ReachGeo
import TestSupport

/// Even-odd point-in-ring in the lon/lat plane.
func ringContains(_ ring: [LonLat], _ p: LonLat) -> Bool {
    var inside = false
    var j = ring.count - 1
    for i in 0..<ring.count {
        let a = ring[i], b = ring[j]
        if (a.latDegrees > p.latDegrees) != (b.latDegrees > p.latDegrees) {
            let x = a.lonDegrees + (p.latDegrees - a.latDegrees) * (b.lonDegrees - a.lonDegrees) / (b.latDegrees - a.latDegrees)
            if p.lonDegrees < x { inside.toggle() }
        }
        j = i
    }
    return inside
}

/// True when `p` lies in one of the polygons (inside its outer ring, outside its holes).
func multiPolygonContains(_ polygons: [IsochronePolygon], _ p: LonLat) -> Bool {
    polygons.contains { ringContains($0.outer, p) && !$0.holes.contains { ringContains($0, p) } }
}

/// Area in km² of a lon/lat ring, by the shoelace formula on a local equirectangular scale
/// (111.32 km per degree × cos(latitude) east, 110.574 km per degree north; good to < 1 % for a city).
func ringAreaKm2(_ ring: [LonLat]) -> Double {
    guard let lat0 = ring.first?.latDegrees else { return 0 }
    let kx = 111.32 * cos(lat0 * .pi / 180), ky = 110.574
    var twice = 0.0
    for i in 0..<(ring.count - 1) {
        twice += ring[i].lonDegrees * kx * ring[i + 1].latDegrees * ky - ring[i + 1].lonDegrees * kx * ring[i].latDegrees * ky
    }
    return twice / 2
}

/// Area of a MultiPolygon in km² (holes subtract: their signed areas are negative).
func areaKm2(_ polygons: [IsochronePolygon]) -> Double {
    polygons.reduce(0) { $0 + ringAreaKm2($1.outer) + $1.holes.reduce(0) { $0 + ringAreaKm2($1) } }
}

@Suite("Isochrone builder")
struct IsochroneBuilderTests {
    // 50 m per character: A–C is 500 m, A–D 150 m.
    static let map = AsciiMap(gridMeters: 50, """
        A---------B---------C
        |         |         |
        |         |         |
        D---------E---------F
        |                   |
        |                   |
        G---------H---------I
        """)

    static func graph() throws -> RoadGraph {
        try map.build(ways: [
            ("ABC", ["highway": "primary"]),                       // 36 km/h = 10 m/s
            ("DEF", ["highway": "secondary"]),                     // 30 km/h
            ("GHI", ["highway": "residential", "oneway": "yes"]),  // 18 km/h, G → H → I only
            ("ADG", ["highway": "residential"]),
            ("BE", ["highway": "tertiary"]),                       // 25 km/h
            ("CFI", ["highway": "residential"]),
        ], profile: .testMotorcycle()).graph
    }

    @Test("bands are valid, nested and growing; they contain the residents whose time is within the band")
    func drawnMap() throws {
        let graph = try Self.graph()
        let profile = TravelProfile.testMotorcycle() // connector 10 km/h, max snap 1000 m
        let snapper = try EdgeSnapper(graph: graph)
        // The intake point: 40 m north of E and 6 m east, so it snaps onto B–E about 6 m away.
        let north = Geodesic.direct(from: Self.map.point("E"), azimuthDegrees: 0, distanceMeters: 40)
        let sitePosition = Geodesic.direct(from: north, azimuthDegrees: 90, distanceMeters: 6)
        let site = try #require(try snapper.snap(sitePosition, maxDistanceMeters: 1000))
        let bands = [0.5, 1.0, 2.0]
        let options = IsochroneOptions(cellMeters: 20, sampleSpacingMeters: 10, simplifyToleranceMeters: 0)
        let result = try IsochroneBuilder.build(graph: graph, siteIndex: 3, sitePosition: sitePosition, site: site,
                                                profile: profile, bandsMinutes: bands, options: options)
        #expect(result.map(\.minutes) == bands)
        #expect(result.allSatisfy { $0.siteIndex == 3 })
        for band in result {
            #expect(!band.polygons.isEmpty)
            let findings = PolygonValidity.check(multiPolygon: band.polygons)
            #expect(findings.isEmpty, "\(band.minutes) min: \(findings.prefix(3))")
            for p in band.polygons {
                for q in [p.outer] + p.holes {
                    for v in q {
                        // 7 decimals at most.
                        #expect((v.lonDegrees * 1e7).rounded() / 1e7 == v.lonDegrees && (v.latDegrees * 1e7).rounded() / 1e7 == v.latDegrees)
                    }
                }
            }
        }
        // Growing areas, and without simplification every vertex of a band lies in the next band.
        let areas = result.map { areaKm2($0.polygons) }
        #expect(areas[0] > 0 && areas[0] < areas[1] && areas[1] < areas[2], "areas \(areas)")
        for k in 1..<result.count {
            for p in result[k - 1].polygons {
                #expect(p.outer.allSatisfy { multiPolygonContains(result[k].polygons, $0) })
            }
        }

        // Residents: seeded random points around the map. Their times come from the routing
        // functions (independent of the geometry): road seconds of the snapped point plus the
        // intake point's connector leg; plus their own connector leg for the resident itself.
        let connectorMps = profile.connectorKmh / 3.6
        let siteConnector = site.distanceMeters / connectorMps
        let vertexSeconds = reverseVertexSeconds(graph: graph, to: site, limitSeconds: 1e9)
        // A location's time is exact at grid nodes and interpolated between them: allow the
        // connector time over a cell diagonal plus half a sample spacing (28.3 m + 5 m at
        // 2.78 m/s ≈ 12 s), rounded up to 30 s for the time differences between nearby roads.
        let marginSeconds = 30.0
        var rng = SplitMix64(seed: 42)
        let a = Self.map.point("A"), i = Self.map.point("I")
        var checkedInside = 0, checkedOutside = 0
        var residents: [LonLat] = []
        for _ in 0..<400 {
            let lon = a.lonDegrees - 0.001 + Double(rng.next() % 10_000) / 10_000 * (i.lonDegrees - a.lonDegrees + 0.002)
            let lat = i.latDegrees - 0.001 + Double(rng.next() % 10_000) / 10_000 * (a.latDegrees - i.latDegrees + 0.002)
            residents.append(LonLat(lonDegrees: lon, latDegrees: lat))
        }
        for (resident, snap) in zip(residents, try snapper.snapAll(residents, maxDistanceMeters: profile.maxSnapMeters)) {
            guard let snapped = snap else { continue }
            let oneWay = !(graph.edges[Int(snapped.edge)].forward && graph.edges[Int(snapped.edge)].backward)
            let snappedSeconds = secondsFromPoint(snapped, graph: graph, vertexSeconds: vertexSeconds, target: site) + siteConnector
            let residentSeconds = snappedSeconds + snapped.distanceMeters / connectorMps
            // The time field jumps where the nearest road changes (half-way between two roads of
            // different times), which a grid resolves only to a cell: residents are checked
            // themselves only when they stand within 30 m of their road, far from such lines.
            var claims = [(snapped.position, snappedSeconds)]
            if snapped.distanceMeters <= 30 { claims.append((resident, residentSeconds)) }
            for band in result {
                let limit = band.minutes * 60
                for (point, seconds) in claims {
                    if seconds <= limit - marginSeconds {
                        checkedInside += 1
                        #expect(multiPolygonContains(band.polygons, point), "\(point) at \(seconds) s should be in the \(band.minutes) min band")
                    } else if seconds > limit + marginSeconds && !oneWay {
                        // Points on a one-way edge leading away can be far slower than a road a
                        // few metres off; the claim "outside" is checked on two-way roads only.
                        checkedOutside += 1
                        #expect(!multiPolygonContains(band.polygons, point), "\(point) at \(seconds) s should be outside the \(band.minutes) min band")
                    }
                }
            }
        }
        #expect(checkedInside > 100 && checkedOutside > 100, "inside \(checkedInside), outside \(checkedOutside)")
    }

    @Test("simplification keeps the polygons valid and the areas close")
    func simplified() throws {
        let graph = try Self.graph()
        let snapper = try EdgeSnapper(graph: graph)
        let sitePosition = Self.map.point("B")
        let site = try #require(try snapper.snap(sitePosition, maxDistanceMeters: 1000))
        let exact = try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: sitePosition, site: site,
                                               profile: .testMotorcycle(), bandsMinutes: [1, 2],
                                               options: IsochroneOptions(cellMeters: 10, simplifyToleranceMeters: 0))
        let simple = try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: sitePosition, site: site,
                                                profile: .testMotorcycle(), bandsMinutes: [1, 2],
                                                options: IsochroneOptions(cellMeters: 10, simplifyToleranceMeters: 5))
        for (e, s) in zip(exact, simple) {
            #expect(PolygonValidity.check(multiPolygon: s.polygons).isEmpty)
            let vertices = { (b: IsochroneBand) in b.polygons.reduce(0) { $0 + $1.outer.count + $1.holes.reduce(0) { $0 + $1.count } } }
            #expect(vertices(s) < vertices(e))
            // A 5 m tolerance moves the outline by ≤ 5 m: the area changes by well under 10 %.
            #expect(abs(areaKm2(s.polygons) - areaKm2(e.polygons)) < 0.1 * areaKm2(e.polygons))
        }
    }

    @Test("bad bands and parameters are rejected")
    func badArguments() throws {
        let graph = try Self.graph()
        let snapper = try EdgeSnapper(graph: graph)
        let site = try #require(try snapper.snap(Self.map.point("B"), maxDistanceMeters: 1000))
        #expect(throws: IsochroneError.self) {
            try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: Self.map.point("B"), site: site,
                                       profile: .testMotorcycle(), bandsMinutes: [10, -5])
        }
        #expect(throws: IsochroneError.self) {
            try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: Self.map.point("B"), site: site,
                                       profile: .testMotorcycle(), bandsMinutes: [])
        }
        #expect(throws: IsochroneError.self) {
            try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: Self.map.point("B"), site: site,
                                       profile: .testMotorcycle(), bandsMinutes: [10], options: IsochroneOptions(cellMeters: 0))
        }
    }
}
