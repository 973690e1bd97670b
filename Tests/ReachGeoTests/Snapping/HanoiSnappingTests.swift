import Foundation
import Testing
import ReachGeo
import TestSupport

/// Real data: the 2025 commune centres of Hanoi snapped to the urban drive network.
@Suite struct HanoiSnappingTests {
    @Test func communeCentresSnapToTheUrbanNetwork() throws {
        guard let roads = try SharedData.require("roads/hanoi_urban_drive_2025-05-14.osm.pbf"),
              let communes = try SharedData.require("admin/hanoi_wards_communes_2025_vietnamadminunits.csv") else { return }
        let profile = try TravelProfile.load(from: SharedData.bundledData.appendingPathComponent("profiles/motorcycle.json"))
        let graph = try RoadGraphBuilder.build(osmFile: roads, profile: profile).graph
        let snapper = try EdgeSnapper(graph: graph)
        // Columns: province,ward,wardShort,wardType,provinceCode,wardCode,wardLat,wardLon,…
        let rows = try String(contentsOf: communes, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let centres = rows.map { LonLat(lonDegrees: Double($0[7])!, latDegrees: Double($0[6])!) }
        let isWard = rows.map { $0[3] == "Phường" }
        #expect(centres.count == 126)
        let snapped = try snapper.snapAll(centres, maxDistanceMeters: profile.maxSnapMeters)
        // The urban network's extent (its vertices' bounding box, shrunk by ~1 km): every ward
        // centre inside it lies in the dense city and must snap, within max_snap_m.
        let box = try #require(GeoBoundingBox(covering: graph.vertices))
        let inner = GeoBoundingBox(minLonDegrees: box.minLonDegrees + 0.01, minLatDegrees: box.minLatDegrees + 0.01,
                                   maxLonDegrees: box.maxLonDegrees - 0.01, maxLatDegrees: box.maxLatDegrees - 0.01)
        var urban = 0
        for i in centres.indices where isWard[i] && inner.contains(centres[i]) {
            urban += 1
            let s = try #require(snapped[i], "ward \(rows[i][1]) did not snap")
            #expect(s.distanceMeters <= profile.maxSnapMeters)
            #expect(s.distanceMeters < 300, "ward \(rows[i][1]) is \(s.distanceMeters) m from a road")
            #expect(graph.isSnapTarget[Int(s.edge)])
            #expect(s.offsetMeters >= 0 && s.offsetMeters <= graph.edges[Int(s.edge)].lengthMeters)
            #expect(abs(Geodesic.distanceMeters(centres[i], s.position) - s.distanceMeters) < 1e-6)
        }
        print("Hanoi: \(urban) ward centres inside the urban network, \(snapped.compactMap { $0 }.count) of 126 centres snapped")
        #expect(urban >= 30)
        // Every snapped centre reaches some other centre by road (one multi-source search).
        let connectors = snapped.map { ($0?.distanceMeters ?? 0) / (profile.connectorKmh / 3.6) }
        let fastest = FastestIntakeSearch.run(graph: graph, sites: snapped, siteConnectorSeconds: connectors,
                                              residents: snapped, residentConnectorSeconds: connectors)
        for i in centres.indices where snapped[i] != nil {
            // A centre's fastest intake point is itself, at twice its connector time.
            #expect(fastest[i]?.siteIndex == i || fastest[i]?.seconds == 2 * connectors[i], "centre \(i)")
        }
    }
}
