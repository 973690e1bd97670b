import Foundation
import Testing
import ReachGeo
import TestSupport

@Suite("Isochrones on the Hanoi roads")
struct HanoiIsochroneTests {
    @Test("10/20/30 minutes around Hoàn Kiếm: valid, growing, bounded, and agreeing with the road times")
    func hoanKiem() throws {
        guard let roads = try SharedData.require("roads/hanoi_urban_drive_2025-05-14.osm.pbf") else { return }
        let profile = try TravelProfile.load(from: SharedData.bundledData.appendingPathComponent("profiles/motorcycle.json"))
        let graph = try RoadGraphBuilder.build(osmFile: roads, profile: profile).graph
        let snapper = try EdgeSnapper(graph: graph)
        // Hoàn Kiếm Lake, north shore (a central intake point).
        let sitePosition = LonLat(lonDegrees: 105.8522, latDegrees: 21.0303)
        let site = try #require(try snapper.snap(sitePosition, maxDistanceMeters: profile.maxSnapMeters))
        // 100 m cells keep the debug-build test fast; the CLI default is 50 m.
        let options = IsochroneOptions(cellMeters: 100, sampleSpacingMeters: 40)
        let bands = try IsochroneBuilder.build(graph: graph, siteIndex: 0, sitePosition: sitePosition, site: site,
                                               profile: profile, bandsMinutes: [10, 20, 30], options: options)
        #expect(bands.map(\.minutes) == [10, 20, 30])
        for band in bands {
            let findings = PolygonValidity.check(multiPolygon: band.polygons)
            #expect(findings.isEmpty, "\(band.minutes) min: \(findings.prefix(3))")
        }
        let areas = bands.map { areaKm2($0.polygons) }
        print("Hanoi isochrone areas km² \(areas), polygons \(bands.map(\.polygons.count)), holes \(bands.map { $0.polygons.reduce(0) { $0 + $1.holes.count } })")
        #expect(areas[0] > 0 && areas[0] < areas[1] && areas[1] < areas[2])
        // Upper bound from the profile alone: nobody travels faster than the fastest road class,
        // so a band lies within a disc of radius (fastest speed × minutes) plus max_snap_m.
        let fastestMps = profile.speedsKmh.values.max()! / 3.6
        for (band, area) in zip(bands, areas) {
            let radiusKm = (fastestMps * band.minutes * 60 + profile.maxSnapMeters) / 1000
            #expect(area < Double.pi * radiusKm * radiusKm, "\(band.minutes) min: \(area) km²")
        }
        #expect(multiPolygonContains(bands[0].polygons, site.position))

        // Road times of graph vertices from the routing engine (independent of the geometry):
        // a vertex well inside a band (margin: connector time over a cell diagonal and a half
        // sample spacing, (141 + 20) m at 2.78 m/s ≈ 58 s → 90 s) should lie in the polygons,
        // one well beyond it outside. In a dense city a nearby slower road can decide a grid
        // node (the nearest road decides), so the claim is statistical: ≥ 99 % each way.
        let siteConnector = site.distanceMeters / (profile.connectorKmh / 3.6)
        let vertexSeconds = reverseVertexSeconds(graph: graph, to: site, limitSeconds: 3600)
        var rng = SplitMix64(seed: 7)
        for band in bands {
            var inside = 0, insideOK = 0, outside = 0, outsideOK = 0
            for _ in 0..<3000 {
                let v = Int(rng.next() % UInt64(graph.vertexCount))
                let seconds = vertexSeconds[v] + siteConnector
                let contained = multiPolygonContains(band.polygons, graph.vertices[v])
                if seconds <= band.minutes * 60 - 90 { inside += 1; if contained { insideOK += 1 } }
                if seconds > band.minutes * 60 + 90 && seconds.isFinite { outside += 1; if !contained { outsideOK += 1 } }
            }
            print("Hanoi \(band.minutes) min: inside \(insideOK)/\(inside), outside \(outsideOK)/\(outside)")
            #expect(Double(insideOK) >= 0.99 * Double(inside))
            #expect(Double(outsideOK) >= 0.99 * Double(outside))
        }
    }
}
