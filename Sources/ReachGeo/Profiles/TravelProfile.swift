import Foundation

/// One travel mode's rules: which roads it may use, in which direction, and how fast.
///
/// A profile is the JSON file `data/profiles/NAME.json` described in INTERFACE.md ("Travel
/// profiles and the travel-time model"). Its fields map one to one to the JSON keys (the Swift
/// names carry their units). Unknown keys, missing keys and invalid values are errors
/// (``InputError`` naming the file and, where the key can be found in the text, its line).
///
/// The model rules 1–3 of INTERFACE.md live here as methods (``allowsAccess(tags:)``,
/// ``direction(tags:)``, ``speedKmh(tags:)``) so that the graph builder and tests share one
/// implementation.
public struct TravelProfile: Sendable, Hashable, Codable {
    /// The profile's name (`"motorcycle"`), shown in outputs.
    public var name: String
    /// The travel mode (`"motorcycle"`, `"car"`, `"walk"`, `"bicycle"`, …); it chooses the mode's
    /// own access tag (``ownAccessTag``) and the `oneway:<mode>` tag.
    public var mode: String
    /// Average speed per `highway` class in km/h. A class that is not a key is not routable.
    public var speedsKmh: [String: Double]
    /// When true, a numeric `maxspeed` tag caps the class speed.
    public var maxspeedCaps: Bool
    /// When true, `oneway` tags (and roundabouts) restrict direction; false (walking) makes every
    /// way two-way.
    public var oneway: Bool
    /// Speed of the off-road legs between a point and its snapped position on a road, km/h.
    public var connectorKmh: Double
    /// The farthest a point may lie from its snapped road position, metres.
    public var maxSnapMeters: Double
    /// Smallest strongly connected component (in graph vertices) whose edges are snap targets.
    public var minComponentNodes: Int
    /// Multiplies every road speed (not connector legs): < 1 models extra congestion.
    public var congestionFactor: Double
    /// Estimate mode: network distance ≈ geodesic distance × this factor.
    public var detourFactor: Double
    /// Estimate mode: average door-to-door speed, km/h.
    public var estimateKmh: Double

    public init(name: String, mode: String, speedsKmh: [String: Double], maxspeedCaps: Bool, oneway: Bool,
                connectorKmh: Double, maxSnapMeters: Double, minComponentNodes: Int, congestionFactor: Double,
                detourFactor: Double, estimateKmh: Double) {
        self.name = name
        self.mode = mode
        self.speedsKmh = speedsKmh
        self.maxspeedCaps = maxspeedCaps
        self.oneway = oneway
        self.connectorKmh = connectorKmh
        self.maxSnapMeters = maxSnapMeters
        self.minComponentNodes = minComponentNodes
        self.congestionFactor = congestionFactor
        self.detourFactor = detourFactor
        self.estimateKmh = estimateKmh
    }

    /// The snake_case JSON keys of INTERFACE.md.
    public enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case mode
        case speedsKmh = "speeds_kmh"
        case maxspeedCaps = "maxspeed_caps"
        case oneway
        case connectorKmh = "connector_kmh"
        case maxSnapMeters = "max_snap_m"
        case minComponentNodes = "min_component_nodes"
        case congestionFactor = "congestion_factor"
        case detourFactor = "detour_factor"
        case estimateKmh = "estimate_kmh"
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes and validates a profile; unknown keys are an error.
    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        // Sorted so that the first unknown key reported does not depend on dictionary order.
        for key in any.allKeys.map(\.stringValue).sorted() where !known.contains(key) {
            throw ProfileFieldError(key: key, message: "unknown field \(ErrorText.quoted(key)) (allowed: \(CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func field<T: Decodable>(_ type: T.Type, _ key: CodingKeys) throws -> T {
            guard c.contains(key) else {
                throw ProfileFieldError(key: nil, message: "missing field \(ErrorText.quoted(key.rawValue))")
            }
            do {
                return try c.decode(T.self, forKey: key)
            } catch {
                throw ProfileFieldError(key: key.rawValue, message: "field \(ErrorText.quoted(key.rawValue)) must be \(Self.typeDescription(T.self))")
            }
        }
        name = try field(String.self, .name)
        mode = try field(String.self, .mode)
        speedsKmh = try field([String: Double].self, .speedsKmh)
        maxspeedCaps = try field(Bool.self, .maxspeedCaps)
        oneway = try field(Bool.self, .oneway)
        connectorKmh = try field(Double.self, .connectorKmh)
        maxSnapMeters = try field(Double.self, .maxSnapMeters)
        minComponentNodes = try field(Int.self, .minComponentNodes)
        congestionFactor = try field(Double.self, .congestionFactor)
        detourFactor = try field(Double.self, .detourFactor)
        estimateKmh = try field(Double.self, .estimateKmh)
        if let problem = validationProblem() { throw problem }
    }

    private static func typeDescription(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        default: return "an object of class → km/h numbers"
        }
    }

    /// The first invalid value, if any (positive finite speeds, factors and distances).
    private func validationProblem() -> ProfileFieldError? {
        if name.isEmpty { return ProfileFieldError(key: "name", message: "\"name\" must not be empty") }
        if mode.isEmpty { return ProfileFieldError(key: "mode", message: "\"mode\" must not be empty") }
        if speedsKmh.isEmpty {
            return ProfileFieldError(key: "speeds_kmh", message: "\"speeds_kmh\" must list at least one highway class")
        }
        for (highway, speed) in speedsKmh.sorted(by: { $0.key < $1.key }) where !(speed.isFinite && speed > 0) {
            return ProfileFieldError(key: highway, message: "speeds_kmh[\"\(highway)\"] must be a positive number of km/h, not \(speed)")
        }
        func positive(_ value: Double, _ key: CodingKeys) -> ProfileFieldError? {
            value.isFinite && value > 0 ? nil
                : ProfileFieldError(key: key.rawValue, message: "\"\(key.rawValue)\" must be a positive number, not \(value)")
        }
        if let e = positive(connectorKmh, .connectorKmh) { return e }
        if !(maxSnapMeters.isFinite && maxSnapMeters >= 0) {
            return ProfileFieldError(key: "max_snap_m", message: "\"max_snap_m\" must be a number of metres ≥ 0, not \(maxSnapMeters)")
        }
        if minComponentNodes < 1 {
            return ProfileFieldError(key: "min_component_nodes", message: "\"min_component_nodes\" must be ≥ 1, not \(minComponentNodes)")
        }
        if let e = positive(congestionFactor, .congestionFactor) { return e }
        if !(detourFactor.isFinite && detourFactor >= 1) {
            return ProfileFieldError(key: "detour_factor", message: "\"detour_factor\" must be a number ≥ 1, not \(detourFactor)")
        }
        if let e = positive(estimateKmh, .estimateKmh) { return e }
        return nil
    }

    /// Reads a profile file.
    /// - Throws: ``InputError`` naming the file (and the line of the offending key when found).
    public static func load(from url: URL, displayName: String? = nil) throws -> TravelProfile {
        let name = displayName ?? url.path
        let data = try InputFile.read(url, displayName: name)
        return try TravelProfile(jsonData: data, fileName: name)
    }

    /// Decodes a profile from JSON text.
    /// - Parameter fileName: used in error messages.
    /// - Throws: ``InputError`` for malformed JSON, unknown, missing or invalid fields.
    public init(jsonData: Data, fileName: String) throws {
        if jsonData.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw InputError(file: fileName, "the profile file is empty")
        }
        // Syntax errors (with their line) and duplicate keys come from Reach's own strict parser;
        // JSONDecoder would report the first without a line and silently keep one of the second.
        let root = try JSONParser.parse(jsonData, fileName: fileName)
        guard root.objectMembers != nil else { throw InputError(file: fileName, line: root.line, "a profile must be a JSON object") }
        do {
            self = try JSONDecoder().decode(TravelProfile.self, from: jsonData)
        } catch let e as ProfileFieldError {
            let line = e.key.map { Self.lineOfKey($0, in: jsonData) } ?? 0
            throw InputError(file: fileName, line: line, e.message)
        } catch let DecodingError.dataCorrupted(context) {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            throw InputError(file: fileName, "not valid JSON: \(underlying ?? context.debugDescription)")
        } catch DecodingError.typeMismatch {
            throw InputError(file: fileName, line: 1, "a profile must be a JSON object")
        } catch {
            throw InputError(file: fileName, "not a valid profile: \(error)")
        }
    }

    /// The 1-based line where `"key"` first appears as a JSON key in `data`, or 0 when not found.
    static func lineOfKey(_ key: String, in data: Data) -> Int {
        guard let text = String(data: data, encoding: .utf8) else { return 0 }
        let needle = "\"\(key)\""
        var searchStart = text.startIndex
        while let range = text.range(of: needle, range: searchStart..<text.endIndex) {
            // A key is followed (after optional whitespace) by a colon.
            let rest = text[range.upperBound...].drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            if rest.first == ":" {
                return text[..<range.lowerBound].reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
            }
            searchStart = range.upperBound
        }
        return 0
    }
}

/// A field problem found while decoding; converted to ``InputError`` with a line number.
struct ProfileFieldError: Error {
    var key: String?
    var message: String
}

// MARK: - The travel-time model (INTERFACE.md rules 1–3)

extension TravelProfile {
    /// The mode's own access tag: `motorcar` for `car`, `foot` for `walk`, `bicycle` for
    /// `bicycle`, else the mode name.
    public var ownAccessTag: String {
        switch mode {
        case "car": return "motorcar"
        case "walk", "foot": return "foot"
        case "bicycle": return "bicycle"
        default: return mode
        }
    }

    /// False for the foot and bicycle modes, true for every other mode.
    public var isMotorised: Bool {
        let tag = ownAccessTag
        return tag != "foot" && tag != "bicycle"
    }

    /// The access tags that may decide, most specific first: the mode's own tag,
    /// `motor_vehicle` (motorised modes only), `vehicle` (not for walking), `access`.
    public var accessTagHierarchy: [String] {
        var tags = [ownAccessTag]
        if isMotorised { tags.append("motor_vehicle") }
        if ownAccessTag != "foot" { tags.append("vehicle") }
        tags.append("access")
        return tags
    }

    /// Every way tag that the model reads (the readers keep only these).
    public var relevantTagKeys: Set<String> {
        Set(accessTagHierarchy + ["highway", "oneway", "oneway:\(mode)", "junction", "maxspeed"])
    }

    /// Rule 1 (access part): the first present tag of ``accessTagHierarchy`` decides; `no` and
    /// `private` exclude, any other value allows; no tag present allows.
    public func allowsAccess(tags: [String: String]) -> Bool {
        for key in accessTagHierarchy {
            if let value = tags[key] { return value != "no" && value != "private" }
        }
        return true
    }

    /// Rule 1: the way's `highway` class has a speed in this profile and access allows the mode.
    public func isRoutable(tags: [String: String]) -> Bool {
        guard let highway = tags["highway"], speedsKmh[highway] != nil else { return false }
        return allowsAccess(tags: tags)
    }

    /// Rule 2: the directions the way allows relative to its node order.
    ///
    /// With ``oneway`` false every way is two-way. Otherwise `oneway:<mode>` when present, else
    /// `oneway`, decides (`yes|true|1` forward, `-1|reverse` backward, `no|false|0` both); an
    /// unrecognised value counts as absent (a present `oneway:<mode>` never falls back to
    /// `oneway`); with no decision `junction=roundabout|circular` means forward only.
    public func direction(tags: [String: String]) -> (forward: Bool, backward: Bool) {
        guard oneway else { return (true, true) }
        let value = tags["oneway:\(mode)"] ?? tags["oneway"]
        switch value {
        case "yes", "true", "1": return (true, false)
        case "-1", "reverse": return (false, true)
        case "no", "false", "0": return (true, true)
        default:
            if let junction = tags["junction"], junction == "roundabout" || junction == "circular" {
                return (true, false)
            }
            return (true, true)
        }
    }

    /// Rule 3: the way's speed in km/h — the class speed, capped by a numeric `maxspeed` when
    /// ``maxspeedCaps``, times ``congestionFactor``.
    ///
    /// - Returns: nil speed when the class is not in ``speedsKmh``; `ignoredMaxspeed` is the
    ///   `maxspeed` value that could not be read (the caller aggregates these into one warning).
    public func speedKmh(tags: [String: String]) -> (speedKmh: Double?, ignoredMaxspeed: String?) {
        guard let highway = tags["highway"], let classSpeed = speedsKmh[highway] else { return (nil, nil) }
        var speed = classSpeed
        var ignored: String? = nil
        if maxspeedCaps, let text = tags["maxspeed"] {
            if let cap = Self.parseMaxspeedKmh(text) {
                speed = min(speed, cap)
            } else {
                ignored = text
            }
        }
        return (speed * congestionFactor, ignored)
    }

    /// Parses the `maxspeed` forms `N`, `N km/h`, `N mph` (spaces between number and unit
    /// optional; `N` a decimal number > 0) into km/h, with 1 mph = 1.609344 km/h; nil for any
    /// other text (`signals`, `none`, `VN:urban`, `50;40`, …).
    public static func parseMaxspeedKmh(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        var i = 0
        var sawDigit = false, sawDot = false
        while i < bytes.count {
            let b = bytes[i]
            if b >= 0x30 && b <= 0x39 {
                sawDigit = true
            } else if b == 0x2E && !sawDot && sawDigit {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit, bytes[i - 1] != 0x2E,
              let number = Double(String(decoding: bytes[0..<i], as: UTF8.self)), number > 0, number.isFinite
        else { return nil }
        while i < bytes.count && bytes[i] == 0x20 { i += 1 }
        let unit = String(decoding: bytes[i...], as: UTF8.self)
        switch unit {
        case "": return number
        case "km/h": return number
        case "mph": return number * 1.609344
        default: return nil
        }
    }
}
