import Foundation

/// Named zone polygons (`zones` in a scenario) and fast point-in-polygon lookups, used to give
/// residents without a `zone` value the zone that contains them.
///
/// Each zone's rings are cut into horizontal strips; a crossing-number test only looks at the
/// edges of the strip the point lies in. Holes are honoured (even-odd over all rings of a
/// polygon). A point on the boundary of two zones goes to the first zone in the file.
public struct ZoneIndex: Sendable {
    public struct Zone: Sendable {
        public var name: String
        /// Polygons, each a list of rings (outer first, then holes).
        public var polygons: [[[LonLat]]]
        public var bounds: GeoBoundingBox
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

    /// Reads a GeoJSON FeatureCollection of Polygon/MultiPolygon features with a `name` property.
    public static func load(url: URL, displayName: String? = nil) throws -> ZoneIndex {
        let fileName = displayName ?? url.path
        let features = try GeoJSONReader.read(url: url, displayName: fileName)
        var list: [(name: String, polygons: [[[LonLat]]])] = []
        var seen: [String: Int] = [:]
        for f in features {
            let polys: [[[LonLat]]]
            switch f.geometry {
            case .polygon(let rings)?: polys = [rings]
            case .multiPolygon(let p)?: polys = p
            case nil: continue
            default:
                // Label points and other geometries carry no area: skip them.
                continue
            }
            guard let name = f.property("name")?.stringValue, !name.isEmpty else {
                throw InputError(file: fileName, line: f.line, feature: f.index, "a zone polygon needs a string \"name\" property")
            }
            for poly in polys { for ring in poly { for p in ring where !p.isValid {
                throw InputError(file: fileName, line: f.line, feature: f.index, "zone \"\(name)\" has a position \(p) outside the WGS 84 range (longitude first)")
            } } }
            if let earlier = seen[name] {
                throw InputError(file: fileName, line: f.line, feature: f.index, "duplicate zone name \"\(name)\" (first in feature \(earlier))")
            }
            seen[name] = f.index
            list.append((name, polys))
        }
        if list.isEmpty { throw InputError(file: fileName, "no Polygon or MultiPolygon features with a name") }
        return ZoneIndex(zones: list)
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
        return Zone(name: name, polygons: polygons, bounds: box, stripMinLat: box.minLatDegrees, stripHeight: height,
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
