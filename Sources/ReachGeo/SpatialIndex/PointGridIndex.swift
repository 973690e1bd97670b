/// A uniform grid over planar points (metres) for nearest and within-radius queries.
///
/// Points are bucketed into square cells; queries visit cells in growing rings. Cell lists are
/// stored as CSR arrays and each cell keeps its points in input order, so results are
/// deterministic.
public struct PointGridIndex: Sendable {
    public let points: [PlanarPoint]
    public let cellMeters: Double
    let originX: Double, originY: Double
    let columns: Int, rows: Int
    let cellStart: [Int32]
    let cellItems: [Int32]

    /// - Parameters:
    ///   - points: the indexed points.
    ///   - cellMeters: cell side; when nil, chosen so that cells hold about two points each.
    public init(points: [PlanarPoint], cellMeters: Double? = nil) {
        self.points = points
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for p in points {
            minX = min(minX, p.xMeters); maxX = max(maxX, p.xMeters)
            minY = min(minY, p.yMeters); maxY = max(maxY, p.yMeters)
        }
        if points.isEmpty { minX = 0; minY = 0; maxX = 1; maxY = 1 }
        let width = max(maxX - minX, 1), height = max(maxY - minY, 1)
        var cell = cellMeters ?? max(50, (width * height / Double(max(points.count, 1)) * 2).squareRoot())
        // Cap the number of cells at about 4 million.
        while (width / cell + 1) * (height / cell + 1) > 4_000_000 { cell *= 2 }
        self.cellMeters = cell
        originX = minX; originY = minY
        columns = Int(width / cell) + 1
        rows = Int(height / cell) + 1
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        var cellOf = [Int32](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let cx = min(columns - 1, max(0, Int((p.xMeters - minX) / cell)))
            let cy = min(rows - 1, max(0, Int((p.yMeters - minY) / cell)))
            let c = cy * columns + cx
            cellOf[i] = Int32(c)
            counts[c + 1] += 1
        }
        for c in 0..<(columns * rows) { counts[c + 1] += counts[c] }
        var fill = counts
        var items = [Int32](repeating: 0, count: points.count)
        for i in 0..<points.count {
            let c = Int(cellOf[i])
            items[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
        cellStart = counts
        cellItems = items
    }

    @inline(__always)
    func cellCoordinates(_ p: PlanarPoint) -> (Int, Int) {
        (Int(((p.xMeters - originX) / cellMeters).rounded(.down)), Int(((p.yMeters - originY) / cellMeters).rounded(.down)))
    }

    /// Calls `visit(index, planarDistanceMeters)` for every point within `radiusMeters` of `p`
    /// (planar), in cell order.
    @inlinable
    public func forEach(within radiusMeters: Double, of p: PlanarPoint, _ visit: (Int, Double) -> Void) {
        forEachImpl(within: radiusMeters, of: p, visit)
    }

    @usableFromInline
    func forEachImpl(within radiusMeters: Double, of p: PlanarPoint, _ visit: (Int, Double) -> Void) {
        if points.isEmpty { return }
        let x0 = max(0, Int(((p.xMeters - radiusMeters - originX) / cellMeters).rounded(.down)))
        let x1 = min(columns - 1, Int(((p.xMeters + radiusMeters - originX) / cellMeters).rounded(.down)))
        let y0 = max(0, Int(((p.yMeters - radiusMeters - originY) / cellMeters).rounded(.down)))
        let y1 = min(rows - 1, Int(((p.yMeters + radiusMeters - originY) / cellMeters).rounded(.down)))
        if x0 > x1 || y0 > y1 { return }
        let r2 = radiusMeters * radiusMeters
        points.withUnsafeBufferPointer { pts in
            cellItems.withUnsafeBufferPointer { items in
                cellStart.withUnsafeBufferPointer { start in
                    for cy in y0...y1 {
                        for cx in x0...x1 {
                            let c = cy * columns + cx
                            var k = Int(start[c])
                            let end = Int(start[c + 1])
                            while k < end {
                                let i = Int(items[k])
                                let dx = pts[i].xMeters - p.xMeters, dy = pts[i].yMeters - p.yMeters
                                let d2 = dx * dx + dy * dy
                                if d2 <= r2 { visit(i, d2.squareRoot()) }
                                k += 1
                            }
                        }
                    }
                }
            }
        }
    }

    /// The planar distance to the nearest point, or nil when the index is empty.
    /// - Complexity: O(cells in the rings searched + points in them).
    public func nearestPlanarDistance(to p: PlanarPoint) -> Double? {
        if points.isEmpty { return nil }
        let (pcx, pcy) = cellCoordinates(p)
        var best = Double.infinity
        // Start at the first ring that touches the grid (the query may lie far outside it) and
        // visit only the cells of each ring that lie inside the grid.
        var ring = max(0, -pcx, pcx - (columns - 1), -pcy, pcy - (rows - 1))
        let lastRing = ring + max(columns, rows) + 1
        return points.withUnsafeBufferPointer { pts in
          cellItems.withUnsafeBufferPointer { items in
            cellStart.withUnsafeBufferPointer { start in
        @inline(__always) func visit(_ cx: Int, _ cy: Int) {
            let c = cy * columns + cx
            var k = Int(start[c])
            let end = Int(start[c + 1])
            while k < end {
                let q = pts[Int(items[k])]
                let dx = q.xMeters - p.xMeters, dy = q.yMeters - p.yMeters
                let d2 = dx * dx + dy * dy
                if d2 < best { best = d2 }
                k += 1
            }
        }
        // `best` holds squared distances inside the loop.
        while ring <= lastRing {
            // Points in cells at Chebyshev ring `ring` are at least (ring − 1) cells away.
            let lower = Double(ring - 1) * cellMeters
            if ring > 1 && lower * lower > best { break }
            let ylo = max(0, pcy - ring), yhi = min(rows - 1, pcy + ring)
            if ylo <= yhi {
                for cy in ylo...yhi {
                    if cy == pcy - ring || cy == pcy + ring {
                        let xlo = max(0, pcx - ring), xhi = min(columns - 1, pcx + ring)
                        if xlo <= xhi { for cx in xlo...xhi { visit(cx, cy) } }
                    } else {
                        if pcx - ring >= 0 && pcx - ring < columns { visit(pcx - ring, cy) }
                        if ring > 0 && pcx + ring >= 0 && pcx + ring < columns { visit(pcx + ring, cy) }
                    }
                }
            }
            ring += 1
        }
        return best.squareRoot()
            }
          }
        }
    }
}
