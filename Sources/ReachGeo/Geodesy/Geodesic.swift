internal import CProj

/// Geodesic distances on the WGS 84 ellipsoid through PROJ's `geodesic.h` (Karney's algorithms).
///
/// This is the one Earth model of Reach: every "within N metres" is `geod_inverse` on WGS 84
/// (a = 6 378 137 m, f = 1/298.257223563). No spherical shortcut is used for a decision.
/// `geod_geodesic` is a read-only struct after `geod_init`, so one shared value is thread-safe.
public enum Geodesic {
    /// WGS 84 semi-major axis in metres.
    public static let wgs84SemiMajorAxisMeters = 6_378_137.0
    /// WGS 84 flattening.
    public static let wgs84Flattening = 1.0 / 298.257223563

    /// Initialised once and never freed or written again, so sharing it between threads is safe;
    /// held by pointer so that a call does not copy the ≈ 400-byte struct.
    nonisolated(unsafe) private static let wgs84: UnsafePointer<geod_geodesic> = {
        let g = UnsafeMutablePointer<geod_geodesic>.allocate(capacity: 1)
        g.initialize(to: geod_geodesic())
        geod_init(g, wgs84SemiMajorAxisMeters, wgs84Flattening)
        return UnsafePointer(g)
    }()

    /// The geodesic distance in metres between two points (`geod_inverse` without azimuths:
    /// PROJ then skips their `atan2`s; the distance is the same bit for bit).
    public static func distanceMeters(_ a: LonLat, _ b: LonLat) -> Double {
        var s12 = 0.0
        geod_inverse(wgs84, a.latDegrees, a.lonDegrees, b.latDegrees, b.lonDegrees, &s12, nil, nil)
        return s12
    }

    /// Distance and forward azimuths (`geod_inverse`). Azimuths in degrees clockwise from north.
    public static func inverse(_ a: LonLat, _ b: LonLat) -> (distanceMeters: Double, azimuth1Degrees: Double, azimuth2Degrees: Double) {
        var s12 = 0.0, azi1 = 0.0, azi2 = 0.0
        geod_inverse(wgs84, a.latDegrees, a.lonDegrees, b.latDegrees, b.lonDegrees, &s12, &azi1, &azi2)
        return (s12, azi1, azi2)
    }

    /// The point reached by going `distanceMeters` from `start` along azimuth `azimuthDegrees`
    /// (`geod_direct`).
    public static func direct(from start: LonLat, azimuthDegrees: Double, distanceMeters: Double) -> LonLat {
        var lat2 = 0.0, lon2 = 0.0, azi2 = 0.0
        geod_direct(wgs84, start.latDegrees, start.lonDegrees, azimuthDegrees, distanceMeters, &lat2, &lon2, &azi2)
        return LonLat(lonDegrees: lon2, latDegrees: lat2)
    }
}
