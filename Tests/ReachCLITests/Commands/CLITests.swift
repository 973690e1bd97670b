import Foundation
import Testing
import ReachGeo
import TestSupport

/// A small scenario written into a temporary folder.
struct TinyScenario {
    let dir: URL
    init(residents: String, existing: String, candidates: String? = nil, extra: String = "") throws {
        dir = try makeTemporaryDirectory("reach-cli")
        try residents.write(to: dir.appendingPathComponent("residents.csv"), atomically: true, encoding: .utf8)
        try existing.write(to: dir.appendingPathComponent("existing.csv"), atomically: true, encoding: .utf8)
        var json = "{\"name\": \"tiny\", \"residents\": \"residents.csv\", \"existing\": \"existing.csv\""
        if let candidates {
            try candidates.write(to: dir.appendingPathComponent("candidates.csv"), atomically: true, encoding: .utf8)
            json += ", \"candidates\": \"candidates.csv\""
        }
        json += extra + "}"
        try json.write(to: dir.appendingPathComponent("scenario.json"), atomically: true, encoding: .utf8)
    }
    func file(_ name: String) -> URL { dir.appendingPathComponent(name) }
    func read(_ name: String) throws -> String { try String(contentsOf: file(name), encoding: .utf8) }
}

// Hand-drawn: resident r1 sits 100 m east of site e1 (geod_direct), r2 4999 m north of e1, r3
// 5001 m north of e1 (just beyond the radius), r4 12 km west (far: 12 km × 1.4 / 20.1 km/h =
// 50.1 min > 30, so beyond both).
func tinyResidents() -> (csv: String, e1: LonLat) {
    let e1 = LonLat(lonDegrees: 105.85, latDegrees: 21.03)
    func at(_ az: Double, _ m: Double) -> LonLat { Geodesic.direct(from: e1, azimuthDegrees: az, distanceMeters: m) }
    let pts = [("r1", at(90, 100), 100.0), ("r2", at(0, 4999), 50), ("r3", at(0, 5001), 25), ("r4", at(270, 12_000), 10)]
    var csv = "id,lon,lat,population,zone\n"
    for (id, p, pop) in pts {
        csv += "\(id),\(DecimalText.fixed(p.lonDegrees, decimals: 9)),\(DecimalText.fixed(p.latDegrees, decimals: 9)),\(Int(pop)),Z\n"
    }
    return (csv, e1)
}

@Suite(.serialized) struct CLICoverageTests {
    @Test func coverageWritesTheContractFiles() throws {
        let (csv, e1) = tinyResidents()
        let s = try TinyScenario(residents: csv, existing: "id,lon,lat,name\ne1,\(e1.lonDegrees),\(e1.latDegrees),Centre\n")
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--format", "json"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try s.read("out/residents.csv").split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows[0] == CoverageOutputs.residentColumns)
        // r1: 100 m; r2: 4999 m (inside, ≤ is inclusive); r3: 5001 m but 5001 × 1.4 / (20100/60) = 20.90 min ≤ 30 → covered by time;
        // r4: 12000 m → 50.15 min (the motorcycle profile's estimate, Documentation/profiles.md) → beyond_radius_and_time.
        #expect(rows[1][6] == "100" && rows[1][9] == "true" && rows[1][11] == "true")
        #expect(rows[2][6] == "4999" && rows[2][9] == "true")
        #expect(rows[3][6] == "5001" && rows[3][9] == "false" && rows[3][10] == "true" && rows[3][8] == "20.9")
        #expect(rows[4][6] == "12000" && rows[4][8] == "50.15" && rows[4][11] == "false" && rows[4][12] == "beyond_radius_and_time")
        let summary = try JSONParser.parse(Data(s.read("out/summary.json").utf8), fileName: "summary.json")
        #expect(summary["population"]?.numberValue == 185)
        #expect(summary["covered_population"]?.numberValue == 175)
        #expect(summary["uncovered_population"]?.numberValue == 10)
        #expect(summary["time_method"]?.stringValue == "estimated")
        #expect(summary["covered_by"]?["radius"]?.numberValue == 150)
        #expect(summary["uncovered_by_reason"]?["beyond_radius_and_time"]?.numberValue == 10)
        #expect(summary["timings_s"] == nil) // only with --timings: files stay byte-identical
        // The stdout JSON is the summary, with timings.
        let stdoutJSON = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        #expect(stdoutJSON["covered_population"]?.numberValue == 175)
        #expect(stdoutJSON["timings_s"]?["total"] != nil)
        let uncovered = try GeoJSONReader.read(url: s.file("out/uncovered.geojson"))
        #expect(uncovered.count == 1 && uncovered[0].property("id")?.stringValue == "r4")
        #expect(r.stderr.contains("warning: the scenario has no roads"))
    }

    @Test func outputsAreByteIdenticalAcrossRuns() throws {
        let (csv, e1) = tinyResidents()
        let s = try TinyScenario(residents: csv, existing: "id,lon,lat\ne1,\(e1.lonDegrees),\(e1.latDegrees)\n")
        _ = try ReachBinary.run(["coverage", "scenario.json", "--out", "a"], in: s.dir)
        _ = try ReachBinary.run(["coverage", "scenario.json", "--out", "b"], in: s.dir)
        for f in ["residents.csv", "summary.json", "uncovered.geojson"] {
            #expect(try s.read("a/\(f)") == s.read("b/\(f)"), "\(f)")
        }
    }

    @Test func overridesChangeTheStandard() throws {
        let (csv, e1) = tinyResidents()
        let s = try TinyScenario(residents: csv, existing: "id,lon,lat\ne1,\(e1.lonDegrees),\(e1.latDegrees)\n")
        let r = try ReachBinary.run(["coverage", "scenario.json", "--format", "json", "--rule", "radius", "--radius-m", "4999"], in: s.dir)
        #expect(r.status == 0)
        let j = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        // Radius 4999 m inclusive: r1 (100) + r2 (50) covered; r3 and r4 are beyond_radius.
        #expect(j["covered_population"]?.numberValue == 150)
        #expect(j["uncovered_by_reason"]?["beyond_radius"]?.numberValue == 35)
    }

    @Test(arguments: [
        ("id,lon,lat,population\nr1,105.85,21.03,10\nr2,105.86,abc,3\n", "residents.csv:3: lat \"abc\" is not a decimal number"),
        ("id,lon,lat,population\nr1,105.85,21.03,10\nr1,105.86,21.04,3\n", "residents.csv:3: duplicate id \"r1\" (first on line 2)"),
        ("id,lon,lat,population\nr1,21.03,105.85,10\n", "residents.csv:2: latitude 105.85"),
        ("id,lat,population\nr1,21.03,10\n", "residents.csv:1: missing column \"lon\""),
        ("", "residents.csv: the file is empty"),
    ])
    func badInputExitsTwoWithoutPartialOutput(residents: String, message: String) throws {
        let s = try TinyScenario(residents: residents, existing: "id,lon,lat\ne1,105.85,21.03\n")
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out"], in: s.dir)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("error: \(message)"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: s.file("out").path)) ?? []
        #expect(files.isEmpty, "\(files)")
    }

    @Test func swappedLayerIsReported() throws {
        // Liechtenstein: every point of existing.csv is written (lat, lon). Both numbers are in range,
        // so no row is wrong on its own, but read as (lon, lat) they lie in Ethiopia, 5,000 km from the
        // residents, while the swapped reading falls on them.
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,9.52,47.14,10\nr2,9.55,47.16,3\n",
                                 existing: "id,lon,lat\ne1,47.15,9.53\n")
        let r = try ReachBinary.run(["coverage", "scenario.json"], in: s.dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("existing.csv:2: the points look swapped"), "\(r.stderr)")
    }

    @Test func idsMustBeUniqueAcrossExistingAndCandidates() throws {
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,105.85,21.03,10\n",
                                 existing: "id,lon,lat\ns1,105.85,21.03\n", candidates: "id,lon,lat\nc1,105.8,21.0\ns1,105.9,21.1\n")
        let r = try ReachBinary.run(["coverage", "scenario.json"], in: s.dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("candidates.csv:3: duplicate id \"s1\": already used by an existing site (existing.csv:2)"), "\(r.stderr)")
    }

    @Test func unknownScenarioFieldAndUsage() throws {
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,105.85,21.03,10\n", existing: "id,lon,lat\ne1,105.85,21.03\n",
                                 extra: ",\n\"radius\": 5000")
        let r = try ReachBinary.run(["coverage", "scenario.json"], in: s.dir)
        #expect(r.status == 2 && r.stderr.contains("scenario.json:2: unknown field \"radius\""), "\(r.stderr)")
        let usage = try ReachBinary.run(["coverage", "scenario.json", "--rule", "sometimes"], in: s.dir)
        #expect(usage.status == 2 && usage.stderr.hasPrefix("error: "), "\(usage.stderr)")
        let missing = try ReachBinary.run(["coverage", "nope.json"], in: s.dir)
        #expect(missing.status == 2 && missing.stderr == "error: nope.json: no such file\n")
    }
}

@Suite struct CLIProjectTests {
    // printf "105.8542 21.0285\n" | cs2cs -d 6 OGC:CRS84 EPSG:32648  →  588761.587340 2325539.252354
    @Test func projectMatchesCs2cs() throws {
        let r = try ReachBinary.run(["project", "--from", "OGC:CRS84", "--to", "EPSG:32648", "--decimals", "6"],
                                    stdin: "105.8542 21.0285\n105.0 21.0\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "588761.58734 2325539.252354\n500000 2322147.638355\n")
    }

    @Test func badCRSAndBadLine() throws {
        let bad = try ReachBinary.run(["project", "--from", "EPSG:4326", "--to", "EPSG:999999"], stdin: "1 2\n")
        #expect(bad.status == 2 && bad.stderr.contains("crs not found"), "\(bad.stderr)")
        let line = try ReachBinary.run(["project", "--from", "EPSG:4326", "--to", "EPSG:32648"], stdin: "105 21\nhello\n")
        #expect(line.status == 2 && line.stderr.hasPrefix("error: <stdin>:2:"), "\(line.stderr)")
    }
}

@Suite struct CLIPlanTests {
    // Hand-solvable: e1 covers r1 (10 people). Candidates: cA 1 km from r2 (40 people) and r3 (30);
    // cB 1 km from r4 (60 people) only. Everything else is > 40 km apart (beyond 5 km and 30 min).
    // Best 1 branch: cA (+70) beats cB (+60). Best 2: cA and cB (+130). Consolidate to 1: cA (70)
    // beats cB (60) and e1 (10).
    func scenario() throws -> TinyScenario {
        let base = LonLat(lonDegrees: 105.5, latDegrees: 21.0)
        func at(_ az: Double, _ km: Double, from p: LonLat = base) -> LonLat { Geodesic.direct(from: p, azimuthDegrees: az, distanceMeters: km * 1000) }
        let a = at(90, 50), b = at(0, 60)
        func row(_ id: String, _ p: LonLat, _ tail: String = "") -> String {
            "\(id),\(DecimalText.fixed(p.lonDegrees, decimals: 8)),\(DecimalText.fixed(p.latDegrees, decimals: 8))\(tail)\n"
        }
        let residents = "id,lon,lat,population\n" + row("r1", at(0, 0.5), ",10") + row("r2", at(0, 1, from: a), ",40")
            + row("r3", at(180, 1, from: a), ",30") + row("r4", at(90, 1, from: b), ",60")
        return try TinyScenario(residents: residents, existing: "id,lon,lat\n" + row("e1", base),
                                candidates: "id,lon,lat\n" + row("cA", a) + row("cB", b))
    }

    @Test func addModeRollOut() throws {
        let s = try scenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--out", "p"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try JSONParser.parse(Data(s.read("p/plan.json").utf8), fileName: "plan.json")
        let branches = try #require(plan["branches"]?.arrayElements)
        #expect(branches.map { $0["id"]?.stringValue } == ["cA", "cB"])
        #expect(branches.map { $0["marginal_population"]?.numberValue } == [70, 60])
        #expect(branches.map { $0["cumulative_covered_population"]?.numberValue } == [80, 140])
        #expect(plan["covered_population"]?.numberValue == 140)
        #expect(plan["upper_bound_population"]?.numberValue == 140)
        #expect(plan["gap"]?.numberValue == 0 && plan["proven_optimal"]?.boolValue == true)
        #expect(plan["mode"]?.stringValue == "add" && plan["branches_requested"]?.numberValue == 2)
        // The text summary repeats the solver's notes (how the search ended).
        let noteValues = try #require(plan["solver"]?["notes"]?.arrayElements)
        let notes = noteValues.compactMap { $0.stringValue }
        #expect(!notes.isEmpty)
        for note in notes { #expect(r.stdout.contains("    \(note)\n"), "\(note) not in the text output") }
        let geo = try GeoJSONReader.read(url: s.file("p/plan.geojson"))
        #expect(geo.filter { $0.property("kind")?.stringValue == "branch" }.count == 2)
        #expect(geo.filter { $0.property("kind")?.stringValue == "newly_covered_resident" }.map { $0.property("id")?.stringValue } == ["r2", "r3", "r4"])
        // Byte-identical on a second run.
        _ = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--out", "q"], in: s.dir)
        #expect(try s.read("p/plan.json") == s.read("q/plan.json"))
    }

    @Test func consolidateAndFewest() throws {
        let s = try scenario()
        let c = try ReachBinary.run(["plan", "scenario.json", "--branches", "1", "--mode", "consolidate", "--format", "json"], in: s.dir)
        let j = try JSONParser.parse(Data(c.stdout.utf8), fileName: "stdout")
        #expect(j["branches"]?.arrayElements?.map { $0["id"]?.stringValue } == ["cA"])
        #expect(j["covered_population"]?.numberValue == 70)
        // Fewest branches reaching 100 % of the coverable population (140 with e1 open): cA and cB.
        let f = try ReachBinary.run(["plan", "scenario.json", "--objective", "branches", "--target-share", "1", "--format", "json"], in: s.dir)
        let k = try JSONParser.parse(Data(f.stdout.utf8), fileName: "stdout")
        #expect(k["branches"]?.arrayElements?.count == 2)
        #expect(k["branch_count_proven_minimal"]?.boolValue == true)
        let tooMany = try ReachBinary.run(["plan", "scenario.json", "--branches", "5"], in: s.dir)
        #expect(tooMany.status == 2 && tooMany.stderr.hasPrefix("error: "), "\(tooMany.stderr)")
    }
}
