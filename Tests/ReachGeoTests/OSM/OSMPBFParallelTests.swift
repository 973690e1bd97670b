import CZlib
import Foundation
@testable import ReachGeo
import Testing
import TestSupport

/// The PBF reader decodes blobs on several threads and merges them in blob order. These tests
/// catch an ordering or merging mistake: a generated network written as a PBF of many small
/// blobs (dense and plain nodes, raw and zlib blobs, string tables that differ per block, nodes
/// after ways, missing and repeated references) must give — for every worker count and with or
/// without the inflated node blobs kept between the passes — exactly the graph that
/// `RoadGraphBuilder.build(nodes:ways:)` builds from the same nodes and ways in memory: every
/// vertex, edge, shape point, arc, component and warning.
@Suite("OSM PBF parallel decode")
struct OSMPBFParallelTests {
    typealias ProtoWriter = OSMReaderTests.ProtoWriter

    /// A seeded network: a jittered grid whose rows and columns are cut into overlapping ways,
    /// plus loops, repeated references and references to nodes the file lacks.
    struct Network {
        var nodes: [OSMNode] = []
        /// Coordinates in units of 1e-7° (granularity 100), so the PBF positions are exact.
        var units: [(lat: Int64, lon: Int64)] = []
        var ways: [OSMWay] = []

        init(seed: UInt64, side: Int = 30) {
            var rng = SplitMix64(seed: seed)
            func pick<T>(_ choices: [T]) -> T { choices[Int(rng.next() % UInt64(choices.count))] }
            // Node ids: shuffled, with gaps and some negative ids (as in edited files).
            var ids = (0..<(side * side)).map { Int64($0) * 3 + 1_000 }
            ids.shuffle(using: &rng)
            for i in stride(from: 0, to: ids.count, by: 17) { ids[i] = -ids[i] }
            var idAt: [[Int64]] = Array(repeating: [], count: side)
            for r in 0..<side {
                for c in 0..<side {
                    let id = ids[r * side + c]
                    let lat = 210_000_000 + Int64(r) * 10_000 + Int64(rng.next() % 3_000)
                    let lon = 1_058_000_000 + Int64(c) * 10_000 + Int64(rng.next() % 3_000)
                    units.append((lat, lon))
                    nodes.append(OSMNode(id: id, position: LonLat(lonDegrees: Double(100 * lon) / 1e9, latDegrees: Double(100 * lat) / 1e9)))
                    idAt[r].append(id)
                }
            }
            var wayId: Int64 = 500
            func randomTags() -> [String: String] {
                var tags = ["highway": pick(["primary", "secondary", "residential", "residential", "tertiary", "service", "footway"])]
                if let oneway = pick([nil, nil, nil, "yes", "-1", "no", "reverse"] as [String?]) { tags["oneway"] = oneway }
                if let maxspeed = pick([nil, nil, nil, "40", "30 mph", "25km/h", "signals", "none"] as [String?]) { tags["maxspeed"] = maxspeed }
                if let access = pick([nil, nil, nil, nil, nil, "no", "private", "yes"] as [String?]) { tags["access"] = access }
                if rng.next() % 9 == 0 { tags["junction"] = "roundabout" }
                if rng.next() % 3 == 0 { tags["name"] = "Phố \(rng.next() % 40)" }
                if rng.next() % 4 == 0 { tags["surface"] = pick(["asphalt", "paved", "unpaved"]) }
                return tags
            }
            func addWay(_ refs: [Int64]) {
                wayId += Int64(1 + rng.next() % 3)
                ways.append(OSMWay(id: wayId, nodeIds: refs, tags: randomTags()))
            }
            // Rows and columns cut into overlapping runs of 2…8 nodes.
            for line in 0..<(2 * side) {
                let refs = (0..<side).map { line < side ? idAt[line][$0] : idAt[$0][line - side] }
                var start = 0
                while start < side - 1 {
                    let end = min(side - 1, start + 1 + Int(rng.next() % 7))
                    addWay(Array(refs[start...end]))
                    start = end
                }
            }
            // Closed loops, a way through the same node twice, a repeated reference, missing nodes.
            for k in 0..<12 {
                let r = 1 + k * 2 % (side - 3), c = 1 + (k * 5) % (side - 3)
                addWay([idAt[r][c], idAt[r][c + 1], idAt[r + 1][c + 1], idAt[r + 1][c], idAt[r][c]])
            }
            addWay([idAt[2][2], idAt[3][3], idAt[3][3], idAt[4][2], idAt[3][3], idAt[2][4]])
            addWay([idAt[5][5], 77, idAt[6][6], idAt[7][7], 78, 79, idAt[8][8]])
            addWay([80, idAt[9][9]])
        }
    }

    /// Writes `network` as PBF: nodes in blobs of `nodesPerBlob` (every third blob plain nodes,
    /// the others dense), then ways in blobs of `waysPerBlob`, the last `nodesAfterWays` nodes in
    /// the final blob together with ways; every other blob zlib-compressed.
    static func pbf(_ network: Network, nodesPerBlob: Int = 37, waysPerBlob: Int = 11, nodesAfterWays: Int = 20) -> [UInt8] {
        var file = OSMReaderTests.rawBlob(type: "OSMHeader", payload: OSMReaderTests.headerBlock(features: ["OsmSchema-V0.6", "DenseNodes"]))
        var blobIndex = 0
        func emit(_ block: [UInt8]) {
            blobIndex += 1
            file += blobIndex % 2 == 0 ? zlibBlob(payload: block) : OSMReaderTests.rawBlob(type: "OSMData", payload: block)
        }
        let early = network.nodes.count - nodesAfterWays
        for start in stride(from: 0, to: early, by: nodesPerBlob) {
            let range = start..<min(early, start + nodesPerBlob)
            emit(block(network, nodes: range, plain: blobIndex % 3 == 2, ways: 0..<0))
        }
        for start in stride(from: 0, to: network.ways.count, by: waysPerBlob) {
            let range = start..<min(network.ways.count, start + waysPerBlob)
            let last = range.upperBound == network.ways.count
            emit(block(network, nodes: last ? early..<network.nodes.count : 0..<0, plain: false, ways: range))
        }
        return file
    }

    /// One PrimitiveBlock; its string table lists the strings in an order of its own.
    static func block(_ network: Network, nodes: Range<Int>, plain: Bool, ways: Range<Int>) -> [UInt8] {
        var table = [""]
        var index: [String: Int] = [:]
        func string(_ s: String) -> Int {
            if let i = index[s] { return i }
            index[s] = table.count
            table.append(s)
            return table.count - 1
        }
        // Reverse order of first use, so indices differ between blocks.
        for w in ways.reversed() { for (k, v) in network.ways[w].tags.sorted(by: { $0.key > $1.key }) { _ = string(k); _ = string(v) } }
        var group = ProtoWriter()
        if plain {
            for n in nodes {
                var node = ProtoWriter()
                node.field(1, sint: network.nodes[n].id)
                node.field(8, sint: network.units[n].lat)
                node.field(9, sint: network.units[n].lon)
                group.field(1, bytes: node.bytes)
            }
        } else if !nodes.isEmpty {
            var ids = ProtoWriter(), lats = ProtoWriter(), lons = ProtoWriter()
            var lastId: Int64 = 0, lastLat: Int64 = 0, lastLon: Int64 = 0
            func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
            for n in nodes {
                ids.varint(zigzag(network.nodes[n].id - lastId)); lastId = network.nodes[n].id
                lats.varint(zigzag(network.units[n].lat - lastLat)); lastLat = network.units[n].lat
                lons.varint(zigzag(network.units[n].lon - lastLon)); lastLon = network.units[n].lon
            }
            var dense = ProtoWriter()
            dense.field(1, bytes: ids.bytes)
            dense.field(8, bytes: lats.bytes)
            dense.field(9, bytes: lons.bytes)
            group.field(2, bytes: dense.bytes)
        }
        for w in ways {
            let way = network.ways[w]
            var message = ProtoWriter()
            message.field(1, varint: UInt64(way.id))
            var keys = ProtoWriter(), values = ProtoWriter()
            for (k, v) in way.tags.sorted(by: { $0.key < $1.key }) { keys.varint(UInt64(string(k))); values.varint(UInt64(string(v))) }
            message.field(2, bytes: keys.bytes)
            message.field(3, bytes: values.bytes)
            var refs = ProtoWriter()
            var last: Int64 = 0
            for ref in way.nodeIds {
                let delta = ref - last
                refs.varint(UInt64(bitPattern: (delta << 1) ^ (delta >> 63)))
                last = ref
            }
            message.field(8, bytes: refs.bytes)
            group.field(3, bytes: message.bytes)
        }
        var strings = ProtoWriter()
        for s in table { strings.field(1, string: s) }
        var block = ProtoWriter()
        block.field(1, bytes: strings.bytes)
        block.field(2, bytes: group.bytes)
        block.field(17, varint: 100)
        return block.bytes
    }

    /// `[length][BlobHeader][Blob(zlib_data)]`.
    static func zlibBlob(payload: [UInt8]) -> [UInt8] {
        var compressed = [UInt8](repeating: 0, count: Int(compressBound(uLong(payload.count))))
        var length = uLongf(compressed.count)
        let status = compress(&compressed, &length, payload, uLong(payload.count))
        precondition(status == Z_OK)
        var blob = ProtoWriter()
        blob.field(2, varint: UInt64(payload.count))
        blob.field(3, bytes: Array(compressed[0..<Int(length)]))
        var header = ProtoWriter()
        header.field(1, string: "OSMData")
        header.field(3, varint: UInt64(blob.bytes.count))
        let n = header.bytes.count
        return [UInt8(n >> 24 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + header.bytes + blob.bytes
    }

    static func read(_ file: [UInt8], workers: Int, retainedBytes: Int = OSMPBFReader.defaultRetainedBytes,
                     profile: TravelProfile = .testMotorcycle()) throws -> OSMExtract {
        try file.withUnsafeBytes {
            try OSMPBFReader.read(bytes: $0, fileName: "t.osm.pbf", filter: OSMWayFilter(profile: profile),
                                  workers: workers, retainedBytes: retainedBytes)
        }
    }

    /// Every field of two builds, with the file name in warnings made equal.
    static func expectSame(_ a: RoadGraphBuildResult, _ b: RoadGraphBuildResult, _ label: String,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let g = a.graph, h = b.graph
        #expect(g.vertices == h.vertices, "\(label): vertices", sourceLocation: sourceLocation)
        #expect(g.vertexNodeIds == h.vertexNodeIds, "\(label): vertex node ids", sourceLocation: sourceLocation)
        #expect(g.edges == h.edges, "\(label): edges", sourceLocation: sourceLocation)
        #expect(g.shape == h.shape, "\(label): shape", sourceLocation: sourceLocation)
        #expect(g.shapeOffsetMeters == h.shapeOffsetMeters, "\(label): shape offsets", sourceLocation: sourceLocation)
        #expect(g.outgoingOffsets == h.outgoingOffsets && g.outgoingArcs == h.outgoingArcs, "\(label): outgoing", sourceLocation: sourceLocation)
        #expect(g.incomingOffsets == h.incomingOffsets && g.incomingArcs == h.incomingArcs, "\(label): incoming", sourceLocation: sourceLocation)
        #expect(g.componentOfVertex == h.componentOfVertex && g.componentSizes == h.componentSizes, "\(label): components", sourceLocation: sourceLocation)
        #expect(g.isSnapTarget == h.isSnapTarget, "\(label): snap targets", sourceLocation: sourceLocation)
        #expect(g.stats == h.stats, "\(label): stats", sourceLocation: sourceLocation)
        func normalised(_ w: [Warning]) -> [String] {
            w.map { $0.message.replacingOccurrences(of: "t.osm.pbf", with: RoadGraphBuilder.memoryInputName) }
        }
        #expect(normalised(a.warnings) == normalised(b.warnings), "\(label): warnings", sourceLocation: sourceLocation)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func anyWorkerCountGivesTheInMemoryGraph(seed: UInt64) throws {
        let network = Network(seed: seed)
        let profile = TravelProfile.testMotorcycle(minComponentNodes: 5)
        let reference = try RoadGraphBuilder.build(nodes: network.nodes, ways: network.ways, profile: profile)
        // The case must exercise what it claims to.
        #expect(reference.graph.edges.count > 500)
        #expect(reference.warnings.contains { $0.message.contains("maxspeed ignored") })
        #expect(reference.warnings.contains { $0.message.contains("absent from the file") })
        let file = Self.pbf(network)
        for workers in [1, 2, 3, 8] {
            for retained in [0, 4_000, OSMPBFReader.defaultRetainedBytes] {
                let extract = try Self.read(file, workers: workers, retainedBytes: retained, profile: profile)
                #expect(extract.nodesRead == network.nodes.count && extract.waysRead == network.ways.count)
                let built = RoadGraphBuilder.build(extract: extract, profile: profile)
                Self.expectSame(built, reference, "seed \(seed), \(workers) workers, \(retained) B retained")
            }
        }
    }

    @Test func extractIsTheSameForAnyWorkerCount() throws {
        let file = Self.pbf(Network(seed: 9), nodesPerBlob: 5, waysPerBlob: 2)
        let one = try Self.read(file, workers: 1)
        for workers in [2, 4, 7] {
            let many = try Self.read(file, workers: workers)
            #expect(many.ways == one.ways)
            #expect(many.nodeIds == one.nodeIds && many.nodePositions.elementsEqual(one.nodePositions) { $0 == $1 || ($0.lonDegrees.isNaN && $1.lonDegrees.isNaN) })
            #expect(many.wayRefNodes == one.wayRefNodes && many.tagSets == one.tagSets)
        }
    }

    /// Errors are those of a sequential read: the lowest failing blob, whatever the worker count.
    @Test func errorsNameTheFirstBadBlobForAnyWorkerCount() throws {
        let network = Network(seed: 4)
        let good = Self.pbf(network)
        let blobStarts = try good.withUnsafeBytes { try OSMPBFReader.frame($0, fileName: "t.osm.pbf").map(\.start) }
        #expect(blobStarts.count > 40)

        // Two corrupted blobs (a bad wire type right after each blob's header): the earlier one is named.
        var corrupt = good
        for b in [blobStarts.count / 3, 2 * blobStarts.count / 3] {
            let start = blobStarts[b]
            let headerLength = Int(corrupt[start]) << 24 | Int(corrupt[start + 1]) << 16 | Int(corrupt[start + 2]) << 8 | Int(corrupt[start + 3])
            corrupt[start + 4 + headerLength] = 0x0F  // field 1, wire type 7
        }
        // A node of the graph repeated in the last blob: named with the blob of the repeat (only
        // the nodes the kept ways need are checked).
        let reference = try RoadGraphBuilder.build(nodes: network.nodes, ways: network.ways, profile: .testMotorcycle())
        let twice = try #require(network.nodes.firstIndex { $0.id == reference.graph.vertexNodeIds[0] })
        #expect(twice < network.nodes.count - 20)
        var repeated = network
        repeated.nodes.insert(repeated.nodes[twice], at: repeated.nodes.count - 1)
        repeated.units.insert(repeated.units[twice], at: repeated.units.count - 1)
        let repeatedFile = Self.pbf(repeated)
        let lastBlob = try repeatedFile.withUnsafeBytes { try OSMPBFReader.frame($0, fileName: "t.osm.pbf").last!.start }

        for (file, fragment) in [(corrupt, "corrupt blob at byte \(blobStarts[blobStarts.count / 3])"),
                                 (repeatedFile, "node id \(network.nodes[twice].id) appears more than once (blob at byte \(lastBlob))")] {
            var messages: Set<String> = []
            for workers in [1, 2, 5] {
                let error = try #require(OSMReaderTests.inputError { _ = try Self.read(file, workers: workers) })
                #expect(error.message.contains(fragment), "\(error)")
                messages.insert(error.message)
            }
            #expect(messages.count == 1, "\(messages)")
        }
    }

    /// The real extract (multi-blob, zlib): 1, 2 and 4 workers give the same graph.
    @Test func hanoiPBFIsTheSameForAnyWorkerCount() throws {
        guard let pbf = try SharedData.require(OSMReaderTests.hanoiPBF) else { return }
        let data = try Data(contentsOf: pbf)
        let profile = try OSMReaderTests.bundledProfile("motorcycle")
        let builds = try [1, 2, 4].map { workers in
            try data.withUnsafeBytes {
                let extract = try OSMPBFReader.read(bytes: $0, fileName: "t.osm.pbf", filter: OSMWayFilter(profile: profile), workers: workers)
                return RoadGraphBuilder.build(extract: extract, profile: profile)
            }
        }
        #expect(builds[0].graph.edges.count > 30_000)
        Self.expectSame(builds[1], builds[0], "2 workers")
        Self.expectSame(builds[2], builds[0], "4 workers")
    }
}
