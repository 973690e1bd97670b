import Foundation
import Testing
@testable import ReachGeo

/// Area, population inside and the union of isochrone polygons.
struct IsochroneFiguresTests {
    static func square(_ lon: Double, _ lat: Double, _ side: Double) -> [[LonLat]] {
        [[LonLat(lonDegrees: lon, latDegrees: lat), LonLat(lonDegrees: lon + side, latDegrees: lat),
          LonLat(lonDegrees: lon + side, latDegrees: lat + side), LonLat(lonDegrees: lon, latDegrees: lat + side),
          LonLat(lonDegrees: lon, latDegrees: lat)]]
    }

    @Test func geodesicAreaOfASquareWithAHole() {
        // 0.1° × 0.1° at the equator: 11.132 km × 11.057 km ≈ 123.09 km² by hand; with geodesic
        // edges on WGS 84, pyproj's Geod(ellps="WGS84").polygon_area_perimeter gives 123.090691 km².
        let outer = Self.square(0, 0, 0.1)
        let a = IsochroneFigures.areaKm2([outer])
        #expect(abs(a - 123.090691) < 1e-3, "\(a)")
        let hole = Array(Self.square(0.025, 0.025, 0.05)[0].reversed())
        let withHole = IsochroneFigures.areaKm2([outer + [hole]])
        // Minus the 0.05° hole, by the same pyproj call: 123.090691 − 30.772670 = 92.318022 km².
        #expect(abs(withHole - 92.318022) < 1e-3, "\(withHole)")
    }

    @Test func populationInsideExcludesTheHole() {
        let hole = Array(Self.square(0.025, 0.025, 0.05)[0].reversed())
        let residents = [
            Resident(id: "a", position: LonLat(lonDegrees: 0.01, latDegrees: 0.01), population: 5, zone: nil, sourceLine: 2),
            Resident(id: "b", position: LonLat(lonDegrees: 0.05, latDegrees: 0.05), population: 7, zone: nil, sourceLine: 3),
            Resident(id: "c", position: LonLat(lonDegrees: 0.2, latDegrees: 0.05), population: 11, zone: nil, sourceLine: 4),
        ]
        let inside = IsochroneFigures.population(inside: [Self.square(0, 0, 0.1) + [hole]], residents: residents)
        #expect(inside.population == 5 && inside.residents == 1)
    }

    @Test func unionOfOverlappingSquaresCoversTheirUnionOnce() throws {
        let a = Self.square(0, 0, 0.1), b = Self.square(0.05, 0, 0.1)
        let united = try GDALDataset.union([a, b])
        #expect(united.count == 1)
        let area = IsochroneFigures.areaKm2(united)
        // The union is the 0.15° × 0.1° rectangle: 184.636 km² by pyproj's
        // Geod(ellps="WGS84").polygon_area_perimeter (184.63610 with its 4 corners, 184.63600 with
        // the squares' corners left on the edges, as GEOS may keep them).
        #expect(abs(area - 184.6360) < 1e-3, "\(area)")
        // Outer ring counter-clockwise (RFC 7946).
        #expect(GDALDataset.signedArea(united[0][0]) > 0)
        // Disjoint squares stay two polygons.
        #expect(try GDALDataset.union([a, Self.square(1, 1, 0.1)]).count == 2)
    }
}
