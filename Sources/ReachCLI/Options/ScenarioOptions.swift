import ArgumentParser
import Foundation
import ReachGeo

/// The scenario argument and the overrides of its fields (INTERFACE.md: every field can be
/// overridden by a flag of the same name in kebab case).
struct ScenarioOptions: ParsableArguments {
    @Argument(help: "The scenario JSON file.")
    var scenario: String

    @Option(help: "Override the scenario name.") var name: String?
    @Option(help: "Override the residents table (CSV, GeoJSON, GeoPackage, Shapefile, FlatGeobuf, or an .asc / GeoTIFF grid).") var residents: String?
    @Option(help: "Override the existing intake points table.") var existing: String?
    @Option(help: "Override the candidate sites table.") var candidates: String?
    @Option(help: "Override the roads file (.osm or .osm.pbf).") var roads: String?
    @Flag(name: .customLong("no-roads"), help: "Ignore the scenario's roads and use the travel-time estimate.") var noRoads = false
    @Option(help: "Override the travel profile (bundled name or path).") var profile: String?
    @Option(name: .customLong("radius-m"), help: "Override standard.radius_m (metres).") var radiusMeters: Double?
    @Option(name: .customLong("max-minutes"), help: "Override standard.max_minutes.") var maxMinutes: Double?
    @Option(help: "Override standard.rule: either, both, radius, time.") var rule: String?
    @Option(help: "Override the zones (GeoJSON, GeoPackage or Shapefile polygons with a name).") var zones: String?
    @Option(help: "The layer to read from multi-layer point files (GeoPackage); default the first.") var layer: String?
    @Option(name: .customLong("lon-column"), help: "The longitude (or x) column of the point tables (default: lon, longitude, lng, long or x).") var lonColumn: String?
    @Option(name: .customLong("lat-column"), help: "The latitude (or y) column of the point tables (default: lat, latitude or y).") var latColumn: String?
    @Option(name: .customLong("id-column"), help: "The id column of the point tables (default: id).") var idColumn: String?
    @Option(name: .customLong("population-column"), help: "The population column of the residents (default: population or pop).") var populationColumn: String?
    @Option(name: .customLong("coordinates-crs"), help: "The CRS of the coordinate columns of CSV/GeoJSON tables, e.g. EPSG:32648 for projected x/y (default WGS 84 degrees).") var coordinatesCRS: String?
    @Option(name: .customLong("filings-per-person-year"), help: "Override filings_per_person_year (default 0.24).") var filingsPerPersonYear: Double?
    @Option(name: .customLong("online-share"), help: "Override online_share, the share filed online (default 0).") var onlineShare: Double?
    @Option(name: .customLong("service-minutes"), help: "Override service_minutes per filing at a counter (default 15).") var serviceMinutes: Double?
    @Option(name: .customLong("opening-hours-per-week"), help: "Override opening_hours_per_week of the counters (default 40).") var openingHoursPerWeek: Double?
    @Option(name: .customLong("peak-factor"), help: "Override peak_factor, busiest hour ÷ average hour (default 1.5).") var peakFactor: Double?

    /// Flag values and combinations, checked before anything is read.
    func validate() throws {
        if noRoads && roads != nil {
            throw ValidationError("--roads and --no-roads contradict each other; give one")
        }
        if let radiusMeters, !(radiusMeters.isFinite && radiusMeters >= 0 && radiusMeters <= ValueRanges.maximumRadiusMeters) {
            throw ValidationError("--radius-m must be a number of metres in 0…20000000, not \(radiusMeters)")
        }
        if let maxMinutes, !(maxMinutes.isFinite && maxMinutes >= 0 && maxMinutes <= ValueRanges.maximumMaxMinutes) {
            throw ValidationError("--max-minutes must be a number of minutes in 0…100000, not \(maxMinutes)")
        }
        if let rule, CoverageRule(rawValue: rule) == nil {
            throw ValidationError("--rule must be one of either, both, radius, time, not \(ErrorText.quoted(rule))")
        }
    }

    /// The scenario with the overrides applied; override paths are relative to the current folder.
    func resolve() throws -> Scenario {
        let url = URL(fileURLWithPath: scenario).standardizedFileURL
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw InputError(file: scenario, "no such file")
        }
        var s = try Scenario.load(from: url, displayName: scenario)
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        func path(_ p: String) -> URL { Scenario.resolve(p, against: cwd) }
        if let name { s.name = name }
        if let residents { s.residents = path(residents) }
        if let existing { s.existing = path(existing) }
        if let candidates { s.candidates = path(candidates) }
        if let roads { s.roads = path(roads) }
        if noRoads { s.roads = nil }
        if let profile { s.profile = profile.contains("/") || profile.hasSuffix(".json") ? path(profile).path : profile }
        if let radiusMeters {
            guard radiusMeters.isFinite, radiusMeters >= 0 else { throw UsageError("--radius-m must be a non-negative number of metres") }
            s.standard.radiusMeters = radiusMeters
        }
        if let maxMinutes {
            guard maxMinutes.isFinite, maxMinutes >= 0 else { throw UsageError("--max-minutes must be a non-negative number of minutes") }
            s.standard.maxMinutes = maxMinutes
        }
        if let rule {
            guard let r = CoverageRule(rawValue: rule) else { throw UsageError("--rule must be one of either, both, radius, time") }
            s.standard.rule = r
        }
        if let zones { s.zones = path(zones) }
        s.columns = PointTables.Columns(layer: layer, lon: lonColumn, lat: latColumn, id: idColumn,
                                        population: populationColumn, crs: coordinatesCRS)
        for (key, value) in [("filings_per_person_year", filingsPerPersonYear), ("online_share", onlineShare),
                             ("service_minutes", serviceMinutes), ("opening_hours_per_week", openingHoursPerWeek),
                             ("peak_factor", peakFactor)] {
            guard let value else { continue }
            if let problem = ServiceParameters.problem(key: key, value: value) {
                throw UsageError("--\(key.replacingOccurrences(of: "_", with: "-")): " + problem)
            }
            s.service.set(key, value)
        }
        for (label, url) in [("residents", s.residents), ("existing", s.existing)] + [("candidates", s.candidates), ("roads", s.roads), ("zones", s.zones)].compactMap({ l, u in u.map { (l, $0) } }) {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw InputError(file: Scenario.displayName(url), "no such file (the scenario's \(ErrorText.quoted(label)))")
            }
        }
        return s
    }
}

/// Output options shared by coverage, plan and demo.
struct OutputOptions: ParsableArguments {
    @Option(help: "Write the output files into this folder (created if needed).") var out: String?
    @Option(help: "stdout format: text or json.") var format: OutputFormat = .text
    @Option(help: "Also write a self-contained HTML map report to this file.") var report: String?
    @Flag(help: "Write wall-clock timings into summary.json / plan.json (they then differ between runs).") var timings = false
    @Option(name: .customLong("format-out"), help: "Map layers as geojson (one file per layer, the default) or gpkg (one GeoPackage, reach.gpkg).") var formatOut: LayerFormat = .geojson

    /// The `--out` folder (not created here: ``OutputBatch`` creates it when the run commits).
    func outDirectory() throws -> URL? {
        try out.map { try OutputPaths.url($0, option: "--out") }
    }

    /// The `--report` file.
    func reportURL() throws -> URL? {
        try report.map { try OutputPaths.url($0, option: "--report") }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

extension ScenarioOptions {
    /// Resolves the scenario (timed as `read`) and opens the run's output batch with its input
    /// files, so that every destination is checked before any work: outputs never replace inputs.
    func resolveGuardingInputs(timings: inout StageTimings) throws -> (Scenario, OutputBatch) {
        let resolved = try timings.measure("read") { try resolve() }
        return (resolved, OutputBatch(inputs: OutputPaths.inputs(of: resolved)))
    }

    /// Resolves, reads and prepares the scenario (graph and snapping when it has roads),
    /// timing each stage.
    func prepare(progress: ProgressReporter, timings: inout StageTimings) throws -> PreparedScenario {
        try prepare(try resolve(), progress: progress, timings: &timings)
    }

    /// Reads and prepares an already resolved scenario (see ``resolve()``).
    func prepare(_ resolved: Scenario, progress: ProgressReporter, timings: inout StageTimings) throws -> PreparedScenario {
        let loaded = try timings.measure("read") { try ScenarioLoader.load(resolved) }
        let prepared = try PreparedScenario.prepare(loaded, progress: progress, timings: timings)
        timings = prepared.timings
        return prepared
    }
}
