import Foundation
import Testing
import ReachGeo

/// Writes `text` to a fresh temporary file and returns its URL.
func temporaryFile(_ name: String, _ text: String) throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-tables-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let url = dir.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url
}

/// The error a throwing call raises, as an InputError.
func inputError(_ body: () throws -> Void) -> InputError? {
    do { try body(); return nil } catch let e as InputError { return e } catch { return nil }
}

@Suite struct CSVReaderTests {
    @Test func rfc4180QuotingCRLFAndBOM() throws {
        // BOM, CRLF line ends, an embedded comma, a doubled quote and a field spanning two lines.
        let text = "\u{FEFF}id,name\r\n1,\"a, b\"\r\n2,\"say \"\"hi\"\"\"\r\n3,\"two\nlines\"\r\n4,plain"
        let recs = try CSVReader.parse(Data(text.utf8), fileName: "t.csv")
        #expect(recs.map(\.fields) == [["id", "name"], ["1", "a, b"], ["2", "say \"hi\""], ["3", "two\nlines"], ["4", "plain"]])
        #expect(recs.map(\.line) == [1, 2, 3, 4, 6])
    }

    @Test func trailingEmptyFieldAndBlankLines() throws {
        let recs = try CSVReader.parse(Data("a,b\n\n1,\n".utf8), fileName: "t.csv")
        #expect(recs.map(\.fields) == [["a", "b"], ["1", ""]])
        #expect(recs.map(\.line) == [1, 3])
    }

    @Test func unterminatedQuoteIsATruncatedFile() {
        let e = inputError { _ = try CSVReader.parse(Data("id,name\n1,\"open\n".utf8), fileName: "t.csv") }
        #expect(e?.line == 2)
        #expect(e?.message.contains("unterminated") == true)
    }

    @Test func strayQuote() {
        let e = inputError { _ = try CSVReader.parse(Data("id,name\n1,ab\"c\n".utf8), fileName: "t.csv") }
        #expect(e?.line == 2)
    }
}

@Suite struct JSONParserTests {
    /// A repeated member name is refused with both lines, whether the object is small (fewer than
    /// 16 members before the repeat: the members are scanned) or larger (a dictionary takes over).
    /// Line 1 is "{", member m_k is on line k + 1, and the repeat of m_1 follows m_count.
    @Test(arguments: [1, 5, 15, 16, 17, 30])
    func duplicateMembersAtAnySize(count: Int) throws {
        let members = (1...count).map { "\"m\($0)\": \($0)" }
        let text = "{\n" + (members + ["\"m1\": 0"]).joined(separator: ",\n") + "\n}"
        do {
            _ = try JSONParser.parse(Data(text.utf8), fileName: "d.json")
            Issue.record("the repeated member was accepted")
        } catch let e as InputError {
            #expect(e.line == count + 2)
            #expect(e.message == "duplicate member \"m1\" in an object (first on line 2)", "\(e)")
        }
        // Without the repeat the object parses with every member.
        let root = try JSONParser.parse(Data(("{\n" + members.joined(separator: ",\n") + "\n}").utf8), fileName: "d.json")
        #expect(root.objectMembers?.count == count)
        #expect(root["m\(count)"]?.numberValue == Double(count))
    }

    @Test func stringsWithAndWithoutEscapes() throws {
        let root = try JSONParser.parse(Data(#"{"a": "Phường Ô Chợ Dừa", "b": "tab\tq\"", "c": "", "d": "\u1ea0x"}"#.utf8), fileName: "s.json")
        #expect(root["a"]?.stringValue == "Phường Ô Chợ Dừa")
        #expect(root["b"]?.stringValue == "tab\tq\"")
        #expect(root["c"]?.stringValue == "")
        #expect(root["d"]?.stringValue == "\u{1EA0}x")
        #expect(throws: InputError.self) { try JSONParser.parse(Data("{\"a\": \"x\u{01}\"}".utf8), fileName: "s.json") }
        #expect(throws: InputError.self) { try JSONParser.parse(Data([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D]), fileName: "s.json") }
    }

    @Test func linesAndValues() throws {
        let text = "{\n  \"a\": [1, 2.5e1, -0.5],\n  \"b\": \"x\\u00e9\\n\",\n  \"c\": {\"d\": null, \"e\": true}\n}"
        let root = try JSONParser.parse(Data(text.utf8), fileName: "t.json")
        #expect(root["a"]?.line == 2)
        #expect(root["a"]?.arrayElements?.compactMap(\.numberValue) == [1, 25, -0.5])
        #expect(root["b"]?.stringValue == "xé\n")
        #expect(root["c"]?["e"]?.boolValue == true)
        #expect(root["c"]?.line == 4)
    }

    @Test(arguments: [
        ("{\"a\": 1,\n\"b\": }", 2),
        ("{\"a\": [1, 2", 1),
        ("[1, 2]\nx", 2),
        ("", 0),
    ])
    func errorsCarryTheLine(text: String, line: Int) {
        let e = inputError { _ = try JSONParser.parse(Data(text.utf8), fileName: "t.json") }
        #expect(e != nil)
        #expect(e?.line == line, "\(String(describing: e))")
    }
}

@Suite struct PointTablesTests {
    @Test func residentsFromCSV() throws {
        let url = try temporaryFile("r.csv", "id,lon,lat,population,zone\nr1,105.85,21.03,120,Ba Đình\n\"r,2\",105.9,21.04,0,\n")
        let (rs, warnings) = try PointTables.readResidents(url: url, displayName: "r.csv")
        #expect(rs.map(\.id) == ["r1", "r,2"])
        #expect(rs[0].zone == "Ba Đình" && rs[1].zone == nil)
        #expect(rs[1].sourceLine == 3)
        #expect(warnings.count == 1) // the zero population
    }

    @Test func residentsFromGeoJSON() throws {
        let text = """
        {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.85, 21.03]}, "properties": {"id": "a", "population": 10}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [105.86, 21.04]}, "properties": {"id": 7, "population": 2.5, "zone": "Z"}}
        ]}
        """
        let url = try temporaryFile("r.geojson", text)
        let (rs, _) = try PointTables.readResidents(url: url)
        #expect(rs.map(\.id) == ["a", "7"])
        #expect(rs[1].population == 2.5 && rs[1].zone == "Z" && rs[1].sourceLine == 3)
    }

    // Every bad input gets a message and the line it is on.
    @Test(arguments: [
        ("id,lon,population\nr1,105,3\n", 1, "missing column \"lat\""),
        ("id,lon,lat,population\nr1,abc,21,3\n", 2, "lon \"abc\" is not a decimal number"),
        // nan, inf, hex and text after a NUL are not decimal numbers (issue 10, 6c).
        ("id,lon,lat,population\nr1,105,21,3\nr2,105,nan,3\n", 3, "lat \"nan\" is not a decimal number"),
        ("id,lon,lat,population\nr1,105,21,inf\n", 2, "population \"inf\" is not a decimal number"),
        ("id,lon,lat,population\nr1,105,21,0x1A\n", 2, "population \"0x1A\" is not a decimal number"),
        ("id,lon,lat,population\nr1,0x1p3,21,3\n", 2, "lon \"0x1p3\" is not a decimal number"),
        ("id,lon,lat,population\nr1,105,21,-4\n", 2, "population \"-4\" is negative"),
        // Value ranges (issue 10, 4 and 6f).
        ("id,lon,lat,population\nr1,105,21,1e13\n", 2, "population \"1e13\" is larger than the maximum 1e12 per resident"),
        ("id,lon,lat,population\nr1,105,21,0.0004\n", 2, "population \"0.0004\" is below the smallest accepted 0.001"),
        ("id,lon,lat,population\nr1,105,21,1e12\nr2,105,21,1e12\nr3,105,21,1e12\n" + (4...1001).map { "r\($0),105,21,1e12\n" }.joined(),
         1002, "the total population passes the maximum 1e15 at this row"),
        ("id,lon,lat,population\nr1,105,21,4\nr1,105,21,5\n", 3, "duplicate id \"r1\" (first on line 2)"),
        ("id,lon,lat,population\nr1,190,21,4\n", 2, "longitude 190.0 is outside -180…180"),
        ("id,lon,lat,population\nr1,21.03,105.85,4\n", 2, "look swapped"),
        ("id,lon,lat,population\nr1,105,21\n", 2, "the row has 3 field(s), the header has 4"),
        ("id,lon,lat,population\n", 1, "no residents"),
        ("", 0, "the file is empty"),
        ("id,lon,lat,population\nr1,105,21,\"4\n", 2, "unterminated quoted field"),
    ])
    func residentErrors(text: String, line: Int, message: String) throws {
        let url = try temporaryFile("bad.csv", text)
        let e = inputError { _ = try PointTables.readResidents(url: url, displayName: "bad.csv") }
        #expect(e?.file == "bad.csv")
        #expect(e?.line == line, "\(String(describing: e))")
        #expect(e?.message.contains(message) == true, "\(String(describing: e))")
    }

    @Test func geoJSONErrorsNameTheFeature() throws {
        let missingType = try temporaryFile("m.geojson", "{\"features\": []}")
        #expect(inputError { _ = try PointTables.readResidents(url: missingType) }?.message.contains("missing GeoJSON \"type\"") == true)
        let wrongType = try temporaryFile("w.geojson", "{\"type\": \"Feature\"}")
        #expect(inputError { _ = try PointTables.readResidents(url: wrongType) }?.message.contains("expected \"FeatureCollection\"") == true)
        let line = "{\"type\": \"FeatureCollection\", \"features\": [\n{\"type\": \"Feature\", \"geometry\": {\"type\": \"LineString\", \"coordinates\": [[1,2],[3,4]]}, \"properties\": {\"id\": \"a\", \"population\": 1}}]}"
        let notPoint = try temporaryFile("l.geojson", line)
        let e = inputError { _ = try PointTables.readResidents(url: notPoint) }
        #expect(e?.line == 2 && e?.feature == 1 && e?.message == "expected a Point geometry")
    }

    @Test func sitesRolesAndErrors() throws {
        let url = try temporaryFile("c.csv", "id,lon,lat,name,role\nc1,105.8,21.0,A,\nc2,105.9,21.1,B,required\n")
        let (sites, _) = try PointTables.readSites(url: url, kind: .candidates)
        #expect(sites.map(\.role) == [.candidate, .required])
        let bad = try temporaryFile("c.csv", "id,lon,lat,role\nc1,105.8,21.0,existing\n")
        #expect(inputError { _ = try PointTables.readSites(url: bad, kind: .candidates) }?.line == 2)
    }
}

@Suite struct ScenarioTests {
    @Test func relativePathsAndDefaults() throws {
        let url = try temporaryFile("s.json", "{\"residents\": \"r.csv\", \"existing\": \"sub/e.csv\", \"standard\": {\"max_minutes\": 20}}")
        let s = try Scenario.load(from: url)
        #expect(s.residents == url.deletingLastPathComponent().appendingPathComponent("r.csv").standardizedFileURL)
        #expect(s.existing.path.hasSuffix("sub/e.csv"))
        #expect(s.standard == ServiceStandard(radiusMeters: 5000, maxMinutes: 20, rule: .either))
        #expect(s.profile == "motorcycle" && s.roads == nil)
    }

    @Test func unknownFieldsAndBadValuesAreErrors() throws {
        let typo = try temporaryFile("s.json", "{\"residents\": \"r.csv\",\n \"existing\": \"e.csv\",\n \"raods\": \"x.pbf\"}")
        let e1 = inputError { _ = try Scenario.load(from: typo) }
        #expect(e1?.line == 3 && e1?.message.contains("unknown field \"raods\"") == true)
        let rule = try temporaryFile("s.json", "{\"residents\": \"r.csv\", \"existing\": \"e.csv\",\n\"standard\": {\"rule\": \"any\"}}")
        #expect(inputError { _ = try Scenario.load(from: rule) }?.line == 2)
        let missing = try temporaryFile("s.json", "{\"residents\": \"r.csv\"}")
        #expect(inputError { _ = try Scenario.load(from: missing) }?.message == "missing field \"existing\"")
    }
}

@Suite struct DecimalTextTests {
    @Test(arguments: [
        (12.5, 2, "12.5"), (3.0, 3, "3"), (-0.0004, 3, "0"), (0.1 + 0.2, 7, "0.3"), (105.123456789, 7, "105.1234568"),
        (-1.25, 1, "-1.3"), (1_000_000.0, 0, "1000000"), (0.05, 1, "0.1"),
    ])
    func fixed(value: Double, decimals: Int, text: String) {
        #expect(DecimalText.fixed(value, decimals: decimals) == text)
    }
}
