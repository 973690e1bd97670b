import Foundation
import ReachGeo

/// A road network drawn as text, for tests (after Valhalla's gurka maps and OSRM's testbot
/// "grid size" features).
///
/// ```
/// let map = AsciiMap(gridMeters: 100, """
///     A---B---C
///         |
///         D
///     """)
/// let result = try map.build(ways: [("ABC", ["highway": "primary"]),
///                                   ("BD", ["highway": "residential", "oneway": "yes"])],
///                            profile: .testMotorcycle())
/// ```
/// - Every letter or digit is a node; its column index × `gridMeters` lies east of the origin and
///   its row index × `gridMeters` south of it. The position is found with `Geodesic.direct`: first
///   due south along the origin's meridian (row), then along the geodesic leaving that point with
///   azimuth 90° (column). Points of one row therefore lie on one geodesic, and the distance
///   between two of them is exactly their column difference × `gridMeters`; other distances are
///   close to the drawn ones (within centimetres at this scale) but not exact, so tests compare
///   with `Geodesic.distanceMeters` of ``point(_:)``.
/// - Other characters (`-`, `|`, `/`, `\`, spaces) are decoration only: ways are given explicitly.
/// - Node ids are 1, 2, 3, … in reading order (row by row, left to right); way ids are 1, 2, 3, …
///   in the order of the `ways` array (or start at `firstWayId`).
public struct AsciiMap: Sendable {
    public let gridMeters: Double
    public let origin: LonLat
    /// The drawn nodes, ids 1, 2, … in reading order.
    public let nodes: [OSMNode]
    private let nodeByName: [Character: OSMNode]

    /// Hoàn Kiếm Lake, Hanoi: a realistic default origin.
    public static let defaultOrigin = LonLat(lonDegrees: 105.85, latDegrees: 21.03)

    public init(gridMeters: Double, origin: LonLat = AsciiMap.defaultOrigin, _ drawing: String) {
        self.gridMeters = gridMeters
        self.origin = origin
        var nodes: [OSMNode] = []
        var byName: [Character: OSMNode] = [:]
        for (row, line) in drawing.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for (column, character) in line.enumerated() where character.isLetter || character.isNumber {
                precondition(byName[character] == nil, "AsciiMap: node \(character) is drawn twice")
                let rowStart = Geodesic.direct(from: origin, azimuthDegrees: 180, distanceMeters: Double(row) * gridMeters)
                let position = Geodesic.direct(from: rowStart, azimuthDegrees: 90, distanceMeters: Double(column) * gridMeters)
                let node = OSMNode(id: Int64(nodes.count + 1), position: position)
                nodes.append(node)
                byName[character] = node
            }
        }
        self.nodes = nodes
        self.nodeByName = byName
    }

    /// The position of the node drawn as `name`.
    public func point(_ name: Character) -> LonLat {
        guard let node = nodeByName[name] else { preconditionFailure("AsciiMap: no node \(name) in the drawing") }
        return node.position
    }

    /// The OSM id of the node drawn as `name`.
    public func nodeId(_ name: Character) -> Int64 {
        guard let node = nodeByName[name] else { preconditionFailure("AsciiMap: no node \(name) in the drawing") }
        return node.id
    }

    /// Ways from node-letter strings (`"ABC"` runs A → B → C) with their tags; ids are
    /// `firstWayId`, `firstWayId + 1`, … in array order.
    public func ways(_ definitions: [(nodes: String, tags: [String: String])], firstWayId: Int64 = 1) -> [OSMWay] {
        definitions.enumerated().map { index, definition in
            OSMWay(id: firstWayId + Int64(index), nodeIds: definition.nodes.map { nodeId($0) }, tags: definition.tags)
        }
    }

    /// Builds the road graph of the drawing with ``RoadGraphBuilder/build(nodes:ways:profile:)``.
    public func build(ways definitions: [(nodes: String, tags: [String: String])], profile: TravelProfile,
                      firstWayId: Int64 = 1) throws -> RoadGraphBuildResult {
        try RoadGraphBuilder.build(nodes: nodes, ways: ways(definitions, firstWayId: firstWayId), profile: profile)
    }

    /// The graph vertex of the node drawn as `name`, or nil when it is not a vertex.
    public func vertex(_ name: Character, in graph: RoadGraph) -> Int32? {
        let id = nodeId(name)
        return graph.vertexNodeIds.firstIndex(of: id).map { Int32($0) }
    }

    /// The drawing as an OSM XML file (the drawn nodes with 7-decimal coordinates as OSM stores
    /// them, then the ways), for tests that run `reach` on a road file.
    public func osmXML(ways definitions: [(nodes: String, tags: [String: String])], firstWayId: Int64 = 1) -> String {
        func escape(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                .replacingOccurrences(of: "<", with: "&lt;")
        }
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<osm version=\"0.6\" generator=\"AsciiMap\">\n"
        for n in nodes {
            xml += "  <node id=\"\(n.id)\" lat=\"\(DecimalText.fixed(n.position.latDegrees, decimals: 7))\" lon=\"\(DecimalText.fixed(n.position.lonDegrees, decimals: 7))\"/>\n"
        }
        for w in ways(definitions, firstWayId: firstWayId) {
            xml += "  <way id=\"\(w.id)\">\n"
            for ref in w.nodeIds { xml += "    <nd ref=\"\(ref)\"/>\n" }
            for (k, v) in w.tags.sorted(by: { $0.key < $1.key }) { xml += "    <tag k=\"\(escape(k))\" v=\"\(escape(v))\"/>\n" }
            xml += "  </way>\n"
        }
        return xml + "</osm>\n"
    }

    /// Geodesic metres between two drawn nodes.
    public func distanceMeters(_ a: Character, _ b: Character) -> Double {
        Geodesic.distanceMeters(point(a), point(b))
    }
}

extension TravelProfile {
    /// A motorcycle profile with round numbers for tests: residential 18, tertiary 25,
    /// secondary 30, primary 36, trunk 40 km/h (so 100 m of primary takes exactly 10 s);
    /// `min_component_nodes` 2 by default so that tiny test maps are snap targets.
    public static func testMotorcycle(
        speedsKmh: [String: Double] = ["trunk": 40, "primary": 36, "secondary": 30, "tertiary": 25, "residential": 18],
        maxspeedCaps: Bool = true, oneway: Bool = true, connectorKmh: Double = 10, maxSnapMeters: Double = 1000,
        minComponentNodes: Int = 2, congestionFactor: Double = 1.0
    ) -> TravelProfile {
        TravelProfile(name: "test-motorcycle", mode: "motorcycle", speedsKmh: speedsKmh, maxspeedCaps: maxspeedCaps,
                      oneway: oneway, connectorKmh: connectorKmh, maxSnapMeters: maxSnapMeters,
                      minComponentNodes: minComponentNodes, congestionFactor: congestionFactor,
                      detourFactor: 1.35, estimateKmh: 22)
    }

    /// A profile for any mode with the same round speeds as ``testMotorcycle(speedsKmh:maxspeedCaps:oneway:connectorKmh:maxSnapMeters:minComponentNodes:congestionFactor:)``.
    public static func test(mode: String, oneway: Bool = true, minComponentNodes: Int = 2,
                            speedsKmh: [String: Double] = ["trunk": 40, "primary": 36, "secondary": 30, "tertiary": 25, "residential": 18]) -> TravelProfile {
        var profile = testMotorcycle(speedsKmh: speedsKmh, oneway: oneway, minComponentNodes: minComponentNodes)
        profile.name = "test-\(mode)"
        profile.mode = mode
        return profile
    }
}
