import Foundation
/// An OpenStreetMap node: an id and a position.
public struct OSMNode: Sendable, Hashable {
    public var id: Int64
    public var position: LonLat

    public init(id: Int64, position: LonLat) {
        self.id = id
        self.position = position
    }
}

/// An OpenStreetMap way: an id, its node references in order, and its tags.
public struct OSMWay: Sendable, Hashable {
    public var id: Int64
    public var nodeIds: [Int64]
    public var tags: [String: String]

    public init(id: Int64, nodeIds: [Int64], tags: [String: String]) {
        self.id = id
        self.nodeIds = nodeIds
        self.tags = tags
    }
}

/// What a reader keeps from an OSM file for one profile: the ways routable under it (with only
/// the tags the model reads) and the positions of the nodes, plus raw counts for the stats.
///
/// Flat storage, no allocation per node or per way: way `w` has id `wayIds[w]`, tags
/// `tagSets[wayTagSets[w]]` (distinct tag sets are stored once; a province has a few hundred) and
/// node references `wayRefs[wayRefStart[w]..<wayRefStart[w + 1]]`. Nodes are a table of ids and
/// positions (`nodeIds`, `nodePositions`) with an id → index hash (`nodeIndex`); `finish()`
/// resolves every reference into `wayRefNodes` (the node's index, or -1 when the file lacks it),
/// which is what the builder reads. A reader may hold more nodes than the kept ways reference
/// (XML keeps them all), and the PBF reader may hold slots of referenced nodes the file lacks
/// (their position is NaN and `position(ofNode:)` is nil).
struct OSMExtract {
    /// The file name used in messages.
    var fileName: String
    var nodeIndex = NodeIdTable()
    var nodeIds: [Int64] = []
    var nodePositions: [LonLat] = []
    /// Routable ways in file order (see the type's documentation).
    var wayIds: [Int64] = []
    var wayTagSets: [Int32] = []
    var wayRefStart: [Int] = [0]
    var wayRefs: [Int64] = []
    /// `wayRefs` resolved to node indices (-1: absent from the file); filled by `finish()`.
    var wayRefNodes: [Int32] = []
    /// The distinct tag sets of the kept ways, in order of first use.
    var tagSets: [[String: String]] = []
    /// Tag set → index, by exact bytes (so strings that Swift compares as equal but whose bytes
    /// differ stay apart, as they would in one dictionary per way).
    private var tagSetIndex: [[UInt8]: Int32] = [:]
    /// Every node and way in the file, routable or not.
    var nodesRead = 0
    var waysRead = 0
    var warnings: [Warning] = []

    init(fileName: String) { self.fileName = fileName }

    /// The number of kept (routable) ways.
    var wayCount: Int { wayIds.count }

    /// The kept ways as values (tests; the builder reads the flat arrays).
    var ways: [OSMWay] {
        (0..<wayCount).map { w in
            OSMWay(id: wayIds[w], nodeIds: Array(wayRefs[wayRefStart[w]..<wayRefStart[w + 1]]), tags: tagSets[Int(wayTagSets[w])])
        }
    }

    /// The position of node `id`, nil when the extract does not hold it.
    func position(ofNode id: Int64) -> LonLat? {
        guard let index = nodeIndex[id] else { return nil }
        let p = nodePositions[Int(index)]
        return p.lonDegrees.isNaN ? nil : p
    }

    /// Adds a node; a repeated id is an error of the file.
    mutating func addNode(id: Int64, position: LonLat) -> Bool {
        let index = Int32(nodePositions.count)
        guard nodeIndex.insert(id, index) == index else { return false }
        nodeIds.append(id)
        nodePositions.append(position)
        return true
    }

    /// The byte key identifying a tag set: sorted pairs, each string followed by 0xFF (a byte
    /// that never occurs in UTF-8).
    static func tagSetKey(_ tags: [String: String]) -> [UInt8] {
        var key: [UInt8] = []
        for (k, v) in tags.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key += k.utf8; key.append(0xFF)
            key += v.utf8; key.append(0xFF)
        }
        return key
    }

    /// The index of `tags` in `tagSets`, adding it when new (`key` = `tagSetKey(tags)`).
    mutating func internTagSet(_ tags: [String: String], key: [UInt8]) -> Int32 {
        if let index = tagSetIndex[key] { return index }
        let index = Int32(tagSets.count)
        tagSets.append(tags)
        tagSetIndex[key] = index
        return index
    }

    /// Appends a kept way.
    mutating func appendWay<Refs: Collection<Int64>>(id: Int64, refs: Refs, tags: [String: String]) {
        let tagSet = internTagSet(tags, key: Self.tagSetKey(tags))
        wayIds.append(id)
        wayTagSets.append(tagSet)
        wayRefs.append(contentsOf: refs)
        wayRefStart.append(wayRefs.count)
    }

    /// Resolves `wayRefs` into `wayRefNodes` through `nodeIndex` (readers that add nodes with
    /// `addNode` call it once at the end).
    mutating func finish() {
        let table = nodeIndex
        wayRefNodes = Parallel.map(count: wayRefs.count, minimumChunk: 1 << 16, initial: -1) { [wayRefs] i in
            table[wayRefs[i]] ?? -1
        }
    }
}

/// An open-addressing hash table from OSM node id to a non-negative `Int32` index (linear probing,
/// at most ¾ full, Fibonacci hashing of groups of 8 consecutive ids), in `partitionCount` independent parts chosen by the top
/// bits of the hash, so that ``numbering(of:workers:)`` can fill the parts on several threads.
/// Several times faster than `Dictionary<Int64, Int32>` for a million ids, a flat 16 B per slot;
/// lookups are safe from several threads at once.
struct NodeIdTable: Sendable {
    static let partitionBits = 2
    static let partitionCount = 1 << partitionBits

    private struct Slot { var key: Int64; var value: Int32 }
    private struct Part {
        var slots: [Slot]
        var shift: UInt64
        var count = 0

        init(minimumCapacity: Int) {
            var bits = 4
            while (1 << bits) * 3 < 4 * max(minimumCapacity, 8) { bits += 1 }
            slots = [Slot](repeating: Slot(key: 0, value: -1), count: 1 << bits)
            shift = UInt64(64 - bits)
        }

        @inline(__always)
        func lookup(_ key: Int64, hash: UInt64) -> Int32? {
            slots.withUnsafeBufferPointer { s in
                let mask = s.count - 1
                var i = NodeIdTable.home(key, hash: hash, shift: shift)
                while true {
                    let slot = s[i]
                    if slot.value < 0 { return nil }
                    if slot.key == key { return slot.value }
                    i = (i + 1) & mask
                }
            }
        }

        @inline(__always)
        mutating func insert(_ key: Int64, _ value: Int32, hash: UInt64) -> Int32 {
            if 4 * (count + 1) > 3 * slots.count { grow() }
            let start = NodeIdTable.home(key, hash: hash, shift: shift)
            let (stored, inserted) = slots.withUnsafeMutableBufferPointer { s -> (Int32, Bool) in
                let mask = s.count - 1
                var i = start
                while true {
                    if s[i].value < 0 {
                        s[i] = Slot(key: key, value: value)
                        return (value, true)
                    }
                    if s[i].key == key { return (s[i].value, false) }
                    i = (i + 1) & mask
                }
            }
            if inserted { count += 1 }
            return stored
        }

        mutating func grow() {
            var bigger = Part(minimumCapacity: slots.count)
            for slot in slots where slot.value >= 0 { _ = bigger.insert(slot.key, slot.value, hash: NodeIdTable.hash(slot.key)) }
            self = bigger
        }

        mutating func addToValues(_ offset: Int32) {
            slots.withUnsafeMutableBufferPointer { s in
                for i in s.indices where s[i].value >= 0 { s[i].value += offset }
            }
        }
    }

    private var parts: [Part]

    init(minimumCapacity: Int = 0) {
        let perPart = minimumCapacity / Self.partitionCount + minimumCapacity / (8 * Self.partitionCount)
        parts = (0..<Self.partitionCount).map { _ in Part(minimumCapacity: perPart) }
    }

    /// Ids are hashed in groups of `groupSize` consecutive ids, which land in one aligned run of
    /// slots: a way's nodes usually have consecutive ids, so its lookups share cache lines.
    static let groupBits = 3

    @inline(__always)
    static func hash(_ key: Int64) -> UInt64 { UInt64(bitPattern: key >> Int64(groupBits)) &* 0x9E37_79B9_7F4A_7C15 }

    /// The first slot to probe: the group's run (hash bits after the partition bits), then the id's
    /// place in its group.
    @inline(__always)
    static func home(_ key: Int64, hash: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (hash << UInt64(partitionBits)) >> shift) ^ Int(truncatingIfNeeded: key & Int64((1 << groupBits) - 1))
    }

    @inline(__always)
    static func partition(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> UInt64(64 - partitionBits)) }

    /// The number of ids stored.
    var count: Int { parts.reduce(0) { $0 + $1.count } }

    /// The index stored for `key`.
    @inline(__always)
    subscript(key: Int64) -> Int32? {
        let h = Self.hash(key)
        return parts[Self.partition(h)].lookup(key, hash: h)
    }

    /// Stores `value` for `key` unless the key is present; returns the value now stored.
    @discardableResult
    mutating func insert(_ key: Int64, _ value: Int32) -> Int32 {
        let h = Self.hash(key)
        return parts[Self.partition(h)].insert(key, value, hash: h)
    }

    /// Numbers the distinct ids of `refs` and resolves each reference to its number: the table,
    /// the ids by number, and the number of each reference. Numbers go by part, then by first
    /// reference within the part — the same for any `workers` (the parts fill in parallel).
    static func numbering(of refs: [Int64], workers: Int) -> (table: NodeIdTable, ids: [Int64], refIndices: [Int32]) {
        var table = NodeIdTable(minimumCapacity: refs.count)
        var partIds = [[Int64]](repeating: [], count: partitionCount)
        var refIndices = [Int32](repeating: -1, count: refs.count)
        refs.withUnsafeBufferPointer { refs in
            refIndices.withUnsafeMutableBufferPointer { out in
                table.parts.withUnsafeMutableBufferPointer { parts in
                    partIds.withUnsafeMutableBufferPointer { ids in
                        nonisolated(unsafe) let refs = refs
                        let out = DisjointWrites(out.baseAddress!, count: out.count)
                        let parts = DisjointWrites(parts.baseAddress!, count: parts.count)
                        let ids = DisjointWrites(ids.baseAddress!, count: ids.count)
                        // Part p only touches part p, its id list and the references that hash to it.
                        Parallel.forEachIndex(count: partitionCount, workers: workers) { p, _ in
                            let part = parts.base + p
                            var list: [Int64] = []
                            list.reserveCapacity(refs.count / partitionCount + refs.count / 16)
                            for i in 0..<refs.count {
                                let key = refs[i], h = hash(key)
                                guard partition(h) == p else { continue }
                                let index = part.pointee.insert(key, Int32(list.count), hash: h)
                                if Int(index) == list.count { list.append(key) }
                                out[i] = index
                            }
                            ids[p] = list
                        }
                    }
                }
            }
        }
        // Local numbers → global: each part's numbers follow the previous parts'.
        var offsets = [Int32](repeating: 0, count: partitionCount)
        for p in 1..<partitionCount { offsets[p] = offsets[p - 1] + Int32(partIds[p - 1].count) }
        for p in 1..<partitionCount { table.parts[p].addToValues(offsets[p]) }
        refIndices.withUnsafeMutableBufferPointer { out in
            refs.withUnsafeBufferPointer { refs in
                for i in 0..<refs.count { out[i] += offsets[partition(hash(refs[i]))] }
            }
        }
        return (table, partIds.flatMap { $0 }, refIndices)
    }
}

/// Which ways a reader keeps, and which of their tags.
struct OSMWayFilter {
    /// Tag keys kept on the kept ways.
    var keys: Set<String>
    /// Decides from the kept tags whether a way is kept.
    var keep: @Sendable ([String: String]) -> Bool

    /// The ways routable under `profile`, with the tags its model reads.
    init(profile: TravelProfile) {
        keys = profile.relevantTagKeys
        keep = { profile.isRoutable(tags: $0) }
    }

    init(keys: Set<String>, keep: @escaping @Sendable ([String: String]) -> Bool) {
        self.keys = keys
        self.keep = keep
    }

    /// Every way with a `highway` tag (raw counts in tests).
    static let allHighways = OSMWayFilter(keys: ["highway"]) { $0["highway"] != nil }
}

/// An OSM file format reader: the byte-level entry point; file reading and profile filtering are
/// shared by every format.
protocol OSMFileReader {
    /// Reads OSM data from bytes in memory (`fileName` is used in messages).
    /// - Throws: ``InputError`` with the file, line or byte, and the problem.
    static func read(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter) throws -> OSMExtract
}

extension OSMFileReader {
    /// Reads `url` for `profile`.
    static func read(url: URL, profile: TravelProfile) throws -> OSMExtract {
        try read(url: url, filter: OSMWayFilter(profile: profile))
    }

    /// Reads `url` (memory-mapped) with `filter`.
    static func read(url: URL, filter: OSMWayFilter) throws -> OSMExtract {
        let data: Data
        data = try InputFile.read(url, mapped: true)
        return try data.withUnsafeBytes { try read(bytes: $0, fileName: url.path, filter: filter) }
    }

    /// Reads bytes in memory for `profile`.
    static func read(bytes: UnsafeRawBufferPointer, fileName: String, profile: TravelProfile) throws -> OSMExtract {
        try read(bytes: bytes, fileName: fileName, filter: OSMWayFilter(profile: profile))
    }
}
