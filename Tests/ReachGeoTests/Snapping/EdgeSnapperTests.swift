import Foundation
import Testing
import ReachGeo
import TestSupport

@Suite struct EdgeSnapperTests {
    /// ```
    /// A-B-C        gridMeters 50; way 1 "ABC" primary (A → C, 200 m), way 2 "CFEDA" primary;
    /// | | |        way 3 "XY" primary, an island of two vertices (not a snap target when
    /// D-E-F        min_component_nodes is 3): X is 100 m south of D, Y 100 m south of F;
    ///              way 4 "BE" residential makes B and E vertices, so the main component has
    /// X---Y        the 4 vertices A, B, C, E.
    /// ```
    static func fixture(minComponentNodes: Int = 3) throws -> RoutingFixture {
        try RoutingFixture(AsciiMap(gridMeters: 50, """
            A-B-C
            | | |
            D-E-F
            
            X---Y
            """), ways: [("ABC", ["highway": "primary", "oneway": "yes"]),
                         ("CFEDA", ["highway": "primary"]),
                         ("XY", ["highway": "primary"]),
                         ("BE", ["highway": "residential"])],
            profile: .testMotorcycle(minComponentNodes: minComponentNodes))
    }

    @Test func footOffsetAndDistance() throws {
        let f = try Self.fixture()
        // 30 m east of A and 20 m north of the A–C row: the foot is 30 m along the edge, 20 m away.
        let s = try #require(try f.snap(f.point("A", eastMeters: 30, northMeters: 20)))
        #expect(s.edge == f.edge(ofWay: 1))  // A → B, the first edge of way 1
        #expect(abs(s.offsetMeters - 30) < 1e-3)
        #expect(abs(s.distanceMeters - 20) < 1e-3)
        #expect(Geodesic.distanceMeters(s.position, f.point("A", eastMeters: 30)) < 1e-3)
        #expect(!s.isAtVertex(in: f.graph))
    }

    @Test func vertexTieGoesToLowerWayId() throws {
        let f = try Self.fixture()
        // Exactly at C, both way 1 (the end of its edge B → C) and way 2 (the start of C → E)
        // are at distance 0: way 1 wins, and the point is vertex C.
        let s = try #require(try f.snap(f.point("C")))
        #expect(f.graph.edges[Int(s.edge)].wayId == 1 && f.graph.edges[Int(s.edge)].toVertex == f.map.vertex("C", in: f.graph))
        #expect(s.offsetMeters == f.graph.edges[Int(s.edge)].lengthMeters)
        #expect(s.distanceMeters < 1e-9)
        #expect(s.vertex(in: f.graph) == f.map.vertex("C", in: f.graph))
        // Exactly at A: way 1 at offset 0 (exactly), vertex A.
        let a = try #require(try f.snap(f.point("A")))
        #expect(a.edge == f.edge(ofWay: 1) && a.offsetMeters == 0)
    }

    @Test func islandEdgesAreNotSnapTargets() throws {
        let f = try Self.fixture()
        let island = f.edge(ofWay: 3)
        #expect(!f.graph.isSnapTarget[Int(island)])
        // A point 10 m north of X: the island is 10 m away but not a target; the closest target
        // point is D on way 2 (edge E → A), 90 m north → snapped there, ≈ 90 m away.
        let s = try #require(try f.snap(f.point("X", northMeters: 10)))
        #expect(f.graph.edges[Int(s.edge)].wayId == 2)
        #expect(abs(s.distanceMeters - 90) < 1e-2)
        // With max_snap 50 m nothing is close enough.
        #expect(try f.snapper.snap(f.point("X", northMeters: 10), maxDistanceMeters: 50) == nil)
        // With min_component_nodes 2 the island is a target and wins.
        let g = try Self.fixture(minComponentNodes: 2)
        let t = try #require(try g.snap(g.point("X", northMeters: 10)))
        #expect(t.edge == g.edge(ofWay: 3))
        #expect(abs(t.distanceMeters - 10) < 1e-3)
    }

    @Test func beyondMaxSnapIsNil() throws {
        let f = try Self.fixture()
        // West of A along the row: the closest road point is A itself, at the drawn distance.
        #expect(try f.snapper.snap(f.point("A", eastMeters: -999.9), maxDistanceMeters: 1000) != nil)
        #expect(try f.snapper.snap(f.point("A", eastMeters: -1000.1), maxDistanceMeters: 1000) == nil)
        #expect(try f.snapper.snap(f.point("A", eastMeters: -20_000), maxDistanceMeters: 1000) == nil)
        // Nonsense coordinates are not on the network.
        #expect(try f.snapper.snap(LonLat(lonDegrees: .nan, latDegrees: 0), maxDistanceMeters: 1000) == nil)
    }

    @Test func snapAllMatchesOneByOne() throws {
        let f = try Self.fixture()
        var rng = SplitMix64(seed: 7)
        let a = f.point("A")
        let points = (0..<20_000).map { _ in
            LonLat(lonDegrees: a.lonDegrees + Double.random(in: -0.004...0.006, using: &rng),
                   latDegrees: a.latDegrees + Double.random(in: -0.006...0.003, using: &rng))
        }
        let all = try f.snapper.snapAll(points, maxDistanceMeters: 300)
        let projector = try f.snapper.projection.makeProjector()
        for (i, p) in points.enumerated() where i % 7 == 0 {
            #expect(all[i] == (try f.snapper.snap(p, maxDistanceMeters: 300, using: projector)), "point \(i)")
        }
        #expect(all.contains(nil) && all.contains { $0 != nil })
    }

    /// Snapping equals a brute-force scan of every snap-target segment (same plane, same tie
    /// rule: planar distance, then way id, then edge index, then segment).
    @Test(arguments: Array(UInt64(1)...UInt64(15)))
    func gridSearchEqualsBruteForce(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed, residents: 300)
        let graph = net.graph
        let projector = try net.snapper.projection.makeProjector()
        let planar = try projector.forward(graph.shape)
        for (k, p) in net.residentPoints.enumerated() {
            let q = try projector.forward(p)
            var best: (d2: Double, way: Int64, edge: Int, segment: Int, t: Double)?
            for (e, edge) in graph.edges.enumerated() where graph.isSnapTarget[e] {
                for i in Int(edge.shapeStart)..<Int(edge.shapeEnd) {
                    let a = planar[i], b = planar[i + 1]
                    let dx = b.xMeters - a.xMeters, dy = b.yMeters - a.yMeters
                    let l2 = dx * dx + dy * dy
                    let t = l2 > 0 ? min(1, max(0, ((q.xMeters - a.xMeters) * dx + (q.yMeters - a.yMeters) * dy) / l2)) : 0
                    let fx = a.xMeters + t * dx - q.xMeters, fy = a.yMeters + t * dy - q.yMeters
                    let d2 = fx * fx + fy * fy
                    if best == nil || (d2, edge.wayId, e, i) < (best!.d2, best!.way, best!.edge, best!.segment) {
                        best = (d2, edge.wayId, e, i, t)
                    }
                }
            }
            let got = try net.snapper.snap(p, maxDistanceMeters: net.maxSnapMeters, using: projector)
            guard let best else { #expect(got == nil, "seed \(seed) point \(k)"); continue }
            let edge = graph.edges[best.edge]
            let segmentMeters = graph.shapeOffsetMeters[best.segment + 1] - graph.shapeOffsetMeters[best.segment]
            let offset = graph.shapeOffsetMeters[best.segment] + best.t * segmentMeters
            let foot = try projector.inverse(PlanarPoint(xMeters: planar[best.segment].xMeters + best.t * (planar[best.segment + 1].xMeters - planar[best.segment].xMeters),
                                                         yMeters: planar[best.segment].yMeters + best.t * (planar[best.segment + 1].yMeters - planar[best.segment].yMeters)))
            let distance = Geodesic.distanceMeters(p, foot)
            if distance > net.maxSnapMeters {
                #expect(got == nil, "seed \(seed) point \(k)")
                continue
            }
            let s = try #require(got, "seed \(seed) point \(k)")
            #expect(s.edge == Int32(best.edge), "seed \(seed) point \(k)")
            #expect(abs(s.offsetMeters - offset) < 1e-6 && s.offsetMeters >= 0 && s.offsetMeters <= edge.lengthMeters,
                    "seed \(seed) point \(k)")
            #expect(abs(s.distanceMeters - distance) < 1e-6, "seed \(seed) point \(k)")
        }
    }
}
