import Testing
import ReachGeo
import TestSupport

/// The coverage matrix on the drawn map of ``FastestIntakeSearchTests`` (same ways and speeds:
/// 100 m of primary = 10 s; way 1 A → C is one-way).
@Suite struct SiteReachMatrixTests {
    @Test func handCheckedMatrix() throws {
        let f = try RoutingFixture(AsciiMap(gridMeters: 50, """
            A-B-C
            |   |
            D-E-F
            """), ways: [("ABC", ["highway": "primary", "oneway": "yes"]),
                         ("CFEDA", ["highway": "primary"])])
        let cf = f.map.distanceMeters("C", "F")
        let sites = try [f.point("A"), f.point("C")].map { try f.snap($0) }
        // Residents on the road (no connector): 30 m along the one-way, 20 m east of E; the third
        // is 5 km away and does not snap.
        let residents = try [f.point("A", eastMeters: 30), f.point("E", eastMeters: 20), f.point("A", eastMeters: -5000)]
            .map { try f.snap($0) }
        #expect(residents[2] == nil)
        let matrix = SiteReachMatrix.compute(graph: f.graph, sites: sites, siteConnectorSeconds: [0, 0],
                                             residents: residents, residentConnectorSeconds: [0, 0, 0], limitSeconds: 30)
        // Site A: resident 0 must go 170 m to C and cf + 300 m around (≈ 57 s > 30 s): absent;
        // resident 1 goes 20 + 100 + 100 m = 22 s.
        #expect(matrix[0].map(\.resident) == [1])
        #expect(abs(Double(matrix[0][0].seconds) - 22) < 1e-3)
        // Site C: resident 0 goes 170 m = 17 s; resident 1 goes 80 m + cf ≈ 18 s.
        #expect(matrix[1].map(\.resident) == [0, 1])
        #expect(abs(Double(matrix[1][0].seconds) - 17) < 1e-3)
        #expect(abs(Double(matrix[1][1].seconds) - (80 + cf) / 10) < 1e-3)
        // A 17 s limit (inclusive) keeps resident 0 at site C only.
        let tight = SiteReachMatrix.compute(graph: f.graph, sites: sites, siteConnectorSeconds: [0, 0],
                                            residents: residents, residentConnectorSeconds: [0, 0, 0], limitSeconds: 17.0001)
        #expect(tight.map { $0.map(\.resident) } == [[], [0]])
        // A nil site reaches nobody; connectors count against the limit (7.2 s more for resident 1
        // at site A: 29.2 s ≤ 30 s; 3 s of site connector then pushes it to 32.2 s > 30 s).
        let withConnectors = SiteReachMatrix.compute(graph: f.graph, sites: [sites[0], nil], siteConnectorSeconds: [3, 0],
                                                     residents: residents, residentConnectorSeconds: [0, 7.2, 0], limitSeconds: 30)
        #expect(withConnectors.map { $0.map(\.resident) } == [[], []])
    }
}
