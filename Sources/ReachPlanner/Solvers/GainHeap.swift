/// A binary max-heap of (gain, site) entries for lazy greedy: larger gain first, then lower site.
///
/// - Complexity: push and pop O(log n).
struct GainHeap {
    struct Entry {
        var gain: Double
        var site: Int32
        /// The greedy round in which `gain` was computed.
        var round: Int32
    }

    private(set) var entries: [Entry] = []

    init(capacity: Int) { entries.reserveCapacity(capacity) }

    var isEmpty: Bool { entries.isEmpty }

    /// True when `a` must come out before `b`.
    @inline(__always) private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.gain > b.gain || (a.gain == b.gain && a.site < b.site)
    }

    mutating func push(_ e: Entry) {
        entries.append(e)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        let top = entries[0]
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries[0] = last
            var parent = 0
            let n = entries.count
            while true {
                let l = 2 * parent + 1, r = l + 1
                var best = parent
                if l < n, Self.before(entries[l], entries[best]) { best = l }
                if r < n, Self.before(entries[r], entries[best]) { best = r }
                if best == parent { break }
                entries.swapAt(parent, best)
                parent = best
            }
        }
        return top
    }
}
