import Foundation
import Testing
import ReachGeo
import TestSupport

/// End-to-end runs of `reach` on the real data in `../shared/data` (skipped with a printed reason
/// when it is absent, failing under CI=true).
@Suite(.serialized) struct HanoiRealDataTests {
    struct Row {
        var population: Double
        var distanceMeters: Double?
        var minutes: Double?
        var withinRadius: Bool
        var withinTime: Bool
        var covered: Bool
        var reason: String
    }

    func readRows(_ url: URL) throws -> [Row] {
        let recs = try CSVReader.read(url: url)
        #expect(recs.first?.fields == CoverageOutputs.residentColumns)
        return recs.dropFirst().map { r in
            Row(population: Double(r.fields[3])!, distanceMeters: Double(r.fields[6]), minutes: Double(r.fields[8]),
                withinRadius: r.fields[9] == "true", withinTime: r.fields[10] == "true", covered: r.fields[11] == "true",
                reason: r.fields[12])
        }
    }

    /// A scenario of WorldPop 2020 cells (residents) and the 2025 commune centres + headquarters
    /// (`data/hanoi/existing.csv`), with or without the Hanoi urban roads.
    func scenario(roads: Bool) throws -> URL? {
        guard let grid = try SharedData.require("population/hanoi_worldpop2020_1km.asc"),
              let pbf = try SharedData.require("roads/hanoi_urban_drive_2025-05-14.osm.pbf") else { return nil }
        let dir = try makeTemporaryDirectory("reach-hanoi")
        var json = "{\"name\": \"Hanoi WorldPop 2020 × 2025 centres\", \"residents\": \"\(grid.path)\", "
        json += "\"existing\": \"\(SharedData.bundledData.appendingPathComponent("hanoi/existing.csv").path)\", "
        json += "\"candidates\": \"\(SharedData.bundledData.appendingPathComponent("hanoi/candidates.csv").path)\""
        if roads { json += ", \"roads\": \"\(pbf.path)\"" }
        json += "}"
        let url = dir.appendingPathComponent("scenario.json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Issue 2's check: 5 km coverage of the WorldPop grid by the 126 commune centres (+ HQ),
    /// compared with a brute-force geodesic oracle over every cell × every site.
    @Test func worldPopFiveKilometreCoverageEqualsBruteForce() throws {
        guard let url = try scenario(roads: false) else { return }
        let out = url.deletingLastPathComponent().appendingPathComponent("out")
        let r = try ReachBinary.run(["coverage", url.path, "--out", out.path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let grid = try AsciiGrid.read(from: try #require(SharedData.file("population/hanoi_worldpop2020_1km.asc")))
        let residents = grid.residents()
        let sites = try PointTables.readSites(url: SharedData.bundledData.appendingPathComponent("hanoi/existing.csv"), kind: .existing).sites
        // Oracle: all pairs, geod_inverse, ≤ 5000 m.
        var within = 0.0, total = 0.0
        for res in residents {
            total += res.population
            if sites.contains(where: { Geodesic.distanceMeters(res.position, $0.position) <= 5000 }) { within += res.population }
        }
        let summary = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        #expect(summary["residents"]?.numberValue == 4190)
        let population = try #require(summary["population"]?.numberValue)
        #expect(abs(population - 8_241_449) / 8_241_449 < 0.001) // SOURCES.md: 8,241,449
        #expect(abs(population - total) < 0.01)
        #expect(abs((summary["covered_by"]?["radius"]?.numberValue ?? -1) - within) < 0.01)
        #expect(summary["time_method"]?.stringValue == "estimated")
        let rows = try readRows(out.appendingPathComponent("residents.csv"))
        #expect(rows.count == 4190)
        let covered = rows.filter(\.covered).reduce(0) { $0 + $1.population }
        #expect(abs(covered - (summary["covered_population"]?.numberValue ?? -1)) < 0.01)
    }

    /// Issue 3's check: network travel times on the Hanoi urban roads for every resident, with a
    /// reason for each uncovered one.
    @Test func networkTimesOnHanoiRoads() throws {
        guard let url = try scenario(roads: true) else { return }
        let out = url.deletingLastPathComponent().appendingPathComponent("net")
        let r = try ReachBinary.run(["coverage", url.path, "--out", out.path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let summary = try JSONParser.parse(Data(r.stdout.utf8), fileName: "stdout")
        #expect(summary["time_method"]?.stringValue == "network")
        // Graph figures cross-checked by tools/oracles/graph_oracle.py (pyosmium): 27,589 vertices, 35,603 edges.
        #expect(summary["graph"]?["vertices"]?.numberValue == 27_589)
        #expect(summary["graph"]?["edges"]?.numberValue == 35_603)
        let rows = try readRows(out.appendingPathComponent("residents.csv"))
        let fastestKmh = 35.0 // the motorcycle profile's fastest class (trunk); connectors are slower
        var timed = 0
        for row in rows {
            if let m = row.minutes {
                timed += 1
                // No site is nearer than the nearest one: time ≥ that distance at the top speed.
                #expect(m + 1e-6 >= (row.distanceMeters ?? 0) / (fastestKmh * 1000 / 60))
                #expect(row.withinTime == (m <= 30))
            } else {
                #expect(!row.withinTime)
            }
            #expect(row.covered == (row.withinRadius || row.withinTime))
            #expect(row.covered == row.reason.isEmpty)
            if !row.covered { #expect(["no_road_within_snap", "unreachable", "beyond_radius_and_time"].contains(row.reason)) }
        }
        // The roads cover the 12 urban districts (about 330 km² with the 500 m buffer, SOURCES.md),
        // so several hundred of the 1 km cells get a network time; the 2019 census counted
        // 3,605,364 people in those districts (population/hanoi_districts_census2019_population.csv),
        // and WorldPop puts more there (SOURCES.md), so at least 3 M must be within 30 minutes.
        #expect(timed > 300)
        let withinTime = rows.filter(\.withinTime).reduce(0) { $0 + $1.population }
        #expect(withinTime > 3_000_000)
        let covered = rows.filter(\.covered).reduce(0) { $0 + $1.population }
        let uncovered = rows.filter { !$0.covered }.reduce(0) { $0 + $1.population }
        #expect(abs(covered - (summary["covered_population"]?.numberValue ?? -1)) < 0.01)
        #expect(abs(covered + uncovered - (summary["population"]?.numberValue ?? -1)) < 0.01)
        let byReason = summary["uncovered_by_reason"]?.objectMembers ?? []
        #expect(abs(byReason.reduce(0) { $0 + ($1.value.numberValue ?? 0) } - uncovered) < 0.01)
    }

    /// `reach isochrones` on the Hanoi roads for two central intake points: valid polygons (OGC
    /// rules, RFC 7946 orientation, ≤ 7 decimals), one feature per site and band, bands nested by area.
    @Test func isochronesOnHanoiRoads() throws {
        guard let url = try scenario(roads: true) else { return }
        let out = url.deletingLastPathComponent().appendingPathComponent("iso.geojson")
        // s00004 (Phường Ba Đình) and hq (197 Nghi Tàm) lie in the urban districts (data/hanoi/existing.csv).
        let r = try ReachBinary.run(["isochrones", url.path, "--minutes", "10,20", "--sites", "s00004,hq", "--cell-m", "100", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let features = try GeoJSONReader.read(url: out)
        #expect(features.map { $0.property("id")?.stringValue ?? "" } == ["s00004", "s00004", "hq", "hq"])
        #expect(features.map { $0.property("minutes")?.numberValue ?? 0 } == [10, 20, 10, 20])
        var areas: [Double] = []
        for f in features {
            guard case .multiPolygon(let polys)? = f.geometry else { Issue.record("not a MultiPolygon"); continue }
            let polygons = polys.map { IsochronePolygon(outer: $0[0], holes: Array($0.dropFirst())) }
            #expect(PolygonValidity.check(multiPolygon: polygons).isEmpty, "\(PolygonValidity.check(multiPolygon: polygons))")
            // Shoelace area in degrees² is enough to compare two bands of the same site.
            areas.append(polygons.reduce(0) { total, p in
                func ringArea(_ ring: [LonLat]) -> Double {
                    zip(ring, ring.dropFirst()).reduce(0) { $0 + ($1.0.lonDegrees * $1.1.latDegrees - $1.1.lonDegrees * $1.0.latDegrees) } / 2
                }
                return total + ringArea(p.outer) + p.holes.reduce(0) { $0 + ringArea($1) }
            })
        }
        #expect(areas.count == 4 && areas[0] < areas[1] && areas[2] < areas[3], "\(areas)")
        let bad = try ReachBinary.run(["isochrones", url.path, "--minutes", "10,x", "--out", out.path])
        #expect(bad.status == 2 && bad.stderr.hasPrefix("error: --minutes"), "\(bad.stderr)")
    }

    /// Issue 4's check: the three planning questions on the Hanoi roads and WorldPop grid, each
    /// with a proven bound and a reported gap.
    @Test func threePlanningQuestions() throws {
        guard let url = try scenario(roads: true) else { return }
        let dir = url.deletingLastPathComponent()
        let add = try ReachBinary.run(["plan", url.path, "--branches", "10", "--time-limit", "5", "--out", dir.appendingPathComponent("add").path, "--format", "json"])
        #expect(add.status == 0, "\(add.stderr)")
        let keep = try ReachBinary.run(["plan", url.path, "--mode", "consolidate", "--branches", "30", "--time-limit", "5", "--format", "json"])
        #expect(keep.status == 0, "\(keep.stderr)")
        let fewest = try ReachBinary.run(["plan", url.path, "--objective", "branches", "--target-share", "0.99", "--time-limit", "5", "--format", "json"])
        #expect(fewest.status == 0, "\(fewest.stderr)")
        for (label, r, n) in [("add", add, 10), ("consolidate", keep, 30)] {
            let j = try JSONParser.parse(Data(r.stdout.utf8), fileName: label)
            let branches = try #require(j["branches"]?.arrayElements)
            #expect(branches.count == n, "\(label)")
            let covered = try #require(j["planner_covered_population"]?.numberValue)
            let bound = try #require(j["upper_bound_population"]?.numberValue)
            let gap = try #require(j["gap"]?.numberValue)
            #expect(bound + 1e-6 >= covered, "\(label)")
            #expect(abs(gap - (bound - covered) / bound) < 1e-5, "\(label)")
            // Roll-out: cumulative = previous + marginal, non-decreasing.
            var previous = try #require(j["coverage_curve"]?.arrayElements?.first?["covered_population"]?.numberValue)
            for b in branches {
                let m = b["marginal_population"]!.numberValue!, c = b["cumulative_covered_population"]!.numberValue!
                #expect(abs(previous + m - c) < 0.01, "\(label)")
                previous = c
            }
        }
        let f = try JSONParser.parse(Data(fewest.stdout.utf8), fileName: "fewest")
        let target = try #require(f["target_population"]?.numberValue)
        #expect((f["planner_covered_population"]?.numberValue ?? 0) + 1e-6 >= target)
        // Uncovered residents of the add plan carry reasons.
        let rows = try readRows(dir.appendingPathComponent("add/residents.csv"))
        #expect(rows.allSatisfy { $0.covered == $0.reason.isEmpty })
    }

    /// Issue 5's check: the demo runs end to end and its figures are consistent.
    @Test func demoEndToEnd() throws {
        guard try SharedData.require("roads/hanoi_urban_drive_2025-05-14.osm.pbf") != nil else { return }
        let dir = try makeTemporaryDirectory("reach-demo")
        // --no-roads keeps the test fast whatever data/hanoi/roads.osm.pbf holds; the network runs are above.
        let r = try ReachBinary.run(["demo", "--out", dir.path, "--no-roads", "--time-limit", "5", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let demo = try JSONParser.parse(Data(try String(contentsOf: dir.appendingPathComponent("demo.json"), encoding: .utf8).utf8), fileName: "demo.json")
        // The official 2025 population of Hanoi's 126 units (sapnhap.bando.com.vn, ../shared/data/SOURCES.md): 8,811,473.
        #expect(demo["population"]?.numberValue == 8_811_473)
        let today = try #require(demo["today"])
        #expect(abs((today["covered_population"]?.numberValue ?? 0) + (today["uncovered_population"]?.numberValue ?? 0) - 8_811_473) < 0.01)
        #expect(demo["consolidate_30"]?["branches"]?.arrayElements?.count == 30)
        let summary = try JSONParser.parse(Data(try String(contentsOf: dir.appendingPathComponent("coverage/summary.json"), encoding: .utf8).utf8), fileName: "summary.json")
        let zones = try #require(summary["zones"]?.arrayElements)
        #expect(zones.count == 126)
        let zoneTotal = zones.reduce(0.0) { $0 + ($1["population"]?.numberValue ?? 0) }
        let zoneCovered = zones.reduce(0.0) { $0 + ($1["covered_population"]?.numberValue ?? 0) }
        #expect(abs(zoneTotal - 8_811_473) < 0.01)
        #expect(abs(zoneCovered - (summary["covered_population"]?.numberValue ?? -1)) < 0.01)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!html.contains("http://") && !html.contains("https://"))
        let branches = demo["post_offices_for_full_coverage"]?["post_offices_added"]?.numberValue ?? -1
        #expect(html.components(separatedBy: "class=\"branch-marker\"").count - 1 == Int(branches))
        try checkPhasesAndFloor(demo, dir: dir, html: html)
    }

    /// Questions (e) and (f) of demo.json (issue 14): the three phases 10, 20, 30 are nested
    /// (S1 ⊂ S2 ⊂ S3), each bounded, with a price of nesting ≥ 0; the floor variant is bounded by
    /// the unconstrained bound, its price of fairness is what it loses against (b), and its zone
    /// figures are those of its own residents.csv (the coverage evaluation, not the planner).
    func checkPhasesAndFloor(_ demo: JSONNode, dir: URL, html: String) throws {
        let consolidate = try #require(demo["consolidate_30"])
        let c30Covered = try #require(consolidate["covered_population"]?.numberValue)
        let c30Bound = try #require(consolidate["upper_bound_population"]?.numberValue)
        let phased = try #require(demo["phases"])
        let phases = try #require(phased["phases"]?.arrayElements)
        #expect(phases.map { $0["branch_count"]?.numberValue } == [10, 20, 30])
        #expect(phases.map { $0["date"]?.stringValue } == ["2024-10-01", "2025-04-01", "2025-07-01"])
        var previous = Set<String>()
        var previousCovered = 0.0
        for (k, p) in phases.enumerated() {
            let ids = (p["branches"]?.arrayElements ?? []).compactMap { $0.stringValue }
            #expect(ids.count == [10, 20, 30][k] && Set(ids).count == ids.count, "phase \(k + 1)")
            #expect(previous.isSubset(of: Set(ids)), "S\(k) ⊂ S\(k + 1)")
            previous = Set(ids)
            let covered = try #require(p["covered_population"]?.numberValue)
            let bound = try #require(p["upper_bound_population"]?.numberValue)
            let unnested = try #require(p["best_unnested_population"]?.numberValue)
            let price = try #require(p["price_of_nesting_population"]?.numberValue)
            #expect(bound + 0.5 >= covered && covered + 0.5 >= previousCovered, "phase \(k + 1)")
            #expect(price >= 0 && abs(price - (unnested - covered)) <= 1, "phase \(k + 1)")
            let gap = try #require(p["gap"]?.numberValue)
            #expect(abs(gap - (bound - covered) / bound) < 1e-5, "phase \(k + 1)")
            previousCovered = covered
        }
        // The last phase keeps 30 sites: (b)'s plan is its unnested plan, (b)'s bound its bound.
        #expect(phases.last?["best_unnested_population"]?.numberValue.map { $0 >= c30Covered - 0.5 } == true)
        #expect(phases.last?["upper_bound_population"]?.numberValue.map { $0 <= c30Bound + 0.5 } == true)
        let phasePlan = try JSONParser.parse(Data(contentsOf: dir.appendingPathComponent("phases-10-20-30/plan.json")), fileName: "plan.json")
        let planIds = (phasePlan["branches"]?.arrayElements ?? []).compactMap { $0["id"]?.stringValue }
        let lastIds = (phases.last?["branches"]?.arrayElements ?? []).compactMap { $0.stringValue }
        #expect(planIds.count == 30 && planIds == lastIds)

        let floor = try #require(demo["zone_floor"])
        #expect(floor["floor"]?.numberValue == 0.8 && floor["branches"]?.arrayElements?.count == 30)
        let covered = try #require(floor["covered_population"]?.numberValue)
        let bound = try #require(floor["upper_bound_population"]?.numberValue)
        #expect(bound + 0.5 >= covered && bound <= c30Bound + 0.5, "a floor only removes plans")
        #expect(floor["unconstrained_covered_population"]?.numberValue == c30Covered, "(b) is the plan without the floor")
        #expect(covered <= c30Bound + 0.5)
        #expect(floor["price_of_fairness_population"]?.numberValue.map { abs($0 - max(0, c30Covered - covered)) <= 1 } == true)
        let zones = try #require(floor["zones"]?.arrayElements)
        #expect(zones.count == 126)
        // Per zone, the covered population of the floor plan's residents.csv (columns zone, covered).
        var coveredByZone: [String: Double] = [:]
        let recs = try CSVReader.read(url: dir.appendingPathComponent("consolidate-30-floor-80/residents.csv"))
        for r in recs.dropFirst() where r.fields[11] == "true" { coveredByZone[r.fields[4], default: 0] += Double(r.fields[3])! }
        let shortfall = try #require(floor["shortfall_population"]?.numberValue)
        var shortfallFromCSV = 0.0
        for z in zones {
            let name = try #require(z["zone"]?.stringValue)
            let zc = try #require(z["covered_population"]?.numberValue)
            let coverable = try #require(z["coverable_population"]?.numberValue)
            let target = try #require(z["target_population"]?.numberValue)
            #expect(abs(zc - (coveredByZone[name] ?? 0)) <= 1, "\(name)")
            #expect(zc <= coverable + 0.5, "\(name)")
            // The target is 80 % of the coverable population unless the zone is reported unable to reach it.
            if z["cannot_reach_floor"]?.boolValue == true {
                #expect(target <= 0.8 * coverable + 0.5, "\(name)")
            } else if z["best_share"]?.numberValue == nil {
                #expect(abs(target - 0.8 * coverable) <= 0.5, "\(name)")
            }
            shortfallFromCSV += max(0, target - (coveredByZone[name] ?? 0))
        }
        // The reported shortfall is the zones' shortfall recomputed from residents.csv (the planner
        // rounds a shortfall below its tolerance to 0; each zone's sum may differ by 1 in rounding).
        #expect(abs(shortfall - shortfallFromCSV) <= 1 + Double(zones.count) * 0.5, "shortfall \(shortfall) vs \(shortfallFromCSV) from residents.csv")
        if shortfallFromCSV <= 1 {
            for z in zones {
                let name = z["zone"]?.stringValue ?? "?"
                #expect((coveredByZone[name] ?? 0) + 1 >= (z["target_population"]?.numberValue ?? .infinity), "\(name) meets its floor")
            }
        }
        let infeasible = try #require(floor["infeasible_zones"]?.arrayElements)
        #expect(infeasible.count == zones.filter { $0["cannot_reach_floor"]?.boolValue == true }.count)
        // The report carries both: the phases table and the floor's sentences.
        #expect(html.contains("<table class=\"phases\">") && html.contains("Question (f)"))
    }
}
