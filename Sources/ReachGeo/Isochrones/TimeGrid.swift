import HeapModule

/// A point of a reached road with its travel time to the intake point, in a projected plane.
public struct TimeSample: Sendable, Hashable {
    public var position: PlanarPoint
    /// Seconds from this road point to the intake point (road time plus the intake point's own
    /// connector leg).
    public var seconds: Double

    public init(position: PlanarPoint, seconds: Double) {
        self.position = position
        self.seconds = seconds
    }
}

/// A regular grid of travel times in a projected metric plane (Valhalla's `GriddedData`).
///
/// Node (column, row) sits at `origin + (column, row) × cellMeters`; its value is the time in
/// seconds for a resident standing there to reach the intake point, `.infinity` when unreached.
/// Values are stored row-major (`row * columns + column`).
public struct TimeGrid: Sendable, Hashable {
    /// Position of node (0, 0), the south-west corner.
    public var origin: PlanarPoint
    /// Distance between neighbouring nodes, metres.
    public var cellMeters: Double
    public var columns: Int
    public var rows: Int
    /// Node values in seconds, row-major; `.infinity` when unreached.
    public var seconds: [Double]
    /// Connector seconds to cross one cell. Used by contouring to place a boundary between a
    /// reached node and an unreached one (no value to interpolate with).
    public var secondsPerCell: Double

    public init(origin: PlanarPoint, cellMeters: Double, columns: Int, rows: Int, seconds: [Double], secondsPerCell: Double) {
        precondition(columns >= 0 && rows >= 0 && seconds.count == columns * rows, "grid size mismatch")
        self.origin = origin
        self.cellMeters = cellMeters
        self.columns = columns
        self.rows = rows
        self.seconds = seconds
        self.secondsPerCell = secondsPerCell
    }

    /// The value at a node.
    @inlinable
    public subscript(column: Int, row: Int) -> Double {
        seconds[row * columns + column]
    }

    /// The position of a node in the plane (columns and rows may be fractional or outside).
    @inlinable
    public func position(column: Double, row: Double) -> PlanarPoint {
        PlanarPoint(xMeters: origin.xMeters + column * cellMeters, yMeters: origin.yMeters + row * cellMeters)
    }

    /// Number of nodes with a finite value.
    public var reachedNodeCount: Int { seconds.reduce(0) { $0 + ($1.isFinite ? 1 : 0) } }
}

extension TimeGrid {
    /// Fills a grid with the time of a resident standing at each node, as the travel-time model
    /// defines it: a connector leg to the **nearest** road sample (planar distance ÷ connector
    /// speed) plus that sample's seconds. A node whose nearest sample is farther than
    /// `maxConnectorMeters` (`max_snap_m`) or has infinite seconds stays unreached (`.infinity`).
    ///
    /// Samples past the time budget still count: a resident closest to a road reached too late
    /// is not saved by a faster road behind it, exactly as snapping to the nearest edge decides.
    ///
    /// Method: every sample seeds the nodes within about 1.5 cells of it (each node keeps its
    /// nearest seed); a Dijkstra over the
    /// 8-neighbour grid keyed by distance then spreads each node's nearest *source sample* to
    /// its neighbours (vector propagation of a Euclidean distance transform). The known error
    /// of vector propagation is rare and a fraction of a cell.
    ///
    /// The grid covers the bounding box of the samples with finite seconds plus
    /// `maxConnectorMeters` and two cells on every side, so border nodes are unreached (samples
    /// with infinite seconds only block, and do not widen the grid). When that needs more than `maxNodes` nodes,
    /// the cell grows until it fits (read the result's ``cellMeters``).
    ///
    /// - Complexity: O(S + N log N) for S samples and N grid nodes.
    public static func rasterize(samples: [TimeSample], cellMeters requestedCellMeters: Double,
                                 connectorMetersPerSecond: Double, maxConnectorMeters: Double,
                                 maxNodes: Int = 4_000_000) -> TimeGrid {
        precondition(requestedCellMeters > 0 && connectorMetersPerSecond > 0 && maxConnectorMeters >= 0 && maxNodes > 0)
        let usable = samples.filter { !$0.seconds.isNaN && $0.position.xMeters.isFinite && $0.position.yMeters.isFinite }
        var cell = requestedCellMeters
        let secondsPerMeter = 1 / connectorMetersPerSecond
        // The extent follows the samples with finite seconds; the others only block.
        guard let first = usable.first(where: { $0.seconds.isFinite }) else {
            return TimeGrid(origin: PlanarPoint(xMeters: 0, yMeters: 0), cellMeters: cell, columns: 0, rows: 0,
                            seconds: [], secondsPerCell: cell * secondsPerMeter)
        }
        var minX = first.position.xMeters, maxX = minX, minY = first.position.yMeters, maxY = minY
        for s in usable where s.seconds.isFinite {
            minX = min(minX, s.position.xMeters); maxX = max(maxX, s.position.xMeters)
            minY = min(minY, s.position.yMeters); maxY = max(maxY, s.position.yMeters)
        }
        var columns = 0, rows = 0, originX = 0.0, originY = 0.0
        func layout(_ c: Double) {
            let pad = maxConnectorMeters + 2 * c
            // The origin sits on a multiple of the cell, so outputs do not depend on tiny shifts.
            originX = ((minX - pad) / c).rounded(.down) * c
            originY = ((minY - pad) / c).rounded(.down) * c
            columns = Int(((maxX + pad - originX) / c).rounded(.up)) + 1
            rows = Int(((maxY + pad - originY) / c).rounded(.up)) + 1
        }
        layout(cell)
        while columns * rows > maxNodes {
            cell *= (Double(columns * rows) / Double(maxNodes)).squareRoot() * 1.01
            layout(cell)
        }

        var distance = [Double](repeating: .infinity, count: columns * rows)
        var source = [Int32](repeating: -1, count: columns * rows)
        var heap = Heap<GridQueueEntry>()
        @inline(__always) func distanceMeters(_ k: Int, _ c: Int, _ r: Int) -> Double {
            let p = usable[k].position
            let dx = originX + Double(c) * cell - p.xMeters
            let dy = originY + Double(r) * cell - p.yMeters
            return (dx * dx + dy * dy).squareRoot()
        }
        // Ties between equidistant samples go to the faster one, then the lower index.
        @inline(__always) func better(_ d: Double, _ k: Int, than n: Int) -> Bool {
            if d != distance[n] { return d < distance[n] }
            let old = Int(source[n])
            return old < 0 || usable[k].seconds < usable[old].seconds || (usable[k].seconds == usable[old].seconds && k < old)
        }
        for k in usable.indices {
            let p = usable[k].position
            let fc = ((p.xMeters - originX) / cell).rounded(.down), fr = ((p.yMeters - originY) / cell).rounded(.down)
            // Samples outside the grid (blockers far from the reached area) seed nothing.
            if fc < -2 || fr < -2 || fc > Double(columns) || fr > Double(rows) { continue }
            let c0 = Int(fc), r0 = Int(fr)
            for r in max(0, r0 - 1)...min(rows - 1, r0 + 2) {
                for c in max(0, c0 - 1)...min(columns - 1, c0 + 2) {
                    let d = distanceMeters(k, c, r)
                    let n = r * columns + c
                    if d <= maxConnectorMeters, better(d, k, than: n) {
                        distance[n] = d; source[n] = Int32(k)
                    }
                }
            }
        }
        // Queue each seeded node once, with its best seed (cheaper than one entry per offer).
        var seeded: [GridQueueEntry] = []
        for n in distance.indices where source[n] >= 0 { seeded.append(GridQueueEntry(meters: distance[n], node: Int32(n))) }
        heap = Heap(seeded)
        while let e = heap.popMin() {
            let n = Int(e.node)
            if e.meters > distance[n] { continue }
            let k = Int(source[n])
            let c = n % columns, r = n / columns
            for dr in -1...1 {
                let rr = r + dr
                if rr < 0 || rr >= rows { continue }
                for dc in -1...1 where dr != 0 || dc != 0 {
                    let cc = c + dc
                    if cc < 0 || cc >= columns { continue }
                    let m = rr * columns + cc
                    let d = distanceMeters(k, cc, rr)
                    if d <= maxConnectorMeters, better(d, k, than: m) {
                        distance[m] = d; source[m] = Int32(k)
                        heap.insert(GridQueueEntry(meters: d, node: Int32(m)))
                    }
                }
            }
        }
        var values = [Double](repeating: .infinity, count: columns * rows)
        for n in values.indices where source[n] >= 0 {
            values[n] = usable[Int(source[n])].seconds + distance[n] * secondsPerMeter
        }
        return TimeGrid(origin: PlanarPoint(xMeters: originX, yMeters: originY), cellMeters: cell,
                        columns: columns, rows: rows, seconds: values, secondsPerCell: cell * secondsPerMeter)
    }
}

/// A grid node waiting in the rasteriser's queue, ordered by distance then node index
/// (a total order, so the result does not depend on the heap's tie handling).
struct GridQueueEntry: Comparable {
    var meters: Double
    var node: Int32
    static func < (a: GridQueueEntry, b: GridQueueEntry) -> Bool {
        a.meters < b.meters || (a.meters == b.meters && a.node < b.node)
    }
}
