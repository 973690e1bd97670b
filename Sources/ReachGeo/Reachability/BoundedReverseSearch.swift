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
    /// Internal numbers of the vertices with a finite label: `touchedStorage[0..<touchedCount]`.
    private var touchedStorage: [Int32]
    private var touchedCount = 0
    private var head: [Int32]
    /// Bucket entries (vertex, next entry of the same bucket): one per label decrease. Allocated
    /// at arcs + 2 (one per arc when every vertex is expanded once) and grown when a search
    /// needs more (a vertex expanded again after a decrease within its bucket).
    private var poolVertex: [Int32]
    private var poolNext: [Int32]
    private var poolCount = 0
    /// Buckets used by the last search (cleared at the next reset).
    private var highestBucket = -1
    /// The most incoming arcs of any vertex (the pushes one expansion can make).
    private let maximumDegree: Int

    /// Bucket queues above this many buckets are not worth it (the caller falls back to the heap).
    static let maximumBuckets = 1 << 22

    static func usable(limitSeconds: Double) -> Bool {
        limitSeconds.isFinite && limitSeconds >= 0 && limitSeconds * 10 < Double(maximumBuckets)
    }

    /// - Parameter poolCapacity: the initial entry pool (default arcs + 2; tests pass a small one
    ///   to exercise the growth).
    init(adjacency: ReverseAdjacency, limitSeconds: Double, poolCapacity: Int? = nil) {
        precondition(Self.usable(limitSeconds: limitSeconds))
        self.adjacency = adjacency
        self.limitSeconds = limitSeconds
        labels = [Double](repeating: .infinity, count: adjacency.vertexCount)
        touchedStorage = [Int32](repeating: 0, count: adjacency.vertexCount)
        head = [Int32](repeating: -1, count: Int(limitSeconds * 10) + 2)
        var degree = 0
        for v in 0 ..< adjacency.vertexCount { degree = max(degree, Int(adjacency.offsets[v + 1] - adjacency.offsets[v])) }
        maximumDegree = degree
        let pool = max(poolCapacity ?? adjacency.tails.count + 2, degree + 2)
        poolVertex = [Int32](repeating: 0, count: pool)
        poolNext = [Int32](repeating: 0, count: pool)
    }

    @inline(__always) static func bucket(_ seconds: Double) -> Int { Int(seconds * 10) }

    /// The internal numbers of the vertices with a finite label.
    var touched: [Int32] { Array(touchedStorage[0 ..< touchedCount]) }

    mutating func reset() {
        let count = touchedCount
        touchedStorage.withUnsafeBufferPointer { t in
            labels.withUnsafeMutableBufferPointer { l in
                for k in 0 ..< count { l[Int(t[k])] = .infinity }
            }
        }
        touchedCount = 0
        poolCount = 0
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
        if labels[i] == .infinity { touchedStorage[touchedCount] = Int32(i); touchedCount += 1 }
        labels[i] = seconds
        let b = Self.bucket(seconds)
        poolVertex[poolCount] = Int32(i); poolNext[poolCount] = head[b]; head[b] = Int32(poolCount)
        poolCount += 1
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
        guard highestBucket >= 0 else { return }
        var b = 0
        // Runs until done; returns early (to grow the entry pool) when one more expansion might
        // not fit, and then resumes at the same bucket.
        while !expand(from: &b) {
            let grown = poolVertex.count * 2
            poolVertex += [Int32](repeating: 0, count: grown - poolVertex.count)
            poolNext += [Int32](repeating: 0, count: grown - poolNext.count)
        }
    }

    /// Expands buckets from `b` on; false when the pool must grow first.
    private mutating func expand(from bucketIndex: inout Int) -> Bool {
        let limit = limitSeconds
        var highest = highestBucket
        var touchedCount = self.touchedCount, poolCount = self.poolCount
        var b = bucketIndex
        defer { highestBucket = highest; self.touchedCount = touchedCount; self.poolCount = poolCount; bucketIndex = b }
        let capacity = poolVertex.count - maximumDegree
        return adjacency.offsets.withUnsafeBufferPointer { offsets in
            adjacency.tails.withUnsafeBufferPointer { tails in
                adjacency.arcSeconds.withUnsafeBufferPointer { arcSeconds in
                    labels.withUnsafeMutableBufferPointer { labels in
                        head.withUnsafeMutableBufferPointer { head in
                            touchedStorage.withUnsafeMutableBufferPointer { touched in
                                poolVertex.withUnsafeMutableBufferPointer { poolVertex in
                                    poolNext.withUnsafeMutableBufferPointer { poolNext in
                                        while b <= highest {
                                            if poolCount > capacity { return false }
                                            let entry = Int(head[b])
                                            if entry < 0 { b += 1; continue }
                                            head[b] = poolNext[entry]
                                            let v = Int(poolVertex[entry])
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
                                                    if old == .infinity { touched[touchedCount] = Int32(t); touchedCount &+= 1 }
                                                    labels[t] = candidate
                                                    let nb = Self.bucket(candidate)
                                                    poolVertex[poolCount] = Int32(t); poolNext[poolCount] = head[nb]
                                                    head[nb] = Int32(poolCount)
                                                    poolCount &+= 1
                                                    if nb > highest { highest = nb }
                                                }
                                            }
                                        }
                                        return true
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
    var reachedCount: Int { touchedCount }
}
