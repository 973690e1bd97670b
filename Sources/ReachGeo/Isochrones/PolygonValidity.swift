/// Checks polygons against the OGC simple-features rules and RFC 7946's ring orientation,
/// treating longitude/latitude as a plane (as GeoJSON consumers such as QGIS and GEOS do).
///
/// Rules checked, each reported as one human-readable finding:
/// - every coordinate is finite; every ring is closed and has at least 4 positions;
/// - no two consecutive positions are equal (repeated points make QGIS warn);
/// - no ring crosses or touches itself, and no two rings cross or touch each other
///   (stricter than OGC, which lets rings touch at a point: our contours never need it);
/// - the outer ring is counter-clockwise (positive signed area), holes are clockwise;
/// - every hole lies inside its outer ring, and no hole lies inside another hole;
/// - for a MultiPolygon, no polygon lies inside another (interiors are disjoint).
///
/// An empty list means valid.
public enum PolygonValidity {
    /// Findings for one polygon; empty when it is valid.
    public static func check(_ polygon: IsochronePolygon) -> [String] {
        check(multiPolygon: [polygon])
    }

    /// Findings for a MultiPolygon (the polygons of one band); empty when it is valid.
    /// - Complexity: about O(V) for V vertices in total (segment pairs are tested only inside
    ///   the cells of a uniform grid), plus O(P²) bounding-box tests for P polygons and H² for H holes.
    public static func check(multiPolygon polygons: [IsochronePolygon]) -> [String] {
        var offenders = Set<RingID>()
        return check(rings: lonLatRings(polygons), offenders: &offenders)
    }

    /// The rings of polygons as plain coordinates, outer ring first.
    static func lonLatRings(_ polygons: [IsochronePolygon]) -> [[[XY]]] {
        polygons.map { p in [p.outer.map { XY($0.lonDegrees, $0.latDegrees) }] + p.holes.map { $0.map { XY($0.lonDegrees, $0.latDegrees) } } }
    }

    /// Findings for planar polygons (same rules, in metres).
    public static func check(planar polygons: [PlanarPolygon]) -> [String] {
        let rings = polygons.map { p in [p.outer.map { XY($0.xMeters, $0.yMeters) }] + p.holes.map { $0.map { XY($0.xMeters, $0.yMeters) } } }
        var offenders = Set<RingID>()
        return check(rings: rings, offenders: &offenders)
    }

    /// A ring of a MultiPolygon: polygon index and ring index (0 = outer).
    struct RingID: Hashable { var polygon: Int; var ring: Int }

    /// Findings for polygons given as rings (outer first) of plain coordinates.
    /// `offenders` receives every ring named by a finding.
    static func check(rings polygons: [[[XY]]], offenders: inout Set<RingID>) -> [String] {
        var findings: [String] = []
        var segments: [Segment] = []
        var wellFormed = true
        for (p, rings) in polygons.enumerated() {
            if rings.isEmpty || rings[0].isEmpty {
                findings.append("polygon \(p + 1): empty outer ring"); offenders.insert(RingID(polygon: p, ring: 0)); wellFormed = false; continue
            }
            for (r, ring) in rings.enumerated() {
                let name = r == 0 ? "polygon \(p + 1) outer ring" : "polygon \(p + 1) hole \(r)"
                let before = findings.count
                defer { if findings.count > before { offenders.insert(RingID(polygon: p, ring: r)) } }
                if ring.contains(where: { !$0.x.isFinite || !$0.y.isFinite }) {
                    findings.append("\(name): non-finite coordinate"); wellFormed = false; continue
                }
                if ring.count < 4 { findings.append("\(name): \(ring.count) positions, at least 4 needed"); wellFormed = false; continue }
                if ring.first! != ring.last! { findings.append("\(name): not closed"); wellFormed = false; continue }
                for i in 0..<(ring.count - 1) where ring[i] == ring[i + 1] {
                    findings.append("\(name): repeated position \(i + 1) (\(ring[i].x), \(ring[i].y))"); wellFormed = false
                }
                let area = signedArea(ring)
                if r == 0 && !(area > 0) { findings.append("\(name): not counter-clockwise (signed area \(area))") }
                if r > 0 && !(area < 0) { findings.append("\(name): not clockwise (signed area \(area))") }
                for i in 0..<(ring.count - 1) {
                    segments.append(Segment(a: ring[i], b: ring[i + 1], polygon: p, ring: r, index: i, ringSegments: ring.count - 1))
                }
            }
        }
        if !wellFormed { return findings }
        findings += intersections(segments, offenders: &offenders)
        if !findings.isEmpty { return findings }
        // Rings do not meet, so one vertex decides containment.
        for (p, rings) in polygons.enumerated() {
            for h in rings.indices.dropFirst() {
                if !contains(rings[0], rings[h][0]) {
                    findings.append("polygon \(p + 1) hole \(h): outside its outer ring")
                    offenders.insert(RingID(polygon: p, ring: h)); offenders.insert(RingID(polygon: p, ring: 0))
                }
                for g in rings.indices.dropFirst() where g != h && contains(rings[g], rings[h][0]) {
                    findings.append("polygon \(p + 1) hole \(h): inside hole \(g)")
                    offenders.insert(RingID(polygon: p, ring: h)); offenders.insert(RingID(polygon: p, ring: g))
                }
            }
        }
        let boxes = polygons.map { Box($0[0]) }
        for p in polygons.indices {
            for q in polygons.indices where q != p && boxes[q].contains(polygons[p][0][0]) {
                let probe = polygons[p][0][0]
                if contains(polygons[q][0], probe) && !polygons[q].dropFirst().contains(where: { contains($0, probe) }) {
                    findings.append("polygon \(p + 1): inside polygon \(q + 1)")
                    for r in polygons[q].indices { offenders.insert(RingID(polygon: q, ring: r)) }
                    offenders.insert(RingID(polygon: p, ring: 0))
                }
            }
        }
        return findings
    }

    struct XY: Equatable {
        var x: Double, y: Double
        init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    struct Segment {
        var a: XY, b: XY
        var polygon: Int, ring: Int, index: Int, ringSegments: Int
    }

    struct Box {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        init(_ ring: [XY]) {
            for p in ring { minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y) }
        }
        func contains(_ p: XY) -> Bool { p.x >= minX && p.x <= maxX && p.y >= minY && p.y <= maxY }
    }

    static func signedArea(_ ring: [XY]) -> Double {
        var twice = 0.0
        for i in 0..<(ring.count - 1) { twice += ring[i].x * ring[i + 1].y - ring[i + 1].x * ring[i].y }
        return twice / 2
    }

    /// Even-odd point-in-ring test.
    static func contains(_ ring: [XY], _ p: XY) -> Bool {
        PlanarGeometry.evenOddContains(ring, p, x: { $0.x }, y: { $0.y })
    }

    /// Sign of the turn a→b→c: +1 left, −1 right, 0 collinear.
    @inline(__always) static func orient(_ a: XY, _ b: XY, _ c: XY) -> Int {
        let v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
        return v > 0 ? 1 : (v < 0 ? -1 : 0)
    }

    @inline(__always) static func onSegment(_ a: XY, _ b: XY, _ p: XY) -> Bool {
        min(a.x, b.x) <= p.x && p.x <= max(a.x, b.x) && min(a.y, b.y) <= p.y && p.y <= max(a.y, b.y)
    }

    /// True when the closed segments share at least one point.
    static func meet(_ s: Segment, _ t: Segment) -> Bool {
        let o1 = orient(s.a, s.b, t.a), o2 = orient(s.a, s.b, t.b)
        let o3 = orient(t.a, t.b, s.a), o4 = orient(t.a, t.b, s.b)
        if o1 != o2 && o3 != o4 && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 { return true }
        if o1 == 0 && onSegment(s.a, s.b, t.a) { return true }
        if o2 == 0 && onSegment(s.a, s.b, t.b) { return true }
        if o3 == 0 && onSegment(t.a, t.b, s.a) { return true }
        if o4 == 0 && onSegment(t.a, t.b, s.b) { return true }
        return o1 * o2 < 0 && o3 * o4 < 0
    }

    /// Consecutive segments of one ring share exactly their common end; anything more is an error.
    static func adjacent(_ s: Segment, _ t: Segment) -> Bool {
        guard s.polygon == t.polygon && s.ring == t.ring else { return false }
        let d = abs(s.index - t.index)
        return d == 1 || d == s.ringSegments - 1
    }

    /// Pairs of segments that meet where they should not, found with a uniform grid.
    static func intersections(_ segments: [Segment], offenders: inout Set<RingID>) -> [String] {
        guard segments.count > 1 else { return [] }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        var totalLength = 0.0
        for s in segments {
            minX = min(minX, s.a.x, s.b.x); maxX = max(maxX, s.a.x, s.b.x)
            minY = min(minY, s.a.y, s.b.y); maxY = max(maxY, s.a.y, s.b.y)
            totalLength += abs(s.b.x - s.a.x) + abs(s.b.y - s.a.y)
        }
        let width = max(maxX - minX, 1e-12), height = max(maxY - minY, 1e-12)
        // Cells about twice the mean segment length, at most ~4 cells per segment overall.
        var cell = max(2 * totalLength / Double(segments.count), 1e-12)
        let limit = Double(4 * segments.count + 16)
        while (width / cell + 1) * (height / cell + 1) > limit { cell *= 2 }
        let nx = Int(width / cell) + 1, ny = Int(height / cell) + 1
        var buckets = [[Int32]](repeating: [], count: nx * ny)
        func cellRange(_ s: Segment) -> (Int, Int, Int, Int) {
            let x0 = min(nx - 1, Int((min(s.a.x, s.b.x) - minX) / cell)), x1 = min(nx - 1, Int((max(s.a.x, s.b.x) - minX) / cell))
            let y0 = min(ny - 1, Int((min(s.a.y, s.b.y) - minY) / cell)), y1 = min(ny - 1, Int((max(s.a.y, s.b.y) - minY) / cell))
            return (x0, x1, y0, y1)
        }
        for (k, s) in segments.enumerated() {
            let (x0, x1, y0, y1) = cellRange(s)
            for y in y0...y1 { for x in x0...x1 { buckets[y * nx + x].append(Int32(k)) } }
        }
        var findings: [String] = []
        for (b, bucket) in buckets.enumerated() where bucket.count > 1 {
            let bx = b % nx, by = b / nx
            for i in 0..<bucket.count {
                let s = segments[Int(bucket[i])]
                for j in (i + 1)..<bucket.count {
                    let t = segments[Int(bucket[j])]
                    // Test each pair once: in the first bucket both share.
                    let (sx0, _, sy0, _) = cellRange(s), (tx0, _, ty0, _) = cellRange(t)
                    if max(sx0, tx0) != bx || max(sy0, ty0) != by { continue }
                    if adjacent(s, t) {
                        // Adjacent segments must not overlap beyond their shared end point.
                        if orient(s.a, s.b, t.a) == 0 && orient(s.a, s.b, t.b) == 0 && s.ringSegments > 2 {
                            let shared = s.b == t.a ? s.b : s.a
                            let other = s.b == t.a ? t.b : t.a
                            let back = s.b == t.a ? s.a : s.b
                            // Collinear and folding back onto itself.
                            if (other.x - shared.x) * (back.x - shared.x) + (other.y - shared.y) * (back.y - shared.y) > 0 {
                                if findings.count < 50 { findings.append(describe(s, t, "fold back on each other")) }
                                offenders.insert(RingID(polygon: s.polygon, ring: s.ring))
                            }
                        }
                        continue
                    }
                    if meet(s, t) {
                        if findings.count < 50 { findings.append(describe(s, t, "intersect")) }
                        offenders.insert(RingID(polygon: s.polygon, ring: s.ring)); offenders.insert(RingID(polygon: t.polygon, ring: t.ring))
                    }
                }
            }
        }
        return findings
    }

    static func describe(_ s: Segment, _ t: Segment, _ what: String) -> String {
        func name(_ g: Segment) -> String {
            (g.ring == 0 ? "polygon \(g.polygon + 1) outer ring" : "polygon \(g.polygon + 1) hole \(g.ring)") + " segment \(g.index + 1)"
        }
        return "\(name(s)) and \(name(t)) \(what) near (\(s.a.x), \(s.a.y))"
    }
}
