import ReachGeo

/// The map's projection: a local equirectangular projection fitted to the data extent.
///
/// x = x0 + (lon − lon0) × pxPerDegreeLon, y = y0 − (lat − lat0) × pxPerDegreeLat, where
/// (lon0, lat0) is the centre of the extent and the two scales come from geodesic lengths of
/// one degree at lat0 on WGS 84 (so east–west is shrunk by ≈ cos(lat0) against north–south).
/// Over a city (≤ a few hundred km) shapes and areas are distorted by well under 1 %; the
/// scale bar is measured geodesically at its own latitude, so it stays exact.
struct MapFrame: Sendable {
    /// Width and height of the SVG viewBox in user units (≈ CSS pixels at full size).
    let widthPx: Double
    let heightPx: Double
    let center: LonLat
    let pxPerDegreeLon: Double
    let pxPerDegreeLat: Double
    /// The pixel position of `center`.
    let x0: Double
    let y0: Double

    /// Fits `box` into a `widthPx`-wide map with `marginPx` on every side. The height follows
    /// the extent's aspect ratio, clamped to `minHeightPx…maxHeightPx`; within that box the
    /// extent is centred and scaled to fit.
    init(fitting box: GeoBoundingBox, widthPx: Double, marginPx: Double,
         minHeightPx: Double, maxHeightPx: Double) {
        let center = box.center
        // Metres in one degree at the centre latitude, measured geodesically; at a pole a degree
        // of longitude has no length, so the scale is taken 0.1° from it (never 0: the inverse
        // ``lonLat(x:y:)`` divides by it).
        let scaleLat = min(89.9, max(-89.9, center.latDegrees))
        let metersPerDegreeLon = Geodesic.distanceMeters(
            LonLat(lonDegrees: center.lonDegrees - 0.5, latDegrees: scaleLat),
            LonLat(lonDegrees: center.lonDegrees + 0.5, latDegrees: scaleLat))
        let metersPerDegreeLat = Geodesic.distanceMeters(
            LonLat(lonDegrees: center.lonDegrees, latDegrees: max(-90, center.latDegrees - 0.5)),
            LonLat(lonDegrees: center.lonDegrees, latDegrees: min(90, center.latDegrees + 0.5)))
            / (min(90, center.latDegrees + 0.5) - max(-90, center.latDegrees - 0.5))
        // Extent in metres; a degenerate extent (one point) gets 1 km.
        let spanXMeters = max((box.maxLonDegrees - box.minLonDegrees) * metersPerDegreeLon, 1000)
        let spanYMeters = max((box.maxLatDegrees - box.minLatDegrees) * metersPerDegreeLat, 1000)
        let innerWidth = widthPx - 2 * marginPx
        let naturalHeight = innerWidth * spanYMeters / spanXMeters + 2 * marginPx
        let height = min(max(naturalHeight, minHeightPx), maxHeightPx)
        let innerHeight = height - 2 * marginPx
        let pxPerMeter = min(innerWidth / spanXMeters, innerHeight / spanYMeters)
        self.widthPx = widthPx
        self.heightPx = height
        self.center = center
        self.pxPerDegreeLon = pxPerMeter * metersPerDegreeLon
        self.pxPerDegreeLat = pxPerMeter * metersPerDegreeLat
        self.x0 = widthPx / 2
        self.y0 = height / 2
    }

    @inline(__always)
    func x(_ p: LonLat) -> Double { x0 + (p.lonDegrees - center.lonDegrees) * pxPerDegreeLon }

    @inline(__always)
    func y(_ p: LonLat) -> Double { y0 - (p.latDegrees - center.latDegrees) * pxPerDegreeLat }

    /// The position at pixel (x, y): the inverse of ``x(_:)``/``y(_:)``.
    /// (Latitudes beyond the poles, above or below the map, are clamped to ±90.)
    func lonLat(x: Double, y: Double) -> LonLat {
        LonLat(lonDegrees: center.lonDegrees + (x - x0) / pxPerDegreeLon,
               latDegrees: min(90, max(-90, center.latDegrees - (y - y0) / pxPerDegreeLat)))
    }

    /// Geodesic metres per horizontal pixel at pixel row `y` (at a pole, where a row has no
    /// width, the north–south scale instead).
    func metersPerPixel(atY y: Double) -> Double {
        let a = lonLat(x: x0 - 50, y: y), b = lonLat(x: x0 + 50, y: y)
        let m = Geodesic.distanceMeters(a, b) / 100
        if m.isFinite && m > 1e-9 { return m }
        return 111_000 / pxPerDegreeLat
    }
}

/// A scale bar of a round length: 1, 2 or 5 × 10ⁿ metres.
struct ScaleBar: Sendable, Equatable {
    let lengthMeters: Double
    let lengthPx: Double

    /// The longest round length not exceeding `maxPx` pixels at `metersPerPixel`.
    init(metersPerPixel: Double, maxPx: Double) {
        let maxMeters = metersPerPixel * maxPx
        var chosen = 1.0
        var magnitude = 1.0
        outer: while magnitude <= 1e8 {
            for m in [1.0, 2.0, 5.0] {
                let candidate = m * magnitude
                if candidate > maxMeters { break outer }
                chosen = candidate
            }
            magnitude *= 10
        }
        lengthMeters = chosen
        lengthPx = chosen / metersPerPixel
    }
}
