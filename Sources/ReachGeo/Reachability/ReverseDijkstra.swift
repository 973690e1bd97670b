/// One Dijkstra search over the *reverse* road graph (incoming arcs), with reusable scratch
/// buffers: the labels are "seconds from this vertex to the nearest seeded target".
///
/// Travel is from a resident to an intake point, so searching backwards from the intake points
/// gives every vertex its time *to* them, with one-way streets respected. Labels are
/// ``ArrivalLabel``s compared lexicographically by (seconds, origin), so a multi-source search
/// breaks equal times towards the target first in input order. Floating-point addition is
/// monotone, so the labels are exactly the minima over paths of the left-to-right summed path
/// costs: a multi-source search equals the minimum of single-source searches bit for bit.
///
/// Labels above the limit are never stored: after ``run(limitSeconds:)`` a vertex has a
/// finite label exactly when its time is ≤ the limit (inclusive). ``reset()`` clears only the
/// vertices it touched, so one value serves many searches (one per worker thread).
struct ReverseDijkstra {
    /// The graph's incoming arcs, renumbered and compacted for the search.
    let adjacency: ReverseAdjacency
    /// Each vertex's label (seconds to the nearest target and which target), by *internal*
    /// vertex number; ``ArrivalLabel/unreached`` when not reached. One array of 16-byte labels, so
    /// a relaxation touches one cache line rather than two.
    private var labels: [ArrivalLabel]
    /// The internal numbers of the vertices with a finite label, in the order they were labelled.
    private var touched: [Int32] = []
    private var heap = LabelHeap()

    init(adjacency: ReverseAdjacency) {
        self.adjacency = adjacency
        labels = [ArrivalLabel](repeating: .unreached, count: adjacency.vertexCount)
    }

    /// A search on the graph's cached reverse adjacency (built once per network).
    init(graph: RoadGraph) { self.init(adjacency: graph.reverseAdjacency) }

    /// The label of *internal* vertex `i` (``ReverseAdjacency/internalOf``).
    @inline(__always)
    func internalLabel(_ i: Int32) -> ArrivalLabel { labels[Int(i)] }

    /// The label of graph vertex `v` (``ArrivalLabel/unreached`` when not reached).
    @inline(__always)
    func label(_ v: Int32) -> ArrivalLabel {
        let i = Int(adjacency.internalOf[Int(v)])
        return labels[i]
    }

    /// The seconds label of *internal* vertex `i` (``ReverseAdjacency/internalOf``).
    @inline(__always)
    func internalSeconds(_ i: Int32) -> Double { labels[Int(i)].seconds }


    /// Seconds from every graph vertex (graph numbering), `.infinity` where not reached.
    var vertexSeconds: [Double] {
        adjacency.internalOf.map { labels[Int($0)].seconds }
    }

    /// The number of vertices with a finite label.
    var reachedCount: Int { touched.count }

    /// The internal numbers of the vertices with a finite label, in the order they were labelled.
    var touchedInternal: [Int32] { touched }

    /// Calls `body` with every reached graph vertex.
    func forEachReachedVertex(_ body: (Int32) -> Void) {
        for i in touched { body(adjacency.graphVertexOf[Int(i)]) }
    }

    /// Forgets the previous search. - Complexity: O(vertices touched by it).
    mutating func reset() {
        for v in touched {
            labels[Int(v)] = .unreached
        }
        touched.removeAll(keepingCapacity: true)
        heap.removeAll()
    }

    /// Offers `label` to graph vertex `v` (kept when better than its label and ≤ the limit).
    mutating func seed(_ v: Int32, _ label: ArrivalLabel, limitSeconds: Double) {
        guard label.seconds <= limitSeconds else { return }
        let internalVertex = adjacency.internalOf[Int(v)]
        let i = Int(internalVertex)
        let current = labels[i]
        guard label < current else { return }
        if current.seconds == .infinity { touched.append(internalVertex) }
        labels[i] = label
        heap.push(LabelHeap.Entry(seconds: label.seconds, origin: label.origin, vertex: internalVertex))
    }

    /// Seeds the vertices from which `target` can be entered (see ``EdgeTravel/seeds(towards:graph:extraSeconds:)``).
    mutating func seed(towards target: SnappedPoint, graph: RoadGraph, extraSeconds: Double, origin: Int32, limitSeconds: Double) {
        let s = EdgeTravel.seeds(towards: target, graph: graph, extraSeconds: extraSeconds)
        if s.tail.seconds < .infinity { seed(s.tail.vertex, ArrivalLabel(seconds: s.tail.seconds, origin: origin), limitSeconds: limitSeconds) }
        if s.head.seconds < .infinity { seed(s.head.vertex, ArrivalLabel(seconds: s.head.seconds, origin: origin), limitSeconds: limitSeconds) }
    }

    /// Settles every vertex whose time to the seeds is ≤ `limitSeconds` (lazy deletion: a popped
    /// entry whose label is no longer the vertex's label is skipped).
    /// - Complexity: O((V' + A') log A') for the V' vertices and A' arcs within the limit.
    mutating func run(limitSeconds: Double) {
        let adjacency = self.adjacency
        var heap = self.heap, touched = self.touched
        self.heap = LabelHeap(); self.touched = []
        defer { self.heap = heap; self.touched = touched }
        adjacency.offsets.withUnsafeBufferPointer { offsets in
            adjacency.tails.withUnsafeBufferPointer { tails in
                adjacency.arcSeconds.withUnsafeBufferPointer { arcSeconds in
                    labels.withUnsafeMutableBufferPointer { labels in
                        while let top = heap.popMin() {
                            let v = Int(top.vertex)
                            let settled = labels[v]
                            if top.seconds != settled.seconds || top.origin != settled.origin { continue }
                            let end = Int(offsets[v + 1])
                            var a = Int(offsets[v])
                            while a < end {
                                let candidate = top.seconds + arcSeconds[a]
                                let t = Int(tails[a])
                                a += 1
                                if candidate > limitSeconds { continue }
                                let old = labels[t]
                                if candidate < old.seconds || (candidate == old.seconds && top.origin < old.origin) {
                                    if old.seconds == .infinity { touched.append(Int32(t)) }
                                    labels[t] = ArrivalLabel(seconds: candidate, origin: top.origin)
                                    heap.push(LabelHeap.Entry(seconds: candidate, origin: top.origin, vertex: Int32(t)))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The reverse graph (incoming arcs) in the compact form the searches run on: vertices
/// renumbered along a Z-order curve of their positions so that a search's neighbouring vertices
/// sit close in memory, and arcs as two flat arrays (tail, seconds). Built once per network
/// (``RoadGraph``'s search cache) and shared, read-only, by every worker and every call.
struct ReverseAdjacency: Sendable {
    /// Internal number of each graph vertex, and the graph vertex of each internal number.
    let internalOf: [Int32]
    let graphVertexOf: [Int32]
    /// Incoming arcs of internal vertex v: `offsets[v]..<offsets[v+1]` into `tails` (internal
    /// numbers) and `arcSeconds`.
    let offsets: [Int32]
    let tails: [Int32]
    let arcSeconds: [Double]
    /// The travel fields of every edge (graph edge numbering) with its end vertices given as
    /// *internal* numbers, for completing residents from arrays.
    let motions: [EdgeTravel.Motion]

    var vertexCount: Int { internalOf.count }

    /// - Complexity: O(V log V + A).
    init(graph: RoadGraph) {
        let n = graph.vertexCount
        var order = Array(0..<Int32(n))
        if let box = GeoBoundingBox(covering: graph.vertices) {
            let lonSpan = max(box.maxLonDegrees - box.minLonDegrees, 1e-9), latSpan = max(box.maxLatDegrees - box.minLatDegrees, 1e-9)
            func spread(_ x: UInt64) -> UInt64 {
                var x = x & 0xFFFF
                x = (x | (x << 8)) & 0x00FF_00FF
                x = (x | (x << 4)) & 0x0F0F_0F0F
                x = (x | (x << 2)) & 0x3333_3333
                x = (x | (x << 1)) & 0x5555_5555
                return x
            }
            let codes = graph.vertices.map { p -> UInt64 in
                let x = UInt64(((p.lonDegrees - box.minLonDegrees) / lonSpan * 65535).rounded(.down))
                let y = UInt64(((p.latDegrees - box.minLatDegrees) / latSpan * 65535).rounded(.down))
                return spread(x) | (spread(y) << 1)
            }
            order.sort { codes[Int($0)] != codes[Int($1)] ? codes[Int($0)] < codes[Int($1)] : $0 < $1 }
        }
        var internalOf = [Int32](repeating: 0, count: n)
        for (i, v) in order.enumerated() { internalOf[Int(v)] = Int32(i) }
        var offsets = [Int32](repeating: 0, count: n + 1)
        var tails: [Int32] = [], arcSeconds: [Double] = []
        tails.reserveCapacity(graph.incomingArcs.count)
        arcSeconds.reserveCapacity(graph.incomingArcs.count)
        for (i, v) in order.enumerated() {
            for arc in graph.incoming(v) {
                tails.append(internalOf[Int(arc.otherVertex)])
                arcSeconds.append(arc.seconds)
            }
            offsets[i + 1] = Int32(tails.count)
        }
        self.internalOf = internalOf
        graphVertexOf = order
        self.offsets = offsets
        self.tails = tails
        self.arcSeconds = arcSeconds
        motions = graph.edges.map { e in
            var m = EdgeTravel.Motion(e)
            m.fromVertex = internalOf[Int(e.fromVertex)]
            m.toVertex = internalOf[Int(e.toVertex)]
            return m
        }
    }
}

/// A binary min-heap of search entries ordered by (seconds, origin), on one flat array.
/// Hand-written rather than swift-collections' `Heap` because entries are plain 16-byte values
/// and the search needs only push and pop-min (a benchmark against `Heap` is still to be written).
struct LabelHeap {
    struct Entry {
        var seconds: Double
        var origin: Int32
        var vertex: Int32

        @inline(__always)
        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            a.seconds < b.seconds || (a.seconds == b.seconds && a.origin < b.origin)
        }
    }

    private var items: [Entry] = []

    var isEmpty: Bool { items.isEmpty }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    /// - Complexity: O(log n).
    mutating func push(_ e: Entry) {
        items.append(e)
        items.withUnsafeMutableBufferPointer { h in
            var i = h.count - 1
            while i > 0 {
                let parent = (i - 1) >> 1
                if !Entry.precedes(e, h[parent]) { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    /// Removes and returns the smallest entry. - Complexity: O(log n).
    mutating func popMin() -> Entry? {
        guard let last = items.popLast() else { return nil }
        if items.isEmpty { return last }
        return items.withUnsafeMutableBufferPointer { h in
            let top = h[0]
            let n = h.count
            var i = 0
            while true {
                var child = 2 * i + 1
                if child >= n { break }
                if child + 1 < n && Entry.precedes(h[child + 1], h[child]) { child += 1 }
                if !Entry.precedes(h[child], last) { break }
                h[i] = h[child]
                i = child
            }
            h[i] = last
            return top
        }
    }
}
