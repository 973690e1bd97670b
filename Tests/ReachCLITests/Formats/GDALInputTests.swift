import Foundation
import Testing
import ReachGeo
import TestSupport

/// The GIS formats read through GDAL, checked against files written by GDAL's own tools.
@Suite(.serialized) struct GDALInputTests {
    /// The first `count` residents of the bundled Hanoi scenario, its existing sites, and a
    /// scenario without roads, in a fresh folder.
    static func hanoiSample(count: Int = 600) throws -> URL {
        let dir = try makeTemporaryDirectory("reach-gdal")
        let lines = try String(contentsOf: SharedData.bundledData.appendingPathComponent("hanoi/residents.csv"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        try (lines.prefix(count + 1).joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("residents.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: SharedData.bundledData.appendingPathComponent("hanoi/existing.csv"),
                                         to: dir.appendingPathComponent("existing.csv"))
        try #"{"name": "sample", "residents": "residents.csv", "existing": "existing.csv", "standard": {"radius_m": 3000, "max_minutes": 20, "rule": "either"}}"#
            .write(to: dir.appendingPathComponent("scenario.json"), atomically: true, encoding: .utf8)
        return dir
    }

    static let csvOpen = ["-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat", "-oo", "KEEP_GEOM_COLUMNS=NO",
                          "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326"]

    static var csvOpenReprojected: [String] { csvOpen.dropLast(2) + ["-s_srs", "EPSG:4326", "-t_srs", "EPSG:32648"] }

    func coverage(_ dir: URL, _ extra: [String], out: String) throws -> String {
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", out] + extra, in: dir)
        #expect(r.status == 0, "\(extra): \(r.stderr)")
        return try String(contentsOf: dir.appendingPathComponent(out).appendingPathComponent("residents.csv"), encoding: .utf8)
    }

    @Test func sameScenarioAsCSVGeoJSONGeoPackageShapefileFlatGeobufGivesIdenticalResidentsCSV() throws {
        guard let ogr2ogr = try GISTools.require("ogr2ogr") else { return }
        let dir = try Self.hanoiSample()
        let conversions: [(String, [String])] = [
            ("residents.geojson", ["-f", "GeoJSON"]),
            ("residents.gpkg", ["-f", "GPKG", "-nln", "residents"]),
            ("residents.shp", ["-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8"]),
            ("residents.fgb", ["-f", "FlatGeobuf", "-lco", "SPATIAL_INDEX=NO"]),
        ]
        for (file, args) in conversions {
            let r = try GISTools.run(ogr2ogr, args + [file, "residents.csv"] + Self.csvOpen, in: dir)
            #expect(r.status == 0, "ogr2ogr \(file): \(r.stderr)")
        }
        let expected = try coverage(dir, [], out: "o-csv")
        #expect(expected.split(separator: "\n").count == 601)
        for (file, _) in conversions {
            let got = try coverage(dir, ["--residents", file], out: "o-\(file)")
            #expect(got == expected, "\(file) gives a different residents.csv")
        }
        // The sites too, from a GeoPackage with a named layer among others.
        var r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "-nln", "sites", "all.gpkg", "existing.csv"] + Self.csvOpen, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "-update", "-nln", "residents", "all.gpkg", "residents.csv"] + Self.csvOpen, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let fromGpkg = try coverage(dir, ["--existing", "all.gpkg", "--layer", "sites"], out: "o-sites")
        #expect(fromGpkg == expected)
        let bad = try ReachBinary.run(["coverage", "scenario.json", "--existing", "all.gpkg", "--layer", "nope", "--out", "o-bad"], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.hasPrefix("error: all.gpkg: no layer \"nope\" (the file has: sites, residents)"), "\(bad.stderr)")
    }

    @Test func projectedInputEqualsItsWGS84VersionWithinAMillimetre() throws {
        guard let ogr2ogr = try GISTools.require("ogr2ogr") else { return }
        let dir = try Self.hanoiSample(count: 300)
        var r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "utm.gpkg", "residents.csv"] + Self.csvOpenReprojected, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try GISTools.run(ogr2ogr, ["-f", "GeoJSON", "-lco", "RFC7946=NO", "utm.geojson", "residents.csv"] + Self.csvOpenReprojected, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let geojson = try String(contentsOf: dir.appendingPathComponent("utm.geojson"), encoding: .utf8)
        #expect(geojson.contains("urn:ogc:def:crs:EPSG::32648"))
        // A CSV with projected x/y columns and --coordinates-crs.
        r = try GISTools.run(ogr2ogr, ["-f", "CSV", "-lco", "GEOMETRY=AS_XY", "utm.csv", "utm.gpkg"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let wgs = try PointTables.readResidents(url: dir.appendingPathComponent("residents.csv")).residents
        let variants: [(String, PointTables.Columns)] = [("utm.gpkg", .init()), ("utm.geojson", .init()),
                                                          ("utm.csv", .init(crs: "EPSG:32648"))]
        for (file, columns) in variants {
            let got = try PointTables.readResidents(url: dir.appendingPathComponent(file), columns: columns).residents
            #expect(got.count == wgs.count, "\(file)")
            var worst = 0.0
            for (a, b) in zip(wgs, got) {
                #expect(a.id == b.id && a.population == b.population)
                worst = max(worst, Geodesic.distanceMeters(a.position, b.position))
            }
            #expect(worst <= 0.001, "\(file): worst difference \(worst) m")
        }
    }

    @Test func commonColumnNamesAndExplicitMapping() throws {
        let dir = try makeTemporaryDirectory("reach-columns")
        let a = dir.appendingPathComponent("a.csv"), b = dir.appendingPathComponent("b.csv")
        try "id,longitude,latitude,population\nr1,105.8,21.0,5\n".write(to: a, atomically: true, encoding: .utf8)
        try "code,lng,lat,people\nr1,105.8,21.0,5\n".write(to: b, atomically: true, encoding: .utf8)
        let ra = try PointTables.readResidents(url: a).residents
        let rb = try PointTables.readResidents(url: b, columns: .init(id: "code", population: "people")).residents
        #expect(ra == rb)
        #expect(ra.first?.position == LonLat(lonDegrees: 105.8, latDegrees: 21.0))
    }

    @Test func geoTIFFGridEqualsTheAscGridCellForCell() throws {
        guard let translate = try GISTools.require("gdal_translate") else { return }
        let dir = try makeTemporaryDirectory("reach-tif")
        let asc = dir.appendingPathComponent("grid.asc")
        try """
        ncols 4
        nrows 3
        xllcorner 105.5
        yllcorner 20.9
        cellsize 0.0083333333333333
        NODATA_value -9999
        1.5 0 -9999 7
        2 3.25 0 0
        -9999 4 5 6.125

        """.write(to: asc, atomically: true, encoding: .utf8)
        var grids: [URL] = [asc]
        if let shared = try SharedData.require("population/hanoi_worldpop2020_1km.asc") { grids.append(shared) }
        for (k, source) in grids.enumerated() {
            let tif = dir.appendingPathComponent("grid\(k).tif")
            let r = try GISTools.run(translate, ["-q", "--config", "AAIGRID_DATATYPE", "Float64", "-of", "GTiff", "-a_srs", "EPSG:4326", source.path, tif.path])
            #expect(r.status == 0, "\(r.stderr)")
            let a = try AsciiGrid.read(from: source, displayName: "g")
            let t = try AsciiGrid.read(from: tif, displayName: "g")
            #expect(a.cells == t.cells)
            #expect(a.columnCount == t.columnCount && a.rowCount == t.rowCount)
            #expect(a.nodataCellCount == t.nodataCellCount && a.zeroCellCount == t.zeroCellCount)
            #expect(abs(a.westEdgeDegrees - t.westEdgeDegrees) < 1e-9 && abs(a.southEdgeDegrees - t.southEdgeDegrees) < 1e-9)
            #expect(abs(a.cellWidthDegrees - t.cellWidthDegrees) < 1e-12 && abs(a.cellHeightDegrees - t.cellHeightDegrees) < 1e-12)
            for (x, y) in zip(a.residents(), t.residents()) {
                #expect(x.id == y.id && x.population == y.population)
                #expect(Geodesic.distanceMeters(x.position, y.position) < 0.001)
            }
        }
    }

    /// A population raster in UTM 48N (made from a WGS 84 grid by GDAL's own `gdalwarp -r sum`)
    /// is read in any CRS: Reach warps it back in memory, and the cells must equal what the
    /// `gdalwarp -t_srs EPSG:4326 -r sum` command line writes (the independent reference), the
    /// total must be the source grid's (sum resampling moves counts, it does not create them),
    /// and `reach residents --from-grid` says what it did on stderr.
    @Test func projectedGeoTIFFIsWarpedToDegreesLikeGdalwarp() throws {
        guard let warp = try GISTools.require("gdalwarp") else { return }
        let dir = try makeTemporaryDirectory("reach-utm-tif")
        let asc = dir.appendingPathComponent("grid.asc")
        try """
        ncols 5
        nrows 4
        xllcorner 105.80
        yllcorner 21.00
        cellsize 0.01
        NODATA_value -9999
        10 0 -9999 70 5
        20 30 0 0 1
        -9999 40 50 60 2
        8 9 10 11 12

        """.write(to: asc, atomically: true, encoding: .utf8)
        var r = try GISTools.run(warp, ["-q", "-s_srs", "EPSG:4326", "-t_srs", "EPSG:32648", "-r", "sum", "-tr", "500", "500",
                                        "-dstnodata", "-9999", asc.path, "utm.tif"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try GISTools.run(warp, ["-q", "-t_srs", "EPSG:4326", "-r", "sum", "-dstnodata", "-9999", "utm.tif", "back.tif"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let source = try AsciiGrid.read(from: asc, displayName: "grid.asc")
        let read = try AsciiGrid.read(from: dir.appendingPathComponent("utm.tif"), displayName: "utm.tif")
        let reference = try AsciiGrid.read(from: dir.appendingPathComponent("back.tif"), displayName: "back.tif")
        #expect(read.reprojectedFrom == "EPSG:32648")
        #expect(reference.reprojectedFrom == nil)
        #expect(read.columnCount == reference.columnCount && read.rowCount == reference.rowCount)
        #expect(read.cells.count == reference.cells.count)
        for (a, b) in zip(read.cells, reference.cells) {
            #expect(a.row == b.row && a.column == b.column && abs(a.population - b.population) <= 1e-9 * max(1, b.population))
        }
        #expect(abs(read.westEdgeDegrees - reference.westEdgeDegrees) < 1e-12 && abs(read.southEdgeDegrees - reference.southEdgeDegrees) < 1e-12)
        // 338 = the sum of the positive cells above (10+70+5+20+30+1+40+50+60+2+8+9+10+11+12).
        #expect(source.totalPopulation == 338)
        #expect(abs(read.totalPopulation - 338) < 1e-6)
        let cli = try ReachBinary.run(["residents", "--from-grid", "utm.tif", "--out", "res.csv"], in: dir)
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stderr.contains("utm.tif: the grid is in EPSG:32648; reprojected to WGS 84 degrees with GDAL's sum resampling"), "\(cli.stderr)")
    }

    @Test func zonesFromShapefileAndProjectedGeoPackageAssignLikeTheGeoJSON() throws {
        guard let ogr2ogr = try GISTools.require("ogr2ogr") else { return }
        let dir = try Self.hanoiSample(count: 800)
        let zones = SharedData.bundledData.appendingPathComponent("hanoi/zones.geojson").path
        var r = try GISTools.run(ogr2ogr, ["-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", "-nlt", "MULTIPOLYGON", "zones.shp", zones], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "-t_srs", "EPSG:32648", "zones.gpkg", zones], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        // Residents without their zone column, so that the polygons decide.
        let csv = try String(contentsOf: dir.appendingPathComponent("residents.csv"), encoding: .utf8)
        let stripped = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).prefix(4).joined(separator: ",") }
        try (stripped.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("nozone.csv"), atomically: true, encoding: .utf8)
        let expected = try coverage(dir, ["--residents", "nozone.csv", "--zones", zones], out: "o-json")
        #expect(expected.contains("Phường Ba Đình"))
        for file in ["zones.shp", "zones.gpkg"] {
            let got = try coverage(dir, ["--residents", "nozone.csv", "--zones", file], out: "o-\(file)")
            #expect(got == expected, "\(file)")
        }
    }

    @Test func zonePolygonWithAHoleFromAGeoPackage() throws {
        guard let ogr2ogr = try GISTools.require("ogr2ogr") else { return }
        let dir = try makeTemporaryDirectory("reach-hole")
        try """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"ring"},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[4,0],[4,4],[0,4],[0,0]],[[1,1],[1,3],[3,3],[3,1],[1,1]]]]}}]}
        """.write(to: dir.appendingPathComponent("z.geojson"), atomically: true, encoding: .utf8)
        let r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "z.gpkg", "z.geojson"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let zone = try #require(try ZonePolygon.loadZones(from: dir.appendingPathComponent("z.gpkg")).first)
        #expect(zone.name == "ring")
        #expect(zone.contains(LonLat(lonDegrees: 0.5, latDegrees: 0.5)))
        #expect(!zone.contains(LonLat(lonDegrees: 2, latDegrees: 2)))
    }

    @Test func badFilesOfEachFormatGiveOneClearErrorAndNoOutput() throws {
        guard let ogr2ogr = try GISTools.require("ogr2ogr"), let translate = try GISTools.require("gdal_translate") else { return }
        let dir = try Self.hanoiSample(count: 200)
        var r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "-nln", "residents", "good.gpkg", "residents.csv"] + Self.csvOpen, in: dir)
        #expect(r.status == 0)
        let good = try Data(contentsOf: dir.appendingPathComponent("good.gpkg"))
        try good.prefix(good.count / 3).write(to: dir.appendingPathComponent("truncated.gpkg"))
        r = try GISTools.run(ogr2ogr, ["-f", "ESRI Shapefile", "noshx.shp", "residents.csv"] + Self.csvOpen, in: dir)
        #expect(r.status == 0)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("noshx.shx"))
        let asc = dir.appendingPathComponent("g.asc")
        try "ncols 2\nnrows 2\nxllcorner 105.8\nyllcorner 21.0\ncellsize 0.01\n1 2\n3 4\n".write(to: asc, atomically: true, encoding: .utf8)
        r = try GISTools.run(translate, ["-q", "-of", "GTiff", "-co", "PROFILE=BASELINE", asc.path, dir.appendingPathComponent("nogeo.tif").path])
        #expect(r.status == 0)
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("nogeo.tif.aux.xml"))
        try Data("not a geopackage at all".utf8).write(to: dir.appendingPathComponent("text.gpkg"))
        // A point layer where a polygon layer is expected, and a polygon where points are.
        let cases: [(args: [String], prefix: String, words: String)] = [
            (["--residents", "truncated.gpkg"], "error: truncated.gpkg: ", "GDAL cannot open it"),
            (["--residents", "text.gpkg"], "error: text.gpkg: ", "GDAL cannot open it"),
            (["--residents", "noshx.shp"], "error: noshx.shp: ", ".shx file (noshx.shx) is missing"),
            (["--residents", "nogeo.tif"], "error: nogeo.tif: ", "no georeferencing"),
            (["--zones", "good.gpkg"], "error: good.gpkg:residents: ", "no Polygon or MultiPolygon"),
        ]
        for c in cases {
            let out = "o-\(c.args[1])"
            let run = try ReachBinary.run(["coverage", "scenario.json", "--out", out] + c.args, in: dir)
            #expect(run.status == 2, "\(c.args): \(run.stderr)")
            #expect(run.stderr.hasPrefix(c.prefix), "\(c.args): \(run.stderr)")
            #expect(run.stderr.contains(c.words), "\(c.args): \(run.stderr)")
            #expect(run.stderr.split(separator: "\n").count == 1, "GDAL printed on its own: \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(out).path))
        }
        // A feature-level problem names FILE:LAYER:FEATURE.
        try "id,lon,lat,population\na,105.8,21.0,5\nb,105.9,21.1,-3\n".write(to: dir.appendingPathComponent("neg.csv"), atomically: true, encoding: .utf8)
        r = try GISTools.run(ogr2ogr, ["-f", "GPKG", "-nln", "pts", "neg.gpkg", "neg.csv"] + Self.csvOpen, in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let neg = try ReachBinary.run(["coverage", "scenario.json", "--out", "o-neg", "--residents", "neg.gpkg"], in: dir)
        #expect(neg.status == 2)
        #expect(neg.stderr.hasPrefix("error: neg.gpkg:pts:2: population"), "\(neg.stderr)")
        // Inputs are never written (no .aux.xml, no -wal/-shm left behind).
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!names.contains { $0.hasSuffix(".aux.xml") || $0.hasSuffix("-wal") || $0.hasSuffix("-shm") }, "\(names)")
    }
}

/// `reach residents --weights GRID.tif` and `--from-grid GRID.tif` give what the `.asc` gives.
@Suite(.serialized) struct GeoTIFFResidentsTests {
    @Test func weightsAndFromGridAcceptGeoTIFF() throws {
        guard let translate = try GISTools.require("gdal_translate") else { return }
        guard let asc = try SharedData.require("population/hanoi_worldpop2020_1km.asc") else { return }
        let dir = try makeTemporaryDirectory("reach-tif-residents")
        let tif = dir.appendingPathComponent("pop.tif")
        let r = try GISTools.run(translate, ["-q", "--config", "AAIGRID_DATATYPE", "Float64", "-of", "GTiff", "-a_srs", "EPSG:4326", asc.path, tif.path])
        #expect(r.status == 0, "\(r.stderr)")
        let data = SharedData.bundledData.appendingPathComponent("hanoi")
        var outputs: [String] = []
        for grid in [asc.path, tif.path] {
            let out = dir.appendingPathComponent("w-\(outputs.count).csv").path
            let run = try ReachBinary.run(["residents", "--from-zones", data.appendingPathComponent("units.csv").path,
                                           "--zones", data.appendingPathComponent("zones.geojson").path,
                                           "--weights", grid, "--spacing-m", "2000", "--out", out])
            #expect(run.status == 0, "\(run.stderr)")
            outputs.append(try String(contentsOfFile: out, encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].split(separator: "\n").count > 100)
        var grids: [String] = []
        for grid in [asc.path, tif.path] {
            let run = try ReachBinary.run(["residents", "--from-grid", grid])
            #expect(run.status == 0, "\(run.stderr)")
            grids.append(run.stdout)
        }
        #expect(grids[0] == grids[1] && grids[0].count > 1000)
    }
}
