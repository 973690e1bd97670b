/// Travel along part of one edge: the single formula behind every partial-edge time of the
/// travel-time model (INTERFACE.md rule 6).
///
/// Leaving a resident's snapped point towards either end of its edge, entering an intake
/// point's edge from either end, and the same-edge direct trip are all "travel along edge `e`
/// from offset `a` to offset `b`". Offsets equal to the end of the edge make the formulas of
/// ``completion(of:graph:vertexLabel:sameEdgeTargets:)`` treat a point on a vertex as that
/// vertex: the zero-length part `a == b` costs nothing in either direction.
public enum EdgeTravel {
    /// Seconds to travel along `edge` from `fromOffsetMeters` to `toOffsetMeters` (offsets from
    /// the edge's `fromVertex`), or `.infinity` when the edge forbids that direction. Travelling
    /// zero metres costs zero seconds whatever the edge allows.
    @inlinable
    public static func seconds(along edge: RoadEdge, fromOffsetMeters a: Double, toOffsetMeters b: Double) -> Double {
        seconds(along: Motion(edge), fromOffsetMeters: a, toOffsetMeters: b)
    }

    /// The fields of a ``RoadEdge`` that travel needs, without its `highwayClass` string: copying
    /// this costs no reference counting, which matters in the per-resident loops.
    public struct Motion: Sendable {
        public var fromVertex: Int32, toVertex: Int32
        public var lengthMeters: Double, speedKmh: Double
        public var forward: Bool, backward: Bool

        @inlinable
        public init(_ edge: RoadEdge) {
            fromVertex = edge.fromVertex; toVertex = edge.toVertex
            lengthMeters = edge.lengthMeters; speedKmh = edge.speedKmh
            forward = edge.forward; backward = edge.backward
        }

        /// Reads edge `e` of `graph` in place (no copy of the whole edge).
        @inlinable
        public init(_ graph: RoadGraph, _ e: Int) {
            self = graph.edges.withUnsafeBufferPointer { b in
                let p = b.baseAddress! + e
                return Motion(fromVertex: p.pointee.fromVertex, toVertex: p.pointee.toVertex,
                              lengthMeters: p.pointee.lengthMeters, speedKmh: p.pointee.speedKmh,
                              forward: p.pointee.forward, backward: p.pointee.backward)
            }
        }

        @inlinable
        public init(fromVertex: Int32, toVertex: Int32, lengthMeters: Double, speedKmh: Double, forward: Bool, backward: Bool) {
            self.fromVertex = fromVertex; self.toVertex = toVertex
            self.lengthMeters = lengthMeters; self.speedKmh = speedKmh
            self.forward = forward; self.backward = backward
        }
    }

    @inlinable
    public static func seconds(along edge: Motion, fromOffsetMeters a: Double, toOffsetMeters b: Double) -> Double {
        if b > a {
            return edge.forward ? (b - a) / (edge.speedKmh / 3.6) : .infinity
        } else if b < a {
            return edge.backward ? (a - b) / (edge.speedKmh / 3.6) : .infinity
        }
        return 0
    }

    /// The best arrival of a point given arrival labels at graph vertices: the minimum of
    /// leaving along its edge to either end vertex and then following that vertex's label, and
    /// travelling directly along the same edge to a target on it (`sameEdgeTargets`: the
    /// targets' offsets on the point's edge with their own labels).
    ///
    /// Labels compare lexicographically by (seconds, origin), so among equally fast targets the
    /// one with the lowest origin (input order) wins. A point exactly on a vertex gets that
    /// vertex's label (the zero-length leg costs 0).
    /// - Complexity: O(number of same-edge targets).
    static func completion(of point: SnappedPoint, graph: RoadGraph,
                           vertexLabel: (Int32) -> ArrivalLabel,
                           sameEdgeTargets: some Sequence<(offsetMeters: Double, label: ArrivalLabel)>) -> ArrivalLabel {
        let edge = Motion(graph, Int(point.edge))
        let offset = point.offsetMeters
        var best = ArrivalLabel.unreached
        let toHead = seconds(along: edge, fromOffsetMeters: offset, toOffsetMeters: edge.lengthMeters)
        if toHead < .infinity { best = min(best, vertexLabel(edge.toVertex).adding(toHead)) }
        let toTail = seconds(along: edge, fromOffsetMeters: offset, toOffsetMeters: 0)
        if toTail < .infinity { best = min(best, vertexLabel(edge.fromVertex).adding(toTail)) }
        for target in sameEdgeTargets {
            let direct = seconds(along: edge, fromOffsetMeters: offset, toOffsetMeters: target.offsetMeters)
            if direct < .infinity { best = min(best, target.label.adding(direct)) }
        }
        return best
    }

    /// The seeds of a reverse search towards a target point: for each end vertex of the target's
    /// edge from which the target can be entered, the seconds from that vertex to the target
    /// plus `extraSeconds` (the target's connector). A target on a vertex seeds that vertex with
    /// `extraSeconds` (and possibly the other end with the whole edge, which Dijkstra then
    /// dominates).
    static func seeds(towards target: SnappedPoint, graph: RoadGraph, extraSeconds: Double)
        -> (tail: (vertex: Int32, seconds: Double), head: (vertex: Int32, seconds: Double)) {
        let edge = Motion(graph, Int(target.edge))
        let fromTail = seconds(along: edge, fromOffsetMeters: 0, toOffsetMeters: target.offsetMeters)
        let fromHead = seconds(along: edge, fromOffsetMeters: edge.lengthMeters, toOffsetMeters: target.offsetMeters)
        return ((edge.fromVertex, extraSeconds + fromTail), (edge.toVertex, extraSeconds + fromHead))
    }
}

/// A search label: the seconds to reach the nearest target and which target (its input index).
/// Ordered lexicographically so that equal times go to the target first in input order.
struct ArrivalLabel: Comparable, Sendable {
    var seconds: Double
    var origin: Int32

    static let unreached = ArrivalLabel(seconds: .infinity, origin: .max)

    @inline(__always) func adding(_ s: Double) -> ArrivalLabel { ArrivalLabel(seconds: seconds + s, origin: origin) }

    @inline(__always) static func < (a: ArrivalLabel, b: ArrivalLabel) -> Bool {
        a.seconds < b.seconds || (a.seconds == b.seconds && a.origin < b.origin)
    }
}
