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
        extract.nodeIndex = NodeIdTable(minimumCapacity: nodes.count)
        extract.nodeIds.reserveCapacity(nodes.count)
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
        for way in ways where profile.isRoutable(tags: way.tags) {
            extract.appendWay(id: way.id, refs: way.nodeIds, tags: way.tags)
        }
        extract.finish()
        return build(extract: extract, profile: profile)
    }

    /// The stages after reading: the extract's ways must already be routable under `profile`
    /// and `extract.finish()` must have resolved their references.
    static func build(extract: OSMExtract, profile: TravelProfile) -> RoadGraphBuildResult {
        var warnings = extract.warnings
        let wayCount = extract.wayCount
        let nodeCount = extract.nodePositions.count
        precondition(extract.wayRefNodes.count == extract.wayRefs.count, "OSMExtract.finish() not called")

        // Stage 1: speed, direction and class per distinct tag set; resolved references into
        // pieces (a missing node ends a piece).
        let tagSets = extract.tagSets
        var tagSetSpeedKmh = [Double](repeating: 0, count: tagSets.count)
        var tagSetForward = [Bool](repeating: true, count: tagSets.count)
        var tagSetBackward = [Bool](repeating: true, count: tagSets.count)
        var tagSetIgnoredMaxspeed = [String?](repeating: nil, count: tagSets.count)
        var tagSetHighway = [String](repeating: "", count: tagSets.count)
        for (t, tags) in tagSets.enumerated() {
            let (speed, ignored) = profile.speedKmh(tags: tags)
            tagSetSpeedKmh[t] = speed ?? 0
            tagSetIgnoredMaxspeed[t] = ignored
            (tagSetForward[t], tagSetBackward[t]) = profile.direction(tags: tags)
            tagSetHighway[t] = tags["highway"] ?? ""
        }
        var ignoredMaxspeed: [String: Int] = [:]
        var missingReferences = 0
        var waysWithMissing = 0
        // At most one piece node per reference: fill a buffer of that size, trim at the end.
        var pieceNodes = [Int32](repeating: 0, count: extract.wayRefNodes.count)
        var used = 0
        var pieceStart: [Int] = [0]
        var pieceWay: [Int32] = []
        pieceStart.reserveCapacity(wayCount + 1)
        pieceWay.reserveCapacity(wayCount)
        pieceNodes.withUnsafeMutableBufferPointer { out in
            extract.wayRefNodes.withUnsafeBufferPointer { refNodes in
                for w in 0..<wayCount {
                    if let ignored = tagSetIgnoredMaxspeed[Int(extract.wayTagSets[w])] { ignoredMaxspeed[ignored, default: 0] += 1 }
                    var last: Int32 = -1
                    var missingHere = 0
                    var start = used
                    // A piece with fewer than two nodes is dropped.
                    func closePiece() {
                        if used - start >= 2 {
                            pieceStart.append(used)
                            pieceWay.append(Int32(w))
                            start = used
                        } else {
                            used = start
                        }
                    }
                    for r in extract.wayRefStart[w]..<extract.wayRefStart[w + 1] {
                        let index = refNodes[r]
                        guard index >= 0 else {
                            missingHere += 1
                            closePiece()
                            last = -1
                            continue
                        }
                        if index == last { continue }
                        out[used] = index
                        used += 1
                        last = index
                    }
                    closePiece()
                    if missingHere > 0 {
                        missingReferences += missingHere
                        waysWithMissing += 1
                    }
                }
            }
        }
        pieceNodes.removeLast(pieceNodes.count - used)
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
        let nodeIdOfIndex = extract.nodeIds
        for n in pieceNodes where occurrences[Int(n)] >= 2 && vertexOfNode[Int(n)] < 0 {
            vertexOfNode[Int(n)] = Int32(vertexPositions.count)
            vertexPositions.append(extract.nodePositions[Int(n)])
            vertexNodeIds.append(nodeIdOfIndex[Int(n)])
        }
        let vertexCount = vertexPositions.count

        // Stage 3: segment lengths (geodesic), computed in parallel chunks.
        let segmentMeters = segmentLengths(pieceNodes: pieceNodes, pieceStart: pieceStart, positions: extract.nodePositions)

        // Stage 4: edges cut at vertices, with shapes.
        // Exact sizes first: an edge ends at each vertex of a piece but its first, and each
        // interior vertex also starts the next edge's shape.
        var vertexOccurrences = 0
        for n in pieceNodes where vertexOfNode[Int(n)] >= 0 { vertexOccurrences += 1 }
        let edgeCount = vertexOccurrences - pieceCount
        var edges: [RoadEdge] = []
        var shape: [LonLat] = []
        var shapeOffsetMeters: [Double] = []
        edges.reserveCapacity(edgeCount)
        shape.reserveCapacity(pieceNodes.count + edgeCount - pieceCount)
        shapeOffsetMeters.reserveCapacity(pieceNodes.count + edgeCount - pieceCount)
        extract.nodePositions.withUnsafeBufferPointer { positions in
            for p in 0..<pieceCount {
                let w = Int(pieceWay[p])
                let t = Int(extract.wayTagSets[w])
                let wayId = extract.wayIds[w]
                let start = pieceStart[p], end = pieceStart[p + 1]
                var edgeShapeStart = shape.count
                var fromVertex = vertexOfNode[Int(pieceNodes[start])]
                var offset = 0.0
                shape.append(positions[Int(pieceNodes[start])])
                shapeOffsetMeters.append(0)
                for i in (start + 1)..<end {
                    let n = Int(pieceNodes[i])
                    offset += segmentMeters[i]
                    shape.append(positions[n])
                    shapeOffsetMeters.append(offset)
                    let v = vertexOfNode[n]
                    if v >= 0 {
                        edges.append(RoadEdge(fromVertex: fromVertex, toVertex: v, wayId: wayId, lengthMeters: offset,
                                              speedKmh: tagSetSpeedKmh[t], forward: tagSetForward[t], backward: tagSetBackward[t],
                                              shapeStart: Int32(edgeShapeStart), shapeEnd: Int32(shape.count - 1),
                                              highwayClass: tagSetHighway[t]))
                        if i < end - 1 {
                            // The vertex also starts the next edge of this piece.
                            edgeShapeStart = shape.count
                            shape.append(positions[n])
                            shapeOffsetMeters.append(0)
                        }
                        fromVertex = v
                        offset = 0
                    }
                }
            }
        }

        // Stage 5: CSR adjacency, outgoing and incoming.
        // The two directions are independent: one task each.
        let edgeList = edges
        let adjacency = Parallel.map(count: 2, minimumChunk: 1, initial: ([Int32](), [RoadArc]())) { direction in
            csr(vertexCount: vertexCount, edges: edgeList, outgoing: direction == 0)
        }
        let (outgoingOffsets, outgoingArcs) = adjacency[0]
        let (incomingOffsets, incomingArcs) = adjacency[1]

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
            warnings.append(Warning("\(extract.fileName): no routable road for profile \(ErrorText.quoted(profile.name)) (\(wayCount) routable ways of \(extract.waysRead))"))
        }

        let stats = RoadGraphStats(
            osmNodesRead: extract.nodesRead, osmWaysRead: extract.waysRead, routableWays: wayCount,
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

    /// `lengths[i]` = geodesic metres from `pieceNodes[i-1]` to `pieceNodes[i]` within each piece
    /// (0 at piece starts, where no segment ends). Pieces are split over the cores; each chunk of
    /// pieces writes only its own range.
    private static func segmentLengths(pieceNodes: [Int32], pieceStart: [Int], positions: [LonLat]) -> [Double] {
        var lengths = [Double](repeating: 0, count: pieceNodes.count)
        let pieceCount = pieceStart.count - 1
        lengths.withUnsafeMutableBufferPointer { out in
            pieceNodes.withUnsafeBufferPointer { nodes in
                positions.withUnsafeBufferPointer { pos in
                    pieceStart.withUnsafeBufferPointer { starts in
                        nonisolated(unsafe) let nodes = nodes, pos = pos, starts = starts
                        let out = DisjointWrites(out.baseAddress!, count: out.count)
                        Parallel.forEachChunk(count: pieceCount, minimumChunk: 2048) { pieces in
                            for p in pieces {
                                for i in (starts[p] + 1)..<starts[p + 1] {
                                    out[i] = Geodesic.distanceMeters(pos[Int(nodes[i - 1])], pos[Int(nodes[i])])
                                }
                            }
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
