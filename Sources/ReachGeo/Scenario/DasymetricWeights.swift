import Foundation

/// A population grid used as the weights of a dasymetric disaggregation
/// (`reach residents --from-zones … --weights GRID.asc`): how a zone's population is spread over
/// the parts of grid cells that lie inside the zone's polygon.
///
/// A *cell part* is the intersection of one grid cell with one zone polygon. Its weight is the
/// cell's density times the part's area:
///
///     weight = (cell population ÷ cell area) × area(cell ∩ polygon)
///
/// Only cells with population > 0 weigh anything: nodata and zero cells, and the land outside
/// the grid, have weight 0.
///
/// Areas are areas on the WGS 84 ellipsoid, exactly (no sampling): the polygon's rings are
/// clipped against the cell rectangle (Sutherland–Hodgman, per ring; holes are clipped too and
/// subtracted), and the area of each clipped ring is integrated in the cylindrical equal-area
/// coordinates (λ, q(φ)) of the ellipsoid (authalic latitude; dA = a²/2 · dλ · dq). Edges are
/// straight lines in longitude/latitude — the same edges ``ZonePolygon/contains(_:)`` tests —
/// so an edge along a meridian or a parallel is integrated exactly and any other edge by
/// Simpson's rule on q (a relative error below 10⁻¹² on kilometre edges). A cell's area comes
/// from the same formula, so a cell wholly inside a zone weighs exactly its population, and a
/// cell cut in half by a meridian weighs half of it. Cells nearer the pole are smaller: the
/// density, not the raw cell count, is what is multiplied by the overlap.
///
/// - Important: the grid must be in WGS 84 degrees (``AsciiGrid`` checks the range); it is only
///   read, never written.
public struct DasymetricWeights: Sendable {
    /// One part of a populated grid cell inside a zone.
    public struct CellPart: Sendable, Hashable {
        /// 0-based row (row 0 is the northernmost) and column of the cell.
        public var row: Int
        public var column: Int
        /// The cell's population in the grid.
        public var cellPopulation: Double
        /// The area of the whole cell and of the part inside the zone, m² on WGS 84.
        public var cellAreaSquareMeters: Double
        public var areaSquareMeters: Double
        /// Density × overlap area: `cellPopulation × areaSquareMeters / cellAreaSquareMeters`.
        public var weight: Double
        /// The part's bounds (a sub-rectangle of the cell) in degrees.
        public var bounds: GeoBoundingBox
        /// A point inside both the zone and the cell: the part's centroid (in degrees) when that
        /// lies inside, else the middle of the widest inside span of a horizontal line through
        /// the part; nil only for a sliver too thin to find one (such a part gets no weight).
        public var representativePoint: LonLat?
    }

    /// The grid the weights come from.
    public let grid: AsciiGrid
    /// Population of the inhabited cells by `row * columnCount + column`.
    private let populationByCell: [Int: Double]

    public init(grid: AsciiGrid) {
        self.grid = grid
        var byCell: [Int: Double] = [:]
        byCell.reserveCapacity(grid.cells.count)
        for c in grid.cells { byCell[Int(c.row) * grid.columnCount + Int(c.column)] = c.population }
        populationByCell = byCell
    }

    /// Reads the weights grid (``AsciiGrid/read(from:displayName:)``; its errors name file and line).
    public static func load(from url: URL, displayName: String? = nil) throws -> DasymetricWeights {
        DasymetricWeights(grid: try AsciiGrid.read(from: url, displayName: displayName))
    }

    /// The population of cell (`row`, `column`), 0 for nodata, zero and out-of-grid cells.
    public func population(row: Int, column: Int) -> Double {
        guard row >= 0, row < grid.rowCount, column >= 0, column < grid.columnCount else { return 0 }
        return populationByCell[row * grid.columnCount + column] ?? 0
    }

    /// The cell (row, column) containing `p`, or nil outside the grid. A point on the line
    /// between two cells belongs to the one east of it, or north of it.
    public func cell(containing p: LonLat) -> (row: Int, column: Int)? {
        let column = ((p.lonDegrees - grid.westEdgeDegrees) / grid.cellWidthDegrees).rounded(.down)
        let fromSouth = ((p.latDegrees - grid.southEdgeDegrees) / grid.cellHeightDegrees).rounded(.down)
        guard column >= 0, column < Double(grid.columnCount), fromSouth >= 0, fromSouth < Double(grid.rowCount) else { return nil }
        return (grid.rowCount - 1 - Int(fromSouth), Int(column))
    }

    /// The populated cell parts inside `zone`, rows from north to south, west to east within a
    /// row. Parts of zero area (a polygon touching a cell along an edge) are left out.
    /// - Complexity: O(rows × V + cells × V_row) for a zone of V vertices spanning `rows` grid
    ///   rows and `cells` populated cells, V_row being the vertices left after clipping to a row.
    public func cellParts(of zone: ZonePolygon) -> [CellPart] {
        let b = zone.boundingBox
        let w0 = grid.westEdgeDegrees, s0 = grid.southEdgeDegrees
        let cw = grid.cellWidthDegrees, ch = grid.cellHeightDegrees
        func clampedIndex(_ v: Double, _ count: Int) -> Int { Int(max(-1, min(Double(count), v.rounded(.down)))) }
        let c0 = max(0, clampedIndex((b.minLonDegrees - w0) / cw, grid.columnCount))
        let c1 = min(grid.columnCount - 1, clampedIndex((b.maxLonDegrees - w0) / cw, grid.columnCount))
        let f0 = max(0, clampedIndex((b.minLatDegrees - s0) / ch, grid.rowCount))
        let f1 = min(grid.rowCount - 1, clampedIndex((b.maxLatDegrees - s0) / ch, grid.rowCount))
        guard c0 <= c1, f0 <= f1 else { return [] }

        // The rings as open vertex lists with a sign: +1 for an outer ring, −1 for a hole.
        var rings: [(points: [XY], sign: Double, box: (minX: Double, maxX: Double, minY: Double, maxY: Double))] = []
        for polygon in zone.parts {
            for (k, ring) in polygon.enumerated() {
                var pts = ring.map { XY(x: $0.lonDegrees, y: $0.latDegrees) }
                if pts.count > 1, pts.first == pts.last { pts.removeLast() }
                guard pts.count >= 3 else { continue }
                rings.append((pts, k == 0 ? 1 : -1, Self.box(pts)))
            }
        }

        var parts: [CellPart] = []
        for fromSouth in stride(from: f1, through: f0, by: -1) {
            let row = grid.rowCount - 1 - fromSouth
            let south = s0 + Double(fromSouth) * ch, north = s0 + Double(fromSouth + 1) * ch
            // Any populated cell in this row within the zone's columns? (Skip the clipping if not.)
            var populated = false
            for c in c0...c1 where population(row: row, column: c) > 0 { populated = true; break }
            guard populated else { continue }
            let q0 = Self.authalicQ(latDegrees: south)
            let cellArea = Self.rectangleAreaSquareMeters(widthDegrees: cw, southDegrees: south, northDegrees: north)
            var strips: [(points: [XY], sign: Double, box: (minX: Double, maxX: Double, minY: Double, maxY: Double))] = []
            for r in rings where r.box.maxY >= south && r.box.minY <= north {
                var p = r.points
                if r.box.minY < south { p = Self.clip(p, axis: .y, value: south, keepAbove: true) }
                if r.box.maxY > north { p = Self.clip(p, axis: .y, value: north, keepAbove: false) }
                if p.count >= 3 { strips.append((p, r.sign, Self.box(p))) }
            }
            guard !strips.isEmpty else { continue }
            for column in c0...c1 {
                let cellPopulation = population(row: row, column: column)
                guard cellPopulation > 0 else { continue }
                let west = w0 + Double(column) * cw, east = w0 + Double(column + 1) * cw
                var area = 0.0
                var clipped: [(points: [XY], sign: Double)] = []
                var box: (minX: Double, maxX: Double, minY: Double, maxY: Double) = (.infinity, -.infinity, .infinity, -.infinity)
                for s in strips where s.box.maxX >= west && s.box.minX <= east {
                    var p = s.points
                    if s.box.minX < west { p = Self.clip(p, axis: .x, value: west, keepAbove: true) }
                    if s.box.maxX > east { p = Self.clip(p, axis: .x, value: east, keepAbove: false) }
                    guard p.count >= 3 else { continue }
                    let a = Self.ringAreaSquareMeters(p, referenceQ: q0)
                    guard a > 0 else { continue }
                    area += s.sign * a
                    clipped.append((p, s.sign))
                    if s.sign > 0 {
                        let pb = Self.box(p)
                        box = (min(box.minX, pb.minX), max(box.maxX, pb.maxX), min(box.minY, pb.minY), max(box.maxY, pb.maxY))
                    }
                }
                // Relative to the cell, an area this small is a touch along an edge or a rounding residue.
                guard area > cellArea * 1e-12, !clipped.isEmpty else { continue }
                let partArea = min(area, cellArea)
                let bounds = GeoBoundingBox(minLonDegrees: max(west, box.minX), minLatDegrees: max(south, box.minY),
                                            maxLonDegrees: min(east, box.maxX), maxLatDegrees: min(north, box.maxY))
                let cellBox = GeoBoundingBox(minLonDegrees: west, minLatDegrees: south, maxLonDegrees: east, maxLatDegrees: north)
                let point = Self.representativePoint(clipped, zone: zone, cell: cellBox, bounds: bounds)
                parts.append(CellPart(row: row, column: column, cellPopulation: cellPopulation,
                                      cellAreaSquareMeters: cellArea, areaSquareMeters: partArea,
                                      weight: point == nil ? 0 : cellPopulation * partArea / cellArea,
                                      bounds: bounds, representativePoint: point))
            }
        }
        return parts
    }

    // MARK: - Areas on the ellipsoid

    /// WGS 84 first eccentricity squared and eccentricity.
    private static let e2: Double = { let f = Geodesic.wgs84Flattening; return f * (2 - f) }()
    private static let e: Double = e2.squareRoot()
    /// a²/2 · (π/180): area per degree of longitude per unit of q.
    private static let areaScale: Double = Geodesic.wgs84SemiMajorAxisMeters * Geodesic.wgs84SemiMajorAxisMeters / 2 * .pi / 180

    /// q(φ) of the authalic latitude (Snyder 1987, eq. 3-12):
    /// q = (1 − e²) [sin φ / (1 − e² sin² φ) − 1/(2e) · ln((1 − e sin φ) / (1 + e sin φ))];
    /// the area of a longitude/latitude rectangle is a²/2 · Δλ · Δq.
    static func authalicQ(latDegrees: Double) -> Double {
        let s = sin(latDegrees * .pi / 180)
        let es = e * s
        return (1 - e2) * (s / (1 - e2 * s * s) - log((1 - es) / (1 + es)) / (2 * e))
    }

    /// The area in m² of the longitude/latitude rectangle `widthDegrees` wide between two parallels.
    public static func rectangleAreaSquareMeters(widthDegrees: Double, southDegrees: Double, northDegrees: Double) -> Double {
        areaScale * widthDegrees * (authalicQ(latDegrees: northDegrees) - authalicQ(latDegrees: southDegrees))
    }

    /// The area in m² on WGS 84 enclosed by `ring` (closed or not; either orientation), its
    /// edges straight in longitude/latitude.
    public static func ringAreaSquareMeters(_ ring: [LonLat]) -> Double {
        var pts = ring.map { XY(x: $0.lonDegrees, y: $0.latDegrees) }
        if pts.count > 1, pts.first == pts.last { pts.removeLast() }
        guard pts.count >= 3 else { return 0 }
        let reference = authalicQ(latDegrees: pts.map(\.y).min() ?? 0)
        return ringAreaSquareMeters(pts, referenceQ: reference)
    }

    /// |a²/2 · ∮ (q − q₀) dλ| over an open ring (Green's theorem in (λ, q)); q₀ is any constant,
    /// taken near the ring so that the differences keep their digits. Per edge, the mean of q
    /// along the edge is exact for a parallel and Simpson's (q₁ + 4 q_mid + q₂)/6 otherwise; a
    /// meridian edge adds nothing.
    static func ringAreaSquareMeters(_ pts: [XY], referenceQ q0: Double) -> Double {
        var sum = 0.0
        var prev = pts[pts.count - 1]
        var qPrev = authalicQ(latDegrees: prev.y) - q0
        for p in pts {
            let q = authalicQ(latDegrees: p.y) - q0
            let dx = p.x - prev.x
            if dx != 0 {
                let mean = p.y == prev.y ? q : (qPrev + 4 * (authalicQ(latDegrees: (p.y + prev.y) / 2) - q0) + q) / 6
                sum += dx * mean
            }
            prev = p; qPrev = q
        }
        return abs(sum) * areaScale
    }

    // MARK: - Clipping

    struct XY: Equatable { var x: Double; var y: Double }
    enum Axis { case x, y }

    private static func box(_ pts: [XY]) -> (minX: Double, maxX: Double, minY: Double, maxY: Double) {
        var b = (minX: Double.infinity, maxX: -Double.infinity, minY: Double.infinity, maxY: -Double.infinity)
        for p in pts { b = (min(b.minX, p.x), max(b.maxX, p.x), min(b.minY, p.y), max(b.maxY, p.y)) }
        return b
    }

    /// Sutherland–Hodgman against one axis-parallel line: keeps the side `coordinate ≥ value`
    /// (`keepAbove`) or `≤ value`; the crossing points lie exactly on the line. A concave ring
    /// may come back with zero-width bridges along the line; they enclose no area.
    static func clip(_ pts: [XY], axis: Axis, value: Double, keepAbove: Bool) -> [XY] {
        guard let last = pts.last else { return [] }
        @inline(__always) func coordinate(_ p: XY) -> Double { axis == .x ? p.x : p.y }
        @inline(__always) func inside(_ p: XY) -> Bool { keepAbove ? coordinate(p) >= value : coordinate(p) <= value }
        @inline(__always) func crossing(_ a: XY, _ b: XY) -> XY {
            switch axis {
            case .x: return XY(x: value, y: a.y + (value - a.x) / (b.x - a.x) * (b.y - a.y))
            case .y: return XY(x: a.x + (value - a.y) / (b.y - a.y) * (b.x - a.x), y: value)
            }
        }
        var out: [XY] = []
        out.reserveCapacity(pts.count + 4)
        var prev = last
        var prevInside = inside(prev)
        for p in pts {
            let pInside = inside(p)
            if pInside {
                if !prevInside { out.append(crossing(prev, p)) }
                out.append(p)
            } else if prevInside {
                out.append(crossing(prev, p))
            }
            prev = p; prevInside = pInside
        }
        return out
    }

    // MARK: - A point inside the part

    /// The centroid of the clipped rings (holes subtracted, in degrees) if it lies in the zone
    /// and the cell; otherwise the midpoint of the widest inside span (even–odd over the clipped
    /// rings) of a horizontal line at ½, ¼, ¾, ⅛, … of the part's height, checked the same way.
    private static func representativePoint(_ rings: [(points: [XY], sign: Double)], zone: ZonePolygon,
                                            cell: GeoBoundingBox, bounds: GeoBoundingBox) -> LonLat? {
        func accepted(_ p: LonLat) -> Bool { cell.contains(p) && zone.contains(p) }
        var area = 0.0, cx = 0.0, cy = 0.0
        for r in rings {
            var a = 0.0, x = 0.0, y = 0.0
            var prev = r.points[r.points.count - 1]
            for p in r.points {
                let cross = prev.x * p.y - p.x * prev.y
                a += cross; x += (prev.x + p.x) * cross; y += (prev.y + p.y) * cross
                prev = p
            }
            let sign = r.sign * (a < 0 ? -1.0 : 1.0)
            area += sign * a / 2; cx += sign * x / 6; cy += sign * y / 6
        }
        if area > 0 {
            let c = LonLat(lonDegrees: cx / area, latDegrees: cy / area)
            if c.lonDegrees.isFinite, c.latDegrees.isFinite, accepted(c) { return c }
        }
        let height = bounds.maxLatDegrees - bounds.minLatDegrees
        guard height > 0 else { return nil }
        for (numerator, denominator) in [(1.0, 2.0), (1, 4), (3, 4), (1, 8), (3, 8), (5, 8), (7, 8)] {
            let y = bounds.minLatDegrees + height * numerator / denominator
            var xs: [Double] = []
            for r in rings {
                var prev = r.points[r.points.count - 1]
                for p in r.points {
                    if (prev.y > y) != (p.y > y) { xs.append(prev.x + (y - prev.y) / (p.y - prev.y) * (p.x - prev.x)) }
                    prev = p
                }
            }
            xs.sort()
            var best: (width: Double, x: Double)? = nil
            var k = 0
            while k + 1 < xs.count {
                let width = xs[k + 1] - xs[k]
                if width > 0, best.map({ width > $0.width }) ?? true { best = (width, (xs[k] + xs[k + 1]) / 2) }
                k += 2
            }
            if let best {
                let p = LonLat(lonDegrees: best.x, latDegrees: y)
                if accepted(p) { return p }
            }
        }
        return nil
    }
}
