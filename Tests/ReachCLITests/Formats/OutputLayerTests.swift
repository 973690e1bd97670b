import Foundation
import Testing
import ReachGeo
import TestSupport

/// `--format-out gpkg` and the split GeoJSON layers, checked with ogrinfo and geopandas.
@Suite(.serialized) struct OutputLayerTests {
    /// A plan scenario: 800 Hanoi residents, the existing sites, the candidates and the zones.
    static func planScenario() throws -> URL {
        let dir = try GDALInputTests.hanoiSample(count: 800)
        try FileManager.default.copyItem(at: SharedData.bundledData.appendingPathComponent("hanoi/candidates.csv"),
                                         to: dir.appendingPathComponent("candidates.csv"))
        try FileManager.default.copyItem(at: SharedData.bundledData.appendingPathComponent("hanoi/zones.geojson"),
                                         to: dir.appendingPathComponent("zones.geojson"))
        try #"{"name": "sample", "residents": "residents.csv", "existing": "existing.csv", "candidates": "candidates.csv", "zones": "zones.geojson", "standard": {"radius_m": 2000, "max_minutes": 10, "rule": "either"}}"#
            .write(to: dir.appendingPathComponent("scenario.json"), atomically: true, encoding: .utf8)
        return dir
    }

    /// `ogrinfo -so FILE LAYER`: geometry type, feature count and `name: Type` of each field.
    static func describe(_ ogrinfo: URL, _ file: URL, _ layer: String) throws -> (geometry: String, count: Int, fields: [String: String]) {
        let r = try GISTools.run(ogrinfo, ["-so", "-nomd", file.path, layer])
        #expect(r.status == 0, "ogrinfo \(layer): \(r.stderr)")
        var geometry = "", count = -1, fields: [String: String] = [:]
        for line in r.stdout.split(separator: "\n").map(String.init) {
            if line.hasPrefix("Geometry: ") { geometry = String(line.dropFirst(10)) }
            else if line.hasPrefix("Feature Count: ") { count = Int(line.dropFirst(15)) ?? -1 }
            else if let colon = line.range(of: ": "), !line.hasPrefix(" "), !line.contains("=") {
                let name = String(line[..<colon.lowerBound])
                let type = line[colon.upperBound...].split(separator: " ").first.map(String.init) ?? ""
                if ["Integer", "Integer64", "Real", "String", "Integer(Boolean)", "Integer64(Boolean)"].contains(type) { fields[name] = type }
            }
        }
        return (geometry, count, fields)
    }

    @Test func geoPackageHasEveryLayerTypedAndIsByteDeterministic() throws {
        guard let ogrinfo = try GISTools.require("ogrinfo") else { return }
        let dir = try Self.planScenario()
        for out in ["g1", "g2"] {
            let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "3", "--out", out, "--format-out", "gpkg"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
        }
        // With only 10 of the existing sites, the 3 branches cover residents nobody covers today,
        // so that the newly_covered layer has features whose columns can be checked.
        let existing = try String(contentsOf: dir.appendingPathComponent("existing.csv"), encoding: .utf8).split(separator: "\n")
        try (existing.prefix(11).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("existing10.csv"), atomically: true, encoding: .utf8)
        let scenarioText = try String(contentsOf: dir.appendingPathComponent("scenario.json"), encoding: .utf8)
        try scenarioText.replacingOccurrences(of: "\"existing.csv\"", with: "\"existing10.csv\"")
            .write(to: dir.appendingPathComponent("few.json"), atomically: true, encoding: .utf8)
        let few = try ReachBinary.run(["plan", "few.json", "--branches", "3", "--out", "few", "--format-out", "gpkg"], in: dir)
        #expect(few.status == 0, "\(few.stderr)")
        let gpkg = dir.appendingPathComponent("g1/reach.gpkg")
        #expect(try Data(contentsOf: gpkg) == Data(contentsOf: dir.appendingPathComponent("g2/reach.gpkg")), "two runs give different GeoPackages")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("g1").path))
        #expect(names == ["plan.json", "reach.gpkg", "residents.csv", "sites.csv", "zones.csv"], "\(names)")

        let residents = try Self.describe(ogrinfo, gpkg, "residents")
        #expect(residents.geometry == "Point" && residents.count == 800)
        #expect(residents.fields["id"] == "String" && residents.fields["population"] == "Real")
        #expect(residents.fields["distance_m"] == "Real" && residents.fields["minutes"] == "Real")
        #expect(residents.fields["covered"] == "Integer(Boolean)" && residents.fields["within_radius"] == "Integer(Boolean)")
        let uncovered = try Self.describe(ogrinfo, gpkg, "uncovered")
        #expect(uncovered.geometry == "Point")
        let zones = try Self.describe(ogrinfo, gpkg, "zones")
        #expect(zones.geometry == "Multi Polygon" && zones.count == 126)
        #expect(zones.fields["residents"] == "Integer64" && zones.fields["covered_share"] == "Real")
        #expect(zones.fields["uncovered_beyond_radius_and_time"] == "Real")
        let sites = try Self.describe(ogrinfo, gpkg, "sites")
        #expect(sites.geometry == "Point" && sites.fields["open"] == "Integer(Boolean)" && sites.fields["id"] == "String")
        let branches = try Self.describe(ogrinfo, gpkg, "branches")
        #expect(branches.geometry == "Point" && branches.count == 3)
        #expect(branches.fields["order"] == "Integer64" && branches.fields["marginal_population"] == "Real")
        #expect(branches.fields["kind"] == nil)
        let newly = try Self.describe(ogrinfo, dir.appendingPathComponent("few/reach.gpkg"), "newly_covered")
        #expect(newly.geometry == "Point")
        #expect(newly.fields["branch_order"] == "Integer64", "\(newly)")
        // The same plan as GeoJSON: newly_covered.geojson has the same features, and there are some.
        let gj = try ReachBinary.run(["plan", "few.json", "--branches", "3", "--out", "gj"], in: dir)
        #expect(gj.status == 0, "\(gj.stderr)")
        let newlyGeoJSON = try GeoJSONReader.read(url: dir.appendingPathComponent("gj/newly_covered.geojson"))
        #expect(newly.count == newlyGeoJSON.count && newly.count > 0, "\(newly.count) vs \(newlyGeoJSON.count)")

        // The residents layer says what residents.csv says.
        let csv = try String(contentsOf: dir.appendingPathComponent("g1/residents.csv"), encoding: .utf8)
        let coveredRows = csv.split(separator: "\n").dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[11] == "true" }.count
        #expect(coveredRows > 0 && coveredRows < 800)
        #expect(uncovered.count == 800 - coveredRows, "the uncovered layer holds every resident residents.csv marks uncovered")
        let sql = try GISTools.run(ogrinfo, ["-q", "-sql", "SELECT COUNT(*) AS n FROM residents WHERE covered = 1", gpkg.path])
        #expect(sql.stdout.contains("n (Integer) = \(coveredRows)") || sql.stdout.contains("n (Integer64) = \(coveredRows)"), "\(sql.stdout)")

        guard try GISTools.requirePython("geopandas") else { return }
        let script = """
        import geopandas, pyogrio, sys
        path = sys.argv[1]
        layers = sorted(l[0] for l in pyogrio.list_layers(path))
        print("layers", ",".join(layers))
        for name in layers:
            df = geopandas.read_file(path, layer=name)
            assert df.crs.to_epsg() == 4326, name
            assert df.geometry.notna().all(), name
            assert df.geometry.is_valid.all(), name
            for c in df.columns:
                if c != "geometry" and df[c].dtype == object:
                    assert df[c].notna().any(), (name, c)
        r = geopandas.read_file(path, layer="residents")
        print("covered", str(r["covered"].dtype), int(r["covered"].sum()))
        print("population", str(r["population"].dtype))
        z = geopandas.read_file(path, layer="zones")
        print("zones", len(z), str(z["residents"].dtype))
        """
        let py = try #require(try GISTools.require("python3"))
        let r = try GISTools.run(py, ["-c", script, gpkg.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("layers branches,newly_covered,residents,sites,uncovered,zones"), "\(r.stdout)")
        #expect(r.stdout.contains("covered bool \(coveredRows)"), "\(r.stdout)")
        #expect(r.stdout.contains("population float64"), "\(r.stdout)")
        #expect(r.stdout.contains("zones 126 int64"), "\(r.stdout)")
    }

    @Test func geoJSONLayersAreSplitAndZonesCSVAlwaysWritten() throws {
        let dir = try Self.planScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "3", "--out", "o"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let o = dir.appendingPathComponent("o")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: o.path))
        for n in ["branches.geojson", "newly_covered.geojson", "zones.geojson", "zones.csv", "plan.geojson", "uncovered.geojson", "sites.geojson"] {
            #expect(names.contains(n), "\(n) missing: \(names)")
        }
        let branches = try GeoJSONReader.read(url: o.appendingPathComponent("branches.geojson"))
        #expect(branches.count == 3)
        #expect(branches.allSatisfy { $0.property("kind") == nil && $0.property("order") != nil })
        let newly = try GeoJSONReader.read(url: o.appendingPathComponent("newly_covered.geojson"))
        let plan = try GeoJSONReader.read(url: o.appendingPathComponent("plan.geojson"))
        #expect(newly.count + branches.count == plan.count)
        let zones = try GeoJSONReader.read(url: o.appendingPathComponent("zones.geojson"))
        #expect(zones.count == 126)
        let csv = try String(contentsOf: o.appendingPathComponent("zones.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.first == Substring(OutputLayers.zoneColumns.joined(separator: ",")))
        #expect(csv.count == 127)
        // The zones' populations add up to the summary's.
        let plans = try JSONParser.parse(url: o.appendingPathComponent("plan.json"))
        let total = try #require(plans["population"]?.numberValue)
        let sum = zones.compactMap { $0.property("population")?.numberValue }.reduce(0, +)
        #expect(abs(sum - total) < 0.01)
        // A coverage run without zones still writes zones.csv (zones from the residents' column).
        let plain = try GDALInputTests.hanoiSample(count: 50)
        let p = try ReachBinary.run(["coverage", "scenario.json", "--out", "c"], in: plain)
        #expect(p.status == 0, "\(p.stderr)")
        let zcsv = try String(contentsOf: plain.appendingPathComponent("c/zones.csv"), encoding: .utf8)
        #expect(zcsv.split(separator: "\n").count >= 2)
    }

    /// `plan --capacitated --format-out gpkg` writes the same GeoPackage layers as a plan, without
    /// `newly_covered` (a capacitated plan reports served, not newly covered, residents); the
    /// branches layer has the chosen sites with the load each serves, matching plan.json.
    @Test func capacitatedPlanWritesTheGeoPackageToo() throws {
        guard let ogrinfo = try GISTools.require("ogrinfo") else { return }
        let dir = try Self.planScenario()
        let r = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--capacitated", "--default-staff", "1",
                                     "--out", "cap", "--format-out", "gpkg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("wrote plan.json, residents.csv, sites.csv, zones.csv, reach.gpkg"), "\(r.stdout)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("cap").path))
        #expect(names == ["plan.json", "reach.gpkg", "residents.csv", "sites.csv", "zones.csv"], "\(names)")
        let gpkg = dir.appendingPathComponent("cap/reach.gpkg")
        let list = try GISTools.run(ogrinfo, ["-q", gpkg.path])
        #expect(!list.stdout.contains("newly_covered"), "\(list.stdout)")
        let branches = try Self.describe(ogrinfo, gpkg, "branches")
        #expect(branches.geometry == "Point" && branches.count == 2)
        #expect(branches.fields["served_filings_per_year"] == "Real" && branches.fields["order"] == "Integer64")
        let residents = try Self.describe(ogrinfo, gpkg, "residents")
        #expect(residents.count == 800)
        let g = try ReachBinary.run(["plan", "scenario.json", "--branches", "2", "--capacitated", "--default-staff", "1", "--out", "capj"], in: dir)
        #expect(g.status == 0, "\(g.stderr)")
        let jnames = Set(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("capj").path))
        #expect(jnames.isSuperset(of: ["branches.geojson", "zones.geojson", "plan.geojson", "sites.geojson", "uncovered.geojson"]) && !jnames.contains("newly_covered.geojson"), "\(jnames)")
    }
}
