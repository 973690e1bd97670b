/// A point moved onto the road network: a position along one edge of a ``RoadGraph``.
///
/// Produced by ``EdgeSnapper`` for residents and intake points. `offsetMeters` is measured from
/// the edge's `fromVertex` along the edge: the geodesic length of the segments before the
/// snapped segment (``RoadGraph/shapeOffsetMeters``) plus the snapped fraction of that segment's
/// geodesic length. A point whose offset is exactly `0` or exactly the edge's `lengthMeters`
/// lies on a graph vertex and behaves as that vertex: it may leave or be reached along any edge
/// there, whatever the direction of the edge it snapped to (INTERFACE.md, fine print). The
/// travel-time formulas of ``EdgeTravel`` give that behaviour without a special case.
public struct SnappedPoint: Sendable, Hashable {
    /// Index into ``RoadGraph/edges``.
    public var edge: Int32
    /// Distance from the edge's `fromVertex` along the edge, `0...lengthMeters`.
    public var offsetMeters: Double
    /// The snapped position on the edge.
    public var position: LonLat
    /// Geodesic (WGS 84) distance from the original point to `position`.
    public var distanceMeters: Double

    public init(edge: Int32, offsetMeters: Double, position: LonLat, distanceMeters: Double) {
        self.edge = edge
        self.offsetMeters = offsetMeters
        self.position = position
        self.distanceMeters = distanceMeters
    }

    /// The graph vertex this point lies on (offset exactly `0` → `fromVertex`, exactly the edge
    /// length → `toVertex`), or nil when it lies strictly inside the edge.
    public func vertex(in graph: RoadGraph) -> Int32? {
        let e = graph.edges[Int(edge)]
        if offsetMeters == 0 { return e.fromVertex }
        if offsetMeters == e.lengthMeters { return e.toVertex }
        return nil
    }

    /// True when the point lies exactly on one of its edge's end vertices.
    public func isAtVertex(in graph: RoadGraph) -> Bool { vertex(in: graph) != nil }
}
