import Foundation
import Testing
@testable import ReachGeo
import TestSupport

/// Which residents got a network time and which an estimate, the estimate fitted to the network
/// (``TimeCalibration``) and the sites' location quality — on a drawn map, by hand.
@Suite struct TimeMethodTests {
    // 1 km grid. Roads A–B (3 km, same row: exactly 3000 m) and B–C (4 km south), primary at
    // 36 km/h = 10 m/s. The intake point e1 sits on C. Residents: r1 on A (10 people), r3 on B
    // (5 people), r2 3 km north of A, beyond max_snap_m = 1000 m of any road.
    static let map = AsciiMap(gridMeters: 1000, """
        A--B
           |
           |
           |
           C
        """)
    static let ways: [(nodes: String, tags: [String: String])] = [("AB", ["highway": "primary"]), ("BC", ["highway": "primary"])]

    static func scenario(maxMinutes: Double, roads: Bool = true) throws -> TinyScenario {
        let m = map
        func text(_ p: LonLat) -> String { "\(DecimalText.fixed(p.lonDegrees, decimals: 7)),\(DecimalText.fixed(p.latDegrees, decimals: 7))" }
        let r2 = Geodesic.direct(from: m.point("A"), azimuthDegrees: 0, distanceMeters: 3000)
        let s = try TinyScenario(
            residents: "id,lon,lat,population\nr1,\(text(m.point("A"))),10\nr2,\(text(r2)),1\nr3,\(text(m.point("B"))),5\n",
            existing: "id,lon,lat,location_quality\ne1,\(text(m.point("C"))),townhall\n",
            candidates: "id,lon,lat,location_quality\nc1,\(text(m.point("B"))),street\nc2,\(text(m.point("A"))),\n",
            extra: ", \"profile\": \"profile.json\", \"standard\": {\"max_minutes\": \(maxMinutes)}" + (roads ? ", \"roads\": \"roads.osm\"" : ""))
        try m.osmXML(ways: ways).write(to: s.file("roads.osm"), atomically: true, encoding: .utf8)
        try """
            {"name": "test", "mode": "motorcycle", "speeds_kmh": {"primary": 36}, "maxspeed_caps": true, "oneway": true,
             "connector_kmh": 10, "max_snap_m": 1000, "min_component_nodes": 2, "congestion_factor": 1.0,
             "detour_factor": 1.35, "estimate_kmh": 22}
            """.write(to: s.file("profile.json"), atomically: true, encoding: .utf8)
        return s
    }

    static func summary(_ s: TinyScenario, _ extra: [String] = []) throws -> JSONNode {
        let r = try ReachBinary.run(["coverage", s.file("scenario.json").path, "--out", s.file("out").path] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONParser.parse(Data(try s.read("out/summary.json").utf8), fileName: "summary.json")
    }

    @Test func residentsSayHowTheirTimeWasObtained() throws {
        let s = try Self.scenario(maxMinutes: 30)
        let summary = try Self.summary(s)
        #expect(summary["time_method"]?.stringValue == "network")
        #expect(summary["residents_by_time_method"]?["network"]?.numberValue == 2)
        #expect(summary["residents_by_time_method"]?["none"]?.numberValue == 1)
        let rows = try s.read("out/residents.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let column = try #require(rows[0].firstIndex(of: "time_method"))
        #expect(rows[0].last == "time_method")
        #expect(rows[1][0] == "r1" && rows[1][column] == "network")
        #expect(rows[2][0] == "r2" && rows[2][column] == "" && rows[2][rows[0].firstIndex(of: "reason")!] == "no_road_within_snap")
        #expect(rows[3][0] == "r3" && rows[3][column] == "network")

        let estimated = try Self.scenario(maxMinutes: 30, roads: false)
        let e = try Self.summary(estimated)
        #expect(e["time_method"]?.stringValue == "estimated")
        #expect(e["residents_by_time_method"]?["estimated"]?.numberValue == 3)
        #expect(e["residents_by_time_method"]?["none"] == nil)
        #expect(e["time_calibration"] == nil, "no network, nothing to fit")
    }

    /// r1: shortest road 3000 + d(B,C) m, geodesic d(A,C) ≈ 5000 m → detour ≈ 1.4; r3: road =
    /// geodesic = d(B,C) → detour 1. Population-weighted median over {1.0 ×5, 1.4 ×10}: the
    /// cumulative weight reaches 7.5 of 15 at 1.4, so D = 1.4 (an unweighted median would not).
    /// Speeds D × geodesic / network time: r1 = (road/geodesic) × geodesic × 3.6 / (road / 10)
    /// = 36 km/h; r3 = D × d(B,C) × 3.6 / (d(B,C) / 10) = 36 D = 50.4 km/h; weighted median 36,
    /// p10 36, p90 50.4. With max_minutes 8: r1's estimate d(A,C) × D / 10 m/s = 11.7 min and its
    /// network 11.7 min are both > 8 (agree); r3's estimate 4000 × 1.4 / 10 = 9.3 min > 8 but
    /// its network 6.7 min ≤ 8 (disagree): agreement 10 / 15.
    @Test func estimateIsFittedToTheNetwork() throws {
        let m = Self.map
        let s = try Self.scenario(maxMinutes: 8)
        let summary = try Self.summary(s)
        let c = try #require(summary["time_calibration"])
        let detour = (m.distanceMeters("A", "B") + m.distanceMeters("B", "C")) / m.distanceMeters("A", "C")
        #expect(c["residents"]?.numberValue == 2)
        #expect(c["population"]?.numberValue == 15)
        #expect(abs((c["detour_factor"]?["median"]?.numberValue ?? 0) - detour) < 0.001)
        #expect(abs((c["detour_factor"]?["p10"]?.numberValue ?? 0) - 1) < 0.001)
        #expect(abs((c["estimate_kmh"]?["median"]?.numberValue ?? 0) - 36) < 0.01)
        #expect(abs((c["estimate_kmh"]?["p90"]?.numberValue ?? 0) - 36 * detour) < 0.02)
        #expect(abs((c["agreement_within_time"]?.numberValue ?? 0) - 10.0 / 15.0) < 1e-6)
    }

    @Test func weightedPercentilesTakeTheFirstValueReachingTheFraction() {
        // Weights 1, 1, 1, 7 (total 10): 10 % is reached at the first value, 50 % and 90 % only
        // at the last (1 + 1 + 1 = 3 < 5); unweighted, the median would be 2 or 3.
        let s = TimeCalibration.spread([(3, 1), (1, 1), (4, 7), (2, 1)])
        #expect(s.p10 == 1 && s.median == 4 && s.p90 == 4)
        // Exactly on the boundary: weights 1, 1 → 50 % is reached at the first value (≥, not >).
        let t = TimeCalibration.spread([(5, 1), (9, 1)])
        #expect(t.median == 5 && t.p90 == 9)
    }

    @Test func summaryCountsSitesByLocationQuality() throws {
        let s = try Self.scenario(maxMinutes: 30)
        let q = try #require(try Self.summary(s, ["--report", s.file("report.html").path])["sites_by_location_quality"])
        let html = try s.read("report.html")
        #expect(html.contains("Travel times of the 3 resident points: 2 from the road network; 1 without a time (no road within 1000 m)"))
        #expect(html.contains("Site positions by location quality: intake points 1 townhall; candidates 1 street, 1 unknown."))
        #expect(q["existing"]?["townhall"]?.numberValue == 1)
        #expect(q["candidates"]?["street"]?.numberValue == 1)
        #expect(q["candidates"]?["unknown"]?.numberValue == 1)
    }
}
