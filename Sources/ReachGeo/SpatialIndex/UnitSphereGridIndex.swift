import Foundation

/// A point on the unit sphere: the geodetic latitude and longitude of a ``LonLat`` taken as
/// spherical coordinates (x towards lon 0 on the equator, z towards the north pole).
///
/// The chord between two of them is 2 sin(σ/2), σ their central angle, and it is monotone in σ.
/// ``NearestSiteFinder`` relies on the bound between σ and the WGS 84 geodesic distance proven
/// there.
public struct UnitVector: Sendable, Hashable {
    public var x: Double, y: Double, z: Double

    @inlinable
    public init(_ p: LonLat) {
        let lat = p.latDegrees * .pi / 180, lon = p.lonDegrees * .pi / 180
        let c = cos(lat)
        x = c * cos(lon); y = c * sin(lon); z = sin(lat)
    }

    @inlinable
    public func squaredChord(to o: UnitVector) -> Double {
        let dx = x - o.x, dy = y - o.y, dz = z - o.z
        return dx * dx + dy * dy + dz * dz
    }
}

/// A uniform 3-D grid over points on the unit sphere, for nearest-by-chord and within-chord
/// queries. It has no seams: the poles and the antimeridian are ordinary places on the sphere.
///
/// Cells are cubes; each cell keeps its points in input order (CSR arrays), so results are
/// deterministic. Queries visit Chebyshev shells of cells around the query's cell.
public struct UnitSphereGridIndex: Sendable {
    public let points: [UnitVector]
    public let cellSize: Double
    let origin: (x: Double, y: Double, z: Double)
    let nx: Int, ny: Int, nz: Int
    let cellStart: [Int32]
    let cellItems: [Int32]

    /// The most cells a grid may have.
    static let maximumCellCount = 4_000_000

    public init(points: [UnitVector]) {
        self.points = points
        var lo = (x: 1.0, y: 1.0, z: 1.0), hi = (x: -1.0, y: -1.0, z: -1.0)
        for p in points {
            lo.x = min(lo.x, p.x); lo.y = min(lo.y, p.y); lo.z = min(lo.z, p.z)
            hi.x = max(hi.x, p.x); hi.y = max(hi.y, p.y); hi.z = max(hi.z, p.z)
        }
        if points.isEmpty { lo = (0, 0, 0); hi = (0, 0, 0) }
        let extents = [hi.x - lo.x, hi.y - lo.y, hi.z - lo.z].sorted()
        // The points lie on a surface: size the cells for about two points per cell of its area
        // (the product of the two largest extents), never below 1e-7 (0.6 m on the Earth).
        let area = max(extents[1], 1e-7) * max(extents[2], 1e-7)
        var cell = max(1e-7, (area * 2 / Double(max(points.count, 1))).squareRoot())
        func cells(_ c: Double) -> Double {
            (extents[0] / c + 1) * (extents[1] / c + 1) * (extents[2] / c + 1)
        }
        while cells(cell) > Double(Self.maximumCellCount) { cell *= 2 }
        cellSize = cell
        origin = lo
        nx = Int(((hi.x - lo.x) / cell).rounded(.down)) + 1
        ny = Int(((hi.y - lo.y) / cell).rounded(.down)) + 1
        nz = Int(((hi.z - lo.z) / cell).rounded(.down)) + 1
        var counts = [Int32](repeating: 0, count: nx * ny * nz + 1)
        var cellOf = [Int](repeating: 0, count: points.count)
        for (i, p) in points.enumerated() {
            let (cx, cy, cz) = Self.clampedCell(p, lo, cell, nx, ny, nz)
            let c = (cz * ny + cy) * nx + cx
            cellOf[i] = c
            counts[c + 1] += 1
        }
        for c in 0..<(nx * ny * nz) { counts[c + 1] += counts[c] }
        var fill = counts
        var items = [Int32](repeating: 0, count: points.count)
        for i in 0..<points.count {
            let c = cellOf[i]
            items[Int(fill[c])] = Int32(i)
            fill[c] += 1
        }
        cellStart = counts
        cellItems = items
    }

    static func clampedCell(_ p: UnitVector, _ lo: (x: Double, y: Double, z: Double), _ cell: Double,
                            _ nx: Int, _ ny: Int, _ nz: Int) -> (Int, Int, Int) {
        (min(nx - 1, max(0, Int(((p.x - lo.x) / cell).rounded(.down)))),
         min(ny - 1, max(0, Int(((p.y - lo.y) / cell).rounded(.down)))),
         min(nz - 1, max(0, Int(((p.z - lo.z) / cell).rounded(.down)))))
    }

    /// The (unclamped) cell of a point on the unit sphere; |coordinate| ≤ 2 / 1e-7, so the
    /// conversion to Int cannot overflow.
    func cell(of p: UnitVector) -> (Int, Int, Int) {
        (Int(((p.x - origin.x) / cellSize).rounded(.down)),
         Int(((p.y - origin.y) / cellSize).rounded(.down)),
         Int(((p.z - origin.z) / cellSize).rounded(.down)))
    }

    @inline(__always)
    func visitCell(_ cx: Int, _ cy: Int, _ cz: Int, _ body: (Int) -> Void) {
        let c = (cz * ny + cy) * nx + cx
        var k = Int(cellStart[c])
        let end = Int(cellStart[c + 1])
        while k < end { body(Int(cellItems[k])); k += 1 }
    }

    /// Calls `visit(index, squaredChord)` for every point whose chord to `q` is ≤ `chord`.
    public func forEach(withinChord chord: Double, of q: UnitVector, _ visit: (Int, Double) -> Void) {
        if points.isEmpty || !(chord >= 0) { return }
        let r = min(chord, 2)
        let x0 = max(0, Int(((q.x - r - origin.x) / cellSize).rounded(.down)))
        let x1 = min(nx - 1, Int(((q.x + r - origin.x) / cellSize).rounded(.down)))
        let y0 = max(0, Int(((q.y - r - origin.y) / cellSize).rounded(.down)))
        let y1 = min(ny - 1, Int(((q.y + r - origin.y) / cellSize).rounded(.down)))
        let z0 = max(0, Int(((q.z - r - origin.z) / cellSize).rounded(.down)))
        let z1 = min(nz - 1, Int(((q.z + r - origin.z) / cellSize).rounded(.down)))
        if x0 > x1 || y0 > y1 || z0 > z1 { return }
        let r2 = chord * chord
        for cz in z0...z1 {
            for cy in y0...y1 {
                for cx in x0...x1 {
                    visitCell(cx, cy, cz) { i in
                        let d2 = points[i].squaredChord(to: q)
                        if d2 <= r2 { visit(i, d2) }
                    }
                }
            }
        }
    }

    /// The index of the point with the smallest chord to `q` (lowest index on ties) and that
    /// squared chord, or nil when the index is empty.
    public func nearestByChord(to q: UnitVector) -> (index: Int, squaredChord: Double)? {
        if points.isEmpty { return nil }
        let (px, py, pz) = cell(of: q)
        var best = Double.infinity, bestIndex = -1
        func consider(_ i: Int) {
            let d2 = points[i].squaredChord(to: q)
            if d2 < best || (d2 == best && i < bestIndex) { best = d2; bestIndex = i }
        }
        // Shells of Chebyshev radius `ring` around the query's cell; start at the first that
        // touches the grid. A point in shell `ring` is at least (ring − 1) cells away.
        var ring = max(0, -px, px - (nx - 1), -py, py - (ny - 1), -pz, pz - (nz - 1))
        let lastRing = ring + max(nx, ny, nz) + 1
        while ring <= lastRing {
            let lower = Double(ring - 1) * cellSize
            if ring > 1 && lower * lower > best { break }
            let xlo = max(0, px - ring), xhi = min(nx - 1, px + ring)
            let ylo = max(0, py - ring), yhi = min(ny - 1, py + ring)
            if xlo <= xhi && ylo <= yhi {
                for cy in ylo...yhi {
                    for cx in xlo...xhi {
                        if abs(cx - px) == ring || abs(cy - py) == ring {
                            let zlo = max(0, pz - ring), zhi = min(nz - 1, pz + ring)
                            if zlo <= zhi { for cz in zlo...zhi { visitCell(cx, cy, cz, consider) } }
                        } else {
                            if pz - ring >= 0 && pz - ring < nz { visitCell(cx, cy, pz - ring, consider) }
                            if ring > 0 && pz + ring >= 0 && pz + ring < nz { visitCell(cx, cy, pz + ring, consider) }
                        }
                    }
                }
            }
            ring += 1
        }
        return bestIndex >= 0 ? (bestIndex, best) : nil
    }
}
