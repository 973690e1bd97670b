import Foundation

/// Named zone polygons (`zones` in a scenario) and fast point-in-polygon lookups, used to give
/// residents without a `zone` value the zone that contains them.
///
/// Each zone's rings are cut into horizontal strips; a crossing-number test only looks at the
/// edges of the strip the point lies in. Holes are honoured (even-odd over all rings of a
/// polygon). A point on the boundary of two zones goes to the first zone in the file.
public struct ZoneIndex: Sendable {
    /// One named zone: its polygons and a strip index of its edges.
    public struct Zone: Sendable, Hashable {
        public var name: String
        /// Polygons, each a list of rings (outer first, then holes).
        public var polygons: [[[LonLat]]]
        public var bounds: GeoBoundingBox
        /// The feature's 1-based line in its file (0 if built in code).
        public var sourceLine: Int = 0
        let stripMinLat: Double
        let stripHeight: Double
        let stripStart: [Int32]
        let stripEdges: [Int32] // index into edgesA/edgesB
        let edgeA: [LonLat]
        let edgeB: [LonLat]
    }

    public let zones: [Zone]

    public init(zones: [(name: String, polygons: [[[LonLat]]])]) {
        self.zones = zones.map { Self.makeZone(name: $0.name, polygons: $0.polygons) }
    }

    public init(zones: [Zone]) {
        self.zones = zones
    }

    /// Reads a GeoJSON FeatureCollection of Polygon/MultiPolygon features with a `name` property.
    public static func load(url: URL, displayName: String? = nil) throws -> ZoneIndex {
        ZoneIndex(zones: try Zone.loadZones(from: url, displayName: displayName))
    }

    static func makeZone(name: String, polygons: [[[LonLat]]]) -> Zone {
        var a: [LonLat] = [], b: [LonLat] = []
        var bounds: GeoBoundingBox? = nil
        for poly in polygons {
            for ring in poly {
                guard ring.count >= 2 else { continue }
                for k in 0..<(ring.count - 1) {
                    a.append(ring[k]); b.append(ring[k + 1])
                    if bounds == nil { bounds = GeoBoundingBox(covering: [ring[k]]) } else { bounds!.extend(ring[k]) }
                }
                if ring.first != ring.last, let f = ring.first, let l = ring.last { a.append(l); b.append(f) }
            }
        }
        let box = bounds ?? GeoBoundingBox(minLonDegrees: 0, minLatDegrees: 0, maxLonDegrees: 0, maxLatDegrees: 0)
        let strips = max(1, min(4096, a.count / 4))
        let height = max((box.maxLatDegrees - box.minLatDegrees) / Double(strips), 1e-12)
        var counts = [Int32](repeating: 0, count: strips + 1)
        func stripRange(_ p: LonLat, _ q: LonLat) -> ClosedRange<Int> {
            let lo = min(p.latDegrees, q.latDegrees), hi = max(p.latDegrees, q.latDegrees)
            let s0 = max(0, min(strips - 1, Int((lo - box.minLatDegrees) / height)))
            let s1 = max(0, min(strips - 1, Int((hi - box.minLatDegrees) / height)))
            return s0...s1
        }
        for e in 0..<a.count { for s in stripRange(a[e], b[e]) { counts[s + 1] += 1 } }
        for s in 0..<strips { counts[s + 1] += counts[s] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts[strips]))
        for e in 0..<a.count { for s in stripRange(a[e], b[e]) { items[Int(fill[s])] = Int32(e); fill[s] += 1 } }
        return Zone(name: name, polygons: polygons, bounds: box, sourceLine: 0, stripMinLat: box.minLatDegrees, stripHeight: height,
                    stripStart: counts, stripEdges: items, edgeA: a, edgeB: b)
    }

    /// The index of the first zone containing `p`, or nil.
    public func zoneIndex(containing p: LonLat) -> Int? {
        for (z, zone) in zones.enumerated() where zone.bounds.contains(p) {
            if Self.contains(zone, p) { return z }
        }
        return nil
    }

    /// Even-odd crossing test over the edges in the point's strip (points on an edge count as inside).
    static func contains(_ zone: Zone, _ p: LonLat) -> Bool {
        guard zone.bounds.contains(p) else { return false }
        let strips = zone.stripStart.count - 1
        let s = max(0, min(strips - 1, Int((p.latDegrees - zone.stripMinLat) / zone.stripHeight)))
        var inside = false
        let x = p.lonDegrees, y = p.latDegrees
        for k in Int(zone.stripStart[s])..<Int(zone.stripStart[s + 1]) {
            let e = Int(zone.stripEdges[k])
            let a = zone.edgeA[e], b = zone.edgeB[e]
            // On the segment: inside.
            let cross = (b.lonDegrees - a.lonDegrees) * (y - a.latDegrees) - (b.latDegrees - a.latDegrees) * (x - a.lonDegrees)
            if cross == 0 && x >= min(a.lonDegrees, b.lonDegrees) && x <= max(a.lonDegrees, b.lonDegrees)
                && y >= min(a.latDegrees, b.latDegrees) && y <= max(a.latDegrees, b.latDegrees) { return true }
            if (a.latDegrees > y) != (b.latDegrees > y) {
                let xCross = a.lonDegrees + (y - a.latDegrees) / (b.latDegrees - a.latDegrees) * (b.lonDegrees - a.lonDegrees)
                if x < xCross { inside.toggle() }
            }
        }
        return inside
    }
}

/// The zone model of the residents generator (`reach residents --zones`): the same type as the
/// scenario's zones.
public typealias ZonePolygon = ZoneIndex.Zone

extension ZoneIndex.Zone {
    /// A zone from its parts (each `[outer, hole, …]`, rings closed).
    public init(name: String, parts: [[[LonLat]]], sourceLine: Int = 0) {
        self = ZoneIndex.makeZone(name: name, polygons: parts)
        self.sourceLine = sourceLine
    }

    /// The polygons (each `[outer, hole, …]`).
    public var parts: [[[LonLat]]] { polygons }
    public var boundingBox: GeoBoundingBox { bounds }

    /// True when `point` lies inside the zone (even–odd over all rings; a hole's interior is
    /// outside; a point on an edge counts as inside).
    /// - Complexity: O(edges in the point's horizontal strip).
    public func contains(_ point: LonLat) -> Bool { ZoneIndex.contains(self, point) }

    /// Reads the Polygon and MultiPolygon features of a GeoJSON FeatureCollection, each with a
    /// unique string property `name`; other geometries (e.g. OSM label points) are skipped.
    /// Throws ``InputError`` (file, line, feature) for a polygon without a `name`, a name used
    /// twice, or a position outside the WGS 84 range.
    public static func loadZones(from url: URL, displayName: String? = nil) throws -> [ZoneIndex.Zone] {
        let fileName = displayName ?? url.relativePath
        if GDALDataset.isVectorFile(url) { return try loadGDALZones(from: url, fileName: fileName) }
        let features = try GeoJSONReader.read(url: url, displayName: fileName)
        var zones: [ZoneIndex.Zone] = []
        var seen: [String: Int] = [:]
        for f in features {
            let parts: [[[LonLat]]]
            switch f.geometry {
            case .polygon(let rings)?: parts = [rings]
            case .multiPolygon(let polys)?: parts = polys
            default: continue
            }
            guard let name = f.property("name")?.stringValue, !name.isEmpty else {
                throw InputError(file: fileName, line: f.line, feature: f.index, "a zone polygon needs a string property \"name\"")
            }
            if let first = seen[name] {
                throw InputError(file: fileName, line: f.line, feature: f.index, "zone name \(ErrorText.quoted(name)) is used twice (first by feature \(first))")
            }
            for part in parts { for ring in part { for p in ring where !p.isValid {
                throw InputError(file: fileName, line: f.line, feature: f.index, "zone \(ErrorText.quoted(name)) has a position \(p) outside the WGS 84 range (longitude first)")
            } } }
            seen[name] = f.index
            zones.append(ZoneIndex.Zone(name: name, parts: parts, sourceLine: f.line))
        }
        if zones.isEmpty { throw InputError(file: fileName, "no Polygon or MultiPolygon features") }
        return zones
    }

    /// Zones from a GeoPackage, Shapefile or FlatGeobuf layer (Polygon / MultiPolygon with holes,
    /// any CRS), with the same checks as the GeoJSON reader; the feature number stands for the line.
    static func loadGDALZones(from url: URL, fileName: String) throws -> [ZoneIndex.Zone] {
        let layer = try GDALDataset.readLayer(url: url, displayName: fileName)
        var zones: [ZoneIndex.Zone] = []
        var seen: [String: Int] = [:]
        for f in layer.features {
            guard case .polygons(let parts)? = f.geometry else { continue }
            guard let name = f.values["name"], !name.isEmpty else {
                throw InputError(file: layer.displayName, line: f.index, "a zone polygon needs a text column \"name\" (the layer has: \(ErrorText.echo(layer.fieldNames.joined(separator: ", "))))")
            }
            if let first = seen[name] {
                throw InputError(file: layer.displayName, line: f.index, "zone name \(ErrorText.quoted(name)) is used twice (first by feature \(first))")
            }
            for part in parts { for ring in part { for p in ring where !p.isValid {
                throw InputError(file: layer.displayName, line: f.index, "zone \(ErrorText.quoted(name)) has a position \(p) outside the WGS 84 range (longitude first)")
            } } }
            seen[name] = f.index
            zones.append(ZoneIndex.Zone(name: name, parts: parts, sourceLine: f.index))
        }
        if zones.isEmpty { throw InputError(file: layer.displayName, "no Polygon or MultiPolygon features") }
        return zones
    }
}
