/// A small GeoJSON (RFC 7946) model for Reach's exports and inputs.
public enum GeoJSONGeometry: Sendable, Hashable {
    case point(LonLat)
    case lineString([LonLat])
    /// Rings: the outer ring first (counter-clockwise), then holes (clockwise); each ring closed.
    case polygon([[LonLat]])
    case multiPolygon([[[LonLat]]])
}

/// A property value, written with a fixed number of decimals so output is deterministic.
public enum GeoJSONProperty: Sendable, Hashable {
    case string(String)
    case number(Double, decimals: Int)
    case integer(Int)
    case bool(Bool)
    case null
}

/// A feature with its properties in a fixed order.
public struct GeoJSONFeature: Sendable, Hashable {
    public var geometry: GeoJSONGeometry
    public var properties: [(key: String, value: GeoJSONProperty)]

    public init(geometry: GeoJSONGeometry, properties: [(key: String, value: GeoJSONProperty)]) {
        self.geometry = geometry
        self.properties = properties
    }

    public static func == (a: GeoJSONFeature, b: GeoJSONFeature) -> Bool {
        a.geometry == b.geometry && a.properties.map(\.key) == b.properties.map(\.key)
            && a.properties.map(\.value) == b.properties.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(geometry)
        for p in properties { hasher.combine(p.key); hasher.combine(p.value) }
    }
}

/// Writes a FeatureCollection as deterministic text: one feature per line, coordinates with at
/// most 7 decimals, properties in the order given.
public enum GeoJSONWriter {
    public static func featureCollection(_ features: [GeoJSONFeature], name: String? = nil) -> String {
        var out = "{\"type\":\"FeatureCollection\""
        if let name { out += ",\"name\":" + jsonString(name) }
        out += ",\"features\":["
        for (k, f) in features.enumerated() {
            out += k == 0 ? "\n" : ",\n"
            append(f, to: &out)
        }
        out += "\n]}\n"
        return out
    }

    public static func append(_ f: GeoJSONFeature, to out: inout String) {
        out += "{\"type\":\"Feature\",\"geometry\":"
        append(f.geometry, to: &out)
        out += ",\"properties\":{"
        for (k, p) in f.properties.enumerated() {
            if k > 0 { out += "," }
            out += jsonString(p.key)
            out += ":"
            out += propertyText(p.value)
        }
        out += "}}"
    }

    public static func propertyText(_ p: GeoJSONProperty) -> String {
        switch p {
        case .string(let s): return jsonString(s)
        case .number(let d, let decimals): return d.isFinite ? DecimalText.fixed(d, decimals: decimals) : "null"
        case .integer(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    static func position(_ p: LonLat, _ out: inout String) {
        out += "["
        out += DecimalText.degrees(p.lonDegrees)
        out += ","
        out += DecimalText.degrees(p.latDegrees)
        out += "]"
    }

    static func ring(_ r: [LonLat], _ out: inout String) {
        out += "["
        for (k, p) in r.enumerated() {
            if k > 0 { out += "," }
            position(p, &out)
        }
        out += "]"
    }

    public static func append(_ g: GeoJSONGeometry, to out: inout String) {
        switch g {
        case .point(let p):
            out += "{\"type\":\"Point\",\"coordinates\":"
            position(p, &out)
            out += "}"
        case .lineString(let line):
            out += "{\"type\":\"LineString\",\"coordinates\":"
            ring(line, &out)
            out += "}"
        case .polygon(let rings):
            out += "{\"type\":\"Polygon\",\"coordinates\":["
            for (k, r) in rings.enumerated() { if k > 0 { out += "," }; ring(r, &out) }
            out += "]}"
        case .multiPolygon(let polys):
            out += "{\"type\":\"MultiPolygon\",\"coordinates\":["
            for (j, rings) in polys.enumerated() {
                if j > 0 { out += "," }
                out += "["
                for (k, r) in rings.enumerated() { if k > 0 { out += "," }; ring(r, &out) }
                out += "]"
            }
            out += "]}"
        }
    }

    /// A JSON string literal with the escapes RFC 8259 requires.
    public static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
        return out
    }
}

/// Reads GeoJSON FeatureCollections (with line numbers for errors).
public enum GeoJSONReader {
    /// A feature as read: its geometry, its properties (JSON nodes), and the line it starts on.
    public struct Feature: Sendable {
        public var geometry: GeoJSONGeometry?
        public var properties: [JSONMember]
        public var line: Int
        /// 1-based index in the collection.
        public var index: Int

        public func property(_ key: String) -> JSONNode? { properties.first(where: { $0.key == key })?.value }
    }

    public static func read(url: URL, displayName: String? = nil) throws -> [Feature] {
        let name = displayName ?? url.path
        let root = try JSONParser.parse(url: url, displayName: name)
        return try features(root, fileName: name)
    }

    public static func features(_ root: JSONNode, fileName: String) throws -> [Feature] {
        guard root.objectMembers != nil else {
            throw InputError(file: fileName, line: root.line, "expected a GeoJSON FeatureCollection object, found \(root.value.typeName)")
        }
        guard let type = root["type"] else {
            throw InputError(file: fileName, line: root.line, "missing GeoJSON \"type\" (expected \"FeatureCollection\")")
        }
        guard type.stringValue == "FeatureCollection" else {
            throw InputError(file: fileName, line: type.line, "GeoJSON type is \(type.stringValue.map { ErrorText.quoted($0) } ?? type.value.typeName), expected \"FeatureCollection\"")
        }
        guard let list = root["features"]?.arrayElements else {
            throw InputError(file: fileName, line: root.line, "a FeatureCollection needs a \"features\" array")
        }
        var out: [Feature] = []
        out.reserveCapacity(list.count)
        for (k, node) in list.enumerated() {
            let index = k + 1
            guard node.objectMembers != nil else {
                throw InputError(file: fileName, line: node.line, feature: index, "a feature must be an object")
            }
            guard let ftype = node["type"] else {
                throw InputError(file: fileName, line: node.line, feature: index, "missing GeoJSON \"type\" (expected \"Feature\")")
            }
            guard ftype.stringValue == "Feature" else {
                throw InputError(file: fileName, line: ftype.line, feature: index, "GeoJSON type is \(ftype.stringValue.map { ErrorText.quoted($0) } ?? ftype.value.typeName), expected \"Feature\"")
            }
            var geometry: GeoJSONGeometry? = nil
            if let g = node["geometry"], !g.isNull {
                geometry = try parseGeometry(g, fileName: fileName, feature: index)
            }
            var props: [JSONMember] = []
            if let p = node["properties"], !p.isNull {
                guard let members = p.objectMembers else {
                    throw InputError(file: fileName, line: p.line, feature: index, "\"properties\" must be an object or null")
                }
                props = members
            }
            out.append(Feature(geometry: geometry, properties: props, line: node.line, index: index))
        }
        if let crs = try legacyCRS(root, fileName: fileName) { try reproject(&out, from: crs, fileName: fileName) }
        return out
    }

    /// The CRS of a pre-RFC 7946 `"crs": {"type": "name", "properties": {"name": …}}` member when
    /// it is not WGS 84 longitude/latitude (`EPSG:32648` for `urn:ogc:def:crs:EPSG::32648`), else nil.
    static func legacyCRS(_ root: JSONNode, fileName: String) throws -> String? {
        guard let crs = root["crs"], !crs.isNull else { return nil }
        guard let name = crs["properties"]?["name"]?.stringValue else {
            throw InputError(file: fileName, line: crs.line, "the legacy \"crs\" member needs properties.name (e.g. \"urn:ogc:def:crs:EPSG::32648\")")
        }
        let upper = name.uppercased()
        if upper.hasSuffix("CRS84") || upper.hasSuffix("EPSG::4326") || upper == "EPSG:4326" { return nil }
        if upper.hasPrefix("URN:OGC:DEF:CRS:"), let last = name.split(separator: ":", omittingEmptySubsequences: false).last,
           let authority = name.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first {
            return "\(authority):\(last)"
        }
        return name
    }

    /// Reprojects every position of `features` from `crs` to WGS 84 (longitude first) through PROJ.
    static func reproject(_ features: inout [Feature], from crs: String, fileName: String) throws {
        var xs: [Double] = [], ys: [Double] = []
        func collect(_ p: LonLat) { xs.append(p.lonDegrees); ys.append(p.latDegrees) }
        for f in features {
            switch f.geometry {
            case .point(let p)?: collect(p)
            case .lineString(let l)?: l.forEach(collect)
            case .polygon(let rings)?: rings.forEach { $0.forEach(collect) }
            case .multiPolygon(let polys)?: polys.forEach { $0.forEach { $0.forEach(collect) } }
            default: break
            }
        }
        do {
            let projector = try Projector(from: crs, to: "EPSG:4326")
            try projector.transformInPlace(xs: &xs, ys: &ys)
        } catch {
            throw InputError(file: fileName, "cannot reproject from the legacy \"crs\" \(ErrorText.quoted(crs)) to WGS 84: \(error)")
        }
        var k = 0
        func next(_: LonLat) -> LonLat { defer { k += 1 }; return LonLat(lonDegrees: xs[k], latDegrees: ys[k]) }
        for i in features.indices {
            switch features[i].geometry {
            case .point(let p)?: features[i].geometry = .point(next(p))
            case .lineString(let l)?: features[i].geometry = .lineString(l.map(next))
            case .polygon(let rings)?: features[i].geometry = .polygon(rings.map { $0.map(next) })
            case .multiPolygon(let polys)?: features[i].geometry = .multiPolygon(polys.map { $0.map { $0.map(next) } })
            default: break
            }
        }
    }

    static func parseGeometry(_ g: JSONNode, fileName: String, feature: Int) throws -> GeoJSONGeometry {
        guard let type = g["type"] else {
            throw InputError(file: fileName, line: g.line, feature: feature, "geometry has no \"type\"")
        }
        guard let coords = g["coordinates"] else {
            throw InputError(file: fileName, line: g.line, feature: feature, "geometry has no \"coordinates\"")
        }
        func position(_ n: JSONNode) throws -> LonLat {
            guard let a = n.arrayElements, a.count >= 2, let x = a[0].numberValue, let y = a[1].numberValue else {
                throw InputError(file: fileName, line: n.line, feature: feature, "a position must be [longitude, latitude] numbers")
            }
            return LonLat(lonDegrees: x, latDegrees: y)
        }
        func positions(_ n: JSONNode) throws -> [LonLat] {
            guard let a = n.arrayElements else {
                throw InputError(file: fileName, line: n.line, feature: feature, "expected an array of positions")
            }
            return try a.map(position)
        }
        func rings(_ n: JSONNode) throws -> [[LonLat]] {
            guard let a = n.arrayElements else {
                throw InputError(file: fileName, line: n.line, feature: feature, "expected an array of rings")
            }
            return try a.map { r in
                let ring = try positions(r)
                guard ring.count >= 4, ring.first == ring.last else {
                    throw InputError(file: fileName, line: r.line, feature: feature, "a polygon ring must be closed and have at least 4 positions")
                }
                return ring
            }
        }
        switch type.stringValue {
        case "Point": return .point(try position(coords))
        case "LineString": return .lineString(try positions(coords))
        case "Polygon": return .polygon(try rings(coords))
        case "MultiPolygon":
            guard let a = coords.arrayElements else {
                throw InputError(file: fileName, line: coords.line, feature: feature, "expected an array of polygons")
            }
            return .multiPolygon(try a.map(rings))
        case .some(let other):
            throw InputError(file: fileName, line: type.line, feature: feature, "unsupported geometry type \(ErrorText.quoted(other))")
        case .none:
            throw InputError(file: fileName, line: type.line, feature: feature, "geometry \"type\" must be a string")
        }
    }
}

import Foundation
