import Foundation

/// A scenario with every table read, checked and joined: what the engines run on.
public struct LoadedScenario: Sendable {
    public var scenario: Scenario
    public var residents: [Resident]
    /// Existing intake points (open today), in input order.
    public var existing: [Site]
    /// Candidate sites, in input order.
    public var candidates: [Site]
    public var profile: TravelProfile
    public var zones: ZoneIndex?
    public var warnings: [Warning]

    /// Existing followed by candidates: the site numbering used by coverage sets and plans.
    public var allSites: [Site] { existing + candidates }
}

/// Reads a ``Scenario``'s files and checks them against each other.
public enum ScenarioLoader {
    /// Reads residents, existing, candidates, zones and the profile; assigns zones; checks ids
    /// across files, swapped coordinates and far-away points.
    public static func load(_ scenario: Scenario) throws -> LoadedScenario {
        var warnings: [Warning] = []
        let resName = Scenario.displayName(scenario.residents)
        let (residentsRead, w1) = try readResidents(scenario.residents, displayName: resName, columns: scenario.columns)
        var residents = residentsRead
        warnings += w1
        let exName = Scenario.displayName(scenario.existing)
        let (existing, w2) = try PointTables.readSites(url: scenario.existing, kind: .existing, displayName: exName, columns: scenario.columns)
        warnings += w2
        var candidates: [Site] = []
        if let c = scenario.candidates {
            let (cands, w3) = try PointTables.readSites(url: c, kind: .candidates, displayName: Scenario.displayName(c), columns: scenario.columns)
            candidates = cands
            warnings += w3
            let existingLines = Dictionary(existing.map { ($0.id, $0.sourceLine) }, uniquingKeysWith: { a, _ in a })
            for s in candidates {
                if let line = existingLines[s.id] {
                    throw InputError(file: Scenario.displayName(c), line: s.sourceLine,
                                     "duplicate id \"\(s.id)\": already used by an existing site (\(exName):\(line))")
                }
            }
        }
        let profileURL = try BundledData.profileURL(scenario.profile, relativeTo: scenario.file?.deletingLastPathComponent())
        let profile = try TravelProfile.load(from: profileURL, displayName: Scenario.displayName(profileURL))

        var zones: ZoneIndex? = nil
        if let z = scenario.zones {
            let index = try ZoneIndex.load(url: z, displayName: Scenario.displayName(z))
            zones = index
            let n = residents.count
            let assigned = residents.withUnsafeBufferPointer { buf -> [String?] in
                let src = UnsafeSendableBuffer(buf)
                return Parallel.map(count: n, minimumChunk: 4096, initial: nil) { i -> String? in
                    if src[i].zone != nil { return src[i].zone }
                    return index.zoneIndex(containing: src[i].position).map { index.zones[$0].name }
                }
            }
            var outside = 0
            for i in 0..<n {
                if residents[i].zone == nil {
                    residents[i].zone = assigned[i]
                    if assigned[i] == nil { outside += 1 }
                }
            }
            if outside > 0 { warnings.append(Warning("\(outside) resident(s) lie in no zone of \(Scenario.displayName(z))")) }
        }

        try checkExtents(residents: residents, residentsFile: resName, existing: existing, existingFile: exName,
                         candidates: candidates, candidatesFile: scenario.candidates.map(Scenario.displayName),
                         warnings: &warnings)
        return LoadedScenario(scenario: scenario, residents: residents, existing: existing, candidates: candidates,
                              profile: profile, zones: zones, warnings: warnings)
    }

    /// Residents from CSV, GeoJSON, a GDAL vector layer (GeoPackage, Shapefile, FlatGeobuf), an
    /// ESRI ASCII population grid (`.asc`) or a GeoTIFF population grid (`.tif`).
    public static func readResidents(_ url: URL, displayName: String, columns: PointTables.Columns = PointTables.Columns()) throws -> ([Resident], [Warning]) {
        if url.pathExtension.lowercased() == "asc" || GDALDataset.isRasterFile(url) {
            let grid = try AsciiGrid.read(from: url, displayName: displayName)
            let residents = grid.residents()
            if residents.isEmpty { throw InputError(file: displayName, "the grid has no cell with population > 0") }
            return (residents, grid.reprojectionWarning.map { [$0] } ?? [])
        }
        let r = try PointTables.readResidents(url: url, displayName: displayName, columns: columns)
        return (r.residents, r.warnings)
    }

    /// A layer is "far outside" when it lies more than this many kilometres beyond the others' box.
    static let farOutsideKm = 100.0

    /// Swapped-coordinate and far-away checks between layers. A layer whose box misses the
    /// others' box while its lon/lat-swapped box would hit it is an error (the columns are swapped);
    /// points far outside the others' box are a warning.
    static func checkExtents(residents: [Resident], residentsFile: String, existing: [Site], existingFile: String,
                             candidates: [Site], candidatesFile: String?, warnings: inout [Warning]) throws {
        let layers: [(name: String, points: [LonLat], firstLine: Int)] = [
            (residentsFile, residents.map(\.position), residents.first?.sourceLine ?? 0),
            (existingFile, existing.map(\.position), existing.first?.sourceLine ?? 0),
            (candidatesFile ?? "", candidates.map(\.position), candidates.first?.sourceLine ?? 0),
        ].filter { !$0.points.isEmpty }
        guard layers.count >= 2 else { return }
        let boxes = layers.map { GeoBoundingBox(covering: $0.points)! }
        // With two layers a swap is symmetric: blame the smaller table (a site table swapped
        // whole is the usual mistake); ties go to the later one.
        var swappedLayers: [Int] = []
        for (k, layer) in layers.enumerated() {
            var others: GeoBoundingBox? = nil
            for (j, b) in boxes.enumerated() where j != k { if others == nil { others = b } else { others!.extend(b) } }
            guard let ref = others else { continue }
            let box = boxes[k]
            let swapped = GeoBoundingBox(minLonDegrees: box.minLatDegrees, minLatDegrees: box.minLonDegrees,
                                         maxLonDegrees: box.maxLatDegrees, maxLatDegrees: box.maxLonDegrees)
            if !intersects(box, ref, marginDegrees: 1) && intersects(swapped, ref, marginDegrees: 0.1) {
                swappedLayers.append(k)
            }
            var far = 0, example: LonLat? = nil
            for p in layer.points where distanceOutsideKm(p, ref) > farOutsideKm {
                far += 1
                if example == nil { example = p }
            }
            if far > 0, let e = example {
                warnings.append(Warning("\(layer.name): \(far) point(s) lie more than \(Int(farOutsideKm)) km outside the other layers' extent, e.g. \(e)"))
            }
        }
        if let k = swappedLayers.min(by: { (layers[$0].points.count, -$0) < (layers[$1].points.count, -$1) }) {
            let others = layers.indices.filter { $0 != k }.map { layers[$0].name }.joined(separator: ", ")
            throw InputError(file: layers[k].name, line: layers[k].firstLine,
                             "the points look swapped: read as (lon, lat) they lie far from \(others), read as (lat, lon) they fall on them (longitude comes first)")
        }
    }

    static func intersects(_ a: GeoBoundingBox, _ b: GeoBoundingBox, marginDegrees: Double) -> Bool {
        a.minLonDegrees <= b.maxLonDegrees + marginDegrees && b.minLonDegrees <= a.maxLonDegrees + marginDegrees
            && a.minLatDegrees <= b.maxLatDegrees + marginDegrees && b.minLatDegrees <= a.maxLatDegrees + marginDegrees
    }

    static func distanceOutsideKm(_ p: LonLat, _ box: GeoBoundingBox) -> Double {
        if box.contains(p) { return 0 }
        let q = LonLat(lonDegrees: min(max(p.lonDegrees, box.minLonDegrees), box.maxLonDegrees),
                       latDegrees: min(max(p.latDegrees, box.minLatDegrees), box.maxLatDegrees))
        return Geodesic.distanceMeters(p, q) / 1000
    }
}
