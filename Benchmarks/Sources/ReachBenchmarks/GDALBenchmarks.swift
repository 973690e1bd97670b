import Foundation
import ReachGeo

/// GeoPackage writing and reading of one million residents (issue 12: read ≤ 2 s, write ≤ 3 s).
func registerGDALBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(
        name: "gpkg-residents-1m",
        summary: "write a 1 M-point `residents` layer (the 12 typed columns of reach.gpkg) in one transaction, then PointTables.readResidents it back",
        run: {
            let n = 1_000_000
            var rng = SplitMix64(seed: 12)
            let fields: [(name: String, type: GDALDataset.FieldType)] = [
                ("id", .string), ("population", .real), ("zone", .string), ("nearest_id", .string), ("distance_m", .real),
                ("fastest_id", .string), ("minutes", .real), ("within_radius", .boolean), ("within_time", .boolean),
                ("covered", .boolean), ("reason", .string), ("time_method", .string),
            ]
            var layer = GDALDataset.OutputLayer(name: "residents", geometry: .point, fields: fields)
            layer.features.reserveCapacity(n)
            for i in 0..<n {
                let p = LonLat(lonDegrees: 105.3 + rng.unitInterval() * 0.8, latDegrees: 20.6 + rng.unitInterval() * 0.8)
                let d = rng.unitInterval() * 20_000
                layer.features.append((.point(p), [
                    .string("r\(i)"), .real(Double(1 + i % 500)), .string("Z\(i % 126)"), .string("s\(i % 1000)"), .real(d),
                    .string("s\(i % 1000)"), .real(d / 300), .boolean(d <= 5000), .boolean(d <= 9000), .boolean(d <= 9000),
                    d <= 9000 ? .null : .string("beyond_radius_and_time"), .string("estimated"),
                ]))
            }
            return try withScratchDirectory("gpkg") { dir in
                let path = dir.appendingPathComponent("reach.gpkg").path
                let (_, write) = try measureSeconds { try GDALDataset.writeGeoPackage(path: path, layers: [layer]) }
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                layer.features = [] // the written layer is not kept while reading
                let (rawCount, readLayer) = try measureSeconds { try GDALDataset.readLayer(url: URL(fileURLWithPath: path), displayName: "reach.gpkg").features.count }
                let (residents, readResidents, _) = try timedResidentsRead(URL(fileURLWithPath: path))
                let total = residents.reduce(0) { $0 + $1.population }
                return "\(rawCount) features, \(residents.count) residents, population \(Int(total)), file \(size / 1_000_000) MB; "
                    + String(format: "write %.2f s, GDALDataset.readLayer %.2f s, PointTables.readResidents %.2f s", write, readLayer, readResidents)
            }
        }))
}
