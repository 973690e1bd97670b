/// The fastest intake point of one resident: which site (its index in the search's `sites`)
/// and the total time, connectors included.
public struct FastestIntake: Sendable, Hashable {
    /// Index into the `sites` array given to the search (input order).
    public var siteIndex: Int
    /// Resident connector + road time + site connector, in seconds.
    public var seconds: Double

    public init(siteIndex: Int, seconds: Double) {
        self.siteIndex = siteIndex
        self.seconds = seconds
    }
}

/// Every resident's fastest intake point in one multi-source Dijkstra on the reverse graph
/// (INTERFACE.md rule 6).
///
/// Travel is from the resident to the intake point, so one search runs backwards over incoming
/// arcs from all snapped intake points at once, each seeded at the end vertices of its edge from
/// which it can be entered (partial edge, one-way respected) plus its connector time. A resident
/// then leaves its snapped point towards whichever end of its edge its direction allows (partial
/// edge) and follows that vertex's label, or travels directly along its edge to an intake point
/// on the same edge when the edge allows that direction. A point exactly on a vertex behaves as
/// that vertex. Equal times go to the site first in input order: labels are (seconds, site index)
/// compared lexicographically, so the result equals, bit for bit, the minimum over per-site
/// searches (``SiteReachMatrix``, ``reverseVertexSeconds(graph:to:limitSeconds:)``).
public enum FastestIntakeSearch {
    /// Runs the search.
    /// - Parameters:
    ///   - graph: the road network.
    ///   - sites: the intake points' snapped positions in input order; nil = not on the network
    ///     (never reached by time).
    ///   - siteConnectorSeconds: per site, geodesic(snapped position, site) / `connector_kmh`.
    ///   - residents: the residents' snapped positions; nil = not on the network.
    ///   - residentConnectorSeconds: per resident, geodesic(resident, snapped position) / `connector_kmh`.
    ///   - limitSeconds: residents slower than this get nil (default: no limit). The search stops
    ///     expanding past it.
    /// - Returns: per resident (same order), its fastest intake, or nil when it did not snap or
    ///   reaches no site (within the limit).
    /// - Complexity: O((V + A) log A + R + S) for V vertices, A arcs, R residents, S sites.
    public static func run(graph: RoadGraph,
                           sites: [SnappedPoint?], siteConnectorSeconds: [Double],
                           residents: [SnappedPoint?], residentConnectorSeconds: [Double],
                           limitSeconds: Double = .infinity) -> [FastestIntake?] {
        precondition(sites.count == siteConnectorSeconds.count, "one connector time per site")
        precondition(residents.count == residentConnectorSeconds.count, "one connector time per resident")
        precondition(sites.count < Int(Int32.max), "too many sites")
        let adjacency = graph.reverseAdjacency
        var search = ReverseDijkstra(adjacency: adjacency)
        for (i, site) in sites.enumerated() {
            guard let site else { continue }
            search.seed(towards: site, graph: graph, extraSeconds: siteConnectorSeconds[i], origin: Int32(i),
                        limitSeconds: limitSeconds)
        }
        search.run(limitSeconds: limitSeconds)
        let sameEdge = SiteEdgeTable(sites: sites, siteConnectorSeconds: siteConnectorSeconds)

        // Each resident from its precomputed legs (end vertices in the search's numbering and
        // the seconds of the partial edge to each, `.infinity` where the edge forbids it): the
        // additions and comparisons of ``EdgeTravel/completion(of:graph:vertexLabel:sameEdgeTargets:)``
        // in the same order. The legs are kept with the graph for the next call with the same
        // residents (every evaluation of a prepared scenario).
        let legs = graph.searchCache.fastestIntakeLegs(graph, residents: residents, connectorSeconds: residentConnectorSeconds)
        var result = [FastestIntake?](repeating: nil, count: residents.count)
        adjacency.motions.withUnsafeBufferPointer { motions in
            legs.withUnsafeBufferPointer { legs in
                residents.withUnsafeBufferPointer { residents in
                    result.withUnsafeMutableBufferPointer { out in
                        for r in 0 ..< legs.count {
                            let leg = legs[r]
                            guard leg.edge >= 0 else { continue }
                            var best = ArrivalLabel.unreached
                            if leg.headSeconds < .infinity { best = min(best, search.internalLabel(leg.headVertex).adding(leg.headSeconds)) }
                            if leg.tailSeconds < .infinity { best = min(best, search.internalLabel(leg.tailVertex).adding(leg.tailSeconds)) }
                            if let targets = sameEdge.targets(onEdge: leg.edge), let resident = residents[r] {
                                let edge = motions[Int(leg.edge)]
                                for k in targets {
                                    let direct = EdgeTravel.seconds(along: edge, fromOffsetMeters: resident.offsetMeters,
                                                                    toOffsetMeters: sameEdge.offsetMeters[k])
                                    if direct < .infinity { best = min(best, sameEdge.labels[k].adding(direct)) }
                                }
                            }
                            let total = leg.connectorSeconds + best.seconds
                            if total <= limitSeconds, total < .infinity { out[r] = FastestIntake(siteIndex: Int(best.origin), seconds: total) }
                        }
                    }
                }
            }
        }
        return result
    }
}

/// Seconds from every vertex to `target` over the roads (reverse search, one-way respected,
/// partial edge into the target), `.infinity` where the target is not reached within
/// `limitSeconds` (inclusive). No connector time is included.
///
/// Together with ``secondsFromPoint(_:graph:vertexSeconds:target:)`` this gives the road time
/// from any snapped point to the target, with the same rules as ``FastestIntakeSearch``.
/// - Complexity: O((V' + A') log A') for the vertices and arcs within the limit, plus O(V) to
///   allocate the result.
public func reverseVertexSeconds(graph: RoadGraph, to target: SnappedPoint, limitSeconds: Double) -> [Double] {
    var search = ReverseDijkstra(graph: graph)
    search.seed(towards: target, graph: graph, extraSeconds: 0, origin: 0, limitSeconds: limitSeconds)
    search.run(limitSeconds: limitSeconds)
    return search.vertexSeconds
}

/// Road seconds from the snapped point `p` to `target`, given `vertexSeconds` from
/// ``reverseVertexSeconds(graph:to:limitSeconds:)`` for that target: the partial edge from `p`
/// to either end of its edge (where its direction is allowed) plus that vertex's seconds, or
/// the direct trip when both lie on the same edge in an allowed direction. `.infinity` when
/// unreachable (or not reached within the limit used for `vertexSeconds`). No connector time.
/// - Complexity: O(1).
public func secondsFromPoint(_ p: SnappedPoint, graph: RoadGraph, vertexSeconds: [Double], target: SnappedPoint) -> Double {
    precondition(vertexSeconds.count == graph.vertexCount, "vertexSeconds must have one entry per vertex")
    let sameEdge: [(offsetMeters: Double, label: ArrivalLabel)] =
        p.edge == target.edge ? [(target.offsetMeters, ArrivalLabel(seconds: 0, origin: 0))] : []
    return EdgeTravel.completion(of: p, graph: graph,
                                 vertexLabel: { ArrivalLabel(seconds: vertexSeconds[Int($0)], origin: 0) },
                                 sameEdgeTargets: sameEdge).seconds
}

/// The snapped sites grouped by edge in a small open-addressing table, so that finding the
/// sites on a resident's own edge costs one or two probes instead of a `Dictionary` lookup.
/// Within an edge the sites keep their input order.
struct SiteEdgeTable {
    /// Per site on some edge, grouped by edge: offset along the edge and its label (connector
    /// seconds, site index).
    let offsetMeters: [Double]
    let labels: [ArrivalLabel]
    private let keys: [Int32]
    private let ranges: [(lower: Int32, upper: Int32)]
    private let mask: Int

    init(sites: [SnappedPoint?], siteConnectorSeconds: [Double]) {
        let snapped = sites.indices.filter { sites[$0] != nil }
        // Stable grouping by edge: sort by (edge, site index).
        let order = snapped.sorted { (sites[$0]!.edge, $0) < (sites[$1]!.edge, $1) }
        offsetMeters = order.map { sites[$0]!.offsetMeters }
        labels = order.map { ArrivalLabel(seconds: siteConnectorSeconds[$0], origin: Int32($0)) }
        var size = 16
        while size < 4 * max(1, order.count) { size *= 2 }
        var keys = [Int32](repeating: -1, count: size)
        var ranges = [(lower: Int32, upper: Int32)](repeating: (0, 0), count: size)
        var k = 0
        while k < order.count {
            let e = sites[order[k]]!.edge
            var end = k + 1
            while end < order.count && sites[order[end]]!.edge == e { end += 1 }
            var h = Self.hash(e) & (size - 1)
            while keys[h] >= 0 { h = (h + 1) & (size - 1) }
            keys[h] = e
            ranges[h] = (Int32(k), Int32(end))
            k = end
        }
        self.keys = keys
        self.ranges = ranges
        mask = size - 1
    }

    @inline(__always) static func hash(_ e: Int32) -> Int { Int((UInt32(bitPattern: e) &* 0x9E37_79B1) >> 7) }

    /// The indices (into ``offsetMeters`` / ``labels``) of the sites on edge `e`, or nil.
    @inline(__always)
    func targets(onEdge e: Int32) -> Range<Int>? {
        var h = Self.hash(e) & mask
        while true {
            let key = keys[h]
            if key == e { return Int(ranges[h].lower) ..< Int(ranges[h].upper) }
            if key < 0 { return nil }
            h = (h + 1) & mask
        }
    }
}

/// A resident's two ways onto the network for ``FastestIntakeSearch``: the internal search
/// numbers of its edge's end vertices, the seconds of the partial edge to each (`.infinity`
/// where the edge forbids that direction, computed by ``EdgeTravel/seconds(along:fromOffsetMeters:toOffsetMeters:)``
/// exactly as the general completion does) and its connector seconds; edge −1 when not snapped.
struct FastestIntakeLeg: Sendable {
    var headVertex: Int32, tailVertex: Int32
    var headSeconds: Double, tailSeconds: Double
    var connectorSeconds: Double
    var edge: Int32

    static func legs(adjacency: ReverseAdjacency, residents: [SnappedPoint?], connectorSeconds: [Double]) -> [FastestIntakeLeg] {
        let none = FastestIntakeLeg(headVertex: 0, tailVertex: 0, headSeconds: .infinity, tailSeconds: .infinity,
                                    connectorSeconds: .infinity, edge: -1)
        var out = [FastestIntakeLeg](repeating: none, count: residents.count)
        adjacency.motions.withUnsafeBufferPointer { motions in
            for r in residents.indices {
                guard let point = residents[r] else { continue }
                let edge = motions[Int(point.edge)]
                out[r] = FastestIntakeLeg(
                    headVertex: edge.toVertex, tailVertex: edge.fromVertex,
                    headSeconds: EdgeTravel.seconds(along: edge, fromOffsetMeters: point.offsetMeters, toOffsetMeters: edge.lengthMeters),
                    tailSeconds: EdgeTravel.seconds(along: edge, fromOffsetMeters: point.offsetMeters, toOffsetMeters: 0),
                    connectorSeconds: connectorSeconds[r], edge: point.edge)
            }
        }
        return out
    }
}
