import Testing
import ReachGeo
import TestSupport

/// Hand-checked travel times on a drawn map (INTERFACE.md model rule 6).
///
/// ```
/// A-B-C      gridMeters 50: A–B–C is a row, 100 m per step (exact geodesics);
/// |   |      A–D and the D–E–F row are exact too (100 m); C–F is ≈ 100 m
/// D-E-F      (computed geodesically below as `cf`).
/// ```
/// Way 1 "ABC" primary, oneway=yes (A → C only), one edge A→C of 200 m.
/// Way 2 "CFEDA" primary, two-way, one edge C→A of cf + 300 m (offsets measured from C).
/// Primary = 36 km/h = 10 m/s, so every 100 m of road is 10 s; connector 10 km/h, so 20 m of
/// connector is 7.2 s and 10 m is 3.6 s.
@Suite struct FastestIntakeSearchTests {
    let f: RoutingFixture
    let cf: Double

    init() throws {
        f = try RoutingFixture(AsciiMap(gridMeters: 50, """
            A-B-C
            |   |
            D-E-F
            """), ways: [("ABC", ["highway": "primary", "oneway": "yes"]),
                         ("CFEDA", ["highway": "primary"])])
        cf = f.map.distanceMeters("C", "F")
    }

    @Test func graphIsTwoEdges() {
        #expect(f.graph.edges.count == 2)
        #expect(abs(f.graph.edges[Int(f.edge(ofWay: 1))].lengthMeters - 200) < 1e-6)
        #expect(abs(cf - 100) < 0.05)
    }

    @Test func oneWayAllowsTheDirectTrip() throws {
        // A → C along the one-way: 200 m at 10 m/s = 20 s; both points are vertices (no connector).
        let t = try #require(try f.seconds(from: f.point("A"), to: f.point("C")))
        #expect(abs(t - 20) < 1e-6)
    }

    @Test func oneWayForcesTheDetour() throws {
        // C → A: the one-way is closed that way, so C–F–E–D–A: cf + 300 m → (cf + 300) / 10 s.
        let t = try #require(try f.seconds(from: f.point("C"), to: f.point("A")))
        #expect(abs(t - (cf + 300) / 10) < 1e-6)
    }

    @Test func residentDownstreamOfOneWayGoesAround() throws {
        // Resident on the one-way 50 m after A (on the road: no connector), intake at A: forward
        // 150 m to C, then cf + 300 m back to A → (450 + cf) / 10 s.
        let t = try #require(try f.seconds(from: f.point("A", eastMeters: 50), to: f.point("A")))
        #expect(abs(t - (450 + cf) / 10) < 1e-5)
    }

    @Test func partialEdgesAtBothEndsWithConnectors() throws {
        // Resident 30 m east of A, 20 m north of the one-way (connector 7.2 s); intake 20 m east
        // of E, 10 m south of the road (connector 3.6 s). Road: 170 m forward to C, cf to F,
        // 80 m F → intake point: (250 + cf) / 10 s.
        let resident = f.point("A", eastMeters: 30, northMeters: 20)
        let site = f.point("E", eastMeters: 20, northMeters: -10)
        let t = try #require(try f.seconds(from: resident, to: site))
        #expect(abs(t - (7.2 + (250 + cf) / 10 + 3.6)) < 1e-3)
        // The other way round: 20 m west to E, 100 to D, 100 to A, 30 along the one-way:
        // 250 m = 25 s, connectors 3.6 + 7.2 s.
        let back = try #require(try f.seconds(from: site, to: resident))
        #expect(abs(back - (3.6 + 25 + 7.2)) < 1e-3)
    }

    @Test func sameEdgeInAllowedDirectionIsDirect() throws {
        // Both on the one-way: resident at 30 m, intake at 150 m → 120 m = 12 s.
        let t = try #require(try f.seconds(from: f.point("A", eastMeters: 30), to: f.point("A", eastMeters: 150)))
        #expect(abs(t - 12) < 1e-4)
        // Two-way edge: resident 20 m east of E, intake 20 m east of D → 100 m = 10 s.
        let two = try #require(try f.seconds(from: f.point("E", eastMeters: 20), to: f.point("D", eastMeters: 20)))
        #expect(abs(two - 10) < 1e-4)
    }

    @Test func sameEdgeInForbiddenDirectionGoesAround() throws {
        // Resident at 150 m, intake at 30 m on the one-way: 50 m to C, cf + 300 m around to A,
        // then 30 m → (380 + cf) / 10 s.
        let t = try #require(try f.seconds(from: f.point("A", eastMeters: 150), to: f.point("A", eastMeters: 30)))
        #expect(abs(t - (380 + cf) / 10) < 1e-4)
    }

    @Test func pointOnVertexBehavesAsThatVertex() throws {
        // A resident exactly at C snaps to the end of the one-way (way 1 wins the tie at C); as
        // vertex C it may leave along C–F although its own edge forbids C → A:
        // cf + 300 m to A.
        let atC = try #require(try f.snap(f.point("C")))
        #expect(atC.edge == f.edge(ofWay: 1))
        #expect(atC.vertex(in: f.graph) == f.map.vertex("C", in: f.graph))
        let t = try #require(try f.seconds(from: f.point("C"), to: f.point("A")))
        #expect(abs(t - (cf + 300) / 10) < 1e-6)
        // An intake point exactly at C (snapped to the one-way's end) is reached from F along
        // C–F, against nothing: resident 20 m east of E goes 80 m to F and cf to C.
        let toC = try #require(try f.seconds(from: f.point("E", eastMeters: 20), to: f.point("C")))
        #expect(abs(toC - (80 + cf) / 10) < 1e-4)
    }

    @Test func tieGoesToTheFirstSite() throws {
        // Two intake points at the same place: the first in input order wins, whichever it is.
        let resident = [f.point("E", eastMeters: 20, northMeters: 5)]
        let first = try f.fastest(residents: resident, sites: [f.point("C"), f.point("C"), f.point("A")])
        #expect(first[0]?.siteIndex == 0)
        let second = try f.fastest(residents: resident, sites: [f.point("A", eastMeters: -5000), f.point("C"), f.point("C")])
        #expect(second[0]?.siteIndex == 1)
    }

    @Test func unsnappedSitesAndResidentsAreNeverReached() throws {
        // A site 5 km away does not snap (max_snap 1000 m); nil sites are skipped, nil residents get nil.
        let far = f.point("A", eastMeters: -5000)
        let result = try f.fastest(residents: [far, f.point("A")], sites: [far])
        #expect(result == [nil, nil])
    }

    @Test func limitDropsSlowerResidents() throws {
        // A → C is 20 s: within a 20 s limit (inclusive), not within 19.9 s.
        let a = try f.snap(f.point("A")), c = try f.snap(f.point("C"))
        let within = FastestIntakeSearch.run(graph: f.graph, sites: [c], siteConnectorSeconds: [0], residents: [a],
                                             residentConnectorSeconds: [0], limitSeconds: 20)
        #expect(within[0]?.siteIndex == 0)
        let beyond = FastestIntakeSearch.run(graph: f.graph, sites: [c], siteConnectorSeconds: [0], residents: [a],
                                             residentConnectorSeconds: [0], limitSeconds: 19.9)
        #expect(beyond[0] == nil)
    }

    @Test func buildingBlocksForIsochrones() throws {
        // reverseVertexSeconds to the intake 20 m east of E (offset cf + 80 from C): C needs
        // (cf + 80) / 10 s, A needs (200 + 20... ) = A → D → E → point: 220 m = 22 s.
        let target = try #require(try f.snap(f.point("E", eastMeters: 20)))
        let seconds = reverseVertexSeconds(graph: f.graph, to: target, limitSeconds: .infinity)
        let a = try #require(f.map.vertex("A", in: f.graph)), c = try #require(f.map.vertex("C", in: f.graph))
        #expect(abs(seconds[Int(a)] - 22) < 1e-4)
        #expect(abs(seconds[Int(c)] - (cf + 80) / 10) < 1e-4)
        // From 30 m along the one-way: 170 m to C then (cf + 80): (250 + cf) / 10 s.
        let p = try #require(try f.snap(f.point("A", eastMeters: 30)))
        #expect(abs(secondsFromPoint(p, graph: f.graph, vertexSeconds: seconds, target: target) - (250 + cf) / 10) < 1e-4)
        // Within a 10 s limit, A (22 s) is not reached.
        let bounded = reverseVertexSeconds(graph: f.graph, to: target, limitSeconds: 10)
        #expect(bounded[Int(a)] == .infinity)
    }
}
