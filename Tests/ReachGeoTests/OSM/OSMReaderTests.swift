import Foundation
@testable import ReachGeo
import Testing
import TestSupport

/// Expected figures for the real files come from two independent sources, never from this code:
/// - raw counts: pyosmium 4.3.2 (`pip install osmium`), a `SimpleHandler` counting nodes, ways and
///   `highway` values (they agree with SOURCES.md for Hanoi);
/// - graph figures: `tools/oracles/graph_oracle.py`, a plain-Python
///   re-implementation of INTERFACE.md rules 1, 2 and 4 over pyosmium with `pyproj.Geod(ellps="WGS84")`
///   lengths and an iterative Kosaraju for components, run with the bundled profile:
///   `python3 graph_oracle.py FILE data/profiles/motorcycle.json`.
@Suite("OSM readers")
struct OSMReaderTests {
    static let hanoiPBF = "roads/hanoi_urban_drive_2025-05-14.osm.pbf"
    static let hanoiXML = "roads/hanoi_urban_drive_2025-05-14.osm"

    static func bundledProfile(_ name: String) throws -> TravelProfile {
        try TravelProfile.load(from: SharedData.bundledData.appendingPathComponent("profiles/\(name).json"))
    }

    /// The graph figures the oracle printed.
    struct Expected {
        var routableWays, vertices, edges, arcs: Int
        var totalKm: Double
        var components, largest, snapTargets: Int
    }

    static func check(_ stats: RoadGraphStats, _ e: Expected, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(stats.routableWays == e.routableWays, sourceLocation: sourceLocation)
        #expect(stats.vertices == e.vertices, sourceLocation: sourceLocation)
        #expect(stats.edges == e.edges, sourceLocation: sourceLocation)
        #expect(stats.arcs == e.arcs, sourceLocation: sourceLocation)
        #expect(abs(stats.totalKm - e.totalKm) < 1e-5, "\(stats.totalKm)", sourceLocation: sourceLocation)
        #expect(stats.components == e.components, sourceLocation: sourceLocation)
        #expect(stats.largestComponentVertices == e.largest, sourceLocation: sourceLocation)
        #expect(stats.snapTargetEdges == e.snapTargets, sourceLocation: sourceLocation)
    }

    @Test func hanoiPBFAndXMLGiveTheSameGraph() throws {
        guard let pbf = try SharedData.require(Self.hanoiPBF), let xml = try SharedData.require(Self.hanoiXML) else { return }
        let profile = try Self.bundledProfile("motorcycle")
        let fromPBF = try RoadGraphBuilder.build(osmFile: pbf, profile: profile)
        let fromXML = try RoadGraphBuilder.build(osmFile: xml, profile: profile)
        let a = fromPBF.graph, b = fromXML.graph
        #expect(a.stats == b.stats)
        #expect(a.vertexNodeIds == b.vertexNodeIds)
        #expect(a.vertices == b.vertices)      // same Double: both are correctly rounded decimals
        #expect(a.edges == b.edges)
        #expect(a.shape == b.shape)
        #expect(a.outgoingArcs == b.outgoingArcs && a.incomingArcs == b.incomingArcs)
        #expect(a.isSnapTarget == b.isSnapTarget)
        #expect(fromPBF.warnings == fromXML.warnings.map { Warning($0.message.replacingOccurrences(of: xml.path, with: pbf.path)) })
        // SOURCES.md / pyosmium: 96,092 nodes, 20,514 ways.
        #expect(a.stats.osmNodesRead == 96_092 && a.stats.osmWaysRead == 20_514)
        Self.check(a.stats, Expected(routableWays: 20_147, vertices: 27_589, edges: 35_603, arcs: 63_264,
                                     totalKm: 3370.292723, components: 644, largest: 25_761, snapTargets: 34_443))
        try RoadGraphBuilderTests.checkCSR(a)
    }

    @Test func hanoiCarProfile() throws {
        guard let pbf = try SharedData.require(Self.hanoiPBF) else { return }
        // The car may use motorway and motorway_link; its own access tag is motorcar.
        let result = try RoadGraphBuilder.build(osmFile: pbf, profile: try Self.bundledProfile("car"))
        Self.check(result.graph.stats, Expected(routableWays: 20_481, vertices: 27_883, edges: 36_029, arcs: 63_329,
                                                totalKm: 3522.019358, components: 679, largest: 26_012, snapTargets: 34_840))
    }

    @Test func hanoiHighwayClassCounts() throws {
        guard let pbf = try SharedData.require(Self.hanoiPBF) else { return }
        // SOURCES.md (pyosmium): every way has a highway tag.
        let expected = ["residential": 13_623, "tertiary": 1_842, "primary": 1_772, "secondary": 1_300, "trunk": 509,
                        "primary_link": 475, "secondary_link": 236, "trunk_link": 170, "motorway_link": 149,
                        "unclassified": 143, "tertiary_link": 142, "motorway": 126, "living_street": 22, "busway": 3,
                        "road": 1, "ladder": 1]
        let extract = try OSMPBFReader.read(url: pbf, filter: .allHighways)
        var counts: [String: Int] = [:]
        for way in extract.ways { counts[way.tags["highway"] ?? "", default: 0] += 1 }
        #expect(counts == expected)
        #expect(extract.nodesRead == 96_092 && extract.waysRead == 20_514)
        // Only the tags asked for are kept.
        #expect(extract.ways.allSatisfy { $0.tags.count == 1 })
        // The XML reader agrees way by way.
        guard let xml = try SharedData.require(Self.hanoiXML) else { return }
        #expect(try OSMXMLReader.read(url: xml, filter: .allHighways).ways == extract.ways)
    }

    @Test func liechtensteinPBF() throws {
        guard let url = try SharedData.require("roads/liechtenstein-latest.osm.pbf") else { return }
        let result = try RoadGraphBuilder.build(osmFile: url, profile: try Self.bundledProfile("motorcycle"))
        // pyosmium: 142,832 nodes, 15,247 ways (SOURCES.md agrees).
        #expect(result.graph.stats.osmNodesRead == 142_832 && result.graph.stats.osmWaysRead == 15_247)
        Self.check(result.graph.stats, Expected(routableWays: 2_352, vertices: 3_431, edges: 3_893, arcs: 7_627,
                                                totalKm: 404.61156, components: 24, largest: 3_383, snapTargets: 3_865))
        let bicycle = try RoadGraphBuilder.build(osmFile: url, profile: try Self.bundledProfile("bicycle"))
        Self.check(bicycle.graph.stats, Expected(routableWays: 4_082, vertices: 5_537, edges: 6_746, arcs: 13_323,
                                                 totalKm: 1065.019995, components: 36, largest: 5_410, snapTargets: 6_627))
        let walk = try RoadGraphBuilder.build(osmFile: url, profile: try Self.bundledProfile("walk"))
        Self.check(walk.graph.stats, Expected(routableWays: 4_379, vertices: 5_954, edges: 7_321, arcs: 14_642,
                                              totalKm: 1089.770409, components: 31, largest: 5_825, snapTargets: 7_195))
    }

    @Test func unfilteredDongDaSampleXML() throws {
        guard let url = try SharedData.require("roads/hanoi_dongda_badinh_sample_2023-12.osm") else { return }
        let result = try RoadGraphBuilder.build(osmFile: url, profile: try Self.bundledProfile("motorcycle"))
        // pyosmium: 6,629 nodes, 1,266 ways (91 relations, skipped).
        #expect(result.graph.stats.osmNodesRead == 6_629 && result.graph.stats.osmWaysRead == 1_266)
        Self.check(result.graph.stats, Expected(routableWays: 349, vertices: 504, edges: 565, arcs: 1_008,
                                                totalKm: 31.75191, components: 23, largest: 458, snapTargets: 523))
        let walk = try RoadGraphBuilder.build(osmFile: url, profile: try Self.bundledProfile("walk"))
        Self.check(walk.graph.stats, Expected(routableWays: 525, vertices: 888, edges: 1_145, arcs: 2_290,
                                              totalKm: 47.131368, components: 22, largest: 846, snapTargets: 1_108))
    }

    // MARK: PBF errors

    static func inputError(_ body: () throws -> Void) -> InputError? {
        do {
            try body()
            return nil
        } catch let error as InputError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func truncatedPBF() throws {
        guard let pbf = try SharedData.require(Self.hanoiPBF) else { return }
        let data = try Data(contentsOf: pbf)
        let directory = try makeTemporaryDirectory("osm-truncated")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Cuts inside the first blob's length prefix, inside a header, and inside a data blob.
        for size in [2, 10, data.count / 2, data.count - 1] {
            let url = directory.appendingPathComponent("cut-\(size).osm.pbf")
            try data.prefix(size).write(to: url)
            let error = try #require(Self.inputError { _ = try RoadGraphBuilder.build(osmFile: url, profile: .testMotorcycle()) })
            #expect(error.file == url.path)
            #expect(error.message.contains("truncated at byte \(size)"), "\(error)")
        }
    }

    @Test func corruptPBF() throws {
        guard let pbf = try SharedData.require(Self.hanoiPBF) else { return }
        var data = try Data(contentsOf: pbf)
        // Overwrite 64 bytes in the middle of the file (inside some zlib stream) with 0xFF.
        let middle = data.count / 2
        data.replaceSubrange(middle..<(middle + 64), with: [UInt8](repeating: 0xFF, count: 64))
        let directory = try makeTemporaryDirectory("osm-corrupt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("corrupt.osm.pbf")
        try data.write(to: url)
        let error = try #require(Self.inputError { _ = try RoadGraphBuilder.build(osmFile: url, profile: .testMotorcycle()) })
        #expect(error.message.contains("corrupt") || error.message.contains("not an OSM PBF"), "\(error)")
    }

    @Test(arguments: ["empty.osm", "empty.osm.pbf"])
    func emptyFile(name: String) throws {
        let directory = try makeTemporaryDirectory("osm-empty")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent(name)
        try Data().write(to: url)
        let error = try #require(Self.inputError { _ = try RoadGraphBuilder.build(osmFile: url, profile: .testMotorcycle()) })
        #expect(error.message.contains("empty"), "\(error)")
    }

    @Test func unknownExtensionAndMissingFile() {
        let csv = Self.inputError { _ = try RoadGraphBuilder.build(osmFile: URL(fileURLWithPath: "/tmp/roads.csv"), profile: .testMotorcycle()) }
        #expect(csv?.message.contains("unknown road file type") == true)
        let missing = Self.inputError { _ = try RoadGraphBuilder.build(osmFile: URL(fileURLWithPath: "/nonexistent/roads.osm.pbf"), profile: .testMotorcycle()) }
        #expect(missing?.message.contains("cannot read") == true)
    }

    // MARK: hand-made PBF (raw blobs, plain nodes, header features)

    /// A tiny protobuf writer for building test files (field numbers from osmformat.proto).
    struct ProtoWriter {
        var bytes: [UInt8] = []
        mutating func varint(_ value: UInt64) {
            var v = value
            while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
            bytes.append(UInt8(v))
        }
        mutating func field(_ number: Int, varint value: UInt64) { varint(UInt64(number << 3)); varint(value) }
        mutating func field(_ number: Int, sint value: Int64) { field(number, varint: UInt64(bitPattern: (value << 1) ^ (value >> 63))) }
        mutating func field(_ number: Int, bytes payload: [UInt8]) { varint(UInt64(number << 3 | 2)); varint(UInt64(payload.count)); bytes += payload }
        mutating func field(_ number: Int, string: String) { field(number, bytes: Array(string.utf8)) }
    }

    /// `[length][BlobHeader][Blob(raw)]`.
    static func rawBlob(type: String, payload: [UInt8]) -> [UInt8] {
        var blob = ProtoWriter()
        blob.field(1, bytes: payload)
        blob.field(2, varint: UInt64(payload.count))
        var header = ProtoWriter()
        header.field(1, string: type)
        header.field(3, varint: UInt64(blob.bytes.count))
        let n = header.bytes.count
        return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + header.bytes + blob.bytes
    }

    static func headerBlock(features: [String]) -> [UInt8] {
        var w = ProtoWriter()
        for feature in features { w.field(4, string: feature) }
        return w.bytes
    }

    /// Three plain (non-dense) nodes on a line and one way over them tagged
    /// `highway=primary` plus `secondKey=secondValue`, granularity 100, lat_offset 1e9
    /// nanodegrees (1°); node k (0-based) lies `latStepUnits × k` granules north of the first.
    static func plainPrimitiveBlock(secondKey: String = "oneway", secondValue: String = "yes",
                                    latStepUnits: Int64 = 0) -> [UInt8] {
        var strings = ProtoWriter()
        for s in ["", "highway", "primary", secondKey, secondValue] { strings.field(1, string: s) }
        var group = ProtoWriter()
        // lat = 1e-9 × (1e9 + 100 × 200_000_000) = 21.0°; lon = 1e-9 × 100 × 1_058_500_000 = 105.85°.
        for (i, lonUnits) in [Int64(1_058_500_000), 1_058_510_000, 1_058_520_000].enumerated() {
            var node = ProtoWriter()
            node.field(1, sint: Int64(i + 1))
            node.field(8, sint: 200_000_000 + Int64(i) * latStepUnits)
            node.field(9, sint: lonUnits)
            group.field(1, bytes: node.bytes)
        }
        var way = ProtoWriter()
        way.field(1, varint: 42)
        var keys = ProtoWriter(); keys.varint(1); keys.varint(3)
        var values = ProtoWriter(); values.varint(2); values.varint(4)
        way.field(2, bytes: keys.bytes)
        way.field(3, bytes: values.bytes)
        var refs = ProtoWriter()
        for delta: Int64 in [1, 1, 1] { refs.varint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63))) }
        way.field(8, bytes: refs.bytes)
        group.field(3, bytes: way.bytes)
        var block = ProtoWriter()
        block.field(1, bytes: strings.bytes)
        block.field(2, bytes: group.bytes)
        block.field(17, varint: 100)
        block.field(19, varint: 1_000_000_000)
        return block.bytes
    }

    static func readPBF(_ bytes: [UInt8]) throws -> OSMExtract {
        try bytes.withUnsafeBytes { try OSMPBFReader.read(bytes: $0, fileName: "t.osm.pbf", profile: .testMotorcycle()) }
    }

    @Test func rawBlobsAndPlainNodes() throws {
        let file = Self.rawBlob(type: "OSMHeader", payload: Self.headerBlock(features: ["OsmSchema-V0.6", "DenseNodes"]))
            + Self.rawBlob(type: "OSMData", payload: Self.plainPrimitiveBlock())
        let extract = try Self.readPBF(file)
        #expect(extract.nodesRead == 3 && extract.waysRead == 1)
        #expect(extract.ways == [OSMWay(id: 42, nodeIds: [1, 2, 3], tags: ["highway": "primary", "oneway": "yes"])])
        let position = extract.nodePositions[Int(extract.nodeIndex[2]!)]
        #expect(position == LonLat(lonDegrees: 105.851, latDegrees: 21.0))
        let graph = RoadGraphBuilder.build(extract: extract, profile: .testMotorcycle()).graph
        #expect(graph.vertexCount == 2 && graph.edges.count == 1 && graph.edges[0].backward == false)
    }

    @Test func unsupportedRequiredFeatureIsRejected() throws {
        let file = Self.rawBlob(type: "OSMHeader", payload: Self.headerBlock(features: ["OsmSchema-V0.6", "HistoricalInformation"]))
        let error = try #require(Self.inputError { _ = try Self.readPBF(file) })
        #expect(error.message.contains("unsupported required feature \"HistoricalInformation\""), "\(error)")
        let noHeader = try #require(Self.inputError { _ = try Self.readPBF(Self.rawBlob(type: "OSMData", payload: Self.plainPrimitiveBlock())) })
        #expect(noHeader.message.contains("not OSMHeader"), "\(noHeader)")
    }

    // MARK: XML

    static func readXML(_ text: String, profile: TravelProfile = .testMotorcycle()) throws -> OSMExtract {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { try OSMXMLReader.read(bytes: $0, fileName: "t.osm", profile: profile) }
    }

    @Test func xmlSyntaxVariants() throws {
        let text = """
            <?xml version='1.0' encoding='UTF-8'?>
            <!DOCTYPE osm>
            <osm version="0.6" generator="test">
              <!-- a comment with <way id="9"> inside -->
              <bounds minlat="21" minlon="105" maxlat="22" maxlon="106"/>
              <node id='1' lat='21.0' lon='105.85' version="3" user="Nguyễn &amp; co"/>
              <node id="2" lat="21.001" lon="105.85"><tag k="highway" v="traffic_signals"/></node>
              <node id="-3" lat = "21.002" lon="105.85" />
              <way id="10" visible="true">
                <nd ref="1"/><nd ref="2"/>
                <nd ref='-3'/>
                <tag k="highway" v="prim&#97;ry"/>
                <tag k="maxspeed" v="50&#x20;km/h"/>
                <tag k="name" v="Ph&#7889; &quot;Hu&#x1EBF;&quot; &lt;&gt; &apos;x&apos;"/>
              </way>
              <way id="11"><nd ref="1"/><nd ref="2"/><tag k="highway" v="footway"/></way>
              <relation id="5">
                <member type="way" ref="10" role=""/>
                <tag k="type" v="route"/>
                <tag k="highway" v="motorway"/>
              </relation>
            </osm>
            """
        let extract = try Self.readXML(text)
        #expect(extract.nodesRead == 3 && extract.waysRead == 2)
        #expect(extract.ways == [OSMWay(id: 10, nodeIds: [1, 2, -3], tags: ["highway": "primary", "maxspeed": "50 km/h"])])
        #expect(extract.nodePositions[Int(extract.nodeIndex[-3]!)] == LonLat(lonDegrees: 105.85, latDegrees: 21.002))
        // Entities decode in tag values that are kept.
        let withName = TravelProfile.testMotorcycle()
        let decoded = try OSMXMLReader.Scanner.decodeForTest("Ph&#7889; &quot;Hu&#x1EBF;&quot; &lt;&gt; &apos;x&apos; &amp;", profile: withName)
        #expect(decoded == "Phố \"Huế\" <> 'x' &")
    }

    @Test(arguments: [
        // (text, expected line, message fragment)
        ("<osm>\n<node id=\"1\" lat=\"21\" lon=105/>\n</osm>", 2, "not quoted"),
        ("<osm>\n<node id=\"1\" lat=\"21\"/>\n</osm>", 2, "no lat/lon"),
        ("<osm>\n\n<node id=\"x1\" lat=\"21\" lon=\"105\"/>\n</osm>", 3, "not an integer"),
        ("<osm>\n<node id=\"1\" lat=\"95\" lon=\"105\"/>\n</osm>", 2, "out-of-range"),
        ("<osm>\n<way id=\"1\">\n<nd ref=\"1\"/>\n</node>\n</osm>", 4, "does not match"),
        ("<osm>\n<way id=\"1\">\n<nd ref=\"1\"/>\n", 4, "is not closed"),
        ("<osm>\n<way id=\"1\">\n<tag k=\"a\" v=\"&bogus;\"/>\n</way>\n</osm>", 3, "unknown entity"),
        ("<osm>\n<node id=\"1\" lat=\"21\" lon=\"105\"/>\n<node id=\"1\" lat=\"21\" lon=\"105\"/>\n</osm>", 3, "more than once"),
        ("<gpx>\n</gpx>", 1, "root element is <gpx>"),
        ("<osm>\n<!-- never closed\n</osm>", 2, "unterminated comment"),
        ("<osm>\n<node id=\"1\" lat=\"21\" lon=\"105\"\n", 2, "unexpected end of file"),
    ] as [(String, Int, String)])
    func malformedXMLNamesTheLine(text: String, line: Int, fragment: String) throws {
        let error = try #require(Self.inputError { _ = try Self.readXML(text) })
        #expect(error.file == "t.osm")
        #expect(error.line == line, "\(error)")
        #expect(error.message.contains(fragment), "\(error)")
    }

    @Test func xmlWithoutOsmElement() throws {
        let error = try #require(Self.inputError { _ = try Self.readXML("<?xml version=\"1.0\"?>\n<!-- nothing -->\n") })
        #expect(error.message.contains("no <osm> element"), "\(error)")
    }

    @Test func xmlAndPBFCoordinatesAgreeBitForBit() throws {
        // A 7-decimal coordinate parsed from text equals nanodegrees / 1e9 (both correctly rounded).
        let extract = try Self.readXML("<osm><node id=\"1\" lat=\"21.0312345\" lon=\"105.8412347\"/></osm>")
        let position = extract.nodePositions[0]
        #expect(position.latDegrees == Double(21_031_234_500) / 1e9)
        #expect(position.lonDegrees == Double(105_841_234_700) / 1e9)
        #expect(position.latDegrees == 21.0312345 && position.lonDegrees == 105.8412347)
    }
}
