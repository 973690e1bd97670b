import Foundation
import Testing
import ReachGeo
import ReachPlanner
import TestSupport

/// `reach staff` and the sites files on a drawn map, with the loads worked out by hand.
///
/// e1 (zone A, 1 counter) and e2 (zone B, 10 km east of e1, `capacity` 2080 filings a year and
/// 30 minutes per filing) on a line running east. No roads: every resident files at its nearest
/// site. Scenario: 0.5 filings per person a year, 20 % online, peak factor 1.5, 40 h a week.
///
/// | resident | where              | pop  | zone | rate | counter filings    | file anywhere | own unit |
/// |----------|--------------------|------|------|------|--------------------|---------------|----------|
/// | r1       | 100 m E of e1      | 1000 | A    | 1.0  | 1000·1.0·0.8 = 800 | e1            | e1       |
/// | r2       | 4 km E of e1       | 500  | B    | 0.5  | 500·0.5·0.8 = 200  | e1 (4 < 6 km) | e2       |
/// | r3       | 9 km E of e1       | 2000 | B    | 0.5  | 800                | e2            | e2       |
/// | r4       | 200 m W of e1      | 300  | C    | 0.5  | 120                | e1            | e1 (no site in C: falls back) |
/// | r5       | 20 km E of e1      | 100  | B    | 0.5  | 40                 | e2 (outside the standard: 10 km, 36.8 min) | e2 |
///
/// File anywhere: e1 1120 filings (pop 1800), e2 840 (pop 2100, 40 from outside the standard).
/// Own unit only: e1 920, e2 1040.
/// e1: λ = 1.5·1120/(52·40) = 0.80769/h, μ = 60/15 = 4/h, c = 1 → M/M/1: ρ = 0.20192, W_q = ρ/(μ − λ) h.
/// e2: c = ⌈2080·30/(40·52·60)⌉ = ⌈0.5⌉ = 1, λ = 1.5·840/2080 = 0.60577/h, μ = 2/h: ρ = 0.30288,
/// W_q = ρ/(μ − λ) = 0.21724 h = 13.03 min.
struct StaffScenario {
    let s: TinyScenario
    init(existingTail: String = "", extra: String = ", \"filings_per_person_year\": 0.5, \"online_share\": 0.2, \"peak_factor\": 1.5") throws {
        let e1 = LonLat(lonDegrees: 105.85, latDegrees: 21.03)
        func at(_ az: Double, _ m: Double) -> LonLat { Geodesic.direct(from: e1, azimuthDegrees: az, distanceMeters: m) }
        func p(_ x: LonLat) -> String { "\(DecimalText.fixed(x.lonDegrees, decimals: 9)),\(DecimalText.fixed(x.latDegrees, decimals: 9))" }
        let e2 = at(90, 10_000)
        let residents = "id,lon,lat,population,zone,filings_per_person_year\n"
            + "r1,\(p(at(90, 100))),1000,A,1.0\n" + "r2,\(p(at(90, 4000))),500,B,\n" + "r3,\(p(at(90, 9000))),2000,B,\n"
            + "r4,\(p(at(270, 200))),300,C,\n" + "r5,\(p(at(90, 20_000))),100,B,\n"
        let existing = "id,lon,lat,name,zone,staff,capacity,service_minutes\n"
            + "e1,\(p(e1)),Centre A,A,1,,\n" + "e2,\(p(e2)),\"Centre B, east\",B,,2080,30\n" + existingTail
        s = try TinyScenario(residents: residents, existing: existing, extra: extra)
    }
}

@Suite(.serialized) struct StaffCLITests {
    func rows(_ text: String) -> [[String]] {
        // No quoted commas except the name column of e2, which the test reads by header position only after unquoting.
        text.split(separator: "\n").map { line in
            var fields: [String] = [], cur = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { fields.append(cur); cur = "" } else { cur.append(ch) }
            }
            fields.append(cur)
            return fields
        }
    }

    @Test func coverageWritesSitesWithHandComputedLoads() throws {
        let t = try StaffScenario()
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let table = rows(try t.s.read("out/sites.csv"))
        #expect(Array(table[0].prefix(15)) == ["id", "name", "role", "open", "snapped", "snap_distance_m", "assigned_population",
                                               "assigned_filings_per_year", "capacity", "staff", "service_minutes", "arrivals_per_hour",
                                               "utilisation", "expected_wait_minutes", "over_capacity"])
        #expect(table[0] == StaffingOutputs.siteColumns)
        let col = Dictionary(uniqueKeysWithValues: table[0].enumerated().map { ($1, $0) })
        let e1 = table[1], e2 = table[2]
        #expect(e1[col["id"]!] == "e1" && e2[col["name"]!] == "Centre B, east")
        #expect(e1[col["open"]!] == "true" && e1[col["snapped"]!] == "")  // no roads: snapping not computed
        #expect(e1[col["assigned_population"]!] == "1800" && e1[col["assigned_filings_per_year"]!] == "1120")
        #expect(e2[col["assigned_population"]!] == "2100" && e2[col["assigned_filings_per_year"]!] == "840")
        #expect(e1[col["own_unit_assigned_filings_per_year"]!] == "920" && e2[col["own_unit_assigned_filings_per_year"]!] == "1040")
        #expect(e2[col["outside_standard_filings_per_year"]!] == "40" && e1[col["outside_standard_filings_per_year"]!] == "0")
        // e1: 1 counter × 40 h × 52 × 60 / 15 = 8320 filings a year; e2: the capacity column.
        #expect(e1[col["capacity"]!] == "8320" && e1[col["staff"]!] == "1")
        #expect(e2[col["capacity"]!] == "2080" && e2[col["staff"]!] == "1" && e2[col["service_minutes"]!] == "30")
        let l1 = 1.5 * 1120 / (52 * 40), l2 = 1.5 * 840 / (52 * 40.0)
        #expect(e1[col["arrivals_per_hour"]!] == DecimalText.fixed(l1, decimals: 3))
        #expect(e1[col["utilisation"]!] == DecimalText.fixed(l1 / 4, decimals: 4))
        #expect(e1[col["expected_wait_minutes"]!] == DecimalText.fixed(60 * (l1 / 4) / (4 - l1), decimals: 2))
        #expect(e2[col["expected_wait_minutes"]!] == DecimalText.fixed(60 * (l2 / 2) / (2 - l2), decimals: 2))
        #expect(e2[col["expected_wait_minutes"]!] == "13.03")
        #expect(e1[col["over_capacity"]!] == "false" && e2[col["over_capacity"]!] == "false")
        // summary.json: totals. Demand 1000·1 + (500+2000+300+100)·0.5 = 2450; online 20 % = 490; counters 1960.
        let summary = try JSONParser.parse(Data(t.s.read("out/summary.json").utf8), fileName: "summary.json")
        let st = try #require(summary["staffing"])
        #expect(st["demand_filings_per_year"]?.numberValue == 2450)
        #expect(st["online_filings_per_year"]?.numberValue == 490)
        #expect(st["counter_filings_per_year"]?.numberValue == 1960)
        #expect(st["outside_standard_filings_per_year"]?.numberValue == 40)
        #expect(st["own_unit_fallback_population"]?.numberValue == 300)
        #expect(st["counters"]?.numberValue == 2)
        let geo = try GeoJSONReader.read(url: t.s.file("out/sites.geojson"))
        #expect(geo.count == 2 && geo[1].property("expected_wait_minutes")?.numberValue == 13.03)
    }

    @Test func staffPlacesTheTotalAndWritesItsFiles() throws {
        let t = try StaffScenario()
        let r = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "3", "--max-wait-minutes", "5", "--out", "s"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("busiest sites:"), "\(r.stdout)")
        let staff = try JSONParser.parse(Data(t.s.read("s/staff.json").utf8), fileName: "staff.json")
        // The third counter goes to e2: its gain 840 × (13.03 − W(2)) beats e1's 1120 × (3.80 − W(2)).
        let sites = try #require(staff["sites"]?.arrayElements)
        let byID = Dictionary(uniqueKeysWithValues: sites.map { ($0["id"]!.stringValue!, $0) })
        #expect(byID["e1"]?["staff"]?.numberValue == 1 && byID["e2"]?["staff"]?.numberValue == 2)
        #expect(staff["staff_total"]?.numberValue == 3 && staff["counters"]?.numberValue == 3)
        // The fewest staff for a mean wait ≤ 5 min, by hand: with 2 the mean is (1120·3.80 + 840·13.03)/1960 = 7.76 min;
        // with 3 (e2 gets 2) it is (1120·3.80 + 840·W_e2(2))/1960 < 5.
        let wait2 = ErlangQueue.expectedWait(arrivalRate: 1.5 * 840 / 2080, serviceRate: 2, servers: 2) * 60
        let wait1 = 60 * (1.5 * 1120 / 2080 / 4) / (4 - 1.5 * 1120 / 2080)
        #expect((1120 * wait1 + 840 * wait2) / 1960 < 5)
        #expect(staff["wait_target"]?["fewest_staff"]?.numberValue == 3)
        for f in ["sites.csv", "sites.geojson", "staff.json"] {
            #expect(FileManager.default.fileExists(atPath: t.s.file("s/\(f)").path), "\(f)")
        }
        // Byte-identical reruns.
        _ = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "3", "--max-wait-minutes", "5", "--out", "s2"], in: t.s.dir)
        for f in ["sites.csv", "sites.geojson", "staff.json"] { #expect(try t.s.read("s/\(f)") == t.s.read("s2/\(f)"), "\(f)") }
        // The worst-wait objective and the JSON on stdout.
        let m = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "4", "--objective", "max", "--format", "json"], in: t.s.dir)
        #expect(m.status == 0, "\(m.stderr)")
        let j = try JSONParser.parse(Data(m.stdout.utf8), fileName: "stdout")
        #expect(j["objective"]?.stringValue == "max" && j["staff_total"]?.numberValue == 4)
    }

    @Test func overCapacityIsFlagged() throws {
        // 10 filings per person: e2 gets 16,800 counter filings a year, beyond its capacity of 2080, and
        // λ = 1.5·16800/2080 = 12.1/h > μ = 2/h: an unbounded queue.
        let t = try StaffScenario(extra: ", \"filings_per_person_year\": 10, \"online_share\": 0.2")
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let table = rows(try t.s.read("out/sites.csv"))
        let col = Dictionary(uniqueKeysWithValues: table[0].enumerated().map { ($1, $0) })
        #expect(table[2][col["over_capacity"]!] == "true" && table[2][col["expected_wait_minutes"]!] == "inf")
        let geo = try GeoJSONReader.read(url: t.s.file("out/sites.geojson"))
        #expect(geo[1].property("expected_wait_minutes")?.isNull == true && geo[1].property("over_capacity")?.boolValue == true)
    }

    @Test(arguments: [
        (["staff", "scenario.json", "--staff-total", "1"], "error: --staff-total 1 is fewer than the 2 open sites"),
        (["staff", "scenario.json", "--staff-total", "4", "--open-sites", "e1,zz"], "error: --open-sites: no site with id \"zz\""),
        (["staff", "scenario.json", "--staff-total", "4", "--online-share", "1.5"], "error: --online-share: \"online_share\" must be a share in 0…1"),
        (["staff", "scenario.json", "--staff-total", "0"], "error: --staff-total must be ≥ 1"),
        (["staff", "scenario.json", "--staff-total", "4", "--max-wait-minutes", "0"], "error: --max-wait-minutes must be"),
    ])
    func badFlagsExitTwo(args: [String], message: String) throws {
        let t = try StaffScenario()
        let r = try ReachBinary.run(args + ["--out", "out"], in: t.s.dir)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: t.s.file("out").path)) ?? []
        #expect(files.isEmpty, "\(files)")
    }

    @Test func badTableAndScenarioValuesNameTheirLine() throws {
        let t = try StaffScenario(existingTail: "e3,105.9,21.03,Centre C,C,-2,,\n")
        let r = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "5"], in: t.s.dir)
        #expect(r.status == 2 && r.stderr == "error: existing.csv:4: staff \"-2\" is not a whole number of counters ≥ 0\n", "\(r.stderr)")
        let u = try StaffScenario(existingTail: "e3,105.9,21.03,Centre C,C,1,,0\n")
        let r2 = try ReachBinary.run(["coverage", "scenario.json"], in: u.s.dir)
        #expect(r2.status == 2 && r2.stderr == "error: existing.csv:4: service_minutes \"0\" is not a number of minutes > 0\n", "\(r2.stderr)")
        let v = try StaffScenario(extra: ", \"peak_factor\": 0.5")
        let r3 = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "5"], in: v.s.dir)
        #expect(r3.status == 2 && r3.stderr.hasPrefix("error: scenario.json:1: \"peak_factor\" must be ≥ 1"), "\(r3.stderr)")
        let w = try StaffScenario(extra: ", \"online_share\": \"half\"")
        let r4 = try ReachBinary.run(["coverage", "scenario.json"], in: w.s.dir)
        #expect(r4.status == 2 && r4.stderr.hasPrefix("error: scenario.json:1: \"online_share\" must be a number"), "\(r4.stderr)")
    }
}

/// `reach plan --capacitated` on the drawn map of ``StaffScenario`` (consolidate to 1 site).
/// Coverage (no roads, 5 km or 30 min at 1.35 × distance / 22 km/h): e1 covers r1, r2, r4; e2
/// covers r2 (6 km, 22.1 min) and r3 (1 km); nobody else.
@Suite(.serialized) struct CapacitatedPlanCLITests {
    func plan(_ t: StaffScenario, _ extra: [String] = []) throws -> JSONNode {
        let r = try ReachBinary.run(["plan", "scenario.json", "--mode", "consolidate", "--branches", "1", "--format", "json"] + extra, in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        return try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
    }

    // 10 filings per person, 20 % online: e1 would get r1 800 + r2 4000 + r4 2400 = 7200 filings ≤ 8320
    // (serves all 1800 people); e2 r2 4000 + r3 16000 = 20000 > 2080, at 8 filings per person it serves
    // 2080 / 8 = 260 people. Uncapacitated, e2 covers more (2500 > 1800); capacitated, e1 serves more.
    @Test func capacityChangesTheChoice() throws {
        let t = try StaffScenario(extra: ", \"filings_per_person_year\": 10, \"online_share\": 0.2")
        let plain = try plan(t)
        #expect(plain["branches"]?.arrayElements?.map { $0["id"]?.stringValue } == ["e2"])
        let cap = try plan(t, ["--capacitated"])
        #expect(cap["branches"]?.arrayElements?.map { $0["id"]?.stringValue } == ["e1"])
        #expect(cap["served_population"]?.numberValue == 1800)
        #expect(cap["proven_optimal"]?.boolValue == true && cap["gap"]?.numberValue == 0)
        #expect(cap["objective"]?.stringValue == "capacitated_coverage")
    }

    // Rate 1.2, 20 % online (r1 keeps its own 1.0): e2 gets r2 480 + r3 1920 = 2400 filings > 2080; at
    // 0.96 filings per person it serves 2080 / 0.96 = 2166.667 of the 2500 it covers (333.333 over
    // capacity); e1 serves 1800. So e2, with reason over_capacity for the part it cannot serve.
    @Test func overCapacityResidentsAreMarked() throws {
        let t = try StaffScenario(extra: ", \"filings_per_person_year\": 1.2, \"online_share\": 0.2")
        let cap = try plan(t, ["--capacitated"])
        #expect(cap["branches"]?.arrayElements?.map { $0["id"]?.stringValue } == ["e2"])
        #expect(abs((cap["served_population"]?.numberValue ?? 0) - 2166.667) < 0.001)
        #expect(abs((cap["over_capacity_population"]?.numberValue ?? 0) - 333.333) < 0.001)
        #expect(cap["upper_bound_population"]?.numberValue.map { $0 >= 2166.666 } == true)
        let r = try ReachBinary.run(["plan", "scenario.json", "--mode", "consolidate", "--branches", "1", "--capacitated", "--out", "p"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try t.s.read("p/residents.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let over = rows.filter { $0[12] == "over_capacity" }
        #expect(!over.isEmpty && over.allSatisfy { $0[11] == "true" && ($0[0] == "r2" || $0[0] == "r3") })
        let bad = try ReachBinary.run(["plan", "scenario.json", "--objective", "branches", "--capacitated"], in: t.s.dir)
        #expect(bad.status == 2 && bad.stderr.hasPrefix("error: --capacitated works with --objective coverage"), "\(bad.stderr)")
    }
}
