import Foundation

/// A resident that reaches a site within the limit, and how fast.
public struct ResidentReach: Sendable, Hashable {
    /// Index into the `residents` array given to ``SiteReachMatrix/compute(graph:sites:siteConnectorSeconds:residents:residentConnectorSeconds:limitSeconds:workers:)``.
    public var resident: Int32
    /// Resident connector + road time + site connector, in seconds, rounded to `Float` for
    /// storage. Whether the resident is within the limit was decided in `Double` before
    /// rounding, exactly as ``FastestIntakeSearch`` decides it.
    public var seconds: Float

    public init(resident: Int32, seconds: Float) {
        self.resident = resident
        self.seconds = seconds
    }
}

/// The sparse coverage matrix of the planner: for each site, every resident whose travel time
/// to it (INTERFACE.md rule 6, connectors included) is within `limitSeconds` (inclusive).
///
/// One bounded reverse search per site, stopping expansion past the limit, on a few worker
/// threads that each own their scratch buffers (reset only where touched): a bucket queue on
/// tenths of a second with exact `Double` labels (``BoundedReverseSearch``, the same labels as the
/// binary-heap Dijkstra bit for bit), on the graph's cached reverse adjacency. Residents are grouped
/// by snapped edge, and edges by end vertex, so completing residents from the reached vertices
/// costs time proportional to the reached part of the network. The per-resident time is the same
/// formula as ``FastestIntakeSearch`` (``EdgeTravel/completion(of:graph:vertexLabel:sameEdgeTargets:)``),
/// so a resident's fastest time equals the minimum over sites of this matrix bit for bit (before
/// the `Float` rounding of the stored seconds).
public enum SiteReachMatrix {
    /// Computes the matrix.
    /// - Parameters:
    ///   - sites / siteConnectorSeconds: as in ``FastestIntakeSearch/run(graph:sites:siteConnectorSeconds:residents:residentConnectorSeconds:limitSeconds:)``;
    ///     a nil site reaches nobody.
    ///   - residents / residentConnectorSeconds: likewise; a nil resident is never listed.
    ///   - limitSeconds: the inclusive time limit.
    ///   - workers: threads to use (default: 2, the machine's cores, at most the number of sites).
    /// - Returns: per site (input order), the residents within the limit sorted by resident index.
    /// - Complexity: O(Σ over sites of (V' + A') log A' + reached residents), for the vertices V'
    ///   and arcs A' within the limit of each site; memory O(W·(V + R)) scratch for W workers plus
    ///   the result.
    public static func compute(graph: RoadGraph,
                               sites: [SnappedPoint?], siteConnectorSeconds: [Double],
                               residents: [SnappedPoint?], residentConnectorSeconds: [Double],
                               limitSeconds: Double, workers: Int = 2) -> [[ResidentReach]] {
        precondition(sites.count == siteConnectorSeconds.count, "one connector time per site")
        precondition(residents.count == residentConnectorSeconds.count, "one connector time per resident")
        precondition(residents.count < Int(Int32.max), "too many residents")
        let index = ResidentEdgeIndex(graph: graph, residents: residents)
        let adjacency = graph.reverseAdjacency
        let legs = ResidentLegs(graph: graph, adjacency: adjacency, residents: residents,
                                connectorSeconds: residentConnectorSeconds)
        var result = [[ResidentReach]](repeating: [], count: sites.count)
        let workerCount = max(1, min(workers, sites.count))
        let next = SiteCounter()
        result.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
                func work<S: SingleOriginSearch>(_ search: S) {
                    var scratch = SiteSearchScratch(search: search, residentCount: residents.count)
                    while let s = next.take(below: sites.count) {
                        guard let site = sites[s] else { continue }
                        out[s] = scratch.reach(site: site, siteConnectorSeconds: siteConnectorSeconds[s], graph: graph,
                                               index: index, legs: legs, residents: residents, limitSeconds: limitSeconds)
                    }
                }
                // The bucket queue when the limit gives a reasonable number of buckets, else the heap.
                if BoundedReverseSearch.usable(limitSeconds: limitSeconds) {
                    work(BoundedReverseSearch(adjacency: adjacency, limitSeconds: limitSeconds))
                } else {
                    work(HeapSingleOriginSearch(search: ReverseDijkstra(adjacency: adjacency), limitSeconds: limitSeconds))
                }
            }
        }
        return result
    }
}

/// Hands out site indices to worker threads, one at a time, so that slow sites do not leave a
/// worker idle at the end.
private final class SiteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    func take(below count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < count else { return nil }
        value += 1
        return value - 1
    }
}

/// Snapped residents grouped by edge, and edges grouped by end vertex (CSR), so that the
/// residents near a reached vertex are found without scanning them all.
struct ResidentEdgeIndex: Sendable {
    /// Residents on edge e: `residentsOfEdge[residentOffsets[e]..<residentOffsets[e+1]]`.
    let residentOffsets: [Int32]
    let residentsOfEdge: [Int32]
    /// Edges with v as an end (whatever their direction) that carry at least one resident:
    /// `edgesOfVertex[edgeOffsets[v]..<edgeOffsets[v+1]]`.
    let edgeOffsets: [Int32]
    let edgesOfVertex: [Int32]

    /// - Complexity: O(V + E + R).
    init(graph: RoadGraph, residents: [SnappedPoint?]) {
        let edgeCount = graph.edges.count
        var counts = [Int32](repeating: 0, count: edgeCount + 1)
        for r in residents { if let r { counts[Int(r.edge) + 1] += 1 } }
        for e in 0..<edgeCount { counts[e + 1] += counts[e] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts[edgeCount]))
        for (i, r) in residents.enumerated() {
            guard let r else { continue }
            items[Int(fill[Int(r.edge)])] = Int32(i)
            fill[Int(r.edge)] += 1
        }
        residentOffsets = counts
        residentsOfEdge = items

        let vertexCount = graph.vertexCount
        var vcounts = [Int32](repeating: 0, count: vertexCount + 1)
        for (i, e) in graph.edges.enumerated() where counts[i + 1] > counts[i] {
            vcounts[Int(e.fromVertex) + 1] += 1
            if e.toVertex != e.fromVertex { vcounts[Int(e.toVertex) + 1] += 1 }
        }
        for v in 0..<vertexCount { vcounts[v + 1] += vcounts[v] }
        var vfill = vcounts
        var edgeItems = [Int32](repeating: 0, count: Int(vcounts[vertexCount]))
        for (i, e) in graph.edges.enumerated() where counts[i + 1] > counts[i] {
            edgeItems[Int(vfill[Int(e.fromVertex)])] = Int32(i)
            vfill[Int(e.fromVertex)] += 1
            if e.toVertex != e.fromVertex {
                edgeItems[Int(vfill[Int(e.toVertex)])] = Int32(i)
                vfill[Int(e.toVertex)] += 1
            }
        }
        edgeOffsets = vcounts
        edgesOfVertex = edgeItems
    }
}

/// Each resident's two ways onto the network, precomputed once for all sites: the internal
/// search number of each end vertex of its edge with the seconds from the resident's snapped
/// point to it (`.infinity` when the edge forbids that direction), and its connector seconds.
/// Completing a resident for a site is then two label reads and three additions — the same
/// additions, in the same order, as ``EdgeTravel/completion(of:graph:vertexLabel:sameEdgeTargets:)``
/// (which still handles residents on the site's own edge).
struct ResidentLegs: Sendable {
    struct Leg {
        var headVertex: Int32, tailVertex: Int32
        var headSeconds: Double, tailSeconds: Double
        var connectorSeconds: Double
        var edge: Int32
    }

    /// One entry per resident; a nil resident has edge −1.
    let legs: [Leg]

    init(graph: RoadGraph, adjacency: ReverseAdjacency, residents: [SnappedPoint?], connectorSeconds: [Double]) {
        legs = residents.indices.map { r in
            guard let point = residents[r] else {
                return Leg(headVertex: 0, tailVertex: 0, headSeconds: .infinity, tailSeconds: .infinity,
                           connectorSeconds: .infinity, edge: -1)
            }
            let edge = EdgeTravel.Motion(graph, Int(point.edge))
            return Leg(headVertex: adjacency.internalOf[Int(edge.toVertex)], tailVertex: adjacency.internalOf[Int(edge.fromVertex)],
                       headSeconds: EdgeTravel.seconds(along: edge, fromOffsetMeters: point.offsetMeters, toOffsetMeters: edge.lengthMeters),
                       tailSeconds: EdgeTravel.seconds(along: edge, fromOffsetMeters: point.offsetMeters, toOffsetMeters: 0),
                       connectorSeconds: connectorSeconds[r], edge: point.edge)
        }
    }
}

/// What a per-site search offers the matrix: one origin, labels by internal vertex.
protocol SingleOriginSearch {
    mutating func reset()
    mutating func seed(towards target: SnappedPoint, graph: RoadGraph, extraSeconds: Double)
    mutating func run()
    func internalSeconds(_ i: Int32) -> Double
    func label(_ v: Int32) -> ArrivalLabel
    var reachedCount: Int { get }
    var touched: [Int32] { get }
    var adjacency: ReverseAdjacency { get }
}

extension BoundedReverseSearch: SingleOriginSearch {}

/// ``ReverseDijkstra`` (binary heap) with origin 0, for limits too large for the bucket queue.
struct HeapSingleOriginSearch: SingleOriginSearch {
    var search: ReverseDijkstra
    let limitSeconds: Double
    mutating func reset() { search.reset() }
    mutating func seed(towards target: SnappedPoint, graph: RoadGraph, extraSeconds: Double) {
        search.seed(towards: target, graph: graph, extraSeconds: extraSeconds, origin: 0, limitSeconds: limitSeconds)
    }
    mutating func run() { search.run(limitSeconds: limitSeconds) }
    func internalSeconds(_ i: Int32) -> Double { search.internalSeconds(i) }
    func label(_ v: Int32) -> ArrivalLabel { search.label(v) }
    var reachedCount: Int { search.reachedCount }
    var touched: [Int32] { search.touchedInternal }
    var adjacency: ReverseAdjacency { search.adjacency }
}

/// One worker's buffers for per-site bounded searches.
private struct SiteSearchScratch<Search: SingleOriginSearch> {
    var search: Search
    /// `stamp[r] == epoch` when resident r was already evaluated for the current site.
    var stamp: [Int32]
    var epoch: Int32 = 0
    var found: [ResidentReach] = []

    init(search: Search, residentCount: Int) {
        self.search = search
        stamp = [Int32](repeating: 0, count: residentCount)
    }

    /// The residents within `limitSeconds` of `site`, sorted by index.
    mutating func reach(site: SnappedPoint, siteConnectorSeconds: Double, graph: RoadGraph, index: ResidentEdgeIndex,
                        legs: ResidentLegs, residents: [SnappedPoint?], limitSeconds: Double) -> [ResidentReach] {
        search.reset()
        search.seed(towards: site, graph: graph, extraSeconds: siteConnectorSeconds)
        search.run()
        if epoch == Int32.max {
            for i in stamp.indices { stamp[i] = 0 }
            epoch = 0
        }
        epoch += 1
        found.removeAll(keepingCapacity: true)
        let siteLabel = [(offsetMeters: site.offsetMeters, label: ArrivalLabel(seconds: siteConnectorSeconds, origin: 0))]

        let siteEdge = Int32(site.edge)
        func evaluate(_ r: Int) {
            let leg = legs.legs[r]
            guard leg.edge >= 0 else { return }
            let road: Double
            if leg.edge == siteEdge, let resident = residents[r] {
                // On the site's own edge the resident may reach the site directly: the general completion.
                road = EdgeTravel.completion(of: resident, graph: graph, vertexLabel: { search.label($0) }, sameEdgeTargets: siteLabel).seconds
            } else {
                road = min(search.internalSeconds(leg.headVertex) + leg.headSeconds, search.internalSeconds(leg.tailVertex) + leg.tailSeconds)
            }
            let total = leg.connectorSeconds + road
            if total <= limitSeconds, total < .infinity { found.append(ResidentReach(resident: Int32(r), seconds: Float(total))) }
        }
        // A search that reached much of the network is completed faster by scanning every
        // resident in order (no sort needed); a small one by visiting the residents on the edges
        // at its reached vertices (then sorted).
        if search.reachedCount * 2 >= residents.count {
            for r in residents.indices { evaluate(r) }
            return found
        }
        func visit(edge e: Int) {
            for k in Int(index.residentOffsets[e])..<Int(index.residentOffsets[e + 1]) {
                let r = Int(index.residentsOfEdge[k])
                if stamp[r] == epoch { continue }
                stamp[r] = epoch
                evaluate(r)
            }
        }
        visit(edge: Int(site.edge))
        let graphVertexOf = search.adjacency.graphVertexOf
        for i in search.touched {
            let v = Int(graphVertexOf[Int(i)])
            for k in Int(index.edgeOffsets[v])..<Int(index.edgeOffsets[v + 1]) {
                visit(edge: Int(index.edgesOfVertex[k]))
            }
        }
        found.sort { $0.resident < $1.resident }
        return found
    }
}
