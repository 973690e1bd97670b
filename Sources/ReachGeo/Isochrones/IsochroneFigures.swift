internal import CProj

/// What analysts read off an isochrone: its geodesic area and the population of the scenario's
/// residents inside it.
public enum IsochroneFigures {
    nonisolated(unsafe) private static let wgs84: UnsafePointer<geod_geodesic> = {
        let g = UnsafeMutablePointer<geod_geodesic>.allocate(capacity: 1)
        g.initialize(to: geod_geodesic())
        geod_init(g, Geodesic.wgs84SemiMajorAxisMeters, Geodesic.wgs84Flattening)
        return UnsafePointer(g)
    }()

    /// The geodesic area (WGS 84, `geod_polygonarea`) of polygons `[outer, hole, …]` in km²:
    /// outer rings count, holes are subtracted.
    public static func areaKm2(_ polygons: [[[LonLat]]]) -> Double {
        var total = 0.0
        for poly in polygons {
            for (k, ring) in poly.enumerated() {
                let open = ring.count > 1 && ring.first == ring.last ? Array(ring.dropLast()) : ring
                guard open.count >= 3 else { continue }
                var lats = open.map(\.latDegrees), lons = open.map(\.lonDegrees)
                var area = 0.0, perimeter = 0.0
                geod_polygonarea(wgs84, &lats, &lons, Int32(open.count), &area, &perimeter)
                total += k == 0 ? abs(area) : -abs(area)
            }
        }
        return total / 1e6
    }

    /// The population of `residents` whose position lies inside `polygons` (holes excluded; a
    /// point on an edge counts as inside), and how many residents that is.
    public static func population(inside polygons: [[[LonLat]]], residents: [Resident]) -> (population: Double, residents: Int) {
        guard !polygons.isEmpty else { return (0, 0) }
        let zone = ZonePolygon(name: "", parts: polygons)
        let box = zone.boundingBox
        var total = 0.0, count = 0
        for r in residents {
            let p = r.position
            guard p.lonDegrees >= box.minLonDegrees, p.lonDegrees <= box.maxLonDegrees,
                  p.latDegrees >= box.minLatDegrees, p.latDegrees <= box.maxLatDegrees else { continue }
            if zone.contains(p) { total += r.population; count += 1 }
        }
        return (total, count)
    }
}
