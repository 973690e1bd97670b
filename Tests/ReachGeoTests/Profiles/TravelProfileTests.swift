import Foundation
import ReachGeo
import Testing
import TestSupport

@Suite("TravelProfile")
struct TravelProfileTests {
    static let validJSON = """
        {
          "name": "motorcycle",
          "mode": "motorcycle",
          "speeds_kmh": { "trunk": 40, "primary": 35, "primary_link": 30, "residential": 18 },
          "maxspeed_caps": true,
          "oneway": true,
          "connector_kmh": 10,
          "max_snap_m": 1000,
          "min_component_nodes": 50,
          "congestion_factor": 1.0,
          "detour_factor": 1.35,
          "estimate_kmh": 22
        }
        """

    static func decode(_ text: String) throws -> TravelProfile {
        try TravelProfile(jsonData: Data(text.utf8), fileName: "p.json")
    }

    static func inputError(_ text: String) -> InputError? {
        do {
            _ = try decode(text)
            return nil
        } catch let error as InputError {
            return error
        } catch {
            return nil
        }
    }

    // MARK: JSON

    @Test func decodesTheInterfaceExample() throws {
        let profile = try Self.decode(Self.validJSON)
        #expect(profile.name == "motorcycle")
        #expect(profile.speedsKmh == ["trunk": 40, "primary": 35, "primary_link": 30, "residential": 18])
        #expect(profile.maxspeedCaps && profile.oneway)
        #expect(profile.connectorKmh == 10 && profile.maxSnapMeters == 1000 && profile.minComponentNodes == 50)
        #expect(profile.congestionFactor == 1.0 && profile.detourFactor == 1.35 && profile.estimateKmh == 22)
    }

    @Test func unknownFieldIsAnErrorWithItsLine() throws {
        // "speed_kmh" (a typo) is on line 4 of the text below.
        let text = Self.validJSON.replacingOccurrences(of: "  \"speeds_kmh\"", with: "  \"speed_kmh\": {},\n  \"speeds_kmh\"")
        let error = try #require(Self.inputError(text))
        #expect(error.file == "p.json")
        #expect(error.line == 4)
        #expect(error.message.contains("unknown field \"speed_kmh\""))
    }

    @Test func missingFieldIsAnError() throws {
        let text = Self.validJSON.replacingOccurrences(of: "  \"estimate_kmh\": 22\n", with: "  \"estimate_kmh_x\": 22\n")
        let error = try #require(Self.inputError(text))
        #expect(error.message.contains("estimate_kmh"), "\(error)")
    }

    /// Issue 10 (6d): a key given twice is an error with its line (JSONDecoder kept the first).
    @Test func duplicateKeyIsAnErrorWithItsLine() throws {
        let text = Self.validJSON.replacingOccurrences(of: "  \"estimate_kmh\": 22\n", with: "  \"estimate_kmh\": 22,\n  \"name\": \"x\"\n")
        let error = try #require(Self.inputError(text))
        #expect(error.message == "duplicate member \"name\" in an object (first on line 2)", "\(error)")
        #expect(error.line == 13, "\(error)")
    }

    @Test(arguments: [
        // Lines of validJSON: 1 "{", 2 name, 3 mode, 4 speeds_kmh, … 7 connector_kmh, 9 min_component_nodes, 11 detour_factor.
        ("\"connector_kmh\": 10", "\"connector_kmh\": 0", "connector_kmh", 7),
        ("\"connector_kmh\": 10", "\"connector_kmh\": \"fast\"", "connector_kmh", 7),
        ("\"detour_factor\": 1.35", "\"detour_factor\": 0.9", "detour_factor", 11),
        ("\"min_component_nodes\": 50", "\"min_component_nodes\": 0", "min_component_nodes", 9),
        ("\"trunk\": 40", "\"trunk\": -1", "trunk", 4),
    ])
    func invalidValueIsAnErrorWithItsLine(old: String, new: String, field: String, line: Int) throws {
        let error = try #require(Self.inputError(Self.validJSON.replacingOccurrences(of: old, with: new)))
        #expect(error.message.contains(field), "\(error)")
        #expect(error.line == line, "\(error)")
    }

    @Test func malformedAndEmptyJSON() throws {
        let empty = try #require(Self.inputError("  \n"))
        #expect(empty.message.contains("empty"))
        // A syntax error names its line (issue 10, 6d).
        let broken = try #require(Self.inputError("{\n  \"name\": \n"))
        #expect(broken.message.contains("unexpected end of file"), "\(broken)")
        #expect(broken.line == 3, "\(broken)")
        let array = try #require(Self.inputError("[1, 2]"))
        #expect(array.message.contains("JSON object"))
    }

    @Test(arguments: ["motorcycle", "car", "walk", "bicycle"])
    func bundledProfileLoads(name: String) throws {
        let url = SharedData.bundledData.appendingPathComponent("profiles/\(name).json")
        let profile = try TravelProfile.load(from: url)
        #expect(profile.name == name)
        #expect(profile.mode == name)
        #expect(profile.minComponentNodes == 50)
        #expect(profile.maxSnapMeters == 1000)
        // Walking ignores one-way tags; the others respect them.
        #expect(profile.oneway == (name != "walk"))
    }

    @Test func bundledMotorcycleExcludesExpressways() throws {
        let profile = try TravelProfile.load(from: SharedData.bundledData.appendingPathComponent("profiles/motorcycle.json"))
        #expect(!profile.isRoutable(tags: ["highway": "motorway"]))
        #expect(!profile.isRoutable(tags: ["highway": "motorway_link"]))
        for highway in ["trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link", "tertiary",
                        "tertiary_link", "unclassified", "residential", "living_street", "road", "service"] {
            #expect(profile.isRoutable(tags: ["highway": highway]), "\(highway)")
        }
    }

    @Test func missingFileIsAnInputError() {
        #expect(throws: InputError.self) { try TravelProfile.load(from: URL(fileURLWithPath: "/nonexistent/profile.json")) }
    }

    // MARK: Rule 1: access

    @Test(arguments: [
        // (mode, tags, expected)
        ("motorcycle", ["motorcycle": "no"], false),
        ("motorcycle", ["motor_vehicle": "no", "motorcycle": "yes"], true),   // own tag first
        ("motorcycle", ["motor_vehicle": "no"], false),
        ("motorcycle", ["vehicle": "private"], false),
        ("motorcycle", ["access": "no"], false),
        ("motorcycle", ["access": "no", "vehicle": "yes"], true),             // vehicle before access
        ("motorcycle", ["access": "destination"], true),                      // any other value allows
        ("motorcycle", ["access": "No"], true),                               // case-sensitive
        ("motorcycle", [:], true),
        ("walk", ["access": "no", "foot": "yes"], true),
        ("walk", ["vehicle": "no"], true),                                    // vehicle is not for walking
        ("walk", ["motor_vehicle": "no"], true),                              // nor motor_vehicle
        ("walk", ["foot": "private"], false),
        ("bicycle", ["motor_vehicle": "no"], true),                           // bicycle is not motorised
        ("bicycle", ["vehicle": "no"], false),
        ("car", ["motorcar": "no"], false),                                   // car's own tag is motorcar
        ("car", ["car": "no"], true),
        ("car", ["motor_vehicle": "private", "motorcar": "yes"], true),
    ] as [(String, [String: String], Bool)])
    func accessHierarchy(mode: String, tags: [String: String], allowed: Bool) {
        let profile = TravelProfile.test(mode: mode)
        #expect(profile.allowsAccess(tags: tags) == allowed)
        var withHighway = tags
        withHighway["highway"] = "primary"
        #expect(profile.isRoutable(tags: withHighway) == allowed)
    }

    @Test func highwayClassMustBeListed() {
        let profile = TravelProfile.testMotorcycle()
        #expect(!profile.isRoutable(tags: ["highway": "motorway"]))
        #expect(!profile.isRoutable(tags: ["highway": "footway"]))
        #expect(!profile.isRoutable(tags: ["name": "Phố Huế"]))
        #expect(profile.isRoutable(tags: ["highway": "residential"]))
    }

    // MARK: Rule 2: direction

    @Test(arguments: [
        (["oneway": "yes"], true, false),
        (["oneway": "true"], true, false),
        (["oneway": "1"], true, false),
        (["oneway": "-1"], false, true),
        (["oneway": "reverse"], false, true),
        (["oneway": "no"], true, true),
        (["oneway": "false"], true, true),
        (["oneway": "0"], true, true),
        (["oneway": "alternating"], true, true),                           // unrecognised = absent
        (["oneway": "Yes"], true, true),                                   // case-sensitive
        (["oneway": "yes", "oneway:motorcycle": "no"], true, true),        // mode tag overrides
        (["oneway": "no", "oneway:motorcycle": "-1"], false, true),
        (["oneway": "yes", "oneway:motorcycle": "maybe"], true, true),     // never falls back to oneway
        (["oneway": "yes", "oneway:bicycle": "no"], true, false),          // another mode's tag is ignored
        (["junction": "roundabout"], true, false),
        (["junction": "circular"], true, false),
        (["junction": "roundabout", "oneway": "no"], true, true),
        (["junction": "roundabout", "oneway": "-1"], false, true),
        (["junction": "roundabout", "oneway": "bogus"], true, false),
        (["highway": "motorway"], true, true),                             // motorway does not imply one-way
        ([:], true, true),
    ] as [([String: String], Bool, Bool)])
    func onewayRules(tags: [String: String], forward: Bool, backward: Bool) {
        let direction = TravelProfile.testMotorcycle().direction(tags: tags)
        #expect(direction.forward == forward)
        #expect(direction.backward == backward)
    }

    @Test func walkingIgnoresOneway() {
        let walk = TravelProfile.test(mode: "walk", oneway: false)
        for tags in [["oneway": "yes"], ["oneway": "-1"], ["junction": "roundabout"], ["oneway:walk": "yes"]] {
            let direction = walk.direction(tags: tags)
            #expect(direction.forward && direction.backward)
        }
    }

    // MARK: Rule 3: speed

    @Test(arguments: [
        ("50", 50.0),
        ("50 km/h", 50.0),
        ("50km/h", 50.0),
        ("30 mph", 48.28032),     // 30 × 1.609344 = 48.28032
        ("30mph", 48.28032),
        ("7.5", 7.5),
    ])
    func maxspeedForms(text: String, kmh: Double) throws {
        let parsed = try #require(TravelProfile.parseMaxspeedKmh(text))
        #expect(abs(parsed - kmh) < 1e-9)
    }

    @Test(arguments: ["signals", "none", "VN:urban", "50;40", "50 kmh", "50 KM/H", "", "-30", "0", "mph", ".5", "5.", " 50"])
    func maxspeedOtherFormsAreIgnored(text: String) {
        #expect(TravelProfile.parseMaxspeedKmh(text) == nil)
    }

    @Test func speedIsCappedThenCongested() {
        // primary is 36 km/h in the test profile.
        let profile = TravelProfile.testMotorcycle(congestionFactor: 0.5)
        #expect(profile.speedKmh(tags: ["highway": "primary"]).speedKmh == 18)            // 36 × 0.5
        #expect(profile.speedKmh(tags: ["highway": "primary", "maxspeed": "30"]).speedKmh == 15)  // min(36, 30) × 0.5
        #expect(profile.speedKmh(tags: ["highway": "primary", "maxspeed": "60"]).speedKmh == 18)  // cap above class speed
        let ignored = profile.speedKmh(tags: ["highway": "primary", "maxspeed": "signals"])
        #expect(ignored.speedKmh == 18 && ignored.ignoredMaxspeed == "signals")
        let uncapped = TravelProfile.testMotorcycle(maxspeedCaps: false)
        #expect(uncapped.speedKmh(tags: ["highway": "primary", "maxspeed": "20"]).speedKmh == 36)
        #expect(uncapped.speedKmh(tags: ["highway": "primary", "maxspeed": "signals"]).ignoredMaxspeed == nil)
        #expect(profile.speedKmh(tags: ["highway": "motorway"]).speedKmh == nil)
    }
}

@Suite("TravelProfile encoding")
struct TravelProfileEncodingTests {
    @Test func encodesWithSnakeCaseKeysAndRoundTrips() throws {
        let profile = TravelProfile.testMotorcycle()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(profile)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"max_snap_m\":1000") && text.contains("\"speeds_kmh\""))
        #expect(try TravelProfile(jsonData: data, fileName: "x.json") == profile)
    }
}
