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
/// Labels above the limit are never stored: after ``run(graph:limitSeconds:)`` a vertex has a
/// finite label exactly when its time is ≤ the limit (inclusive). ``reset()`` clears only the
/// vertices it touched, so one value serves many searches (one per worker thread).
struct ReverseDijkstra {
    /// Seconds from each vertex to the nearest target; `.infinity` when not reached.
    private(set) var seconds: [Double]
    /// The origin (target index) of each vertex's label; meaningful only where `seconds` is finite.
    private(set) var origin: [Int32]
    /// The vertices with a finite label, in the order they were first labelled.
    private(set) var touched: [Int32] = []
    private var heap = LabelHeap()

    init(vertexCount: Int) {
        seconds = [Double](repeating: .infinity, count: vertexCount)
        origin = [Int32](repeating: .max, count: vertexCount)
    }

    /// The label of vertex `v` (``ArrivalLabel/unreached`` when not reached).
    @inline(__always)
    func label(_ v: Int32) -> ArrivalLabel {
        ArrivalLabel(seconds: seconds[Int(v)], origin: origin[Int(v)])
    }

    /// Forgets the previous search. - Complexity: O(vertices touched by it).
    mutating func reset() {
        for v in touched {
            seconds[Int(v)] = .infinity
            origin[Int(v)] = .max
        }
        touched.removeAll(keepingCapacity: true)
        heap.removeAll()
    }

    /// Offers `label` to vertex `v` (kept when better than its current label and ≤ the limit).
    @inline(__always)
    mutating func seed(_ v: Int32, _ label: ArrivalLabel, limitSeconds: Double) {
        guard label.seconds <= limitSeconds else { return }
        let i = Int(v)
        let current = ArrivalLabel(seconds: seconds[i], origin: origin[i])
        guard label < current else { return }
        if current.seconds == .infinity { touched.append(v) }
        seconds[i] = label.seconds
        origin[i] = label.origin
        heap.push(LabelHeap.Entry(seconds: label.seconds, origin: label.origin, vertex: v))
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
    mutating func run(graph: RoadGraph, limitSeconds: Double) {
        graph.incomingOffsets.withUnsafeBufferPointer { offsets in
            graph.incomingArcs.withUnsafeBufferPointer { arcs in
                while let top = heap.popMin() {
                    let v = Int(top.vertex)
                    if top.seconds != seconds[v] || top.origin != origin[v] { continue }
                    let end = Int(offsets[v + 1])
                    var a = Int(offsets[v])
                    while a < end {
                        let arc = arcs[a]
                        a += 1
                        let candidate = top.seconds + arc.seconds
                        if candidate > limitSeconds { continue }
                        let t = Int(arc.otherVertex)
                        let old = seconds[t]
                        if candidate < old || (candidate == old && top.origin < origin[t]) {
                            if old == .infinity { touched.append(arc.otherVertex) }
                            seconds[t] = candidate
                            origin[t] = top.origin
                            heap.push(LabelHeap.Entry(seconds: candidate, origin: top.origin, vertex: arc.otherVertex))
                        }
                    }
                }
            }
        }
    }
}

/// A binary min-heap of search entries ordered by (seconds, origin), on one flat array.
/// Hand-written rather than swift-collections' `Heap` because entries are plain 16-byte values
/// and the search needs only push and pop-min (see Benchmarks/README.md for the comparison).
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
