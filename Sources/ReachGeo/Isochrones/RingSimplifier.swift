/// Douglas–Peucker simplification of closed rings in the plane.
///
/// Simplifying each ring on its own can make rings cross; ``IsochroneBuilder`` therefore checks
/// the simplified band with ``PolygonValidity`` and puts back the original of every ring that a
/// finding names, until the band is valid.
public enum RingSimplifier {
    /// The ring with every vertex removed whose removal moves the outline by at most
    /// `toleranceMeters` (Douglas–Peucker, anchored at the first vertex and the vertex farthest
    /// from it). Returns the ring unchanged when the tolerance is not positive, when fewer than
    /// four positions would remain, or when the orientation (sign of the area) would change.
    /// - Complexity: O(n log n) typical, O(n²) worst case.
    public static func simplify(ring: [PlanarPoint], toleranceMeters: Double) -> [PlanarPoint] {
        guard toleranceMeters > 0, ring.count > 5 else { return ring }
        let n = ring.count - 1 // distinct vertices; ring[n] == ring[0]
        var far = 0, farD = -1.0
        for i in 1..<n {
            let d = squaredDistance(ring[i], ring[0])
            if d > farD { farD = d; far = i }
        }
        var keep = [Bool](repeating: false, count: n + 1)
        keep[0] = true; keep[far] = true; keep[n] = true
        let tolerance2 = toleranceMeters * toleranceMeters
        var stack: [(Int, Int)] = [(0, far), (far, n)]
        while let (a, b) = stack.popLast() {
            guard b > a + 1 else { continue }
            var best = -1, bestD = -1.0
            for i in (a + 1)..<b {
                let d = squaredSegmentDistance(ring[i], ring[a], ring[b])
                if d > bestD { bestD = d; best = i }
            }
            if bestD > tolerance2 {
                keep[best] = true
                stack.append((a, best)); stack.append((best, b))
            }
        }
        var out: [PlanarPoint] = []
        for i in 0...n where keep[i] { out.append(ring[i]) }
        guard out.count >= 4 else { return ring }
        let before = PlanarGeometry.signedArea(ring), after = PlanarGeometry.signedArea(out)
        guard (before > 0) == (after > 0), after != 0 else { return ring }
        return out
    }

    @inline(__always) static func squaredDistance(_ p: PlanarPoint, _ q: PlanarPoint) -> Double {
        let dx = p.xMeters - q.xMeters, dy = p.yMeters - q.yMeters
        return dx * dx + dy * dy
    }

    /// Squared distance from `p` to the segment `a`–`b`.
    @inline(__always) static func squaredSegmentDistance(_ p: PlanarPoint, _ a: PlanarPoint, _ b: PlanarPoint) -> Double {
        let vx = b.xMeters - a.xMeters, vy = b.yMeters - a.yMeters
        let len2 = vx * vx + vy * vy
        var t = len2 > 0 ? ((p.xMeters - a.xMeters) * vx + (p.yMeters - a.yMeters) * vy) / len2 : 0
        t = min(max(t, 0), 1)
        let dx = a.xMeters + t * vx - p.xMeters, dy = a.yMeters + t * vy - p.yMeters
        return dx * dx + dy * dy
    }
}
