import Foundation

/// Finds, for any point, the nearest site by geodesic (WGS 84) distance, and all sites within a
/// geodesic radius, without an all-pairs loop, anywhere on the Earth (poles and antimeridian
/// included).
///
/// Sites are put on the unit sphere (geodetic latitude and longitude taken as spherical
/// coordinates, ``UnitVector``) in a ``UnitSphereGridIndex``. The prefilter rests on a bound
/// that holds for every pair of points on the ellipsoid:
///
///     (b²/a) · σ  ≤  s  ≤  (a²/b) · σ
///
/// where s is the geodesic distance, σ the central angle between the two unit vectors, a and b
/// the WGS 84 semi-axes. Proof: in (φ, λ) the ellipsoid's metric is ds² = M² dφ² + N² cos²φ dλ²
/// with the radii of curvature M = a(1−e²)/W³ and N = a/W (W = √(1−e² sin²φ)); both lie in
/// [a(1−e²), a/√(1−e²)] = [b²/a, a²/b]. The unit sphere's metric in the same coordinates is
/// dσ² = dφ² + cos²φ dλ². So every curve's ellipsoidal length lies between b²/a and a²/b times
/// its spherical length, and so do the infima over curves: the geodesic distance and R·σ.
///
/// A nearest query takes the site with the smallest chord, computes its geodesic distance g,
/// and then checks with `geod_inverse` every site with σ ≤ g / (b²/a) (plus 1e-9 rad, 6 mm, for
/// rounding): any site closer than g has σ ≤ s / (b²/a) < g / (b²/a), so none is missed. A
/// radius query checks every site with σ ≤ r / (b²/a).
public struct NearestSiteFinder: Sendable {
    public let sites: [LonLat]
    let vectors: [UnitVector]
    let index: UnitSphereGridIndex

    /// b²/a of WGS 84 in metres: the smallest radius of curvature, the lower bound of s / σ.
    public static let minimumRadiusOfCurvatureMeters: Double = {
        let a = Geodesic.wgs84SemiMajorAxisMeters, b = a * (1 - Geodesic.wgs84Flattening)
        return b * b / a
    }()
    /// a²/b of WGS 84 in metres: the largest radius of curvature, the upper bound of s / σ.
    public static let maximumRadiusOfCurvatureMeters: Double = {
        let a = Geodesic.wgs84SemiMajorAxisMeters, b = a * (1 - Geodesic.wgs84Flattening)
        return a * a / b
    }()
    /// Rounding slack of the angle bound, in radians (6 mm on the Earth).
    static let angleSlackRadians = 1e-9

    /// - Parameter sites: site positions; the index of a site is its position in this array.
    public init(sites: [LonLat]) {
        self.sites = sites
        vectors = sites.map(UnitVector.init)
        index = UnitSphereGridIndex(points: vectors)
    }

    /// The chord on the unit sphere that every site within `meters` (geodesic) lies within.
    static func chordBound(meters: Double) -> Double {
        let sigma = meters / minimumRadiusOfCurvatureMeters + angleSlackRadians
        return (sigma >= .pi ? 2.0 : 2 * sin(sigma / 2)) * (1 + 1e-12)
    }

    /// The nearest site (lowest index on ties) and its geodesic distance, or nil without sites.
    public func nearest(to point: LonLat) -> (site: Int, distanceMeters: Double)? {
        let q = UnitVector(point)
        guard let first = index.nearestByChord(to: q) else { return nil }
        var bestSite = first.index
        var best = Geodesic.distanceMeters(point, sites[first.index])
        index.forEach(withinChord: Self.chordBound(meters: best), of: q) { i, _ in
            let g = Geodesic.distanceMeters(point, sites[i])
            if g < best || (g == best && i < bestSite) { best = g; bestSite = i }
        }
        return (bestSite, best)
    }

    /// Every site whose geodesic distance to `point` is ≤ `radiusMeters`, as (site, metres),
    /// sorted by site index.
    public func sites(within radiusMeters: Double, of point: LonLat) -> [(site: Int, distanceMeters: Double)] {
        var out: [(site: Int, distanceMeters: Double)] = []
        guard radiusMeters >= 0 else { return out }
        index.forEach(withinChord: Self.chordBound(meters: radiusMeters), of: UnitVector(point)) { i, _ in
            let g = Geodesic.distanceMeters(point, sites[i])
            if g <= radiusMeters { out.append((i, g)) }
        }
        out.sort { $0.site < $1.site }
        return out
    }
}

/// The local metric frame used for indexing: the UTM zone (WGS 84) of the data's centre.
public enum LocalMetricFrame {
    /// The UTM projection for data within `box`.
    public static func spec(for box: GeoBoundingBox) -> ProjectionSpec {
        ProjectionSpec.utm(containing: box.center)
    }

    /// Projects points with one PROJ projector per parallel chunk (PROJ objects are never shared
    /// between threads).
    public static func project(_ points: [LonLat], with spec: ProjectionSpec) throws -> [PlanarPoint] {
        var out = [PlanarPoint](repeating: PlanarPoint(xMeters: 0, yMeters: 0), count: points.count)
        try out.withUnsafeMutableBufferPointer { buf in
            let w = DisjointWrites(buf.baseAddress!, count: points.count)
            try points.withUnsafeBufferPointer { src in
                let s = UnsafeSendableBuffer(src)
                try Parallel.forEachChunkThrowing(count: points.count, minimumChunk: 65_536) { range in
                    let projector = try spec.makeProjector()
                    var xs = [Double](), ys = [Double]()
                    xs.reserveCapacity(range.count); ys.reserveCapacity(range.count)
                    for i in range { xs.append(s[i].lonDegrees); ys.append(s[i].latDegrees) }
                    do {
                        try projector.transformInPlace(xs: &xs, ys: &ys)
                    } catch {
                        // Name the point in the caller's numbering.
                        guard var e = error as? ProjectionError else { throw error }
                        if let k = Int(e.subject.dropFirst("point #".count)) { e.subject = "point #\(range.lowerBound + k)" }
                        throw e
                    }
                    for (k, i) in range.enumerated() { w[i] = PlanarPoint(xMeters: xs[k], yMeters: ys[k]) }
                }
            }
        }
        return out
    }
}

/// A read-only buffer shared by parallel chunks.
public struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    public let base: UnsafeBufferPointer<Element>
    public init(_ base: UnsafeBufferPointer<Element>) { self.base = base }
    @inlinable public subscript(i: Int) -> Element { base[i] }
    public var count: Int { base.count }
}
