import ArgumentParser
import Foundation
import ReachGeo

/// `reach residents`: writes a residents table (`id,lon,lat,population,zone`) from zone
/// populations (a seeded grid disaggregation) or from an ESRI ASCII population grid.
///
/// Zones: `--from-zones units.csv` (columns `name, lon, lat, population`, optional `code`,
/// `area_km2`; other columns ignored) with `--zones zones.geojson` (polygons with a `name`
/// property equal to the table's names) or, without it, a disc of `area_km2` around each
/// centroid. See ``ZoneDisaggregation`` for the exact rule. With `--weights GRID.asc` (needs
/// `--zones`), each zone's population is split over the parts of the grid's cells inside its
/// polygon in proportion to density × overlap area (``DasymetricWeights``); zones that overlap
/// no populated cell fall back to the uniform split, with one warning line. Grid:
/// `--from-grid FILE.asc`, one resident per cell with population > 0 (``AsciiGrid``). The output
/// is written atomically and is byte-identical for identical inputs.
struct ResidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residents",
        abstract: "Generate resident points from zone populations (seeded) or a population grid (.asc or GeoTIFF).",
        discussion: """
            Zones: a regular grid of points --spacing-m apart inside each zone's polygon (--zones), or \
            over a disc of the zone's area_km2 around its centroid; the population is split equally in \
            whole persons, so every zone total is exact. --seed sets the grid offset.
            Weighted (dasymetric), with --weights GRID.asc or GRID.tif (an ESRI ASCII or GeoTIFF \
            population grid, e.g. WorldPop; a GeoTIFF in another CRS is warped to degrees with sum resampling; needs --zones): each zone's population is split over the parts of \
            the grid's cells inside its polygon in proportion to (cell population / cell area) x \
            (area of the cell inside the polygon), areas on the WGS 84 ellipsoid; nodata and zero \
            cells weigh 0. Each part's share goes equally to the grid points in it (one point inside \
            the part if none), rounded cumulatively so every zone total stays exact. A zone that \
            overlaps no populated cell is split uniformly, with a warning. The grid is only read.
            Example: reach residents --from-zones data/hanoi/units.csv --zones data/hanoi/zones.geojson \
            --spacing-m 500 --seed 2025 --out data/hanoi/residents.csv
            Weighted: reach residents --from-zones data/hanoi/units.csv --zones data/hanoi/zones.geojson \
            --weights ../shared/data/population/hanoi_worldpop2020_1km.asc --spacing-m 250 --out residents.csv
            """)

    @Option(name: .customLong("from-zones"), help: ArgumentHelp("Zone table (CSV: name, lon, lat, population; optional code, area_km2).", valueName: "FILE.csv"))
    var fromZones: String?

    @Option(name: .customLong("zones"), help: ArgumentHelp("Zone polygons (GeoJSON, GeoPackage or Shapefile, a `name` property per polygon).", valueName: "FILE.geojson"))
    var zones: String?

    @Option(name: .customLong("from-grid"), help: ArgumentHelp("Population grid: ESRI ASCII (.asc, WGS 84 degrees) or GeoTIFF (.tif, any CRS; warped to degrees with sum resampling).", valueName: "FILE.asc|FILE.tif"))
    var fromGrid: String?

    @Option(name: .customLong("weights"), help: ArgumentHelp("Population grid (ESRI ASCII or GeoTIFF, any CRS) weighting each zone's split by density x overlap area (zones with --zones only).", valueName: "GRID.asc|GRID.tif"))
    var weights: String?

    @Option(name: .customLong("spacing-m"), help: "Grid spacing in metres (zones only).")
    var spacingMeters: Double = 500

    @Option(help: "Seed of the grid offsets (zones only).")
    var seed: UInt64 = 2025

    @Option(help: ArgumentHelp("Output CSV (written atomically); standard output when absent.", valueName: "FILE.csv"))
    var out: String?

    func validate() throws {
        switch (fromZones, fromGrid) {
        case (nil, nil): throw ValidationError("give --from-zones FILE.csv or --from-grid FILE.asc")
        case (.some, .some): throw ValidationError("give either --from-zones or --from-grid, not both")
        default: break
        }
        if fromGrid != nil && zones != nil { throw ValidationError("--zones goes with --from-zones, not --from-grid") }
        if fromGrid != nil && weights != nil { throw ValidationError("--weights goes with --from-zones, not --from-grid") }
        if fromZones != nil && weights != nil && zones == nil {
            throw ValidationError("--weights needs --zones FILE.geojson: the population is split over the cells inside each zone's polygon")
        }
        guard spacingMeters.isFinite, spacingMeters > 0 else { throw ValidationError("--spacing-m must be a positive number of metres") }
    }

    func run() throws {
        // The destination is checked before any work: the output never replaces an input.
        let batch = OutputBatch(inputs: [fromZones, zones, fromGrid].compactMap { $0 }.map { URL(fileURLWithPath: $0) })
        let outURL = try out.map { try OutputPaths.url($0, option: "--out") }
        if let outURL { try batch.reserve(outURL) }
        let residents: [Resident]
        let text: String
        if let fromGrid {
            let grid = try AsciiGrid.read(from: URL(fileURLWithPath: fromGrid), displayName: fromGrid)
            if let note = grid.reprojectionWarning { printWarningToStderr(note.message) }
            residents = grid.residents()
            text = ZoneDisaggregation.csv(residents)
        } else if let fromZones {
            let units = try ZoneUnit.loadUnits(from: URL(fileURLWithPath: fromZones), displayName: fromZones)
            let polygons = try zones.map { try ZonePolygon.loadZones(from: URL(fileURLWithPath: $0), displayName: $0) } ?? []
            if let zones, !polygons.isEmpty {
                let tableNames = Set(units.map(\.name))
                let unused = polygons.filter { !tableNames.contains($0.name) }
                if !unused.isEmpty {
                    printWarningToStderr("\(zones): \(unused.count) polygon(s) match no zone in \(fromZones), e.g. \"\(unused[0].name)\"")
                }
            }
            if let weights {
                let grid = try DasymetricWeights.load(from: URL(fileURLWithPath: weights), displayName: weights)
                if let note = grid.grid.reprojectionWarning { printWarningToStderr(note.message) }
                let result = try ZoneDisaggregation.residents(units: units, zones: polygons, weights: grid,
                                                              spacingMeters: spacingMeters, seed: seed, unitsFile: fromZones)
                if let first = result.uniformFallbackZones.first {
                    printWarningToStderr("\(weights): \(result.uniformFallbackZones.count) of \(units.count) zone(s) overlap no cell with population > 0 (nodata, zero or outside the grid) and were split uniformly, e.g. \"\(first)\"")
                }
                residents = result.residents
            } else {
                residents = try ZoneDisaggregation.residents(units: units, zones: polygons, spacingMeters: spacingMeters,
                                                             seed: seed, unitsFile: fromZones)
            }
            text = ZoneDisaggregation.csv(residents)
        } else {
            throw ValidationError("give --from-zones FILE.csv or --from-grid FILE.asc")
        }
        let population = residents.reduce(0) { $0 + $1.population }
        if let out, let outURL {
            try batch.add(text, as: outURL)
            try batch.commit()
            writeToStderr("reach: wrote \(residents.count) residents (population \(DecimalText.population(population))) to \(out)\n")
        } else {
            try StandardOutput.write(text)
        }
    }
}
