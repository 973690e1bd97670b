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
        // 0.1° × 0.1° at the equator: 11.132 km × 11.057 km ≈ 123.09 km² on WGS 84.
        let outer = Self.square(0, 0, 0.1)
        let a = IsochroneFigures.areaKm2([outer])
        #expect(abs(a - 123.0865) < 0.01, "\(a)")
        let hole = Array(Self.square(0.025, 0.025, 0.05)[0].reversed())
        let withHole = IsochroneFigures.areaKm2([outer + [hole]])
        #expect(abs(withHole - a * 0.75) < 0.01, "\(withHole)")
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
        let expected = IsochroneFigures.areaKm2([Self.square(0, 0, 0.15)]) * (0.1 / 0.15)
        #expect(abs(area - IsochroneFigures.areaKm2([[[LonLat(lonDegrees: 0, latDegrees: 0), LonLat(lonDegrees: 0.15, latDegrees: 0), LonLat(lonDegrees: 0.15, latDegrees: 0.1), LonLat(lonDegrees: 0, latDegrees: 0.1), LonLat(lonDegrees: 0, latDegrees: 0)]]])) < 1e-3, "extra vertices on the edges change the geodesic area by a few m² only")
        #expect(abs(area - expected) < 0.5)
        // Outer ring counter-clockwise (RFC 7946).
        #expect(GDALDataset.signedArea(united[0][0]) > 0)
        // Disjoint squares stay two polygons.
        #expect(try GDALDataset.union([a, Self.square(1, 1, 0.1)]).count == 2)
    }
}
