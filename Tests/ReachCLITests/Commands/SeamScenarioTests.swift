import Foundation
import Testing
import ReachGeo
import TestSupport

/// The committed road fixture `Tests/Fixtures/seam/` (hand-written OSM XML, five residents, one
/// existing site, two candidates, a round-number profile): `coverage --roads` and `plan` end to
/// end without shared data, with every figure worked out by hand, and golden files of every
/// output (`Tests/Fixtures/Golden/`).
///
/// The map (pyproj `Geod(ellps='WGS84').inv` for the metres; by hand 0.005° × (π/180) ×
/// N(21.03°) cos 21.03° ≈ 519.7 m along the parallel, 0.005° × (π/180) × M(21.03°) ≈ 553.6 m
/// along the meridian):
///
///              6 = c2, r4                         (residential 18 km/h = 5 m/s, 553.587 m: 110.717 s)
///              |
///     1 ---- 2 ---- 3 ---- 4 ---- 5 = c1          (primary 36 km/h = 10 m/s, 519.748 m per step: 51.975 s)
///     e1     r1            r2     (r3 110.717 m north of 5; r5 4158 m west of 1, beyond max_snap_m 500)
///
/// Standard: radius 1000 m or 2 minutes (rule either). Connector 10 km/h = 2.7778 m/s.
///
/// Today (e1 only):
/// - r1 (100): 519.7 m, 51.975 s = 0.87 min → covered (radius and time).
/// - r2 (200): 1559.2 m, 3 × 51.975 = 155.92 s = 2.60 min → beyond_radius_and_time.
/// - r3 (300): 2081.9 m; 110.717 m ÷ 2.7778 = 39.86 s connector + 4 × 51.975 = 207.90 s → 247.76 s = 4.13 min → beyond_radius_and_time.
/// - r4 (400): 1177.7 m; 110.717 + 2 × 51.975 = 214.67 s = 3.58 min → beyond_radius_and_time.
/// - r5 (50): no road within 500 m → no_road_within_snap (4158 m from e1).
/// Covered 100 of 1050.
///
/// Plan, 2 branches: c2 covers r4 (0 m) and r2 (759.3 m ≤ 1000, radius) → 600 new; c1 covers r2
/// (519.7 m, 0.87 min) and r3 (110.7 m, 39.86 s = 0.66 min) → 500 new. Greedy and optimal: c2
/// first (cumulative 700), then c1 adds r3 (300, cumulative 1000); r5 is never coverable, so the
/// upper bound is 1000 and the gap 0.
///
/// Plan, 1 branch, rule both (one site must meet radius and time): c2 now covers only r4, as r2
/// is 759.3 m but 51.975 + 110.717 = 162.69 s = 2.71 min from it → 400 new; c1 covers r2 (519.7 m,
/// 0.87 min) and r3 (110.7 m, 0.66 min) → 500 new. So c1 (covered 600), where rule either picks c2.
enum SeamFixture {
    static let source = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/seam")
    static let golden = SharedData.repositoryRoot.appendingPathComponent("Tests/Fixtures/Golden")

    /// A copy of the fixture in a fresh temporary folder (runs never write into the repository).
    static func copy() throws -> URL {
        let dir = try makeTemporaryDirectory("reach-seam")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    static func rows(_ url: URL) throws -> [[String: String]] {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0)) }
    }

    static func json(_ url: URL) throws -> JSONNode {
        try JSONParser.parse(Data(contentsOf: url), fileName: url.lastPathComponent)
    }
}

@Suite(.serialized) struct SeamScenarioTests {
    @Test func coverageWithRoadsByHand() throws {
        let dir = try SeamFixture.copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ReachBinary.run(["coverage", "scenario.json", "--roads", "roads.osm", "--out", "out"], in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let rows = try SeamFixture.rows(dir.appendingPathComponent("out/residents.csv"))
        func col(_ name: String) -> [String] { rows.map { $0[name] ?? "?" } }
        #expect(col("id") == ["r1", "r2", "r3", "r4", "r5"])
        #expect(col("distance_m") == ["519.7", "1559.2", "2081.9", "1177.7", "4158"])
        #expect(col("minutes") == ["0.87", "2.6", "4.13", "3.58", ""])
        #expect(col("within_radius") == ["true", "false", "false", "false", "false"])
        #expect(col("within_time") == ["true", "false", "false", "false", "false"])
        #expect(col("reason") == ["", "beyond_radius_and_time", "beyond_radius_and_time", "beyond_radius_and_time", "no_road_within_snap"])
        #expect(col("time_method") == ["network", "network", "network", "network", ""])
        let summary = try SeamFixture.json(dir.appendingPathComponent("out/summary.json"))
        #expect(summary["time_method"]?.stringValue == "network")
        #expect(summary["covered_population"]?.numberValue == 100)
        #expect(summary["uncovered_by_reason"]?["beyond_radius_and_time"]?.numberValue == 900)
        #expect(summary["uncovered_by_reason"]?["no_road_within_snap"]?.numberValue == 50)
        // Nodes 1, 3, 5, 6 are vertices; 4 × 519.748 + 553.587 = 2632.6 m of road.
        #expect(summary["graph"]?["vertices"]?.numberValue == 4)
        #expect(summary["graph"]?["edges"]?.numberValue == 3)
        #expect(summary["graph"]?["total_km"]?.numberValue == 2.633)
    }

    @Test func planWithRoadsByHand() throws {
        let dir = try SeamFixture.copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ReachBinary.run(["plan", "scenario.json", "--roads", "roads.osm", "--branches", "2", "--out", "out"], in: dir)
        try #require(r.status == 0, "\(r.stderr)")
        let plan = try SeamFixture.json(dir.appendingPathComponent("out/plan.json"))
        let branches = try #require(plan["branches"]?.arrayElements)
        #expect(branches.map { $0["id"]?.stringValue } == ["c2", "c1"])
        #expect(branches.map { $0["marginal_population"]?.numberValue } == [600, 300])
        #expect(branches.map { $0["cumulative_covered_population"]?.numberValue } == [700, 1000])
        #expect(plan["covered_population"]?.numberValue == 1000)
        #expect(plan["upper_bound_population"]?.numberValue == 1000)
        #expect(plan["gap"]?.numberValue == 0)
        #expect(plan["proven_optimal"]?.boolValue == true)
        let rows = try SeamFixture.rows(dir.appendingPathComponent("out/residents.csv"))
        #expect(rows.map { $0["fastest_id"] } == ["e1", "c1", "c1", "c2", ""])
        #expect(rows.map { $0["minutes"] } == ["0.87", "0.87", "0.66", "0", ""])
    }

    @Test func planRuleBothByHand() throws {
        let dir = try SeamFixture.copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (rule, chosen, covered) in [("both", "c1", 600.0), ("either", "c2", 700)] {
            let r = try ReachBinary.run(["plan", "scenario.json", "--roads", "roads.osm", "--branches", "1", "--rule", rule,
                                         "--out", "out-\(rule)"], in: dir)
            try #require(r.status == 0, "\(r.stderr)")
            let plan = try SeamFixture.json(dir.appendingPathComponent("out-\(rule)/plan.json"))
            #expect(plan["branches"]?.arrayElements?.map { $0["id"]?.stringValue } == [chosen], "rule \(rule)")
            #expect(plan["covered_population"]?.numberValue == covered, "rule \(rule)")
        }
    }
}

/// Golden files: every file a run writes, compared byte for byte with `Tests/Fixtures/Golden/`.
/// Refresh after an intended change with
/// `RECORD_SNAPSHOTS=1 swift test --filter GoldenOutputTests` and review the diff. Timings are
/// not in the files (`timings_s` appears only with `--timings`); standard output (which carries
/// wall-clock times) is not compared.
@Suite(.serialized) struct GoldenOutputTests {
    static var recording: Bool { ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" }

    /// Compares `actual` with the golden file `name` (or records it).
    static func expectGolden(_ actual: Data, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = SeamFixture.golden.appendingPathComponent(name)
        if recording {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record("golden file \(name) is missing: run RECORD_SNAPSHOTS=1 swift test --filter GoldenOutputTests", sourceLocation: sourceLocation)
            return
        }
        if expected != actual {
            let e = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let a = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let k = (0 ..< min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
            Issue.record("\(name) differs from its golden file at line \(k + 1):\n  golden: \(k < e.count ? String(e[k]) : "<end>")\n  actual: \(k < a.count ? String(a[k]) : "<end>")",
                         sourceLocation: sourceLocation)
        }
    }

    /// Runs `reach args…` in a copy of the fixture, then compares every file of `out/` (and that
    /// the set of files is the same).
    static func expectRunMatches(_ name: String, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = try SeamFixture.copy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ReachBinary.run(args + ["--out", "out"], in: dir)
        try #require(r.status == 0, "\(r.stderr)", sourceLocation: sourceLocation)
        let out = dir.appendingPathComponent("out")
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        try expectGolden(Data((files.joined(separator: "\n") + "\n").utf8), "\(name)/FILES", sourceLocation: sourceLocation)
        for f in files {
            try expectGolden(try Data(contentsOf: out.appendingPathComponent(f)), "\(name)/\(f)", sourceLocation: sourceLocation)
        }
    }

    @Test func coverageWithRoads() throws {
        try Self.expectRunMatches("coverage-roads", ["coverage", "scenario.json", "--roads", "roads.osm"])
    }

    @Test func coverageEstimated() throws {
        try Self.expectRunMatches("coverage-estimated", ["coverage", "scenario.json"])
    }

    @Test func planWithRoads() throws {
        try Self.expectRunMatches("plan-roads", ["plan", "scenario.json", "--roads", "roads.osm", "--branches", "2"])
    }

    @Test func planRuleBoth() throws {
        try Self.expectRunMatches("plan-both", ["plan", "scenario.json", "--roads", "roads.osm", "--branches", "1", "--rule", "both"])
    }

    static let subcommands = ["coverage", "plan", "isochrones", "project", "demo", "residents", "staff"]

    /// `--help` of every subcommand (and of `reach` itself) is stable text.
    @Test(arguments: [""] + subcommands)
    func help(subcommand: String) throws {
        // Help wraps at COLUMNS (swift-argument-parser reads it first): pin it.
        let r = try ReachBinary.run((subcommand.isEmpty ? [] : [subcommand]) + ["--help"], environment: ["COLUMNS": "80", "LINES": "24"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: reach" + (subcommand.isEmpty ? "" : " \(subcommand)")))
        try Self.expectGolden(Data(r.stdout.utf8), "help/\(subcommand.isEmpty ? "reach" : subcommand).txt")
    }
}

/// Argument parsing alone: errors found before any input is read (the scenario named does not
/// exist, so a message about it would mean parsing went on to run the command).
@Suite struct ParseOnlyTests {
    @Test(arguments: GoldenOutputTests.subcommands)
    func unknownOptionIsAUsageError(subcommand: String) throws {
        let r = try ReachBinary.run([subcommand, "--no-such-flag"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown option \"--no-such-flag\" for 'reach \(subcommand)'"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test(arguments: [
        (["plan", "absent.json", "--branches", "abc"], "'--branches <branches>'"),
        (["plan", "absent.json"], "--branches N is required"),
        (["coverage", "absent.json", "--max-minutes", "soon"], "--max-minutes"),
        (["coverage", "absent.json", "--format", "yaml"], "--format"),
        (["staff", "absent.json"], "--staff-total"),
        (["coverage"], "scenario"),
    ])
    func badArgumentsStopBeforeReadingInput(args: [String], message: String) throws {
        let dir = try makeTemporaryDirectory("reach-parse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try ReachBinary.run(args, in: dir)
        #expect(r.status == 2, "\(args): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        #expect(!r.stderr.contains("absent.json"), "\(args) read the scenario: \(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// Valid arguments parse: `--help` after a full valid command line still only prints help.
    @Test func validArgumentsParse() throws {
        let r = try ReachBinary.run(["plan", "absent.json", "--branches", "3", "--mode", "consolidate", "--rule", "both",
                                     "--max-minutes", "20", "--help"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("USAGE: reach plan"))
    }
}
