import Foundation

/// A built road graph and the non-fatal findings of the build.
public struct RoadGraphBuildResult: Sendable {
    public var graph: RoadGraph
    /// Aggregated findings (ignored `maxspeed` values, references to nodes absent from the file…),
    /// at most one warning per kind.
    public var warnings: [Warning]

    public init(graph: RoadGraph, warnings: [Warning]) {
        self.graph = graph
        self.warnings = warnings
    }
}

/// Builds the frozen ``RoadGraph`` from OSM nodes and ways under a ``TravelProfile``
/// (INTERFACE.md model rules 1–4), in explicit stages:
/// keep routable ways → resolve node references → split at vertices → edges with geodesic
/// lengths, speeds and directions → CSR adjacency → strongly connected components → snap targets.
///
/// Choices where the contract is silent (all deterministic):
/// - **Vertices** are the ends of every routable way piece and every node that occurs two or more
///   times among the routable ways, counting *each occurrence*: a way that passes through the
///   same node twice (a loop, a closed way) is split there too, so no edge ever contains a vertex
///   in its interior. Consecutive repeats of one node in a way (`A A`, zero-length segments) are
///   collapsed first.
/// - **Missing nodes**: a way that references a node the input lacks (Geofabrik/BBBike extracts
///   cut ways at their border) loses that reference and is split there; the pieces with at least
///   two nodes are kept. One aggregated warning gives the counts.
/// - **Order**: vertices are numbered by first appearance when walking the routable ways in input
///   order and their nodes in order; edges follow the same walk. CSR arcs of a vertex are in edge
///   order (the forward arc of an edge before its backward arc when both leave the same vertex).
public enum RoadGraphBuilder {
    /// The file name used in messages about in-memory input.
    static let memoryInputName = "<input>"

    /// Builds a graph from in-memory nodes and ways (tests, ``AsciiMap``-style fixtures).
    /// - Throws: ``InputError`` for a repeated node id or an invalid node position.
    /// - Complexity: O(N + R) for N nodes and R node references of routable ways (expected, with
    ///   hashing), plus one `geod_inverse` per segment.
    public static func build(nodes: [OSMNode], ways: [OSMWay], profile: TravelProfile) throws -> RoadGraphBuildResult {
        var extract = OSMExtract(fileName: memoryInputName)
        extract.nodeIndex.reserveCapacity(nodes.count)
        extract.nodePositions.reserveCapacity(nodes.count)
        for node in nodes {
            guard node.position.isValid else {
                throw InputError(file: memoryInputName, "node \(node.id) has an invalid position \(node.position)")
            }
            guard extract.addNode(id: node.id, position: node.position) else {
                throw InputError(file: memoryInputName, "node id \(node.id) appears more than once")
            }
        }
        extract.nodesRead = nodes.count
        extract.waysRead = ways.count
        extract.ways = ways.filter { profile.isRoutable(tags: $0.tags) }
        return build(extract: extract, profile: profile)
    }

    /// The stages after reading: `extract.ways` must already be routable under `profile`.
    static func build(extract: OSMExtract, profile: TravelProfile) -> RoadGraphBuildResult {
        var warnings = extract.warnings
        let ways = extract.ways
        let nodeCount = extract.nodePositions.count

        // Stage 1: per-way speed and direction; resolve references into pieces.
        var waySpeedKmh = [Double](repeating: 0, count: ways.count)
        var wayForward = [Bool](repeating: true, count: ways.count)
        var wayBackward = [Bool](repeating: true, count: ways.count)
        var ignoredMaxspeed: [String: Int] = [:]
        var missingReferences = 0
        var waysWithMissing = 0
        var pieceNodes: [Int32] = []
        var pieceStart: [Int] = [0]
        var pieceWay: [Int32] = []
        pieceNodes.reserveCapacity(ways.reduce(0) { $0 + $1.nodeIds.count })
        for (w, way) in ways.enumerated() {
            let (speed, ignored) = profile.speedKmh(tags: way.tags)
            waySpeedKmh[w] = speed ?? 0
            if let ignored { ignoredMaxspeed[ignored, default: 0] += 1 }
            (wayForward[w], wayBackward[w]) = profile.direction(tags: way.tags)
            var last: Int32 = -1
            var missingHere = 0
            func closePiece() {
                let start = pieceStart[pieceStart.count - 1]
                if pieceNodes.count - start >= 2 {
                    pieceStart.append(pieceNodes.count)
                    pieceWay.append(Int32(w))
                } else {
                    pieceNodes.removeSubrange(start...)
                }
            }
            for ref in way.nodeIds {
                guard let index = extract.nodeIndex[ref] else {
                    missingHere += 1
                    closePiece()
                    last = -1
                    continue
                }
                if index == last { continue }
                pieceNodes.append(index)
                last = index
            }
            closePiece()
            if missingHere > 0 {
                missingReferences += missingHere
                waysWithMissing += 1
            }
        }
        let pieceCount = pieceWay.count

        // Stage 2: vertices = piece ends and nodes occurring at least twice.
        var occurrences = [UInt8](repeating: 0, count: nodeCount)
        for p in 0..<pieceCount {
            let start = pieceStart[p], end = pieceStart[p + 1]
            occurrences[Int(pieceNodes[start])] = 2
            occurrences[Int(pieceNodes[end - 1])] = 2
            for i in (start + 1)..<(end - 1) {
                let n = Int(pieceNodes[i])
                if occurrences[n] < 2 { occurrences[n] += 1 }
            }
        }
        var vertexOfNode = [Int32](repeating: -1, count: nodeCount)
        var vertexPositions: [LonLat] = []
        var vertexNodeIds: [Int64] = []
        var nodeIdOfIndex = [Int64](repeating: 0, count: nodeCount)
        for (id, index) in extract.nodeIndex { nodeIdOfIndex[Int(index)] = id }
        for n in pieceNodes where occurrences[Int(n)] >= 2 && vertexOfNode[Int(n)] < 0 {
            vertexOfNode[Int(n)] = Int32(vertexPositions.count)
            vertexPositions.append(extract.nodePositions[Int(n)])
            vertexNodeIds.append(nodeIdOfIndex[Int(n)])
        }
        let vertexCount = vertexPositions.count

        // Stage 3: segment lengths (geodesic), computed in parallel chunks.
        let segmentMeters = segmentLengths(pieceNodes: pieceNodes, positions: extract.nodePositions)

        // Stage 4: edges cut at vertices, with shapes.
        var edges: [RoadEdge] = []
        var shape: [LonLat] = []
        var shapeOffsetMeters: [Double] = []
        shape.reserveCapacity(pieceNodes.count + vertexCount)
        shapeOffsetMeters.reserveCapacity(pieceNodes.count + vertexCount)
        for p in 0..<pieceCount {
            let w = Int(pieceWay[p])
            let highway = ways[w].tags["highway"] ?? ""
            let start = pieceStart[p], end = pieceStart[p + 1]
            var edgeShapeStart = shape.count
            var fromVertex = vertexOfNode[Int(pieceNodes[start])]
            var offset = 0.0
            shape.append(extract.nodePositions[Int(pieceNodes[start])])
            shapeOffsetMeters.append(0)
            for i in (start + 1)..<end {
                let n = Int(pieceNodes[i])
                offset += segmentMeters[i]
                shape.append(extract.nodePositions[n])
                shapeOffsetMeters.append(offset)
                let v = vertexOfNode[n]
                if v >= 0 {
                    edges.append(RoadEdge(fromVertex: fromVertex, toVertex: v, wayId: ways[w].id, lengthMeters: offset,
                                          speedKmh: waySpeedKmh[w], forward: wayForward[w], backward: wayBackward[w],
                                          shapeStart: Int32(edgeShapeStart), shapeEnd: Int32(shape.count - 1),
                                          highwayClass: highway))
                    if i < end - 1 {
                        // The vertex also starts the next edge of this piece.
                        edgeShapeStart = shape.count
                        shape.append(extract.nodePositions[n])
                        shapeOffsetMeters.append(0)
                    }
                    fromVertex = v
                    offset = 0
                }
            }
        }

        // Stage 5: CSR adjacency, outgoing and incoming.
        let (outgoingOffsets, outgoingArcs) = csr(vertexCount: vertexCount, edges: edges, outgoing: true)
        let (incomingOffsets, incomingArcs) = csr(vertexCount: vertexCount, edges: edges, outgoing: false)

        // Stage 6: strongly connected components and snap targets.
        let (componentOfVertex, componentSizes) = StronglyConnectedComponents.compute(
            vertexCount: vertexCount, offsets: outgoingOffsets, heads: outgoingArcs.map(\.otherVertex))
        let minimum = Int32(clamping: profile.minComponentNodes)
        let isSnapTarget = edges.map {
            componentSizes[Int(componentOfVertex[Int($0.fromVertex)])] >= minimum
                && componentSizes[Int(componentOfVertex[Int($0.toVertex)])] >= minimum
        }

        // Warnings, one per kind.
        if !ignoredMaxspeed.isEmpty {
            let total = ignoredMaxspeed.values.reduce(0, +)
            let listed = ignoredMaxspeed.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            let shown = listed.prefix(5).map { "\"\($0.key)\" ×\($0.value)" }.joined(separator: ", ")
            let more = listed.count > 5 ? ", … (\(listed.count) distinct values)" : ""
            warnings.append(Warning("\(extract.fileName): maxspeed ignored on \(total) way\(total == 1 ? "" : "s") (not `N`, `N km/h` or `N mph`): \(shown)\(more); the class speed is used"))
        }
        if missingReferences > 0 {
            warnings.append(Warning("\(extract.fileName): \(missingReferences) node reference\(missingReferences == 1 ? "" : "s") in \(waysWithMissing) routable way\(waysWithMissing == 1 ? "" : "s") point to nodes absent from the file (an extract cut at its border?); those ways were split there"))
        }
        if edges.isEmpty {
            warnings.append(Warning("\(extract.fileName): no routable road for profile \(ErrorText.quoted(profile.name)) (\(extract.ways.count) routable ways of \(extract.waysRead))"))
        }

        let stats = RoadGraphStats(
            osmNodesRead: extract.nodesRead, osmWaysRead: extract.waysRead, routableWays: ways.count,
            vertices: vertexCount, edges: edges.count, arcs: outgoingArcs.count,
            totalKm: edges.reduce(0) { $0 + $1.lengthMeters } / 1000,
            components: componentSizes.count, largestComponentVertices: Int(componentSizes.max() ?? 0),
            snapTargetEdges: isSnapTarget.reduce(0) { $0 + ($1 ? 1 : 0) })
        let graph = RoadGraph(
            vertices: vertexPositions, vertexNodeIds: vertexNodeIds, edges: edges, shape: shape,
            shapeOffsetMeters: shapeOffsetMeters, outgoingOffsets: outgoingOffsets, outgoingArcs: outgoingArcs,
            incomingOffsets: incomingOffsets, incomingArcs: incomingArcs, componentOfVertex: componentOfVertex,
            componentSizes: componentSizes, isSnapTarget: isSnapTarget, stats: stats)
        return RoadGraphBuildResult(graph: graph, warnings: warnings)
    }

    /// `lengths[i]` = geodesic metres from `pieceNodes[i-1]` to `pieceNodes[i]` (values at piece
    /// starts are unused). Work is split over the available cores.
    private static func segmentLengths(pieceNodes: [Int32], positions: [LonLat]) -> [Double] {
        let count = pieceNodes.count
        var lengths = [Double](repeating: 0, count: count)
        guard count > 1 else { return lengths }
        let chunkCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount * 2, count / 4096))
        let chunkSize = (count + chunkCount - 1) / chunkCount
        lengths.withUnsafeMutableBufferPointer { out in
            pieceNodes.withUnsafeBufferPointer { nodes in
                positions.withUnsafeBufferPointer { pos in
                    // Each chunk writes a disjoint range of `out` and only reads the others.
                    nonisolated(unsafe) let out = out, nodes = nodes, pos = pos
                    DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                        let lower = max(1, chunk * chunkSize), upper = min(count, (chunk + 1) * chunkSize)
                        guard lower < upper else { return }
                        for i in lower..<upper {
                            out[i] = Geodesic.distanceMeters(pos[Int(nodes[i - 1])], pos[Int(nodes[i])])
                        }
                    }
                }
            }
        }
        return lengths
    }

    /// CSR arrays of arcs leaving (`outgoing`) or entering each vertex, in edge order.
    private static func csr(vertexCount: Int, edges: [RoadEdge], outgoing: Bool) -> ([Int32], [RoadArc]) {
        var offsets = [Int32](repeating: 0, count: vertexCount + 1)
        // Arc of edge e along it: from → to; against it: to → from.
        for e in edges {
            if e.forward { offsets[Int(outgoing ? e.fromVertex : e.toVertex) + 1] += 1 }
            if e.backward { offsets[Int(outgoing ? e.toVertex : e.fromVertex) + 1] += 1 }
        }
        for v in 0..<vertexCount { offsets[v + 1] += offsets[v] }
        var next = offsets
        let placeholder = RoadArc(otherVertex: -1, edge: -1, alongEdge: true, seconds: 0)
        var arcs = [RoadArc](repeating: placeholder, count: Int(offsets[vertexCount]))
        for (index, e) in edges.enumerated() {
            let seconds = e.seconds
            if e.forward {
                let owner = Int(outgoing ? e.fromVertex : e.toVertex)
                arcs[Int(next[owner])] = RoadArc(otherVertex: outgoing ? e.toVertex : e.fromVertex, edge: Int32(index),
                                                 alongEdge: true, seconds: seconds)
                next[owner] += 1
            }
            if e.backward {
                let owner = Int(outgoing ? e.toVertex : e.fromVertex)
                arcs[Int(next[owner])] = RoadArc(otherVertex: outgoing ? e.fromVertex : e.toVertex, edge: Int32(index),
                                                 alongEdge: false, seconds: seconds)
                next[owner] += 1
            }
        }
        return (offsets, arcs)
    }
}
