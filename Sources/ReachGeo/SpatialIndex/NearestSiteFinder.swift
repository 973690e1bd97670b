/// Finds, for any point, the nearest site by geodesic (WGS 84) distance, and all sites within a
/// geodesic radius, without an all-pairs loop.
///
/// Sites are projected to a local metric frame (the UTM zone of the data's centre) and put in a
/// ``PointGridIndex``. A query finds the planar nearest distance `d`, then confirms with
/// `geod_inverse` every site within `d × (1 + tolerance) + 1 m` in the plane. Within one UTM zone
/// the scale factor stays in 0.9996…1.0010, so planar and geodesic distances differ by less than
/// 0.15 %; the 1 % tolerance therefore never misses the geodesic nearest site.
public struct NearestSiteFinder: Sendable {
    public let sites: [LonLat]
    public let projection: ProjectionSpec
    let index: PointGridIndex
    /// Relative slack between planar and geodesic distances.
    public static let planarToleranceRatio = 0.01

    /// - Parameters:
    ///   - sites: site positions; the index of a site is its position in this array.
    ///   - projection: the local metric frame (shared with the points that will be queried).
    public init(sites: [LonLat], projection: ProjectionSpec) throws {
        self.sites = sites
        self.projection = projection
        let projector = try projection.makeProjector()
        index = PointGridIndex(points: try projector.forward(sites))
    }

    /// The nearest site (lowest index on ties) and its geodesic distance, or nil without sites.
    /// - Parameter planar: `point` already projected into ``projection``.
    @inlinable
    public func nearest(to point: LonLat, planar: PlanarPoint) -> (site: Int, distanceMeters: Double)? {
        nearestImpl(point, planar)
    }

    @usableFromInline
    func nearestImpl(_ point: LonLat, _ planar: PlanarPoint) -> (site: Int, distanceMeters: Double)? {
        guard let d = index.nearestPlanarDistance(to: planar) else { return nil }
        let reach = d * (1 + Self.planarToleranceRatio) + 1
        var bestSite = -1
        var best = Double.infinity
        sites.withUnsafeBufferPointer { s in
            index.forEach(within: reach, of: planar) { i, _ in
                let g = Geodesic.distanceMeters(point, s[i])
                if g < best || (g == best && i < bestSite) { best = g; bestSite = i }
            }
        }
        return bestSite >= 0 ? (bestSite, best) : nil
    }

    /// Every site whose geodesic distance to `point` is ≤ `radiusMeters`, as (site, metres),
    /// sorted by site index.
    public func sites(within radiusMeters: Double, of point: LonLat, planar: PlanarPoint) -> [(site: Int, distanceMeters: Double)] {
        var out: [(site: Int, distanceMeters: Double)] = []
        index.forEach(within: radiusMeters * (1 + Self.planarToleranceRatio) + 1, of: planar) { i, _ in
            let g = Geodesic.distanceMeters(point, sites[i])
            if g <= radiusMeters { out.append((i, g)) }
        }
        out.sort { $0.site < $1.site }
        return out
    }

    /// Projects many points into this finder's frame, in parallel (one projector per chunk).
    public func project(_ points: [LonLat]) throws -> [PlanarPoint] {
        try LocalMetricFrame.project(points, with: projection)
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
