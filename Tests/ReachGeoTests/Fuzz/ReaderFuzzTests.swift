import Foundation
import Testing
@testable import ReachGeo
import TestSupport

/// A seeded, deterministic fuzzer of every input reader (issue 10): CSV tables, scenario JSON,
/// GeoJSON, profile JSON, OSM XML, OSM PBF and ESRI ASCII grids are mutated (bit flips, byte
/// replacements, insertions of special values, delimiters, quotes and NULs, huge numbers,
/// deletions, duplications, truncation) and read in-process; what reads successfully goes on
/// through the graph builder or a coverage evaluation.
///
/// A trap kills the test process, so a crash fails the run by itself; any error other than
/// ``InputError`` is recorded with the case's seed. Run longer or elsewhere with
/// `REACH_FUZZ_CASES=200000 REACH_FUZZ_SEED=7 swift test --filter ReaderFuzzTests`.
@Suite struct ReaderFuzzTests {
    static let defaultCases = 3000
    static let defaultSeed: UInt64 = 20261203

    static var caseCount: Int {
        ProcessInfo.processInfo.environment["REACH_FUZZ_CASES"].flatMap { Int($0) }.map { max(1, $0) } ?? defaultCases
    }
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["REACH_FUZZ_SEED"].flatMap { UInt64($0) } ?? defaultSeed
    }

    // MARK: seed inputs

    static let residentsCSV = """
        id,lon,lat,population,zone
        r1,105.85,21.03,100,A
        r2,105.86,21.04,50.5,B
        "r,3",105.84,21.02,0,"A \"\"quoted\"\""
        r4,-180,90,7,

        """
    static let sitesCSV = """
        id,lon,lat,name,zone,capacity,role
        e1,105.85,21.03,Centre,A,1000,
        e2,105.9,21.0,"North, east",B,,required

        """
    static let residentsGeoJSON = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]},
           "properties": {"id": 1234, "population": 10, "zone": "A"}},
          {"type": "Feature", "geometry": {"type": "Point", "coordinates": [180, -90]},
           "properties": {"id": "x\\u00e9", "population": 2.5e1, "zone": null}}
        ]}
        """
    static let zonesGeoJSON = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "properties": {"name": "A"}, "geometry": {"type": "Polygon",
           "coordinates": [[[105.8, 21.0], [105.9, 21.0], [105.9, 21.1], [105.8, 21.1], [105.8, 21.0]]]}},
          {"type": "Feature", "properties": {"name": "B"}, "geometry": {"type": "MultiPolygon",
           "coordinates": [[[[179, 0], [180, 0], [180, 1], [179, 0]]]]}}
        ]}
        """
    static let scenarioJSON = """
        {"name": "fuzz", "residents": "residents.csv", "existing": "existing.csv",
         "profile": "profile.json", "zones": "zones.geojson",
         "standard": {"radius_m": 5000, "max_minutes": 30, "rule": "either"}}
        """
    static let profileJSON = """
        {
          "name": "motorcycle",
          "mode": "motorcycle",
          "speeds_kmh": { "trunk": 40, "primary": 35, "residential": 18 },
          "maxspeed_caps": true,
          "oneway": true,
          "connector_kmh": 10,
          "max_snap_m": 1000,
          "min_component_nodes": 2,
          "congestion_factor": 1.0,
          "detour_factor": 1.35,
          "estimate_kmh": 22
        }
        """
    static let osmXML = """
        <?xml version="1.0" encoding="UTF-8"?>
        <osm version="0.6">
          <node id="1" lat="21.0" lon="105.85"/>
          <node id="2" lat="21.001" lon="105.851"/>
          <node id="3" lat="21.002" lon="105.852"><tag k="name" v="a &amp; b"/></node>
          <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/>
            <tag k="highway" v="primary"/><tag k="oneway" v="yes"/><tag k="maxspeed" v="30 mph"/></way>
          <way id="11"><nd ref="3"/><nd ref="1"/><tag k="highway" v="residential"/></way>
          <relation id="5"><member type="way" ref="10" role=""/></relation>
        </osm>
        """
    static let asciiGrid = """
        ncols 3
        nrows 2
        xllcorner 105.8
        yllcorner 21.0
        cellsize 0.01
        NODATA_value -9999
        1 0 -9999
        2.5 3e2 4

        """
    /// A header blob and one raw data blob: three plain nodes and a two-way primary way over
    /// them (so that the graph has a strongly connected component to snap to).
    static let pbf: [UInt8] = {
        let block = OSMReaderTests.plainPrimitiveBlock(secondKey: "maxspeed", secondValue: "50", latStepUnits: 10_000)
        return OSMReaderTests.rawBlob(type: "OSMHeader", payload: OSMReaderTests.headerBlock(features: ["OsmSchema-V0.6", "DenseNodes"]))
            + OSMReaderTests.rawBlob(type: "OSMData", payload: block)
    }()

    // MARK: mutation

    static let tokens: [String] = [
        "0x1A", "0x1p3", "inf", "-inf", "nan", "NaN", "infinity", "1e308", "1e309", "-1e400", "9.3e18", "1e26",
        "99999999999999999999999", "9007199254740993", "-0", "1e-320", "0.0004", "-1", "90", "-90.0000001",
        "180", "-180", "180.0000001", "\0", "\"", "\"\"", ",", ",,", "\n", "\r\n", "\r", "\t", "{", "}", "[", "]",
        ":", "<", ">", "&", "&#0;", "&#x110000;", "&amp;", "]]>", "<!--", "\\u0000", "\\ud800", "\u{2028}", "🙂",
        "\u{1B}[31m", "\u{FEFF}", "e", "E+", ".", "-.", "1.", ".5", "00012", "1_000", " ", "true", "null",
    ]
    static let specialBytes: [UInt8] = [0x00, 0xFF, 0x80, 0xC3, 0x2C, 0x22, 0x0A, 0x0D, 0x7B, 0x7D, 0x5B, 0x5D,
                                        0x3A, 0x3C, 0x3E, 0x26, 0x2D, 0x2E, 0x30, 0x39, 0x65, 0x20, 0x7F, 0x1B]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        // Mostly one or two operations, so that many mutants still get past the first checks.
        let operations = [1, 1, 1, 2, 2, 3, 4][Int(rng.next() % 7)]
        for _ in 0..<operations {
            func position() -> Int { b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count + 1)) }
            switch rng.next() % 10 {
            case 0 where !b.isEmpty: // bit flip
                let i = Int(rng.next() % UInt64(b.count)); b[i] ^= UInt8(1 << (rng.next() % 8))
            case 1 where !b.isEmpty: // a special byte
                let i = Int(rng.next() % UInt64(b.count)); b[i] = specialBytes[Int(rng.next() % UInt64(specialBytes.count))]
            case 2, 3: // insert a special token
                let t = tokens[Int(rng.next() % UInt64(tokens.count))]
                b.insert(contentsOf: Array(t.utf8), at: position())
            case 4 where !b.isEmpty: // delete a range
                let i = Int(rng.next() % UInt64(b.count)); let n = min(b.count - i, 1 + Int(rng.next() % 16))
                b.removeSubrange(i..<(i + n))
            case 5 where !b.isEmpty: // truncate
                b.removeSubrange(Int(rng.next() % UInt64(b.count))...)
            case 6 where !b.isEmpty: // duplicate a range elsewhere
                let i = Int(rng.next() % UInt64(b.count)); let n = min(b.count - i, 1 + Int(rng.next() % 32))
                let chunk = Array(b[i..<(i + n)]); b.insert(contentsOf: chunk, at: position())
            case 7 where !b.isEmpty: // replace a digit run with a huge or odd number
                let i = Int(rng.next() % UInt64(b.count))
                if let start = b[i...].firstIndex(where: { $0 >= 0x30 && $0 <= 0x39 }) {
                    let end = b[start...].firstIndex(where: { !($0 >= 0x30 && $0 <= 0x39) && $0 != 0x2E }) ?? b.count
                    let t = ["1e400", "1e26", "9.3e18", "1e12", "0x10", "-0", "4294967296", "2147483648", "1e-9"][Int(rng.next() % 9)]
                    b.replaceSubrange(start..<end, with: Array(t.utf8))
                }
            case 8 where !b.isEmpty, 9 where !b.isEmpty: // replace one whole value (between delimiters) by a special token
                let delimiters: Set<UInt8> = [0x2C, 0x0A, 0x0D, 0x20, 0x22, 0x3C, 0x3E, 0x3D, 0x3A, 0x7B, 0x7D, 0x5B, 0x5D, 0x09]
                let i = Int(rng.next() % UInt64(b.count))
                var lo = i, hi = i
                while lo > 0, !delimiters.contains(b[lo - 1]) { lo -= 1 }
                while hi < b.count, !delimiters.contains(b[hi]) { hi += 1 }
                let t = tokens[Int(rng.next() % UInt64(tokens.count))]
                b.replaceSubrange(lo..<hi, with: Array(t.utf8))
            default: break
            }
        }
        return b
    }

    // MARK: targets

    enum Target: CaseIterable {
        case residentsCSV, sitesCSV, residentsGeoJSON, zonesGeoJSON, scenario, profile, osmXML, pbf, asciiGrid, zoneUnits
    }

    /// Runs one mutated input through its reader (and what follows it). Returns normally or
    /// throws what the reader threw.
    static func run(_ target: Target, _ bytes: [UInt8], in dir: URL) throws {
        func write(_ name: String, _ b: [UInt8]) throws -> URL {
            let url = dir.appendingPathComponent(name)
            try Data(b).write(to: url)
            return url
        }
        switch target {
        case .residentsCSV:
            let (residents, _) = try PointTables.readResidents(url: write("residents.csv", bytes), displayName: "residents.csv")
            try evaluate(residents: residents, dir: dir)
        case .sitesCSV:
            _ = try PointTables.readSites(url: write("sites.csv", bytes), kind: .existing, displayName: "sites.csv")
            _ = try PointTables.readSites(url: write("candidates.csv", bytes), kind: .candidates, displayName: "candidates.csv")
        case .residentsGeoJSON:
            let (residents, _) = try PointTables.readResidents(url: write("residents.geojson", bytes), displayName: "residents.geojson")
            try evaluate(residents: residents, dir: dir)
        case .zonesGeoJSON:
            let url = try write("zones.geojson", bytes)
            let index = try ZoneIndex.load(url: url, displayName: "zones.geojson")
            for p in [LonLat(lonDegrees: 105.85, latDegrees: 21.05), LonLat(lonDegrees: 179.5, latDegrees: 0.2)] {
                _ = index.zoneIndex(containing: p)
            }
            _ = try ZonePolygon.loadZones(from: url, displayName: "zones.geojson")
        case .scenario:
            try writeScenarioFiles(dir)
            let scenario = try Scenario.load(from: write("scenario.json", bytes), displayName: "scenario.json")
            let loaded = try ScenarioLoader.load(scenario)
            var timings = StageTimings()
            let prepared = try PreparedScenario.prepare(loaded)
            _ = try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        case .profile:
            _ = try TravelProfile(jsonData: Data(bytes), fileName: "profile.json")
        case .osmXML:
            try route(RoadNetwork.build(roads: write("roads.osm", bytes), profile: .testMotorcycle()))
        case .pbf:
            try route(RoadNetwork.build(roads: write("roads.osm.pbf", bytes), profile: .testMotorcycle()))
        case .asciiGrid:
            let grid = try AsciiGrid.read(from: write("grid.asc", bytes), displayName: "grid.asc")
            try evaluate(residents: grid.residents(), dir: dir)
        case .zoneUnits:
            let units = try ZoneUnit.loadUnits(from: write("units.csv", bytes), displayName: "units.csv")
            _ = try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 2000, seed: 1, unitsFile: "units.csv")
        }
    }

    /// Roads that read well are snapped to and routed on.
    static func route(_ network: RoadNetwork) throws {
        let points = [LonLat(lonDegrees: 105.85, latDegrees: 21.0), LonLat(lonDegrees: 105.8515, latDegrees: 21.0012),
                      LonLat(lonDegrees: 105.852, latDegrees: 21.002)]
        let snaps = try network.snap(points)
        let seconds = network.connectorSeconds(snaps)
        let found = FastestIntakeSearch.run(graph: network.graph, sites: [snaps[0], snaps[2]], siteConnectorSeconds: [seconds[0], seconds[2]],
                                            residents: snaps, residentConnectorSeconds: seconds)
        for f in found { if let f { #expect(f.seconds >= 0 && !f.seconds.isNaN) } }
    }

    static func writeScenarioFiles(_ dir: URL) throws {
        for (name, text) in [("residents.csv", residentsCSV), ("existing.csv", sitesCSV), ("zones.geojson", zonesGeoJSON),
                             ("profile.json", profileJSON)] {
            let url = dir.appendingPathComponent(name)
            if !FileManager.default.fileExists(atPath: url.path) { try Data(text.utf8).write(to: url) }
        }
    }

    /// Residents that read well go through a whole coverage evaluation (estimated times).
    static func evaluate(residents: [Resident], dir: URL) throws {
        guard !residents.isEmpty else { return }
        let sites = [Site(id: "e1", position: LonLat(lonDegrees: 105.85, latDegrees: 21.03), role: .existing),
                     Site(id: "e2", position: LonLat(lonDegrees: -179.9, latDegrees: 89.9), role: .existing)]
        let scenario = Scenario(name: "fuzz", residents: dir.appendingPathComponent("residents.csv"),
                                existing: dir.appendingPathComponent("existing.csv"))
        let loaded = LoadedScenario(scenario: scenario, residents: residents, existing: sites, candidates: [],
                                    profile: .testMotorcycle(), zones: nil, warnings: [])
        var timings = StageTimings()
        let prepared = try PreparedScenario.prepare(loaded)
        let evaluation = try prepared.evaluate(openSites: prepared.currentlyOpenSites, timings: &timings)
        #expect(abs(evaluation.totals.coveredPopulation + evaluation.totals.uncoveredPopulation - evaluation.totals.population)
                <= 1e-9 * max(1, evaluation.totals.population))
    }

    static func seedInput(_ target: Target) -> [UInt8] {
        switch target {
        case .residentsCSV: return Array(residentsCSV.utf8)
        case .sitesCSV: return Array(sitesCSV.utf8)
        case .residentsGeoJSON: return Array(residentsGeoJSON.utf8)
        case .zonesGeoJSON: return Array(zonesGeoJSON.utf8)
        case .scenario: return Array(scenarioJSON.utf8)
        case .profile: return Array(profileJSON.utf8)
        case .osmXML: return Array(osmXML.utf8)
        case .pbf: return pbf
        case .asciiGrid: return Array(asciiGrid.utf8)
        case .zoneUnits: return Array("code,name,lon,lat,population,area_km2\n01,A,105.85,21.03,1000,4\n02,B,179.99,-89.5,3,1\n".utf8)
        }
    }

    /// The unmutated seeds read without error (so the fuzzer starts from valid input).
    @Test func seedsAreValid() throws {
        let dir = try makeTemporaryDirectory("reach-fuzz-seed")
        defer { try? FileManager.default.removeItem(at: dir) }
        for target in Target.allCases {
            #expect(throws: Never.self, "\(target)") { try Self.run(target, Self.seedInput(target), in: dir) }
        }
    }

    @Test func mutatedInputsOnlyEverThrowInputError() throws {
        let dir = try makeTemporaryDirectory("reach-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = Self.caseCount, seed = Self.seed
        let start = Date()
        var rejected = 0, accepted = 0
        let targets = Target.allCases
        for k in 0..<count {
            // Each case has its own generator, so a failing case replays alone from its seed.
            let caseSeed = seed &+ UInt64(k) &* 0x9E37_79B9_7F4A_7C15
            var rng = SplitMix64(seed: caseSeed)
            let target = targets[k % targets.count]
            let input = Self.mutate(Self.seedInput(target), &rng)
            do {
                try Self.run(target, input, in: dir)
                accepted += 1
            } catch is InputError {
                rejected += 1
            } catch {
                Issue.record("fuzz case \(k) (seed \(caseSeed), \(target)) threw \(type(of: error)): \(error); input (hex): \(input.prefix(400).map { String(format: "%02x", $0) }.joined())")
            }
        }
        print("reach fuzz: \(count) cases (seed \(seed)), \(accepted) accepted, \(rejected) rejected with InputError, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
    }
}

/// Inputs the fuzzer (or the issue) found crashing, kept as regressions: each must now be an
/// ``InputError``, not a trap.
@Suite struct FuzzRegressionTests {
    func rejects(_ target: ReaderFuzzTests.Target, _ text: String) throws -> InputError? {
        let dir = try makeTemporaryDirectory("reach-fuzz-regression")
        defer { try? FileManager.default.removeItem(at: dir) }
        do { try ReaderFuzzTests.run(target, Array(text.utf8), in: dir); return nil } catch let e as InputError { return e }
    }

    /// Fuzz seed 99: a huge area_km2 made the disc's grid-point count overflow `Int` (a trap in
    /// `ZoneDisaggregation.gridPoints`).
    @Test func hugeZoneAreaIsAnInputError() throws {
        let e = try #require(try rejects(.zoneUnits, "code,name,lon,lat,population,area_km2\n01,A,105.85,21.03,1000,1e300\n"))
        #expect(e.line == 2 && e.message.hasPrefix("area_km2 must be in 0 < A ≤ 6e8"), "\(e)")
    }

    @Test func tinySpacingOverAWideZoneIsAnInputError() throws {
        let units = try ZoneUnit.loadUnits(from: {
            let url = try makeTemporaryDirectory("reach-units").appendingPathComponent("u.csv")
            try "name,lon,lat,population,area_km2\nA,105.85,21.03,1000,5e8\n".write(to: url, atomically: true, encoding: .utf8)
            return url
        }(), displayName: "u.csv")
        #expect(throws: InputError.self) {
            _ = try ZoneDisaggregation.residents(units: units, zones: [], spacingMeters: 1e-300, seed: 1, unitsFile: "u.csv")
        }
    }

    /// The issue's numbers: populations that used to be accepted and crash later.
    @Test(arguments: ["9.3e18", "1e26", "1e400", "0x1A", "inf", "nan"])
    func issuePopulationsAreRejected(value: String) throws {
        let e = try #require(try rejects(.residentsCSV, "id,lon,lat,population\nr1,105.85,21.03,\(value)\n"))
        #expect(e.line == 2, "\(e)")
    }

    @Test func gridPopulationOutOfRange() throws {
        let e = try #require(try rejects(.asciiGrid, "ncols 2\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize 1\n1 2e12\n"))
        #expect(e.line == 6 && e.message == "row 0, column 1: population \"2e12\" is larger than the maximum 1e12 per resident", "\(e)")
    }
}
