import Foundation

/// Snaps points to the closest point of the closest snap-target edge of a ``RoadGraph``
/// (INTERFACE.md rule 5 and its fine print).
///
/// Built once per graph: every shape point is projected to the UTM zone of the graph's
/// bounding-box centre, and the segments of snap-target edges (``RoadGraph/isSnapTarget``) go
/// into a uniform grid. A query projects the point, visits grid cells in growing square rings
/// and keeps the segment with the smallest planar distance to its perpendicular foot (ties: lower
/// OSM way id, then lower edge index, then earlier segment). The snapped position is the foot
/// unprojected; its offset along the edge is the geodesic length of the earlier segments plus the
/// foot's fraction of the segment's geodesic length. The reported distance is geodesic
/// (WGS 84); a point whose chosen foot is farther than `maxDistanceMeters` is not snapped (nil).
///
/// Rings stop once the planar distance any unvisited cell could offer exceeds the best found, or
/// exceeds `maxDistanceMeters` × 1.01 + 1 m (UTM's scale error inside the zone is below 0.1 %,
/// so no segment beyond that bound can be within `maxDistanceMeters` geodesically).
///
/// `Sendable`: the projections it needs are made per call or per chunk from ``projection``.
public struct EdgeSnapper: Sendable {
    /// The graph whose edges are snap targets.
    public let graph: RoadGraph
    /// WGS 84 to the UTM zone of the graph's bounding-box centre: the plane of the search.
    public let projection: ProjectionSpec

    /// Projected shape points (``RoadGraph/shape``), metres.
    private let xs: [Double]
    private let ys: [Double]
    /// The edge of each shape point that starts an indexed segment (segment i = shape i → i+1).
    private let edgeOfSegmentStart: [Int32]
    private let grid: SegmentGrid

    /// Projects the graph's shapes and indexes the snap-target segments.
    /// - Throws: ``ProjectionError`` when PROJ cannot build the UTM projection or a shape point
    ///   lies outside its domain.
    /// - Complexity: O(S + cells) for S shape points.
    public init(graph: RoadGraph) throws {
        self.graph = graph
        let box = GeoBoundingBox(covering: graph.shape) ?? GeoBoundingBox(covering: graph.vertices)
        projection = ProjectionSpec.utm(containing: box?.center ?? LonLat(lonDegrees: 0, latDegrees: 0))
        var xs = graph.shape.map(\.lonDegrees), ys = graph.shape.map(\.latDegrees)
        if !xs.isEmpty {
            let projector = try projection.makeProjector()
            try projector.transformInPlace(xs: &xs, ys: &ys)
        }
        self.xs = xs
        self.ys = ys
        var edgeOfSegmentStart = [Int32](repeating: -1, count: graph.shape.count)
        var segments: [Int32] = []
        for (e, edge) in graph.edges.enumerated() where graph.isSnapTarget[e] {
            for i in Int(edge.shapeStart)..<Int(edge.shapeEnd) {
                edgeOfSegmentStart[i] = Int32(e)
                segments.append(Int32(i))
            }
        }
        self.edgeOfSegmentStart = edgeOfSegmentStart
        grid = SegmentGrid(segments: segments, xs: xs, ys: ys)
    }

    /// Snaps one point, making a projector for the call (a few hundred microseconds: prefer
    /// ``snapAll(_:maxDistanceMeters:workers:)`` or ``snap(_:maxDistanceMeters:using:)`` for many points).
    /// - Returns: nil when no snap-target edge is within `maxDistanceMeters` (geodesic).
    public func snap(_ p: LonLat, maxDistanceMeters: Double) throws -> SnappedPoint? {
        let projector = try projection.makeProjector()
        return try snap(p, maxDistanceMeters: maxDistanceMeters, using: projector)
    }

    /// Snaps one point with a projector made from ``projection`` (not shared between threads).
    /// A point PROJ cannot project into the zone lies far outside the network and gets nil.
    public func snap(_ p: LonLat, maxDistanceMeters: Double, using projector: borrowing Projector) throws -> SnappedPoint? {
        precondition(projector.spec == projection, "the projector must come from EdgeSnapper.projection")
        guard p.isValid, let q = try? projector.forward(p), let foot = closest(to: q, maxDistanceMeters: maxDistanceMeters) else {
            return nil
        }
        let position = foot.needsUnprojection ? try projector.inverse(foot.planar) : foot.position
        return finish(p, foot, position: position, maxDistanceMeters: maxDistanceMeters)
    }

    /// Snaps many points in parallel (chunks over `workers` threads, one projector per chunk).
    /// - Returns: one result per point, in order; nil = no snap-target edge within
    ///   `maxDistanceMeters` (also for invalid coordinates).
    /// - Complexity: O(n · k) for k segments in the visited cells, typically a few dozen.
    public func snapAll(_ points: [LonLat], maxDistanceMeters: Double, workers: Int = 2) throws -> [SnappedPoint?] {
        var result = [SnappedPoint?](repeating: nil, count: points.count)
        if points.isEmpty { return result }
        let chunkSize = 8192
        let chunkCount = (points.count + chunkSize - 1) / chunkSize
        let failure = FirstError()
        result.withUnsafeMutableBufferPointer { out in
            nonisolated(unsafe) let out = out
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, chunkCount))) { worker in
                do {
                    let projector = try projection.makeProjector()
                    var chunk = worker
                    while chunk < chunkCount, !failure.isSet {
                        let range = chunk * chunkSize..<min(points.count, (chunk + 1) * chunkSize)
                        try snapChunk(points, range: range, maxDistanceMeters: maxDistanceMeters, projector: projector, into: out)
                        chunk += max(1, min(workers, chunkCount))
                    }
                } catch {
                    failure.record(error)
                }
            }
        }
        if let error = failure.error { throw error }
        return result
    }

    private func snapChunk(_ points: [LonLat], range: Range<Int>, maxDistanceMeters: Double,
                           projector: borrowing Projector, into out: UnsafeMutableBufferPointer<SnappedPoint?>) throws {
        // Batch forward projection; on failure (a point outside PROJ's domain) fall back to one
        // point at a time so that only the failing points go unsnapped.
        let slice = Array(points[range])
        var planar: [PlanarPoint?]
        if slice.allSatisfy(\.isValid), let batch = try? projector.forward(slice) {
            planar = batch
        } else {
            planar = slice.map { p in p.isValid ? try? projector.forward(p) : nil }
        }
        var feet: [(index: Int, foot: SegmentFoot)] = []
        feet.reserveCapacity(slice.count)
        for (k, q) in planar.enumerated() {
            guard let q, let foot = closest(to: q, maxDistanceMeters: maxDistanceMeters) else { continue }
            feet.append((k, foot))
        }
        let toUnproject = feet.filter { $0.foot.needsUnprojection }
        let unprojected = try projector.inverse(toUnproject.map(\.foot.planar))
        var u = 0
        for (k, foot) in feet {
            var position = foot.position
            if foot.needsUnprojection {
                position = unprojected[u]
                u += 1
            }
            out[range.lowerBound + k] = finish(slice[k], foot, position: position, maxDistanceMeters: maxDistanceMeters)
        }
    }

    /// The geodesic distance check and the offset along the edge.
    private func finish(_ p: LonLat, _ foot: SegmentFoot, position: LonLat, maxDistanceMeters: Double) -> SnappedPoint? {
        let distance = Geodesic.distanceMeters(p, position)
        guard distance <= maxDistanceMeters else { return nil }
        return SnappedPoint(edge: foot.edge, offsetMeters: foot.offsetMeters, position: position, distanceMeters: distance)
    }

    /// The closest snap-target segment foot to `q` within the search bound, or nil.
    private func closest(to q: PlanarPoint, maxDistanceMeters: Double) -> SegmentFoot? {
        let boundMeters = maxDistanceMeters * 1.01 + 1
        var best: (distanceSquared: Double, wayId: Int64, edge: Int32, segment: Int32, t: Double)?
        grid.visit(around: q, boundMeters: boundMeters, bestDistance: { best.map { $0.distanceSquared.squareRoot() } }) { i in
            let e = edgeOfSegmentStart[i]
            let ax = xs[i], ay = ys[i], bx = xs[i + 1], by = ys[i + 1]
            let dx = bx - ax, dy = by - ay
            let lengthSquared = dx * dx + dy * dy
            var t = lengthSquared > 0 ? ((q.xMeters - ax) * dx + (q.yMeters - ay) * dy) / lengthSquared : 0
            t = min(1, max(0, t))
            let fx = ax + t * dx - q.xMeters, fy = ay + t * dy - q.yMeters
            let d2 = fx * fx + fy * fy
            let wayId = graph.edges[Int(e)].wayId
            if let b = best {
                if d2 > b.distanceSquared { return }
                if d2 == b.distanceSquared {
                    if (wayId, e, Int32(i)) >= (b.wayId, b.edge, b.segment) { return }
                }
            }
            best = (d2, wayId, e, Int32(i), t)
        }
        guard let best, best.distanceSquared.squareRoot() <= boundMeters else { return nil }
        return foot(edge: best.edge, segment: Int(best.segment), t: best.t)
    }

    private func foot(edge e: Int32, segment i: Int, t: Double) -> SegmentFoot {
        let edge = graph.edges[Int(e)]
        let offsets = graph.shapeOffsetMeters
        if t <= 0 {
            let offset = i == Int(edge.shapeStart) ? 0 : offsets[i]
            return SegmentFoot(edge: e, offsetMeters: offset, position: graph.shape[i], planar: PlanarPoint(xMeters: xs[i], yMeters: ys[i]), needsUnprojection: false)
        }
        if t >= 1 {
            let offset = i + 1 == Int(edge.shapeEnd) ? edge.lengthMeters : offsets[i + 1]
            return SegmentFoot(edge: e, offsetMeters: offset, position: graph.shape[i + 1], planar: PlanarPoint(xMeters: xs[i + 1], yMeters: ys[i + 1]), needsUnprojection: false)
        }
        let offset = min(edge.lengthMeters, offsets[i] + t * (offsets[i + 1] - offsets[i]))
        let planar = PlanarPoint(xMeters: xs[i] + t * (xs[i + 1] - xs[i]), yMeters: ys[i] + t * (ys[i + 1] - ys[i]))
        return SegmentFoot(edge: e, offsetMeters: offset, position: graph.shape[i], planar: planar, needsUnprojection: true)
    }
}

/// The chosen foot on a segment before unprojection.
private struct SegmentFoot {
    var edge: Int32
    var offsetMeters: Double
    /// The exact shape point when the foot is a segment end (then no unprojection is needed).
    var position: LonLat
    var planar: PlanarPoint
    var needsUnprojection: Bool
}

/// The first error thrown by any worker.
private final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (any Error)?

    var isSet: Bool { lock.withLock { stored != nil } }
    var error: (any Error)? { lock.withLock { stored } }
    func record(_ error: any Error) { lock.withLock { if stored == nil { stored = error } } }
}

/// A uniform grid over segments (each segment listed in every cell its bounding box overlaps), CSR.
private struct SegmentGrid: Sendable {
    let originX: Double
    let originY: Double
    let cellMeters: Double
    let columns: Int
    let rows: Int
    let cellStart: [Int32]
    let items: [Int32]

    /// - Complexity: O(segments × cells per segment).
    init(segments: [Int32], xs: [Double], ys: [Double]) {
        guard !segments.isEmpty else {
            originX = 0; originY = 0; cellMeters = 1; columns = 0; rows = 0; cellStart = [0]; items = []
            return
        }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for s in segments {
            let i = Int(s)
            minX = min(minX, xs[i], xs[i + 1]); maxX = max(maxX, xs[i], xs[i + 1])
            minY = min(minY, ys[i], ys[i + 1]); maxY = max(maxY, ys[i], ys[i + 1])
        }
        let width = max(maxX - minX, 1), height = max(maxY - minY, 1)
        // About two segments per cell, cells of at least 20 m, at most ~4 M cells.
        var cell = max(20, (width * height / Double(segments.count) * 2).squareRoot())
        cell = max(cell, (width * height / 4_000_000).squareRoot())
        originX = minX
        originY = minY
        cellMeters = cell
        columns = Int(width / cell) + 1
        rows = Int(height / cell) + 1
        func range(_ a: Double, _ b: Double, _ origin: Double, _ n: Int) -> ClosedRange<Int> {
            let lo = Int(((min(a, b) - origin) / cell).rounded(.down)), hi = Int(((max(a, b) - origin) / cell).rounded(.down))
            return max(0, lo)...min(n - 1, hi)
        }
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        for s in segments {
            let i = Int(s)
            for r in range(ys[i], ys[i + 1], originY, rows) {
                for c in range(xs[i], xs[i + 1], originX, columns) { counts[r * columns + c + 1] += 1 }
            }
        }
        for k in 0..<(columns * rows) { counts[k + 1] += counts[k] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts[columns * rows]))
        for s in segments {
            let i = Int(s)
            for r in range(ys[i], ys[i + 1], originY, rows) {
                for c in range(xs[i], xs[i + 1], originX, columns) {
                    items[Int(fill[r * columns + c])] = s
                    fill[r * columns + c] += 1
                }
            }
        }
        cellStart = counts
        self.items = items
    }

    /// Calls `body` with every segment in cells at ring distance 0, 1, 2… from q's cell, until
    /// the nearest point of the next ring is farther than `bestDistance()` (strictly, so that
    /// equal distances are still seen for the tie rule) or than `boundMeters`.
    func visit(around q: PlanarPoint, boundMeters: Double, bestDistance: () -> Double?, _ body: (Int) -> Void) {
        guard columns > 0 else { return }
        let fx = (q.xMeters - originX) / cellMeters, fy = (q.yMeters - originY) / cellMeters
        // Quick rejection: q farther than the bound from the whole grid.
        let gx = max(0, -fx, fx - Double(columns)) * cellMeters, gy = max(0, -fy, fy - Double(rows)) * cellMeters
        if (gx * gx + gy * gy).squareRoot() > boundMeters { return }
        let cx = Int(max(-1e9, min(1e9, fx.rounded(.down)))), cy = Int(max(-1e9, min(1e9, fy.rounded(.down))))
        var k = 0
        while true {
            // Every point of ring k is at least (k - 1) cells away from q.
            let ringDistance = Double(k - 1) * cellMeters
            if ringDistance > boundMeters { return }
            if let best = bestDistance(), ringDistance > best { return }
            let x0 = cx - k, x1 = cx + k, y0 = cy - k, y1 = cy + k
            let rowLo = max(0, y0), rowHi = min(rows - 1, y1)
            if rowLo <= rowHi {
                for y in rowLo...rowHi {
                    if y == y0 || y == y1 {
                        let lo = max(0, x0), hi = min(columns - 1, x1)
                        if lo <= hi { for c in lo...hi { visitCell(y * columns + c, body) } }
                    } else {
                        if x0 >= 0 && x0 < columns { visitCell(y * columns + x0, body) }
                        if x1 >= 0 && x1 < columns && x1 != x0 { visitCell(y * columns + x1, body) }
                    }
                }
            }
            k += 1
        }
    }

    @inline(__always)
    private func visitCell(_ cell: Int, _ body: (Int) -> Void) {
        for k in Int(cellStart[cell])..<Int(cellStart[cell + 1]) { body(Int(items[k])) }
    }
}
