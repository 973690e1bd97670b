/// Contours of a ``TimeGrid``: the boundary of the region `{node value ≤ threshold}` as closed,
/// simple, pairwise disjoint rings, then grouped into polygons with holes.
///
/// Rules (the tests draw their expected rings from these):
/// - A node is *inside* when its value is ≤ the threshold (bounds are inclusive), else
///   *outside*; nodes beyond the grid count as outside, so every ring closes.
/// - Each grid edge joining an inside and an outside node holds one crossing point, placed by
///   linear interpolation of the values; towards an unreached node (`.infinity`) the fraction
///   is `(threshold − inside value) / secondsPerCell`. Fractions are clamped to
///   [``edgeFractionMargin``, 1 − ``edgeFractionMargin``] so that no crossing falls on a node and
///   distinct rings stay apart (rounding to 7 decimals cannot make them touch).
/// - Segments are oriented with the inside on their left, so outer boundaries come out
///   counter-clockwise and hole boundaries clockwise.
/// - Saddle cells (two diagonal corners inside, two outside) are resolved by the cell's mean
///   value (the four corners, an unreached corner counting as `threshold + secondsPerCell`): mean
///   ≤ threshold joins the two inside corners through the cell, otherwise they stay apart.
public enum MarchingSquares {
    /// The smallest fraction of a cell edge between a node and a crossing point.
    public static let edgeFractionMargin = 0.05

    /// The closed rings bounding `{value ≤ thresholdSeconds}`, inside on the left.
    ///
    /// Rings are found by scanning grid edges in row-major order, so the output is deterministic;
    /// each ring starts at its first crossing in that order.
    /// - Complexity: O(N) for N grid nodes.
    public static func rings(in grid: TimeGrid, thresholdSeconds: Double) -> [[PlanarPoint]] {
        let columns = grid.columns, rows = grid.rows
        if columns == 0 || rows == 0 { return [] }
        // The padded grid adds one outside node on every side: padded (pc, pr) ↔ grid (pc-1, pr-1).
        let pc = columns + 2, pr = rows + 2
        @inline(__always) func value(_ pcol: Int, _ prow: Int) -> Double {
            let c = pcol - 1, r = prow - 1
            if c < 0 || r < 0 || c >= columns || r >= rows { return .infinity }
            return grid.seconds[r * columns + c]
        }
        @inline(__always) func inside(_ v: Double) -> Bool { v <= thresholdSeconds }
        // Edge ids: horizontal edge (pcol, prow)→(pcol+1, prow) = prow*pc + pcol;
        // vertical edge (pcol, prow)→(pcol, prow+1) = pc*pr + prow*pc + pcol.
        let verticalBase = pc * pr
        var next: [Int: Int] = [:]
        var starts: [Int] = []

        for prow in 0..<(pr - 1) {
            for pcol in 0..<(pc - 1) {
                let vbl = value(pcol, prow), vbr = value(pcol + 1, prow)
                let vtr = value(pcol + 1, prow + 1), vtl = value(pcol, prow + 1)
                let ibl = inside(vbl), ibr = inside(vbr), itr = inside(vtr), itl = inside(vtl)
                let code = (ibl ? 1 : 0) | (ibr ? 2 : 0) | (itr ? 4 : 0) | (itl ? 8 : 0)
                if code == 0 || code == 15 { continue }
                let bottom = prow * pc + pcol, top = (prow + 1) * pc + pcol
                let left = verticalBase + prow * pc + pcol, right = verticalBase + prow * pc + pcol + 1
                // Walking the cell counter-clockwise (bl → br → tr → tl), the edge after an inside
                // corner is where the contour leaves ("exit"), the edge before it where it enters.
                // A segment runs from an exit to an entry, which keeps the inside on its left.
                func link(_ from: Int, _ to: Int) { next[from] = to; starts.append(from) }
                switch code {
                case 5, 10:
                    let unreached = thresholdSeconds + grid.secondsPerCell
                    let mean = [vbl, vbr, vtr, vtl].map { $0.isFinite ? $0 : unreached }.reduce(0, +) / 4
                    let joined = mean <= thresholdSeconds
                    if code == 5 { // bl and tr inside
                        if joined { link(bottom, right); link(top, left) } // cut the outside corners br, tl
                        else { link(bottom, left); link(top, right) }      // cut the inside corners bl, tr
                    } else { // br and tl inside
                        if joined { link(right, top); link(left, bottom) } // cut the outside corners tr, bl
                        else { link(right, bottom); link(left, top) }      // cut the inside corners br, tl
                    }
                default:
                    // Exactly one exit and one entry.
                    var exit = -1, entry = -1
                    let corners = [ibl, ibr, itr, itl]
                    let edgeAfter = [bottom, right, top, left] // edge from corner k to corner k+1
                    for k in 0..<4 {
                        let a = corners[k], b = corners[(k + 1) % 4]
                        if a && !b { exit = edgeAfter[k] }
                        if !a && b { entry = edgeAfter[k] }
                    }
                    link(exit, entry)
                }
            }
        }

        // The crossing point on an edge id, in the plane.
        func point(onEdge id: Int) -> PlanarPoint {
            let vertical = id >= verticalBase
            let local = vertical ? id - verticalBase : id
            let prow = local / pc, pcol = local % pc
            let (ac, ar) = (pcol, prow)
            let (bc, br) = vertical ? (pcol, prow + 1) : (pcol + 1, prow)
            let va = value(ac, ar), vb = value(bc, br)
            // Fraction from the inside node towards the outside one.
            let (inC, inR, outC, outR, vin, vout) = inside(va) ? (ac, ar, bc, br, va, vb) : (bc, br, ac, ar, vb, va)
            var f = vout.isFinite ? (thresholdSeconds - vin) / (vout - vin) : (thresholdSeconds - vin) / grid.secondsPerCell
            if !f.isFinite { f = 0.5 }
            f = min(max(f, edgeFractionMargin), 1 - edgeFractionMargin)
            let c = Double(inC) + f * Double(outC - inC) - 1
            let r = Double(inR) + f * Double(outR - inR) - 1
            return grid.position(column: c, row: r)
        }

        var rings: [[PlanarPoint]] = []
        var visited = Set<Int>()
        for start in starts where !visited.contains(start) {
            var ring: [PlanarPoint] = []
            var id = start
            repeat {
                visited.insert(id)
                ring.append(point(onEdge: id))
                guard let n = next[id] else { break } // cannot happen: every crossing has a successor
                id = n
            } while id != start
            ring.append(ring[0])
            rings.append(ring)
        }
        return rings
    }

    /// The polygons bounding `{value ≤ thresholdSeconds}`: counter-clockwise rings become outer
    /// rings; each clockwise ring becomes a hole of the smallest outer ring that contains it.
    /// Polygons are ordered by decreasing area (ties keep scan order).
    /// - Complexity: O(N + H·O·V) worst case for H holes, O outers and V vertices per outer
    ///   (bounding boxes prune almost all pairs).
    public static func polygons(in grid: TimeGrid, thresholdSeconds: Double) -> [PlanarPolygon] {
        assemblePolygons(rings(in: grid, thresholdSeconds: thresholdSeconds))
    }

    /// Groups disjoint, oriented rings (outer CCW, holes CW) into polygons.
    public static func assemblePolygons(_ rings: [[PlanarPoint]]) -> [PlanarPolygon] {
        struct Outer { var ring: [PlanarPoint]; var area: Double; var box: PlanarBox; var holes: [[PlanarPoint]] }
        var outers: [Outer] = []
        var holes: [[PlanarPoint]] = []
        for ring in rings {
            let a = PlanarGeometry.signedArea(ring)
            if a > 0 { outers.append(Outer(ring: ring, area: a, box: PlanarBox(ring), holes: [])) } else { holes.append(ring) }
        }
        for hole in holes {
            let probe = hole[0]
            var best = -1
            for (k, o) in outers.enumerated() where o.box.contains(probe) {
                if best >= 0 && o.area >= outers[best].area { continue }
                if PlanarGeometry.contains(ring: o.ring, point: probe) { best = k }
            }
            // A hole always lies inside an outer ring of the same contour; if arithmetic ever
            // says otherwise, keep the area rather than drop it: a reversed hole is an outer.
            if best >= 0 { outers[best].holes.append(hole) } else {
                let r = Array(hole.reversed())
                outers.append(Outer(ring: r, area: PlanarGeometry.signedArea(r), box: PlanarBox(r), holes: []))
            }
        }
        let order = outers.indices.sorted { outers[$0].area > outers[$1].area || (outers[$0].area == outers[$1].area && $0 < $1) }
        return order.map { PlanarPolygon(outer: outers[$0].ring, holes: outers[$0].holes) }
    }
}

/// An axis-aligned box in the plane.
struct PlanarBox {
    var minX: Double, minY: Double, maxX: Double, maxY: Double
    init(_ points: [PlanarPoint]) {
        minX = .infinity; minY = .infinity; maxX = -.infinity; maxY = -.infinity
        for p in points {
            minX = min(minX, p.xMeters); maxX = max(maxX, p.xMeters)
            minY = min(minY, p.yMeters); maxY = max(maxY, p.yMeters)
        }
    }
    func contains(_ p: PlanarPoint) -> Bool {
        p.xMeters >= minX && p.xMeters <= maxX && p.yMeters >= minY && p.yMeters <= maxY
    }
}

/// Small planar helpers shared by contouring and simplification.
public enum PlanarGeometry {
    /// Shoelace signed area of a closed ring: positive when counter-clockwise (x east, y north).
    public static func signedArea(_ ring: [PlanarPoint]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var twice = 0.0
        for i in 0..<(ring.count - 1) {
            twice += ring[i].xMeters * ring[i + 1].yMeters - ring[i + 1].xMeters * ring[i].yMeters
        }
        return twice / 2
    }

    /// Even-odd point-in-ring test (a point on the boundary may go either way).
    public static func contains(ring: [PlanarPoint], point p: PlanarPoint) -> Bool {
        evenOddContains(ring, p, x: { $0.xMeters }, y: { $0.yMeters })
    }

    /// Even-odd point-in-ring test for any point type, given its two plane coordinates.
    @inlinable
    public static func evenOddContains<P>(_ ring: [P], _ p: P, x: (P) -> Double, y: (P) -> Double) -> Bool {
        var inside = false
        var j = ring.count - 1
        let px = x(p), py = y(p)
        for i in 0..<ring.count {
            let ax = x(ring[i]), ay = y(ring[i]), bx = x(ring[j]), by = y(ring[j])
            if (ay > py) != (by > py) {
                let cross = ax + (py - ay) * (bx - ax) / (by - ay)
                if px < cross { inside.toggle() }
            }
            j = i
        }
        return inside
    }
}
