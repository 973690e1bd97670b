import Foundation

/// Decides "geodesic distance ≤ R" for many point pairs without a `geod_inverse` per pair: a
/// proven band on the unit-sphere chord in which only the pairs in the thin uncertain middle
/// need the exact geodesic.
///
/// **The bound.** Map each point of the WGS 84 ellipsoid to the unit sphere with the same
/// latitude and longitude (geodetic latitude used as spherical latitude). The ellipsoid's line
/// element is ds² = M(φ)² dφ² + N(φ)² cos²φ dλ² (M the meridional radius a(1−e²)/W³, N the
/// prime-vertical radius a/W, W = √(1 − e² sin²φ)); the sphere's is dσ² = dφ² + cos²φ dλ². As
/// M ≤ N everywhere, M(φ) dσ ≤ ds ≤ N(φ) dσ pointwise. Let σ be the central angle between the
/// two points' images and s their geodesic distance, and let every path below stay within the
/// latitude interval I, over which M ≥ k₋ and N ≤ k₊. Then
/// - s ≤ k₊ σ: the preimage of the great-circle arc is a path on the ellipsoid of length
///   ≤ k₊ σ, and the geodesic is no longer than any path;
/// - s ≥ k₋ σ: the image of the geodesic is a path on the sphere of length ≥ σ, and each of
///   its elements is at most ds / k₋.
///
/// Both paths stay in I = [φ₁ − δ, φ₁ + δ] with δ = R a / b² whenever s ≤ R (for the lower
/// bound; a path of ellipsoidal length ≤ R changes latitude by at most R / min M = R a / b²)
/// or σ ≤ R / k₊ (for the upper bound; an arc of angle σ changes latitude by at most σ, and
/// k₊ ≥ b² / a). Over I, M is smallest at the smallest |φ| and N largest at the largest |φ|
/// (both grow with |φ|). Globally k₋ ≥ b²/a and k₊ ≤ a²/b, a ratio (a/b)³ ≈ 1.0101; locally the
/// band is much thinner (N/M ≈ 1.0067 at 21° N: ± 17 m at 5 km).
///
/// So, with c the chord between the unit vectors (σ = 2 asin(c/2)):
/// c ≤ 2 sin(R / 2k₊) ⇒ s ≤ R (certainly inside); c > 2 sin(R / 2k₋) ⇒ s > R (certainly
/// outside). The thresholds carry a relative margin of 10⁻⁸ (50 µm at 5 km) that covers the
/// rounding of the chord, of the thresholds and the accuracy of `geod_inverse` itself
/// (≈ 15 nm), so a "certain" answer is the one the exact comparison `geod_inverse ≤ R` gives.
struct GeodesicBand: Sendable {
    /// Squared chord thresholds on the unit sphere: ≤ `insideChord2` certainly inside,
    /// > `outsideChord2` certainly outside, else uncertain.
    let insideChord2: Double
    let outsideChord2: Double

    static let a = Geodesic.wgs84SemiMajorAxisMeters
    static let f = Geodesic.wgs84Flattening
    static let b = a * (1 - f)
    static let e2 = f * (2 - f)
    static let margin = 1e-8

    /// The band for distance `radiusMeters` around points at latitude `latDegrees`.
    init(radiusMeters r: Double, latDegrees: Double) {
        let a = Self.a, b = Self.b, e2 = Self.e2
        let phi = latDegrees * .pi / 180
        let delta = r * a / (b * b) * (1 + 1e-6)
        let lo = max(-Double.pi / 2, phi - delta), hi = min(Double.pi / 2, phi + delta)
        let minAbs = lo <= 0 && hi >= 0 ? 0 : min(abs(lo), abs(hi))
        let maxAbs = max(abs(lo), abs(hi))
        func w(_ p: Double) -> Double { (1 - e2 * sin(p) * sin(p)).squareRoot() }
        let wMin = w(minAbs), wMax = w(maxAbs)
        let kMinus = a * (1 - e2) / (wMin * wMin * wMin) * (1 - 1e-12)
        let kPlus = a / wMax * (1 + 1e-12)
        let inside = 2 * sin(min(Double.pi / 2, r / (2 * kPlus))) * (1 - Self.margin)
        let outsideAngle = r / (2 * kMinus)
        let outside = outsideAngle >= Double.pi / 2 ? 4.0 : 2 * sin(outsideAngle) * (1 + Self.margin)
        insideChord2 = r > 0 ? inside * inside : -1
        outsideChord2 = outside * outside
    }

    /// Unit vector of a point (geodetic latitude taken as spherical latitude).
    @inline(__always)
    static func unit(_ p: LonLat) -> SIMD3<Double> {
        let lat = p.latDegrees * .pi / 180, lon = p.lonDegrees * .pi / 180
        let c = cos(lat)
        return SIMD3(c * cos(lon), c * sin(lon), sin(lat))
    }

    /// Largest central angle (radians) of a pair within `radiusMeters` (s ≥ (b²/a) σ).
    static func maxCentralAngle(radiusMeters r: Double) -> Double {
        min(Double.pi, r * a / (b * b) * (1 + 1e-6))
    }
}

/// Sites in a latitude–longitude grid, each cell's sites contiguous with their unit vectors, so
/// a query visits only the cells that can hold a site within its radius (a superset proven
/// from the central-angle bound, whatever the projection).
struct SphereSiteGrid: Sendable {
    let minLat: Double, minLon: Double
    let cellLat: Double, cellLon: Double
    let rows: Int, cols: Int
    /// Sites of cell (row, col): `cellSites[cellOffsets[row * cols + col] ..< …+1]`, ascending.
    let cellOffsets: [Int32]
    let cellSites: [Int32]
    let cellUnits: [SIMD3<Double>]

    init(sites: [LonLat], cellMeters: Double) {
        var minLat = 90.0, maxLat = -90.0, minLon = 180.0, maxLon = -180.0
        for p in sites {
            minLat = min(minLat, p.latDegrees); maxLat = max(maxLat, p.latDegrees)
            minLon = min(minLon, p.lonDegrees); maxLon = max(maxLon, p.lonDegrees)
        }
        if sites.isEmpty { minLat = 0; maxLat = 0; minLon = 0; maxLon = 0 }
        let cellLat = max(cellMeters / 111_000, 1e-6)
        let midCos = max(cos(max(abs(minLat), abs(maxLat)) * .pi / 180), 0.01)
        let cellLon = cellLat / midCos
        // At most ~1 M cells.
        var rows = Int(((maxLat - minLat) / cellLat).rounded(.down)) + 1
        var cols = Int(((maxLon - minLon) / cellLon).rounded(.down)) + 1
        var cl = cellLat, co = cellLon
        while rows * cols > 1 << 20 {
            cl *= 2; co *= 2
            rows = Int(((maxLat - minLat) / cl).rounded(.down)) + 1
            cols = Int(((maxLon - minLon) / co).rounded(.down)) + 1
        }
        self.minLat = minLat; self.minLon = minLon; self.cellLat = cl; self.cellLon = co
        self.rows = rows; self.cols = cols
        var counts = [Int32](repeating: 0, count: rows * cols + 1)
        var cellOf = [Int](repeating: 0, count: sites.count)
        for (j, p) in sites.enumerated() {
            let r = min(rows - 1, max(0, Int((p.latDegrees - minLat) / cl)))
            let c = min(cols - 1, max(0, Int((p.lonDegrees - minLon) / co)))
            cellOf[j] = r * cols + c
            counts[cellOf[j] + 1] += 1
        }
        for k in 0 ..< rows * cols { counts[k + 1] += counts[k] }
        var fill = counts
        var items = [Int32](repeating: 0, count: sites.count)
        var units = [SIMD3<Double>](repeating: .zero, count: sites.count)
        for (j, p) in sites.enumerated() {
            let k = Int(fill[cellOf[j]])
            items[k] = Int32(j); units[k] = GeodesicBand.unit(p)
            fill[cellOf[j]] += 1
        }
        cellOffsets = counts
        cellSites = items
        cellUnits = units
    }

    /// Calls `body(site, unit vector)` for every site that can lie within central angle `sigma`
    /// of `p` (each at most once, in no particular order).
    @inline(__always)
    func forEachCandidate(near p: LonLat, centralAngle sigma: Double, _ body: (Int32, SIMD3<Double>) -> Void) {
        let dLat = sigma * 180 / .pi
        let latLo = p.latDegrees - dLat, latHi = p.latDegrees + dLat
        let r0 = max(0, Int(((latLo - minLat) / cellLat).rounded(.down)))
        let r1 = min(rows - 1, Int(((latHi - minLat) / cellLat).rounded(.down)))
        guard r0 <= r1 else { return }
        // |Δλ| ≤ 2 asin(sin(σ/2) / cos φmax) for two points at angle σ (haversine).
        let phiMax = min(90, max(abs(latLo), abs(latHi))) * .pi / 180
        let ratio = sin(sigma / 2) / cos(phiMax)
        // Up to three column ranges (the window and its copies shifted by ±360°), merged.
        var ranges: (Int, Int, Int, Int, Int, Int) = (0, -1, 0, -1, 0, -1)
        var rangeCount = 0
        if !(ratio < 1) || sigma >= .pi / 2 {
            ranges.0 = 0; ranges.1 = cols - 1; rangeCount = 1
        } else {
            let dLon = 2 * asin(ratio) * 180 / .pi * (1 + 1e-9) + 1e-9
            if dLon >= 180 {
                ranges.0 = 0; ranges.1 = cols - 1; rangeCount = 1
            } else {
                for shift in [-360.0, 0, 360] {
                    let lo = p.lonDegrees + shift - dLon, hi = p.lonDegrees + shift + dLon
                    guard hi >= minLon else { continue }
                    let c0 = max(0, Int(((lo - minLon) / cellLon).rounded(.down)))
                    let c1 = min(cols - 1, Int(((hi - minLon) / cellLon).rounded(.down)))
                    guard c0 <= c1 else { continue }
                    // Ranges come in ascending order; merge one that touches the previous.
                    if rangeCount == 1 && c0 <= ranges.1 + 1 { ranges.1 = max(ranges.1, c1); continue }
                    if rangeCount == 2 && c0 <= ranges.3 + 1 { ranges.3 = max(ranges.3, c1); continue }
                    switch rangeCount {
                    case 0: ranges.0 = c0; ranges.1 = c1
                    case 1: ranges.2 = c0; ranges.3 = c1
                    default: ranges.4 = c0; ranges.5 = c1
                    }
                    rangeCount += 1
                }
            }
        }
        cellOffsets.withUnsafeBufferPointer { off in
            cellSites.withUnsafeBufferPointer { sites in
                cellUnits.withUnsafeBufferPointer { units in
                    for r in r0 ... r1 {
                        for q in 0 ..< rangeCount {
                            let (c0, c1) = q == 0 ? (ranges.0, ranges.1) : q == 1 ? (ranges.2, ranges.3) : (ranges.4, ranges.5)
                            let lo = Int(off[r * cols + c0]), hi = Int(off[r * cols + c1 + 1])
                            var k = lo
                            while k < hi { body(sites[k], units[k]); k += 1 }
                        }
                    }
                }
            }
        }
    }
}
