import Foundation

/// Search structures derived from one ``RoadGraph`` and built once per network, on first use:
/// the reverse adjacency in search order (``ReverseAdjacency``). Every copy of the graph shares
/// them (the graph is immutable), so repeated searches — one coverage evaluation per proposal,
/// one matrix per plan — no longer rebuild and re-sort the reverse graph on every call.
final class RoadGraphSearchCache: @unchecked Sendable {
    private let lock = NSLock()
    private var reverse: ReverseAdjacency?
    /// The residents of the last ``FastestIntakeSearch`` and their legs. Holding the arrays
    /// keeps their buffers alive and immutable (a mutation of a shared array copies it), so the
    /// same buffer address means the same contents.
    private var legResidents: [SnappedPoint?] = []
    private var legConnectors: [Double] = []
    private var legs: [FastestIntakeLeg] = []

    init() {}

    /// The legs of `residents` (built, or reused when the same arrays come again).
    func fastestIntakeLegs(_ graph: RoadGraph, residents: [SnappedPoint?], connectorSeconds: [Double]) -> [FastestIntakeLeg] {
        func same<T>(_ a: [T], _ b: [T]) -> Bool {
            a.count == b.count && a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
        }
        lock.lock()
        if !residents.isEmpty, same(residents, legResidents), same(connectorSeconds, legConnectors) {
            let l = legs
            lock.unlock()
            return l
        }
        lock.unlock()
        let adjacency = reverseAdjacency(graph)
        let built = FastestIntakeLeg.legs(adjacency: adjacency, residents: residents, connectorSeconds: connectorSeconds)
        lock.lock()
        legResidents = residents; legConnectors = connectorSeconds; legs = built
        lock.unlock()
        return built
    }

    /// The graph's reverse adjacency (built under the lock the first time).
    func reverseAdjacency(_ graph: RoadGraph) -> ReverseAdjacency {
        lock.lock()
        defer { lock.unlock() }
        if let reverse { return reverse }
        let built = ReverseAdjacency(graph: graph)
        reverse = built
        return built
    }
}

extension RoadGraph {
    /// The reverse adjacency the searches run on, built once per network.
    var reverseAdjacency: ReverseAdjacency { searchCache.reverseAdjacency(self) }
}

/// A single-origin bounded reverse Dijkstra for the per-site matrix: `Double` labels (exactly
/// those of ``ReverseDijkstra`` with one origin) and a bucket queue on tenths of a second as the
/// priority order.
///
/// **Why the labels are bit-identical.** A vertex's label is the minimum over paths of the
/// left-to-right `Double` sums of arc seconds from a seed. IEEE addition of a non-negative
/// number is monotone (x ≤ y ⇒ x + a ≤ y + a), so the minimum is the least fixed point of
/// L(v) = min(seed(v), min over arcs u→v of L(u) + a) and does not depend on the order in which
/// vertices are expanded, as long as every vertex is expanded again after its label last
/// decreased (label correcting). The bucket queue keeps that invariant: every decrease pushes
/// the vertex into the bucket ⌊10·label⌋ (never earlier than the current bucket, since
/// L(u) + a ≥ L(u) and ⌊10x⌋ is monotone), and an entry is expanded with the vertex's current
/// label when its bucket is the current label's bucket. Within a bucket the order is LIFO, so a
/// vertex may be expanded before a cheaper path through the same bucket improves it; it is then
/// expanded again. Pruning at the limit is safe because labels only grow along a path.
///
/// Buckets are singly linked lists in one entry pool (no per-bucket arrays), reset per search;
/// labels are reset through the touched list.
struct BoundedReverseSearch {
    let adjacency: ReverseAdjacency
    let limitSeconds: Double
    /// Seconds to the site by *internal* vertex number, `.infinity` when not reached.
    private(set) var labels: [Double]
    /// Internal numbers of the vertices with a finite label.
    private(set) var touched: [Int32] = []
    private var head: [Int32]
    private var poolVertex: [Int32] = []
    private var poolNext: [Int32] = []
    /// Buckets used by the last search (cleared at the next reset).
    private var highestBucket = -1

    /// Bucket queues above this many buckets are not worth it (the caller falls back to the heap).
    static let maximumBuckets = 1 << 22

    static func usable(limitSeconds: Double) -> Bool {
        limitSeconds.isFinite && limitSeconds >= 0 && limitSeconds * 10 < Double(maximumBuckets)
    }

    init(adjacency: ReverseAdjacency, limitSeconds: Double) {
        precondition(Self.usable(limitSeconds: limitSeconds))
        self.adjacency = adjacency
        self.limitSeconds = limitSeconds
        labels = [Double](repeating: .infinity, count: adjacency.vertexCount)
        head = [Int32](repeating: -1, count: Int(limitSeconds * 10) + 2)
    }

    @inline(__always) static func bucket(_ seconds: Double) -> Int { Int(seconds * 10) }

    mutating func reset() {
        labels.withUnsafeMutableBufferPointer { l in
            for v in touched { l[Int(v)] = .infinity }
        }
        touched.removeAll(keepingCapacity: true)
        poolVertex.removeAll(keepingCapacity: true)
        poolNext.removeAll(keepingCapacity: true)
        if highestBucket >= 0 {
            head.withUnsafeMutableBufferPointer { h in for b in 0 ... highestBucket { h[b] = -1 } }
        }
        highestBucket = -1
    }

    /// Offers `seconds` to graph vertex `v` (kept when lower and ≤ the limit).
    mutating func seed(_ v: Int32, seconds: Double) {
        guard seconds <= limitSeconds else { return }
        let i = Int(adjacency.internalOf[Int(v)])
        guard seconds < labels[i] else { return }
        if labels[i] == .infinity { touched.append(Int32(i)) }
        labels[i] = seconds
        let b = Self.bucket(seconds)
        poolVertex.append(Int32(i)); poolNext.append(head[b]); head[b] = Int32(poolVertex.count - 1)
        highestBucket = max(highestBucket, b)
    }

    /// Seeds the vertices from which `target` can be entered, exactly as ``ReverseDijkstra``.
    mutating func seed(towards target: SnappedPoint, graph: RoadGraph, extraSeconds: Double) {
        let s = EdgeTravel.seeds(towards: target, graph: graph, extraSeconds: extraSeconds)
        if s.tail.seconds < .infinity { seed(s.tail.vertex, seconds: s.tail.seconds) }
        if s.head.seconds < .infinity { seed(s.head.vertex, seconds: s.head.seconds) }
    }

    /// Labels every vertex within the limit.
    mutating func run() {
        let limit = limitSeconds
        var touched = self.touched, poolVertex = self.poolVertex, poolNext = self.poolNext
        self.touched = []; self.poolVertex = []; self.poolNext = []
        defer { self.touched = touched; self.poolVertex = poolVertex; self.poolNext = poolNext }
        var highest = highestBucket
        defer { highestBucket = highest }
        guard highest >= 0 else { return }
        adjacency.offsets.withUnsafeBufferPointer { offsets in
            adjacency.tails.withUnsafeBufferPointer { tails in
                adjacency.arcSeconds.withUnsafeBufferPointer { arcSeconds in
                    labels.withUnsafeMutableBufferPointer { labels in
                        head.withUnsafeMutableBufferPointer { head in
                            var b = 0
                            while b <= highest {
                                let entry = head[b]
                                if entry < 0 { b += 1; continue }
                                head[b] = poolNext[Int(entry)]
                                let v = Int(poolVertex[Int(entry)])
                                let label = labels[v]
                                if Self.bucket(label) != b { continue }  // improved since: expanded from its earlier bucket
                                let end = Int(offsets[v + 1])
                                var a = Int(offsets[v])
                                while a < end {
                                    let candidate = label + arcSeconds[a]
                                    let t = Int(tails[a])
                                    a += 1
                                    if candidate > limit { continue }
                                    let old = labels[t]
                                    if candidate < old {
                                        if old == .infinity { touched.append(Int32(t)) }
                                        labels[t] = candidate
                                        let nb = Self.bucket(candidate)
                                        poolVertex.append(Int32(t)); poolNext.append(head[nb])
                                        head[nb] = Int32(poolVertex.count - 1)
                                        if nb > highest { highest = nb }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The seconds label of *internal* vertex `i`.
    @inline(__always) func internalSeconds(_ i: Int32) -> Double { labels[Int(i)] }
    /// The label of graph vertex `v` as an ``ArrivalLabel`` with origin 0.
    @inline(__always) func label(_ v: Int32) -> ArrivalLabel {
        ArrivalLabel(seconds: labels[Int(adjacency.internalOf[Int(v)])], origin: 0)
    }
    var reachedCount: Int { touched.count }
}
