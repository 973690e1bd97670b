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
/// Node positions are a compact id → index table (`nodeIndex`) into `nodePositions`; a reader may
/// hold more nodes than the kept ways reference (PBF stores nodes before ways), the builder only
/// looks up referenced ones.
struct OSMExtract {
    /// The file name used in messages.
    var fileName: String
    var nodeIndex: [Int64: Int32] = [:]
    var nodePositions: [LonLat] = []
    /// Routable ways in file order.
    var ways: [OSMWay] = []
    /// Every node and way in the file, routable or not.
    var nodesRead = 0
    var waysRead = 0
    /// Ways kept because routable (the same as `ways.count`).
    var warnings: [Warning] = []

    init(fileName: String) { self.fileName = fileName }

    /// Adds a node; a repeated id is an error of the file.
    mutating func addNode(id: Int64, position: LonLat) -> Bool {
        let index = Int32(nodePositions.count)
        if nodeIndex.updateValue(index, forKey: id) != nil { return false }
        nodePositions.append(position)
        return true
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
