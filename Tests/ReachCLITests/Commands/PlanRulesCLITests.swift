import Foundation
import ReachGeo
import ReachPlanner
import TestSupport
import Testing

/// `reach plan --phases`, `--zone-floor`, `--min-sites-per-zone` on tiny scenarios (no roads:
/// estimated times; every site is more than 40 km from the residents it does not cover).
@Suite struct PlanRulesCLITests {
    static func row(_ id: String, _ p: LonLat, _ tail: String = "") -> String {
        "\(id),\(DecimalText.fixed(p.lonDegrees, decimals: 8)),\(DecimalText.fixed(p.latDegrees, decimals: 8))\(tail)\n"
    }

    /// 36 candidates c01…c36 on a line 50 km apart; candidate k has one resident 1 km north of it
    /// with population 100 + k (so the best plans are the highest-numbered candidates, in order)
    /// and every other one a second resident 1 km south (population 50). Zones: one per candidate.
    static func lineScenario() throws -> TinyScenario {
        let base = LonLat(lonDegrees: 104.0, latDegrees: 20.0)
        var residents = "id,lon,lat,population,zone\n", candidates = "id,lon,lat\n"
        for k in 1 ... 36 {
            let c = Geodesic.direct(from: base, azimuthDegrees: 90, distanceMeters: Double(k) * 50_000)
            let id = String(format: "c%02d", k)
            candidates += row(id, c)
            residents += row("r\(k)n", Geodesic.direct(from: c, azimuthDegrees: 0, distanceMeters: 1000), ",\(100 + k),Z\(k)")
            if k % 2 == 0 { residents += row("r\(k)s", Geodesic.direct(from: c, azimuthDegrees: 180, distanceMeters: 1000), ",50,Z\(k)") }
        }
        let far = Geodesic.direct(from: base, azimuthDegrees: 0, distanceMeters: 200_000)
        return try TinyScenario(residents: residents, existing: "id,lon,lat\n" + row("e1", far), candidates: candidates)
    }

    @Test func phasesTenTwentyThirty() throws {
        let s = try Self.lineScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--phases", "10,20,30", "--out", "p", "--report", "p/report.html"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try JSONParser.parse(Data(s.read("p/plan.json").utf8), fileName: "plan.json")
        #expect(plan["branches_requested"]?.numberValue == 30)
        let phases = try #require(plan["phases"]?.arrayElements)
        #expect(phases.count == 3)
        let ids = phases.map { ($0["branches"]?.arrayElements ?? []).compactMap(\.stringValue) }
        #expect(ids.map(\.count) == [10, 20, 30])
        // S1 ⊂ S2 ⊂ S3, and the roll-out starts with them in that order.
        #expect(Array(ids[1].prefix(10)) == ids[0] && Array(ids[2].prefix(20)) == ids[1])
        let branches = try #require(plan["branches"]?.arrayElements).compactMap { $0["id"]?.stringValue }
        #expect(branches == ids[2])
        for p in phases {
            #expect((p["price_of_nesting_population"]?.numberValue ?? -1) >= 0)
            #expect((p["upper_bound_population"]?.numberValue ?? 0) >= (p["covered_population"]?.numberValue ?? 1))
            #expect(p["gap"]?.numberValue != nil)
        }
        // Even candidates cover 150 + k: the 10 best are c36, c34, …, c18.
        #expect(Set(ids[0]) == Set(stride(from: 36, through: 18, by: -2).map { String(format: "c%02d", $0) }))
        let evens: [Int] = Array(stride(from: 18, through: 36, by: 2))
        let firstPhase: Double = Double(evens.reduce(0) { $0 + 150 + $1 })
        #expect(phases[0]["covered_population"]?.numberValue == firstPhase)
        #expect(r.stdout.contains("phases (each keeps every site of the one before):"))
        #expect(r.stdout.contains("  proof: no choice of 30 new branches (with today's sites open) covers more than"))
        let html = try s.read("p/report.html")
        #expect(html.contains("<table class=\"phases\">"))
        // Byte-identical on a rerun.
        _ = try ReachBinary.run(["plan", "scenario.json", "--phases", "10,20,30", "--out", "q"], in: s.dir)
        #expect(try s.read("p/plan.json") == s.read("q/plan.json"))
    }

    /// e1 covers r1 (10, zone Z1); cA covers r2 (40, Z2) and r3 (60, Z3); cB covers r4 (60, Z3).
    /// Keep 2 (consolidate): without rules cA + cB (160). Floor 0.5: Z1 needs 5, Z2 20, Z3 60 of
    /// its 120: cA + cB leaves Z1 5 short; e1 + cA meets all three (Z3 60): 110, price 50.
    static func zoneScenario() throws -> TinyScenario {
        let base = LonLat(lonDegrees: 105.5, latDegrees: 21.0)
        func at(_ az: Double, _ km: Double, from p: LonLat = base) -> LonLat { Geodesic.direct(from: p, azimuthDegrees: az, distanceMeters: km * 1000) }
        let a = at(90, 50), b = at(0, 60)
        let residents = "id,lon,lat,population,zone\n" + row("r1", at(0, 0.5), ",10,Z1") + row("r2", at(0, 1, from: a), ",40,Z2")
            + row("r3", at(180, 1, from: a), ",60,Z3") + row("r4", at(90, 1, from: b), ",60,Z3")
        return try TinyScenario(residents: residents, existing: "id,lon,lat,zone\n" + row("e1", base, ",Z1"),
                                candidates: "id,lon,lat,zone\n" + row("cA", a, ",Z2") + row("cB", b, ",Z3"))
    }

    @Test func zoneFloorChangesThePlan() throws {
        let s = try Self.zoneScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--mode", "consolidate", "--zone-floor", "0.5", "--out", "p"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try JSONParser.parse(Data(s.read("p/plan.json").utf8), fileName: "plan.json")
        #expect(Set((plan["branches"]?.arrayElements ?? []).compactMap { $0["id"]?.stringValue }) == ["e1", "cA"])
        #expect(plan["covered_population"]?.numberValue == 110)
        let floor = try #require(plan["zone_floor"])
        #expect(floor["floor"]?.numberValue == 0.5)
        #expect(floor["price_of_fairness_population"]?.numberValue == 50)
        #expect(floor["infeasible_zones"]?.arrayElements?.isEmpty == true)
        #expect(r.stdout.contains("price of fairness: 50 fewer covered"))
        // Three zones with a site each cannot all get one of two sites: a bad request.
        let three = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--mode", "consolidate", "--min-sites-per-zone", "1"], in: s.dir)
        #expect(three.status == 2 && three.stderr.hasPrefix("error: "), "\(three.stderr)")
    }

    @Test func zoneThatCannotReachTheFloorIsReported() throws {
        // Keep 1 site: Z3's two residents lie 60 km apart, so one site covers at most 60 of its
        // 120 (share 0.5 < 0.8): reported with that share.
        let s = try Self.zoneScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--mode", "consolidate", "--zone-floor", "0.8", "--format", "json"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        let infeasible = try #require(plan["zone_floor"]?["infeasible_zones"]?.arrayElements)
        #expect(infeasible.compactMap { $0["zone"]?.stringValue } == ["Z3"])
        #expect(infeasible.first?["best_share"]?.numberValue == 0.5)
    }

    @Test func branchesWithoutGainAreListed() throws {
        let s = try Self.zoneScenario()
        // Three branches in mode add, but only cA and cB can add anyone.
        let far = Geodesic.direct(from: LonLat(lonDegrees: 105.5, latDegrees: 21.0), azimuthDegrees: 180, distanceMeters: 300_000)
        try ("id,lon,lat,zone\n" + Self.row("cA", Geodesic.direct(from: LonLat(lonDegrees: 105.5, latDegrees: 21.0), azimuthDegrees: 90, distanceMeters: 50_000), ",Z2")
             + Self.row("cB", Geodesic.direct(from: LonLat(lonDegrees: 105.5, latDegrees: 21.0), azimuthDegrees: 0, distanceMeters: 60_000), ",Z3")
             + Self.row("cC", far, ",Z9")).write(to: s.file("candidates.csv"), atomically: true, encoding: .utf8)
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "3", "--out", "p"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("    3: no further gain (cC)"), "\(r.stdout)")
        let plan = try JSONParser.parse(Data(s.read("p/plan.json").utf8), fileName: "plan.json")
        #expect(plan["no_further_gain_after"]?.numberValue == 2 && plan["branches_requested"]?.numberValue == 3)
        #expect(plan["branches"]?.arrayElements?.count == 3)
    }

    @Test(arguments: [
        (["--phases", "20,10"], "strictly increasing"),
        (["--phases", "10,ten"], "not a positive whole number"),
        (["--phases", "1,2", "--branches", "3"], "differs from the last phase"),
        (["--branches", "1", "--zone-floor", "1.5"], "--zone-floor must be a share within 0…1"),
        (["--branches", "1", "--zone-floor=-0.1"], "--zone-floor must be a share within 0…1"),
        (["--branches", "1", "--min-sites-per-zone=-1"], "--min-sites-per-zone must be ≥ 0"),
    ])
    func badValuesExitTwo(arguments: [String], message: String) throws {
        let s = try Self.zoneScenario()
        let r = try ReachBinary.run(["plan", "scenario.json"] + arguments + ["--out", "out"], in: s.dir)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains(message), "\(r.stderr)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: s.file("out").path)) ?? []
        #expect(files.isEmpty)
    }

    @Test func floorNeedsZones() throws {
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,105.5,21.0,10\n", existing: "id,lon,lat\ne1,105.5,21.001\n",
                                 candidates: "id,lon,lat\nc1,105.6,21.0\n")
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--zone-floor", "0.8"], in: s.dir)
        #expect(r.status == 2 && r.stderr.hasPrefix("error: ") && r.stderr.contains("need zones"), "\(r.stderr)")
    }
}
