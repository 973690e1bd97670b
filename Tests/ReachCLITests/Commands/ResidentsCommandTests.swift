import Foundation
import Testing
import ReachGeo
import TestSupport

/// `reach residents --from-zones … --weights GRID.asc`, run as a process.
@Suite struct CLIResidentsTests {
    /// Two 0.02° cells (west nodata, east 500 people) and three zones: "In" inside the east
    /// cell, "Dry" inside the nodata cell (falls back to the uniform split), "Half" across both.
    struct Files {
        let dir: URL
        init(grid: String = "ncols 2\nnrows 1\nxllcorner 105.80\nyllcorner 21.00\ncellsize 0.02\nNODATA_value -9999\n-9999 500\n") throws {
            dir = try makeTemporaryDirectory("reach-residents")
            try grid.write(to: dir.appendingPathComponent("w.asc"), atomically: true, encoding: .utf8)
            try "name,code,lon,lat,population\nIn,1,105.83,21.01,700\nDry,2,105.81,21.01,300\nHalf,3,105.82,21.005,50\n"
                .write(to: dir.appendingPathComponent("units.csv"), atomically: true, encoding: .utf8)
            func rectangle(_ name: String, _ w: Double, _ s: Double, _ e: Double, _ n: Double) -> String {
                "{\"type\":\"Feature\",\"properties\":{\"name\":\"\(name)\"},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[\(w),\(s)],[\(e),\(s)],[\(e),\(n)],[\(w),\(n)],[\(w),\(s)]]]}}"
            }
            let features = [rectangle("In", 105.822, 21.002, 105.838, 21.018), rectangle("Dry", 105.802, 21.002, 105.818, 21.018),
                            rectangle("Half", 105.815, 21.001, 105.825, 21.009)]
            try "{\"type\":\"FeatureCollection\",\"features\":[\(features.joined(separator: ","))]}"
                .write(to: dir.appendingPathComponent("zones.geojson"), atomically: true, encoding: .utf8)
        }
        func url(_ name: String) -> URL { dir.appendingPathComponent(name) }
        func read(_ name: String) throws -> String { try String(contentsOf: url(name), encoding: .utf8) }
        var weighted: [String] {
            ["residents", "--from-zones", "units.csv", "--zones", "zones.geojson", "--weights", "w.asc", "--spacing-m", "300", "--seed", "7"]
        }
    }

    @Test func weightedRunKeepsTotalsWarnsOnceAndLeavesTheGridAlone() throws {
        let f = try Files()
        let gridBefore = try Data(contentsOf: f.url("w.asc"))
        let dateBefore = try FileManager.default.attributesOfItem(atPath: f.url("w.asc").path)[.modificationDate] as? Date
        let r = try ReachBinary.run(f.weighted + ["--out", "a.csv"], in: f.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1, "\(r.stderr)")
        #expect(warnings.first?.contains("w.asc: 1 of 3 zone(s)") == true && warnings.first?.contains("\"Dry\"") == true, "\(r.stderr)")
        let rows = try f.read("a.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        var totals: [String: Int] = [:]
        for row in rows { totals[row[4], default: 0] += Int(row[3]) ?? -1 }
        #expect(totals == ["In": 700, "Dry": 300, "Half": 50])
        // "Half" lies half in the nodata cell: all its people are east of 105.82.
        for row in rows where row[4] == "Half" { #expect((Double(row[1]) ?? 0) > 105.82, "\(row)") }
        // Same inputs, same bytes; the grid is neither written nor touched.
        _ = try ReachBinary.run(f.weighted + ["--out", "b.csv"], in: f.dir)
        #expect(try f.read("a.csv") == f.read("b.csv"))
        #expect(try Data(contentsOf: f.url("w.asc")) == gridBefore)
        #expect(try FileManager.default.attributesOfItem(atPath: f.url("w.asc").path)[.modificationDate] as? Date == dateBefore)
    }

    @Test(arguments: [
        ("", "error: missing.asc: cannot read the file"),
        ("ncols 3\nnrows 2\nxllcorner 105.8\nyllcorner 21.0\ncellsize 0.01\nNODATA_value -9999\n1 2 3\n4 5 x\n",
         "error: w.asc:8: row 1, column 2: not a decimal number: \"x\""),
        ("ncols 3\nnrows 2\nxllcorner 105.8\nyllcorner 21.0\ncellsize 0.01\n1 2 3\n", "error: w.asc:7: too few rows"),
    ])
    func badWeightsExitTwoWithoutOutput(grid: String, message: String) throws {
        let f = try Files(grid: grid.isEmpty ? "unused" : grid)
        let name = grid.isEmpty ? "missing.asc" : "w.asc"
        let args = f.weighted.map { $0 == "w.asc" ? name : $0 } + ["--out", "out.csv"]
        let r = try ReachBinary.run(args, in: f.dir)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: f.url("out.csv").path))
    }

    @Test(arguments: [
        (["residents", "--from-grid", "w.asc", "--weights", "w.asc"], "error: --weights goes with --from-zones, not --from-grid"),
        (["residents", "--from-zones", "units.csv", "--weights", "w.asc"], "error: --weights needs --zones FILE.geojson"),
    ])
    func weightsMisuseIsAUsageError(args: [String], message: String) throws {
        let f = try Files()
        let r = try ReachBinary.run(args, in: f.dir)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix(message), "\(r.stderr)")
    }

    @Test func helpDescribesWeights() throws {
        let r = try ReachBinary.run(["residents", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("--weights <GRID.asc|GRID.tif>"), "\(r.stdout)")
        #expect(r.stdout.contains("density x overlap area"), "\(r.stdout)")
    }
}
