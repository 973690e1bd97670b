import Foundation

/// A scenario as written in its JSON file (INTERFACE.md "Inputs"), after CLI overrides.
/// Paths are resolved against the scenario file's folder.
public struct Scenario: Sendable, Hashable {
    public var name: String
    public var residents: URL
    public var existing: URL
    public var candidates: URL?
    public var roads: URL?
    /// A bundled profile name (`data/profiles/NAME.json`) or a path to a profile file.
    public var profile: String
    public var standard: ServiceStandard
    public var zones: URL?
    /// The data sources and licences to credit in reports (the scenario's `sources` field).
    public var sources: [ScenarioSource]
    /// The scenario file itself (for messages), nil when built in code.
    public var file: URL?
    /// Demand and counter parameters (`filings_per_person_year`, `online_share`, …).
    public var service = ServiceParameters()
    /// How to read the point tables: layer and column names (`--layer`, `--lon-column`, …; CLI only).
    public var columns = PointTables.Columns()

    public init(name: String, residents: URL, existing: URL, candidates: URL? = nil, roads: URL? = nil,
                profile: String = "motorcycle", standard: ServiceStandard = ServiceStandard(), zones: URL? = nil,
                sources: [ScenarioSource] = [], file: URL? = nil) {
        self.sources = sources
        self.name = name
        self.residents = residents
        self.existing = existing
        self.candidates = candidates
        self.roads = roads
        self.profile = profile
        self.standard = standard
        self.zones = zones
        self.file = file
    }

    static let knownKeys: Set<String> = Set(["name", "residents", "existing", "candidates", "roads", "profile", "standard", "zones", "description", "sources"] + ServiceParameters.keys)
    static let knownStandardKeys: Set<String> = ["radius_m", "max_minutes", "rule"]

    /// Reads a scenario JSON file. Unknown fields, wrong types and missing required fields are
    /// errors with their line.
    public static func load(from url: URL, displayName: String? = nil) throws -> Scenario {
        let name = displayName ?? url.path
        let root = try JSONParser.parse(url: url, displayName: name)
        guard let members = root.objectMembers else {
            throw InputError(file: name, line: root.line, "a scenario must be a JSON object, found \(root.value.typeName)")
        }
        let base = url.deletingLastPathComponent()
        var seen = Set<String>()
        for m in members {
            if !knownKeys.contains(m.key) {
                throw InputError(file: name, line: m.keyLine, "unknown field \(ErrorText.quoted(m.key)) (known: \(knownKeys.sorted().joined(separator: ", ")))")
            }
            if !seen.insert(m.key).inserted { throw InputError(file: name, line: m.keyLine, "the field \(ErrorText.quoted(m.key)) appears twice") }
        }
        func string(_ key: String, required: Bool) throws -> String? {
            guard let node = root[key], !node.isNull else {
                if required { throw InputError(file: name, line: root.line, "missing field \(ErrorText.quoted(key))") }
                return nil
            }
            guard let s = node.stringValue else {
                throw InputError(file: name, line: node.line, "\(ErrorText.quoted(key)) must be a string, found \(node.value.typeName)")
            }
            if s.isEmpty { throw InputError(file: name, line: node.line, "\(ErrorText.quoted(key)) is empty") }
            return s
        }
        func path(_ key: String, required: Bool) throws -> URL? {
            guard let s = try string(key, required: required) else { return nil }
            return resolve(s, against: base)
        }
        var standard = ServiceStandard()
        if let node = root["standard"], !node.isNull {
            guard let sm = node.objectMembers else {
                throw InputError(file: name, line: node.line, "\"standard\" must be an object")
            }
            for m in sm {
                guard knownStandardKeys.contains(m.key) else {
                    throw InputError(file: name, line: m.keyLine, "unknown field \"standard.\(m.key)\" (known: radius_m, max_minutes, rule)")
                }
                switch m.key {
                case "radius_m":
                    guard let v = m.value.numberValue, v >= 0, v <= ValueRanges.maximumRadiusMeters else {
                        throw InputError(file: name, line: m.value.line, "\"radius_m\" must be a number of metres in 0…20000000")
                    }
                    standard.radiusMeters = v
                case "max_minutes":
                    guard let v = m.value.numberValue, v >= 0, v <= ValueRanges.maximumMaxMinutes else {
                        throw InputError(file: name, line: m.value.line, "\"max_minutes\" must be a number of minutes in 0…100000")
                    }
                    standard.maxMinutes = v
                default:
                    guard let s = m.value.stringValue, let r = CoverageRule(rawValue: s) else {
                        throw InputError(file: name, line: m.value.line, "\"rule\" must be one of either, both, radius, time")
                    }
                    standard.rule = r
                }
            }
        }
        var sources: [ScenarioSource] = []
        if let node = root["sources"], !node.isNull {
            guard let items = node.arrayElements else {
                throw InputError(file: name, line: node.line, "\"sources\" must be an array of objects with name, detail, licence, attribution")
            }
            for item in items {
                guard let fields = item.objectMembers else {
                    throw InputError(file: name, line: item.line, "each source must be an object with name, detail, licence, attribution")
                }
                var values: [String: String] = [:]
                for f in fields {
                    guard ["name", "detail", "licence", "attribution"].contains(f.key) else {
                        throw InputError(file: name, line: f.keyLine, "unknown field \"sources.\(f.key)\" (known: attribution, detail, licence, name)")
                    }
                    guard let v = f.value.stringValue else {
                        throw InputError(file: name, line: f.value.line, "\"sources.\(f.key)\" must be a string")
                    }
                    values[f.key] = v
                }
                guard let sourceName = values["name"], !sourceName.isEmpty else {
                    throw InputError(file: name, line: item.line, "a source needs a non-empty \"name\"")
                }
                sources.append(ScenarioSource(name: sourceName, detail: values["detail"], licence: values["licence"],
                                              attribution: values["attribution"]))
            }
        }
        let scenarioName = try string("name", required: false) ?? url.deletingPathExtension().lastPathComponent
        let service = try ServiceParameters.parse(root, fileName: name)
        // `required: true` throws when the field is missing, so these are never nil.
        guard let residents = try path("residents", required: true), let existing = try path("existing", required: true) else {
            throw InputError(file: name, line: root.line, "missing field \"residents\" or \"existing\"")
        }
        var scenario = Scenario(name: scenarioName,
                        residents: residents,
                        existing: existing,
                        candidates: try path("candidates", required: false),
                        roads: try path("roads", required: false),
                        profile: try string("profile", required: false) ?? "motorcycle",
                        standard: standard,
                        zones: try path("zones", required: false),
                        sources: sources,
                        file: url)
        scenario.service = service
        return scenario
    }

    /// Resolves a path relative to `base` (absolute paths stay as they are; `~` is expanded).
    public static func resolve(_ path: String, against base: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL }
        return base.appendingPathComponent(expanded).standardizedFileURL
    }

    /// The name used for a file in messages: its path relative to the current folder when inside it.
    public static func displayName(_ url: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let p = url.standardizedFileURL.path
        if p.hasPrefix(cwd + "/") { return String(p.dropFirst(cwd.count + 1)) }
        return p
    }
}

/// Finds Reach's bundled `data/` folder (profiles, the Hanoi scenario).
///
/// Order: `REACH_DATA` when set; else the first `data/profiles` found walking up from the
/// running executable (e.g. `.build/release/reach` → the checkout's `data/`); else walking up
/// from the current folder.
/// One data source of a scenario, credited in its reports (`sources` in the scenario JSON).
public struct ScenarioSource: Sendable, Hashable {
    public var name: String
    public var detail: String?
    public var licence: String?
    /// The line a map must print (e.g. "© OpenStreetMap contributors").
    public var attribution: String?

    public init(name: String, detail: String? = nil, licence: String? = nil, attribution: String? = nil) {
        self.name = name
        self.detail = detail
        self.licence = licence
        self.attribution = attribution
    }
}

public enum BundledData {
    public static func directory() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["REACH_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var starts: [URL] = []
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        starts.append(exe.deletingLastPathComponent())
        if let real = try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            starts.append(URL(fileURLWithPath: real).deletingLastPathComponent())
        }
        // An installed binary (`make install PREFIX=…`): PREFIX/bin/reach finds PREFIX/share/reach.
        for start in starts {
            let installed = start.deletingLastPathComponent().appendingPathComponent("share/reach").standardizedFileURL
            if fm.fileExists(atPath: installed.appendingPathComponent("profiles").path) { return installed }
        }
        starts.append(URL(fileURLWithPath: fm.currentDirectoryPath))
        for start in starts {
            var dir = start.standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("data")
                if fm.fileExists(atPath: candidate.appendingPathComponent("profiles").path) { return candidate }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return nil
    }

    /// The profile file for a bundled name or a path.
    public static func profileURL(_ nameOrPath: String, relativeTo base: URL?) throws -> URL {
        let looksLikePath = nameOrPath.contains("/") || nameOrPath.hasSuffix(".json")
        if looksLikePath {
            return Scenario.resolve(nameOrPath, against: base ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        }
        guard let dir = directory() else {
            throw InputError(file: nameOrPath, "cannot find the bundled data folder with profiles (set REACH_DATA to the checkout's data/ folder)")
        }
        let url = dir.appendingPathComponent("profiles/\(nameOrPath).json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("profiles").path)) ?? [])
                .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
            throw InputError(file: nameOrPath, "no bundled profile named \(ErrorText.quoted(nameOrPath)) (bundled: \(names.joined(separator: ", ")))")
        }
        return url
    }
}
