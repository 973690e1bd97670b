import Foundation
import Testing
import ReachGeo
import TestSupport


/// Issue 10, parts 4, 6, 7 and 8: hostile input gives exit 2, one `error:` line of the expected
/// shape, and leaves the folder exactly as it was.
@Suite(.serialized) struct HostileInputTests {
    static let existing = "id,lon,lat\ne1,105.85,21.03\n"

    /// Runs `reach args` in a fresh tiny scenario and checks exit 2, the first stderr line, the
    /// line count (1, or 1 + usage for argument errors) and that nothing changed in the folder.
    @discardableResult
    func expectRejected(_ args: [String], residents: String = "id,lon,lat,population\nr1,105.85,21.03,10\n",
                        files: [String: [UInt8]] = [:], firstLine: String, usage: Bool = false,
                        sourceLocation: SourceLocation = #_sourceLocation) throws -> ReachBinary.Output {
        let s = try TinyScenario(residents: residents, existing: Self.existing)
        for (name, bytes) in files { try Data(bytes).write(to: s.file(name)) }
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(args, in: s.dir)
        #expect(r.status == 2, "\(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.first.map(String.init) == "error: " + firstLine, "\(r.stderr)", sourceLocation: sourceLocation)
        if usage {
            #expect(lines.dropFirst().allSatisfy { !$0.hasPrefix("error") }, "\(r.stderr)", sourceLocation: sourceLocation)
        } else {
            #expect(lines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(!r.stderr.utf8.contains(0) && !r.stderr.utf8.contains(0x1B), sourceLocation: sourceLocation)
        #expect(folderSnapshot(s.dir) == before, "the run changed the folder", sourceLocation: sourceLocation)
        return r
    }

    // MARK: 4. no traps on accepted input: ranges checked at the edge

    @Test(arguments: [
        ("9.3e18", "residents.csv:3: population \"9.3e18\" is larger than the maximum 1e12 per resident"),
        ("1e26", "residents.csv:3: population \"1e26\" is larger than the maximum 1e12 per resident"),
        // 6f: below 0.001 a population would print as 0.
        ("0.0004", "residents.csv:3: population \"0.0004\" is below the smallest accepted 0.001 (outputs carry 3 decimals; use 0 or at least 0.001)"),
    ])
    func populationOutOfRange(value: String, message: String) throws {
        try expectRejected(["plan", "scenario.json", "--branches", "1", "--out", "out"],
                           residents: "id,lon,lat,population\nr1,105.85,21.03,10\nr2,105.86,21.04,\(value)\n", firstLine: message)
    }

    @Test(arguments: [("1e19", "1e+19"), ("0", "0.0"), ("inf", "inf"), ("-5", "-5.0")])
    func timeLimitOutOfRange(value: String, shown: String) throws {
        try expectRejected(["plan", "scenario.json", "--branches", "1", "--time-limit", value, "--out", "out"],
                           firstLine: "--time-limit must be a number of seconds with 0 < S ≤ 1e6, not \(shown)", usage: true)
    }

    /// 5,001 residents at latitude 90 with --report: accepted and handled (the report's map
    /// frame divided by a zero-length degree of longitude there).
    @Test func residentsAtThePoleWithReport() throws {
        var csv = "id,lon,lat,population\n"
        for k in 0..<5001 { csv += "p\(k),\(Double(k % 360) - 180),90,1\n" }
        let s = try TinyScenario(residents: csv, existing: "id,lon,lat\ne1,0,89.99\ne2,180,-89.99\n")
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--report", "report.html"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = try s.read("out/residents.csv").split(separator: "\n")
        #expect(rows.count == 5002)
        // Every resident is at the pole: e1 is 0.01° of latitude away (geodesic), whatever its longitude.
        let expected = Geodesic.distanceMeters(LonLat(lonDegrees: 0, latDegrees: 90), LonLat(lonDegrees: 0, latDegrees: 89.99))
        #expect(rows[1].split(separator: ",", omittingEmptySubsequences: false)[5] == "e1")
        #expect(rows[1].split(separator: ",", omittingEmptySubsequences: false)[6] == Substring(DecimalText.fixed(expected, decimals: 1)))
        #expect(try s.read("report.html").contains("<svg"))
    }

    /// `reach residents … > /dev/full` failed in a `try!`-like trap of FileHandle.write(_:).
    @Test func residentsToAFullDeviceDoesNotTrap() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else { return }
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,105.85,21.03,10\n", existing: Self.existing)
        try "name,lon,lat,population,area_km2\nA,105.85,21.03,1000,4\n".write(to: s.file("units.csv"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = ReachBinary.url
        process.arguments = ["residents", "--from-zones", "units.csv"]
        process.currentDirectoryURL = s.dir
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "reach was killed by signal \(process.terminationStatus)")
        #expect(process.terminationStatus != 0)
    }

    // MARK: 6. silent wrong answers

    /// (b) numeric GeoJSON ids keep their text: 1234 stays 1234, 2^53 + 1 keeps its last digit.
    @Test func numericGeoJSONIdsKeepTheirText() throws {
        let s = try TinyScenario(residents: "unused\n", existing: Self.existing)
        let geojson = """
            {"type": "FeatureCollection", "features": [
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]}, "properties": {"id": 1234, "population": 1}},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.86, 21.03]}, "properties": {"id": 9007199254740993, "population": 2}},
              {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.87, 21.03]}, "properties": {"id": 1.50, "population": 3}}
            ]}
            """
        try geojson.write(to: s.file("residents.geojson"), atomically: true, encoding: .utf8)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--residents", "residents.geojson", "--out", "out"], in: s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let ids = try s.read("out/residents.csv").split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }
        #expect(ids == ["1234", "9007199254740993", "1.50"])
    }

    /// (c) hexadecimal, inf, nan and text after a NUL byte are not numbers.
    @Test(arguments: [
        ("0x1A", "\"0x1A\""), ("inf", "\"inf\""), ("nan", "\"nan\""), ("12\u{0}99", "\"12\\099\""),
    ])
    func onlyDecimalNumbers(value: String, shown: String) throws {
        let csv = "id,lon,lat,population\nr1,105.85,21.03,10\nr2,105.86,21.04,\(value)\n"
        if value.contains("\u{0}") {
            // A NUL is a control byte: the CSV reader refuses it before any number is read.
            try expectRejected(["coverage", "scenario.json", "--out", "out"], residents: csv,
                               firstLine: "residents.csv:3: field 4 holds the control byte 0x00 (a binary file, or not a text CSV table?)")
        } else {
            try expectRejected(["coverage", "scenario.json", "--out", "out"], residents: csv,
                               firstLine: "residents.csv:3: population \(shown) is not a decimal number")
        }
    }

    /// (d) duplicate keys in a profile (and in any JSON) are an error with FILE:LINE; so is a
    /// syntax error.
    @Test func profileDuplicateKeyAndSyntaxError() throws {
        var profile = try String(contentsOf: SharedData.bundledData.appendingPathComponent("profiles/motorcycle.json"), encoding: .utf8)
        let lines = profile.split(separator: "\n", omittingEmptySubsequences: false)
        let nameLine = try #require(lines.firstIndex(where: { $0.contains("\"name\"") })) + 1
        profile = profile.replacingOccurrences(of: "{", with: "{\n  \"estimate_kmh\": 99,", options: [], range: profile.range(of: "{"))
        let dupLine = try #require(profile.split(separator: "\n", omittingEmptySubsequences: false)
            .lastIndex(where: { $0.contains("\"estimate_kmh\"") })) + 1
        try expectRejected(["coverage", "scenario.json", "--profile", "dup.json", "--out", "out"],
                           files: ["dup.json": Array(profile.utf8)],
                           firstLine: "dup.json:\(dupLine): duplicate member \"estimate_kmh\" in an object (first on line 2)")
        _ = nameLine
        try expectRejected(["coverage", "scenario.json", "--profile", "broken.json", "--out", "out"],
                           files: ["broken.json": Array("{\n  \"name\": \"x\",\n  \"mode\" \"car\"\n}\n".utf8)],
                           firstLine: "broken.json:3: expected ':' after a member name")
    }

    /// (e) a PROJ domain error names the file (and the point).
    @Test func projDomainErrorNamesTheFile() throws {
        let osm = """
            <?xml version="1.0" encoding="UTF-8"?>
            <osm version="0.6">
              <node id="1" lat="0" lon="-3"/><node id="2" lat="0" lon="-2.999"/>
              <node id="3" lat="0" lon="179"/><node id="4" lat="0" lon="179.001"/>
              <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="primary"/></way>
              <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="primary"/></way>
            </osm>
            """
        var profile = try String(contentsOf: SharedData.bundledData.appendingPathComponent("profiles/motorcycle.json"), encoding: .utf8)
        let range = try #require(profile.range(of: #""min_component_nodes": *[0-9]+"#, options: .regularExpression))
        profile.replaceSubrange(range, with: "\"min_component_nodes\": 2")
        let r = try expectRejected(["coverage", "scenario.json", "--roads", "far.osm", "--profile", "p.json", "--out", "out"],
                                   files: ["far.osm": Array(osm.utf8), "p.json": Array(profile.utf8)],
                                   firstLine: "far.osm: the roads cannot be projected to the UTM zone of their centre at (-2.999, 0.0) (Point outside of projection domain): the network spans too far; use an extract of one region")
        _ = r
        // `reach project` names the line of stdin.
        let p = try ReachBinary.run(["project", "--from", "EPSG:4326", "--to", "EPSG:32648"], stdin: "105 21\n200 100\n")
        #expect(p.status == 2)
        #expect(p.stderr.hasPrefix("error: <stdin>:2: cannot transform (200.0, 100.0)"), "\(p.stderr)")
    }

    // MARK: 7. messages

    @Test func binaryResidentsGiveOneCleanLine() throws {
        var rng = SplitMix64(seed: 3)
        var bytes = Array("id,lon,lat,population\n".utf8)
        bytes += (0..<300).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes[30] = 0
        let s = try TinyScenario(residents: "", existing: Self.existing)
        try Data(bytes).write(to: s.file("residents.csv"))
        let before = folderSnapshot(s.dir)
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out"], in: s.dir)
        #expect(r.status == 2)
        #expect(r.stderr.hasPrefix("error: residents.csv:"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(!r.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(r.stderr.debugDescription)")
        #expect(r.stderr.count < 400)
        #expect(folderSnapshot(s.dir) == before)
    }

    @Test func longAndControlValuesAreEscapedAndCut() throws {
        let long = String(repeating: "x", count: 500)
        let r = try expectRejected(["coverage", "scenario.json", "--out", "out"],
                                   residents: "id,lon,lat,population\nr1,105.85,21.03,\(long)\n",
                                   firstLine: "residents.csv:2: population \"\(String(repeating: "x", count: 80))…\" is not a decimal number")
        _ = r
        #expect(ErrorText.quoted("a\u{1B}[31mb\tc\u{0}") == "\"a\\u{1B}[31mb\\tc\\0\"")
        #expect(ErrorText.oneLine("one\ntwo\r\n") == "one\\ntwo\\r\\n")
    }

    @Test func misspeltFlagSuggestsTheNearest() throws {
        try expectRejected(["plan", "scenario.json", "--branchs", "3", "--out", "out"],
                           firstLine: "unknown option \"--branchs\" for 'reach plan'; did you mean '--branches'? (see 'reach plan --help')")
        try expectRejected(["coverage", "scenario.json", "--radius", "300"],
                           firstLine: "unknown option \"--radius\" for 'reach coverage'; did you mean '--radius-m'? (see 'reach coverage --help')")
        try expectRejected(["coverage", "scenario.json", "--zzzzzzzz"],
                           firstLine: "unknown option \"--zzzzzzzz\" for 'reach coverage' (see 'reach coverage --help')")
    }

    @Test func negativeValuesReachTheRangeCheck() throws {
        try expectRejected(["plan", "scenario.json", "--branches", "-3", "--out", "out"],
                           firstLine: "--branches must be a whole number ≥ 0, not -3", usage: true)
        try expectRejected(["coverage", "scenario.json", "--radius-m", "-5", "--out", "out"],
                           firstLine: "--radius-m must be a number of metres in 0…20000000, not -5.0", usage: true)
    }

    @Test func plainWordsForFileProblems() throws {
        let s = try TinyScenario(residents: "id,lon,lat,population\nr1,105.85,21.03,10\n", existing: Self.existing)
        try FileManager.default.createDirectory(at: s.file("folder.csv"), withIntermediateDirectories: false)
        #expect(mkfifo(s.file("fifo.csv").path, 0o644) == 0)
        let before = folderSnapshot(s.dir)
        let d = try ReachBinary.run(["coverage", "scenario.json", "--residents", "folder.csv", "--out", "out"], in: s.dir)
        #expect(d.status == 2 && d.stderr == "error: folder.csv: cannot read the file: is a directory, not a file\n", "\(d.stderr)")
        let f = try ReachBinary.run(["coverage", "scenario.json", "--residents", "fifo.csv", "--out", "out"], in: s.dir)
        #expect(f.status == 2 && f.stderr == "error: fifo.csv: cannot read the file: not a regular file (a pipe, socket or device)\n", "\(f.stderr)")
        #expect(!(d.stderr + f.stderr).contains("NSCocoaErrorDomain") && !(d.stderr + f.stderr).contains("permission"))
        #expect(folderSnapshot(s.dir) == before)
    }

    @Test func demoOutIntoAFileIsAUsageError() throws {
        try expectRejected(["demo", "--out", "scenario.json", "--no-roads"],
                           firstLine: "--out \"scenario.json\" is a file, not a folder", usage: true)
    }

    /// Questions (e) and (f) of the demo: phases that do not end at --keep, or a floor outside
    /// 0 < F ≤ 1, are usage errors found before any work.
    @Test(arguments: [
        (["demo", "--phases", "10,20", "--no-roads"], "--phases must end at --keep (30): the last phase is the consolidation of question (b)"),
        (["demo", "--phases", "20,10,30", "--no-roads"], "--phases must be strictly increasing cumulative counts (20 then 10)"),
        (["demo", "--zone-floor", "0", "--no-roads"], "--zone-floor must be a share with 0 < F ≤ 1, not 0.0"),
        (["demo", "--zone-floor", "1.5", "--no-roads"], "--zone-floor must be a share with 0 < F ≤ 1, not 1.5"),
    ])
    func demoPhasesAndFloorAreChecked(arguments: [String], message: String) throws {
        try expectRejected(arguments, firstLine: message, usage: true)
    }

    // MARK: 8. flags that would be ignored are rejected

    @Test(arguments: [
        (["plan", "scenario.json", "--branches", "2", "--target-share", "0.9"],
         "--target-share applies only to --objective branches (with --objective coverage give --branches N)"),
        (["plan", "scenario.json", "--objective", "branches", "--branches", "2"],
         "--branches applies only to --objective coverage (--objective branches finds the number; give --target-share)"),
        (["coverage", "scenario.json", "--roads", "roads.osm", "--no-roads"],
         "--roads and --no-roads contradict each other; give one"),
        (["isochrones", "scenario.json", "--minutes", "10,,20", "--out", "iso.geojson"],
         "--minutes: item 2 of \"10,,20\" is empty; give numbers separated by single commas, e.g. 10,20,30"),
        (["isochrones", "scenario.json", "--minutes", "10,20,10", "--out", "iso.geojson"],
         "--minutes: \"10\" is given twice"),
        (["isochrones", "scenario.json", "--minutes", "0x10", "--out", "iso.geojson"],
         "--minutes: \"0x10\" is not a number of minutes in 0 < m ≤ 1440"),
    ])
    func ignoredFlagsAreRejected(args: [String], message: String) throws {
        try expectRejected(args + ["--out", "out"].filter { _ in args[0] != "isochrones" }, firstLine: message, usage: true)
    }
}
