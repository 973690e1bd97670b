/// One directed way of travelling along an edge: from `fromVertex` to `toVertex`.
/// Stored in the CSR adjacency arrays of ``RoadGraph``.
public struct RoadArc: Sendable, Hashable {
    /// The vertex at the other end of the arc (the head for outgoing arcs, the tail for incoming).
    public var otherVertex: Int32
    /// Index into ``RoadGraph/edges``.
    public var edge: Int32
    /// True when the arc runs along the edge's stored direction (from → to), false when against it.
    public var alongEdge: Bool
    /// Travel time along the whole edge in seconds.
    public var seconds: Double

    public init(otherVertex: Int32, edge: Int32, alongEdge: Bool, seconds: Double) {
        self.otherVertex = otherVertex
        self.edge = edge
        self.alongEdge = alongEdge
        self.seconds = seconds
    }
}

/// An undirected piece of road between two graph vertices, with the directions it allows.
public struct RoadEdge: Sendable, Hashable {
    public var fromVertex: Int32
    public var toVertex: Int32
    /// The OSM way this edge was cut from.
    public var wayId: Int64
    /// Sum of the geodesic (WGS 84) lengths of its segments.
    public var lengthMeters: Double
    /// Speed after the maxspeed cap and `congestion_factor`.
    public var speedKmh: Double
    /// Travel allowed from `fromVertex` to `toVertex`.
    public var forward: Bool
    /// Travel allowed from `toVertex` to `fromVertex`.
    public var backward: Bool
    /// The edge's shape is `shape[shapeStart...shapeEnd]` (both end vertices included), with
    /// `shapeOffsetMeters` giving each point's distance from `fromVertex` along the edge.
    public var shapeStart: Int32
    public var shapeEnd: Int32
    /// The road class (`highway` value), for exports.
    public var highwayClass: String

    public init(fromVertex: Int32, toVertex: Int32, wayId: Int64, lengthMeters: Double, speedKmh: Double,
                forward: Bool, backward: Bool, shapeStart: Int32, shapeEnd: Int32, highwayClass: String) {
        self.fromVertex = fromVertex
        self.toVertex = toVertex
        self.wayId = wayId
        self.lengthMeters = lengthMeters
        self.speedKmh = speedKmh
        self.forward = forward
        self.backward = backward
        self.shapeStart = shapeStart
        self.shapeEnd = shapeEnd
        self.highwayClass = highwayClass
    }

    /// Seconds to travel the whole edge.
    @inlinable
    public var seconds: Double { lengthMeters / (speedKmh / 3.6) }
}

/// Figures about a built graph, printed by `reach coverage` and written to `summary.json`.
public struct RoadGraphStats: Sendable, Hashable, Codable {
    public var osmNodesRead: Int
    public var osmWaysRead: Int
    public var routableWays: Int
    public var vertices: Int
    public var edges: Int
    public var arcs: Int
    public var totalKm: Double
    public var components: Int
    public var largestComponentVertices: Int
    public var snapTargetEdges: Int

    public init(osmNodesRead: Int = 0, osmWaysRead: Int = 0, routableWays: Int = 0, vertices: Int = 0, edges: Int = 0,
                arcs: Int = 0, totalKm: Double = 0, components: Int = 0, largestComponentVertices: Int = 0,
                snapTargetEdges: Int = 0) {
        self.osmNodesRead = osmNodesRead
        self.osmWaysRead = osmWaysRead
        self.routableWays = routableWays
        self.vertices = vertices
        self.edges = edges
        self.arcs = arcs
        self.totalKm = totalKm
        self.components = components
        self.largestComponentVertices = largestComponentVertices
        self.snapTargetEdges = snapTargetEdges
    }
}

/// The frozen, routable road network: vertices, edges with shapes, and CSR adjacency in both
/// directions. Immutable and `Sendable`; built by `RoadGraphBuilder`.
///
/// Vertices are OSM nodes that end a routable way or are shared by two or more routable ways.
public struct RoadGraph: Sendable {
    /// Vertex positions.
    public let vertices: [LonLat]
    /// The OSM node id of each vertex.
    public let vertexNodeIds: [Int64]
    public let edges: [RoadEdge]
    /// All edge shapes, concatenated (see ``RoadEdge/shapeStart``).
    public let shape: [LonLat]
    /// For each shape point, the geodesic distance from its edge's `fromVertex` along the edge.
    public let shapeOffsetMeters: [Double]
    /// Outgoing arcs of vertex v are `outgoingArcs[outgoingOffsets[v]..<outgoingOffsets[v+1]]`.
    public let outgoingOffsets: [Int32]
    public let outgoingArcs: [RoadArc]
    /// Incoming arcs of vertex v (`otherVertex` is the arc's tail), same layout.
    public let incomingOffsets: [Int32]
    public let incomingArcs: [RoadArc]
    /// Strongly connected component of each vertex, and each component's vertex count.
    public let componentOfVertex: [Int32]
    public let componentSizes: [Int32]
    /// True for edges both of whose ends lie in components of at least `min_component_nodes`.
    public let isSnapTarget: [Bool]
    public let stats: RoadGraphStats
    /// Search structures derived from the graph (the reverse adjacency in search order), built
    /// once on first use and shared by every copy of this value.
    let searchCache = RoadGraphSearchCache()

    public init(vertices: [LonLat], vertexNodeIds: [Int64], edges: [RoadEdge], shape: [LonLat], shapeOffsetMeters: [Double],
                outgoingOffsets: [Int32], outgoingArcs: [RoadArc], incomingOffsets: [Int32], incomingArcs: [RoadArc],
                componentOfVertex: [Int32], componentSizes: [Int32], isSnapTarget: [Bool], stats: RoadGraphStats) {
        self.vertices = vertices
        self.vertexNodeIds = vertexNodeIds
        self.edges = edges
        self.shape = shape
        self.shapeOffsetMeters = shapeOffsetMeters
        self.outgoingOffsets = outgoingOffsets
        self.outgoingArcs = outgoingArcs
        self.incomingOffsets = incomingOffsets
        self.incomingArcs = incomingArcs
        self.componentOfVertex = componentOfVertex
        self.componentSizes = componentSizes
        self.isSnapTarget = isSnapTarget
        self.stats = stats
    }

    public var vertexCount: Int { vertices.count }

    @inlinable
    public func outgoing(_ v: Int32) -> ArraySlice<RoadArc> {
        outgoingArcs[Int(outgoingOffsets[Int(v)])..<Int(outgoingOffsets[Int(v) + 1])]
    }

    @inlinable
    public func incoming(_ v: Int32) -> ArraySlice<RoadArc> {
        incomingArcs[Int(incomingOffsets[Int(v)])..<Int(incomingOffsets[Int(v) + 1])]
    }
}
