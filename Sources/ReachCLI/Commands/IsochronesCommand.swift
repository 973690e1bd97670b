import ArgumentParser
import Foundation
import ReachGeo

/// `reach isochrones SCENARIO --minutes 10,20,30 --out FILE.geojson`.
struct IsochronesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isochrones",
        abstract: "Polygons of the area from which each intake point is reached within each time band.",
        discussion: """
        Needs roads in the scenario. For each existing intake point (or those named with --sites) and each band,
        writes one MultiPolygon feature with properties id, name, minutes, area_km2 (geodesic), population and
        residents (the scenario's residents inside): every place from which a resident reaches the intake point
        within that many minutes under the travel-time model (connector leg to the nearest road, roads, connector
        leg to the intake point). Valid OGC polygons, RFC 7946 orientation. With --union, one feature per band
        instead: the area within that many minutes of any of the sites (properties minutes, sites, area_km2,
        population, residents). --out FILE.gpkg writes a GeoPackage layer "isochrones" instead of GeoJSON.
        """)

    @OptionGroup var scenario: ScenarioOptions
    @Option(help: "Comma-separated bands in minutes, e.g. 10,20,30.") var minutes: String
    @Option(help: "The GeoJSON file to write.") var out: String
    @Option(help: "Comma-separated ids of the intake points (default: every existing site).") var sites: String?
    @Option(name: .customLong("cell-m"), help: "Grid cell in metres (default 50).") var cellMeters: Double = 50
    @Flag(help: "One polygon per band: the area within that time of any of the sites.") var union = false

    /// The bands of `--minutes`: decimal numbers in 0 < m ≤ 1440, comma-separated, no empty
    /// item, no duplicate (a band given twice would silently produce one polygon).
    func bands() throws -> [Double] {
        let parts = minutes.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        var values: [Double] = []
        for (k, part) in parts.enumerated() {
            guard !part.isEmpty else {
                throw ValidationError("--minutes: item \(k + 1) of \(ErrorText.quoted(minutes)) is empty; give numbers separated by single commas, e.g. 10,20,30")
            }
            guard let v = DecimalNumber.parse(part), v > 0, v <= 1440 else {
                throw ValidationError("--minutes: \(ErrorText.quoted(part)) is not a number of minutes in 0 < m ≤ 1440")
            }
            if values.contains(v) { throw ValidationError("--minutes: \(ErrorText.quoted(part)) is given twice") }
            values.append(v)
        }
        return values
    }

    func validate() throws {
        _ = try bands()
        guard cellMeters.isFinite, cellMeters >= 5, cellMeters <= 100_000 else {
            throw ValidationError("--cell-m must be a number of metres in 5…100000, not \(cellMeters)")
        }
    }

    func run() throws {
        let progress = ProgressReporter.terminal
        let bandsMinutes = try bands()
        var timings = StageTimings()
        let (resolved, batch) = try scenario.resolveGuardingInputs(timings: &timings)
        let outURL = try OutputPaths.url(out, option: "--out")
        try batch.reserve(outURL)
        let prepared = try scenario.prepare(resolved, progress: progress, timings: &timings)
        let loaded = prepared.loaded
        guard let network = prepared.network else {
            throw InputError(file: scenario.scenario, "isochrones need roads: the scenario has no \"roads\" (or --no-roads was given)")
        }
        var chosen = prepared.currentlyOpenSites
        if let sites {
            let wanted = sites.split(separator: ",").map { $0.trimmingWhitespace() }
            var byID: [String: Int] = [:]
            for (k, s) in prepared.sites.enumerated() { byID[s.id] = k }
            chosen = try wanted.map { id in
                guard let k = byID[id] else { throw UsageError("--sites: no site with id \(ErrorText.quoted(id)) in the scenario") }
                return k
            }
        }
        var warnings = prepared.warnings
        let snapped = chosen.filter { prepared.siteSnaps[$0] != nil }
        let snaps = snapped.compactMap { prepared.siteSnaps[$0] }
        if snapped.count < chosen.count {
            warnings.append(Warning("\(chosen.count - snapped.count) intake point(s) have no road within max_snap_m and get no isochrone"))
        }
        progress.stage("isochrones for \(snapped.count) intake points, bands \(minutes) min")
        let options = IsochroneOptions(cellMeters: cellMeters)
        let profile = loaded.profile
        let results: [Result<[IsochroneBand], any Error>] = Parallel.map(count: snapped.count, minimumChunk: 1,
                                                                          initial: .success([])) { k in
            let s = snapped[k]
            return Result {
                try IsochroneBuilder.build(graph: network.graph, siteIndex: s, sitePosition: prepared.sites[s].position,
                                           site: snaps[k], profile: profile, bandsMinutes: bandsMinutes, options: options)
            }
        }
        var features: [GeoJSONFeature] = []
        var byBand: [Double: [[[LonLat]]]] = [:]
        var sitesByBand: [Double: Int] = [:]
        for (k, r) in results.enumerated() {
            let bands: [IsochroneBand]
            do { bands = try r.get() } catch let e as ProjectionError {
                let site = prepared.sites[snapped[k]]
                throw InputError(file: loaded.scenario.roads.map(Scenario.displayName) ?? scenario.scenario,
                                 "the isochrone of site \(ErrorText.quoted(site.id)) reaches roads that cannot be projected to its UTM zone (\(e.message))")
            }
            for band in bands where !band.polygons.isEmpty {
                let site = prepared.sites[band.siteIndex]
                let polygons = band.polygons.map { [$0.outer] + $0.holes }
                if union {
                    byBand[band.minutes, default: []] += polygons
                    sitesByBand[band.minutes, default: 0] += 1
                    continue
                }
                let inside = IsochroneFigures.population(inside: polygons, residents: prepared.residents)
                features.append(GeoJSONFeature(
                    geometry: .multiPolygon(polygons),
                    properties: [("id", .string(site.id)), ("name", site.name.map { .string($0) } ?? .null),
                                 ("minutes", .number(band.minutes, decimals: 3)),
                                 ("area_km2", .number(IsochroneFigures.areaKm2(polygons), decimals: 4)),
                                 ("population", .number(inside.population, decimals: 3)),
                                 ("residents", .integer(inside.residents))]))
            }
        }
        if union {
            for minutes in bandsMinutes {
                guard let polygons = byBand[minutes] else { continue }
                let united = try GDALDataset.union(polygons)
                let inside = IsochroneFigures.population(inside: united, residents: prepared.residents)
                features.append(GeoJSONFeature(
                    geometry: .multiPolygon(united),
                    properties: [("minutes", .number(minutes, decimals: 3)), ("sites", .integer(sitesByBand[minutes] ?? 0)),
                                 ("area_km2", .number(IsochroneFigures.areaKm2(united), decimals: 4)),
                                 ("population", .number(inside.population, decimals: 3)),
                                 ("residents", .integer(inside.residents))]))
            }
        }
        for w in warnings { printWarningToStderr(w.message) }
        let text = GeoJSONWriter.featureCollection(features, name: "isochrones")
        if outURL.pathExtension.lowercased() == "gpkg" {
            let layer = try OutputLayers.layer(fromGeoJSON: text, name: "isochrones", fileName: "isochrones")
            try batch.add(try OutputLayers.geoPackage([layer], displayName: out), as: outURL)
        } else {
            try batch.add(text, as: outURL)
        }
        try StandardOutput.write("wrote \(features.count) isochrone feature(s) for \(snapped.count) intake point(s) to \(out)\n")
        try batch.commit()
    }
}
