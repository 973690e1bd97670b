import Foundation
import ReachGeo
import Testing
import TestSupport

@Suite("RoadGraphBuilder")
struct RoadGraphBuilderTests {
    /// Grid 10 m per character: `A---B` is 40 m; one row down is 10 m (B to D is two rows, 20 m).
    static let map = AsciiMap(gridMeters: 10, """
        A---B---C
            |   |
            D---E   F---G
        """)

    static let ways: [(nodes: String, tags: [String: String])] = [
        ("ABC", ["highway": "primary"]),                           // way 1
        ("BDE", ["highway": "residential", "oneway": "yes"]),      // way 2
        ("CE", ["highway": "secondary"]),                          // way 3
        ("FG", ["highway": "primary"]),                            // way 4 (an island)
    ]

    @Test func splitsAtSharedNodesAndEnds() throws {
        let map = Self.map
        let result = try map.build(ways: Self.ways, profile: .testMotorcycle(minComponentNodes: 3))
        let graph = result.graph
        #expect(result.warnings.isEmpty)
        // Vertices in first-appearance order: A, B, C (way 1), E (way 2; D is interior to one way
        // only), F, G (way 4).
        #expect(graph.vertexNodeIds == ["A", "B", "C", "E", "F", "G"].map { map.nodeId($0) })
        #expect(graph.vertices == ["A", "B", "C", "E", "F", "G"].map { map.point($0) })
        // Edges in way order: A-B, B-C (way 1), B-D-E (way 2), C-E (way 3), F-G (way 4).
        #expect(graph.edges.map(\.fromVertex) == [0, 1, 1, 2, 4])
        #expect(graph.edges.map(\.toVertex) == [1, 2, 3, 3, 5])
        #expect(graph.edges.map(\.wayId) == [1, 1, 2, 3, 4])
        #expect(graph.edges.map(\.highwayClass) == ["primary", "primary", "residential", "secondary", "primary"])
        // A and B are on one row: exactly 4 columns × 10 m = 40 m apart (AsciiMap docs).
        #expect(abs(graph.edges[0].lengthMeters - 40) < 1e-6)
        // B-D-E: the sum of its two geodesic segments.
        let bde = map.distanceMeters("B", "D") + map.distanceMeters("D", "E")
        #expect(abs(graph.edges[2].lengthMeters - bde) < 1e-9)
        #expect(abs(bde - 60) < 0.01)    // ≈ 2 rows (20 m) down + 40 m along row 2
        #expect(abs(graph.edges[3].lengthMeters - map.distanceMeters("C", "E")) < 1e-9)
        // Directions: only way 2 is one-way.
        #expect(graph.edges.map(\.forward) == [true, true, true, true, true])
        #expect(graph.edges.map(\.backward) == [true, true, false, true, true])
        // Speeds of the test profile: primary 36, residential 18, secondary 30 km/h.
        #expect(graph.edges.map(\.speedKmh) == [36, 36, 18, 30, 36])
        // 40 m at 36 km/h = 40 / 10 m/s = 4 s.
        #expect(abs(graph.edges[0].seconds - 4) < 1e-6)
        let stats = graph.stats
        #expect(stats.osmNodesRead == 7 && stats.osmWaysRead == 4 && stats.routableWays == 4)
        #expect(stats.vertices == 6 && stats.edges == 5)
        #expect(stats.arcs == 9)   // 4 two-way edges × 2 + 1 one-way edge
        let expectedKm = (40 + 40 + bde + map.distanceMeters("C", "E") + 40) / 1000
        #expect(abs(stats.totalKm - expectedKm) < 1e-9)
    }

    @Test func shapesAndOffsets() throws {
        let map = Self.map
        let graph = try map.build(ways: Self.ways, profile: .testMotorcycle()).graph
        let bde = graph.edges[2]
        let points = Array(graph.shape[Int(bde.shapeStart)...Int(bde.shapeEnd)])
        #expect(points == [map.point("B"), map.point("D"), map.point("E")])
        let offsets = Array(graph.shapeOffsetMeters[Int(bde.shapeStart)...Int(bde.shapeEnd)])
        #expect(offsets[0] == 0)
        #expect(abs(offsets[1] - map.distanceMeters("B", "D")) < 1e-9)
        #expect(offsets[2] == bde.lengthMeters)
        // Every edge's shape starts at its from vertex and ends at its to vertex.
        for edge in graph.edges {
            #expect(graph.shape[Int(edge.shapeStart)] == graph.vertices[Int(edge.fromVertex)])
            #expect(graph.shape[Int(edge.shapeEnd)] == graph.vertices[Int(edge.toVertex)])
            #expect(graph.shapeOffsetMeters[Int(edge.shapeStart)] == 0)
            #expect(graph.shapeOffsetMeters[Int(edge.shapeEnd)] == edge.lengthMeters)
        }
        #expect(graph.shape.count == graph.shapeOffsetMeters.count)
    }

    @Test func csrArcsMatchEdges() throws {
        let graph = try Self.map.build(ways: Self.ways, profile: .testMotorcycle()).graph
        // Vertex B (1): out to A (edge 0 against), to C (edge 1 along), to E (edge 2 along, one-way).
        #expect(graph.outgoing(1).map(\.otherVertex) == [0, 2, 3])
        #expect(graph.outgoing(1).map(\.edge) == [0, 1, 2])
        #expect(graph.outgoing(1).map(\.alongEdge) == [false, true, true])
        // Vertex E (3): nothing back to B along the one-way; only to C (edge 3 against).
        #expect(graph.outgoing(3).map(\.otherVertex) == [2])
        #expect(graph.incoming(3).map(\.otherVertex) == [1, 2])
        try Self.checkCSR(graph)
    }

    /// Every arc agrees with its edge, and the incoming arrays are the transpose of the outgoing ones.
    static func checkCSR(_ graph: RoadGraph) throws {
        #expect(graph.outgoingOffsets.count == graph.vertexCount + 1)
        #expect(graph.incomingOffsets.count == graph.vertexCount + 1)
        var outgoing: [String] = []
        for v in 0..<Int32(graph.vertexCount) {
            for arc in graph.outgoing(v) {
                let edge = graph.edges[Int(arc.edge)]
                #expect(arc.alongEdge ? (edge.fromVertex == v && edge.toVertex == arc.otherVertex && edge.forward)
                                      : (edge.toVertex == v && edge.fromVertex == arc.otherVertex && edge.backward))
                #expect(arc.seconds == edge.seconds)
                outgoing.append("\(v)>\(arc.otherVertex)#\(arc.edge)\(arc.alongEdge)")
            }
        }
        var incoming: [String] = []
        for v in 0..<Int32(graph.vertexCount) {
            for arc in graph.incoming(v) { incoming.append("\(arc.otherVertex)>\(v)#\(arc.edge)\(arc.alongEdge)") }
        }
        #expect(outgoing.sorted() == incoming.sorted())
        #expect(outgoing.count == graph.edges.reduce(0) { $0 + ($1.forward ? 1 : 0) + ($1.backward ? 1 : 0) })
    }

    @Test func componentsAndSnapTargets() throws {
        let map = Self.map
        // {A, B, C, E} is strongly connected (B → E one-way, E → C → B back); {F, G} is an island.
        let graph = try map.build(ways: Self.ways, profile: .testMotorcycle(minComponentNodes: 3)).graph
        #expect(graph.componentSizes.sorted() == [2, 4])
        #expect(graph.stats.components == 2 && graph.stats.largestComponentVertices == 4)
        let a = graph.componentOfVertex[0]
        #expect([1, 2, 3].allSatisfy { graph.componentOfVertex[$0] == a })
        #expect(graph.componentOfVertex[4] == graph.componentOfVertex[5] && graph.componentOfVertex[4] != a)
        // The island's edge (F-G, 2 vertices < 3) is not a snap target.
        #expect(graph.isSnapTarget == [true, true, true, true, false])
        #expect(graph.stats.snapTargetEdges == 4)
        // With a threshold of 2 it is; with 5 nothing is.
        #expect(try map.build(ways: Self.ways, profile: .testMotorcycle(minComponentNodes: 2)).graph.isSnapTarget.allSatisfy { $0 })
        #expect(try map.build(ways: Self.ways, profile: .testMotorcycle(minComponentNodes: 5)).graph.stats.snapTargetEdges == 0)
    }

    @Test func oneWayDeadEndIsItsOwnComponent() throws {
        let map = AsciiMap(gridMeters: 10, "A---B---C")
        // A ↔ B two-way, B → C one-way: C cannot come back, so {A, B} and {C}.
        let graph = try map.build(ways: [("AB", ["highway": "primary"]), ("BC", ["highway": "primary", "oneway": "yes"])],
                                  profile: .testMotorcycle(minComponentNodes: 2)).graph
        #expect(graph.componentSizes.sorted() == [1, 2])
        #expect(graph.isSnapTarget == [true, false])
    }

    @Test func wayThroughTheSameNodeTwiceIsSplitThere() throws {
        let map = AsciiMap(gridMeters: 10, """
            E---A---B
                |   |
                D---C
            """)
        // E A B C D A: A occurs twice, so it is a vertex; the loop A-B-C-D-A is one edge.
        let graph = try map.build(ways: [("EABCDA", ["highway": "residential"])], profile: .testMotorcycle()).graph
        #expect(graph.vertexNodeIds == [map.nodeId("E"), map.nodeId("A")])
        #expect(graph.edges.count == 2)
        #expect(graph.edges[1].fromVertex == 1 && graph.edges[1].toVertex == 1)
        let loop = map.distanceMeters("A", "B") + map.distanceMeters("B", "C") + map.distanceMeters("C", "D") + map.distanceMeters("D", "A")
        #expect(abs(graph.edges[1].lengthMeters - loop) < 1e-9)
        #expect(graph.edges[1].shapeEnd - graph.edges[1].shapeStart == 4)
        // A closed way alone: its single end node is the only vertex.
        let ring = try map.build(ways: [("ABCDA", ["highway": "residential"])], profile: .testMotorcycle()).graph
        #expect(ring.vertexCount == 1 && ring.edges.count == 1 && ring.outgoingArcs.count == 2)
    }

    @Test func consecutiveRepeatedNodesAreCollapsed() throws {
        let map = AsciiMap(gridMeters: 10, "A---B")
        let way = OSMWay(id: 7, nodeIds: [map.nodeId("A"), map.nodeId("A"), map.nodeId("B")], tags: ["highway": "primary"])
        let graph = try RoadGraphBuilder.build(nodes: map.nodes, ways: [way], profile: .testMotorcycle()).graph
        #expect(graph.vertexCount == 2 && graph.edges.count == 1)
        #expect(abs(graph.edges[0].lengthMeters - 40) < 1e-6)
    }

    @Test func missingNodesSplitTheWayWithOneWarning() throws {
        let map = AsciiMap(gridMeters: 10, "A---B---C---D")
        let ids = ["A", "B", "C", "D"].map { map.nodeId(Character($0)) }
        let ways = [
            OSMWay(id: 1, nodeIds: [ids[0], ids[1], 999, ids[2], ids[3]], tags: ["highway": "primary"]),
            OSMWay(id: 2, nodeIds: [998, ids[3]], tags: ["highway": "primary"]),     // one node left: dropped
        ]
        let result = try RoadGraphBuilder.build(nodes: map.nodes, ways: ways, profile: .testMotorcycle())
        // Way 1 becomes A-B and C-D; way 2 has no segment left.
        #expect(result.graph.edges.map(\.wayId) == [1, 1])
        #expect(result.graph.vertexNodeIds == ids)
        #expect(result.warnings.count == 1)
        #expect(result.warnings[0].message.contains("2 node references in 2 routable ways"))
    }

    @Test func unreadableMaxspeedGivesOneAggregatedWarning() throws {
        let map = AsciiMap(gridMeters: 10, "A---B---C---D")
        let result = try map.build(ways: [
            ("AB", ["highway": "primary", "maxspeed": "signals"]),
            ("BC", ["highway": "primary", "maxspeed": "none"]),
            ("CD", ["highway": "primary", "maxspeed": "signals"]),
        ], profile: .testMotorcycle())
        #expect(result.warnings.count == 1)
        #expect(result.warnings[0].message.contains("maxspeed ignored on 3 ways"))
        #expect(result.warnings[0].message.contains("\"signals\" ×2, \"none\" ×1"))
        #expect(result.graph.edges.allSatisfy { $0.speedKmh == 36 })
    }

    @Test func maxspeedCapsAndCongestion() throws {
        let map = AsciiMap(gridMeters: 10, "A---B---C")
        let graph = try map.build(ways: [("AB", ["highway": "primary", "maxspeed": "30 mph"]),
                                         ("BC", ["highway": "primary", "maxspeed": "20"])],
                                  profile: .testMotorcycle(congestionFactor: 0.5)).graph
        // min(36, 48.28032) × 0.5 = 18; min(36, 20) × 0.5 = 10.
        #expect(graph.edges.map(\.speedKmh) == [18, 10])
    }

    @Test func nonRoutableWaysAreLeftOut() throws {
        let map = AsciiMap(gridMeters: 10, "A---B---C")
        let result = try map.build(ways: [("AB", ["highway": "motorway"]), ("BC", ["highway": "primary", "motorcycle": "no"])],
                                   profile: .testMotorcycle())
        #expect(result.graph.vertexCount == 0 && result.graph.edges.isEmpty)
        #expect(result.graph.outgoingOffsets == [0])
        #expect(result.graph.stats.routableWays == 0 && result.graph.stats.osmWaysRead == 2)
        #expect(result.warnings.map(\.message).contains { $0.contains("no routable road") })
    }

    @Test func repeatedNodeIdIsAnInputError() {
        let node = OSMNode(id: 1, position: LonLat(lonDegrees: 105.8, latDegrees: 21))
        #expect(throws: InputError.self) { try RoadGraphBuilder.build(nodes: [node, node], ways: [], profile: .testMotorcycle()) }
        let bad = OSMNode(id: 2, position: LonLat(lonDegrees: 105.8, latDegrees: 95))
        #expect(throws: InputError.self) { try RoadGraphBuilder.build(nodes: [bad], ways: [], profile: .testMotorcycle()) }
    }

    @Test func buildIsDeterministic() throws {
        let a = try Self.map.build(ways: Self.ways, profile: .testMotorcycle()).graph
        let b = try Self.map.build(ways: Self.ways, profile: .testMotorcycle()).graph
        #expect(a.edges == b.edges && a.vertices == b.vertices && a.outgoingArcs == b.outgoingArcs
                && a.componentOfVertex == b.componentOfVertex)
    }
}

@Suite("StronglyConnectedComponents")
struct StronglyConnectedComponentsTests {
    /// Brute-force oracle: u and v share a component iff each reaches the other.
    static func bruteForce(vertexCount n: Int, arcs: [(Int, Int)]) -> [[Bool]] {
        var reach = Array(repeating: Array(repeating: false, count: n), count: n)
        for v in 0..<n { reach[v][v] = true }
        for (u, v) in arcs { reach[u][v] = true }
        for k in 0..<n { for i in 0..<n where reach[i][k] { for j in 0..<n where reach[k][j] { reach[i][j] = true } } }
        return reach
    }

    static func csr(vertexCount n: Int, arcs: [(Int, Int)]) -> ([Int32], [Int32]) {
        var offsets = [Int32](repeating: 0, count: n + 1)
        for (u, _) in arcs { offsets[u + 1] += 1 }
        for v in 0..<n { offsets[v + 1] += offsets[v] }
        var next = offsets
        var heads = [Int32](repeating: 0, count: arcs.count)
        for (u, v) in arcs { heads[Int(next[u])] = Int32(v); next[u] += 1 }
        return (offsets, heads)
    }

    @Test(arguments: 0..<40)
    func matchesBruteForceOnRandomGraphs(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 1...25, using: &rng)
        let arcCount = Int.random(in: 0...(n * 3), using: &rng)
        let arcs = (0..<arcCount).map { _ in (Int.random(in: 0..<n, using: &rng), Int.random(in: 0..<n, using: &rng)) }
        let (offsets, heads) = Self.csr(vertexCount: n, arcs: arcs)
        let (component, sizes) = StronglyConnectedComponents.compute(vertexCount: n, offsets: offsets, heads: heads)
        let reach = Self.bruteForce(vertexCount: n, arcs: arcs)
        for u in 0..<n {
            for v in 0..<n {
                #expect((component[u] == component[v]) == (reach[u][v] && reach[v][u]), "seed \(seed): \(u), \(v)")
            }
        }
        for (c, size) in sizes.enumerated() {
            #expect(Int(size) == component.filter { $0 == Int32(c) }.count, "seed \(seed)")
        }
    }

    @Test func longCycleNeedsNoRecursion() {
        // 200,000 vertices in one directed cycle: a recursive Tarjan would overflow the stack.
        let n = 200_000
        let arcs = (0..<n).map { ($0, ($0 + 1) % n) }
        let (offsets, heads) = Self.csr(vertexCount: n, arcs: arcs)
        let (component, sizes) = StronglyConnectedComponents.compute(vertexCount: n, offsets: offsets, heads: heads)
        #expect(sizes == [Int32(n)])
        #expect(component.allSatisfy { $0 == 0 })
    }
}
