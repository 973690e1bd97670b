import ArgumentParser
import Foundation
import ReachGeo

/// `reach residents`: writes a residents table (`id,lon,lat,population,zone`) from zone
/// populations (a seeded grid disaggregation) or from an ESRI ASCII population grid.
///
/// Zones: `--from-zones units.csv` (columns `name, lon, lat, population`, optional `code`,
/// `area_km2`; other columns ignored) with `--zones zones.geojson` (polygons with a `name`
/// property equal to the table's names) or, without it, a disc of `area_km2` around each
/// centroid. See ``ZoneDisaggregation`` for the exact rule. Grid: `--from-grid FILE.asc`, one
/// resident per cell with population > 0 (``AsciiGrid``). The output is written atomically and
/// is byte-identical for identical inputs.
struct ResidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "residents",
        abstract: "Generate resident points from zone populations (seeded) or a population grid (.asc).",
        discussion: """
            Zones: a regular grid of points --spacing-m apart inside each zone's polygon (--zones), or \
            over a disc of the zone's area_km2 around its centroid; the population is split equally in \
            whole persons, so every zone total is exact. --seed sets the grid offset.
            Example: reach residents --from-zones data/hanoi/units.csv --zones data/hanoi/zones.geojson \
            --spacing-m 500 --seed 2025 --out data/hanoi/residents.csv
            """)

    @Option(name: .customLong("from-zones"), help: ArgumentHelp("Zone table (CSV: name, lon, lat, population; optional code, area_km2).", valueName: "FILE.csv"))
    var fromZones: String?

    @Option(name: .customLong("zones"), help: ArgumentHelp("Zone polygons (GeoJSON, a `name` property per polygon).", valueName: "FILE.geojson"))
    var zones: String?

    @Option(name: .customLong("from-grid"), help: ArgumentHelp("ESRI ASCII population grid in WGS 84 degrees.", valueName: "FILE.asc"))
    var fromGrid: String?

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
        guard spacingMeters.isFinite, spacingMeters > 0 else { throw ValidationError("--spacing-m must be a positive number of metres") }
    }

    func run() throws {
        let residents: [Resident]
        let text: String
        if let fromGrid {
            let grid = try AsciiGrid.read(from: URL(fileURLWithPath: fromGrid), displayName: fromGrid)
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
            residents = try ZoneDisaggregation.residents(units: units, zones: polygons, spacingMeters: spacingMeters,
                                                         seed: seed, unitsFile: fromZones)
            text = ZoneDisaggregation.csv(residents)
        } else {
            throw ValidationError("give --from-zones FILE.csv or --from-grid FILE.asc")
        }
        let population = residents.reduce(0) { $0 + $1.population }
        if let out {
            try Self.writeAtomically(text, to: out)
            writeToStderr("reach: wrote \(residents.count) residents (population \(DecimalText.population(population))) to \(out)\n")
        } else {
            // The throwing API: the old `write(_:)` traps (an uncaught exception) on a full disk or
            // a closed stdout. What a failed write means for the exit code is the caller's policy.
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        }
    }

    /// Writes `text` to a temporary file beside `path`, then `rename(2)`s it into place: an
    /// existing file is replaced in one step and a failed run leaves no partial file.
    /// (Not `AtomicFile.write`: on Linux its `FileManager.replaceItemAt` path removed an existing
    /// output and then failed, seen with swift-corelibs-foundation of Swift 6.3.1.)
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try Data(text.utf8).write(to: temp)
        } catch {
            try? FileManager.default.removeItem(at: temp)
            throw InputError(file: path, "cannot write the file (\(error.localizedDescription))")
        }
        if rename(temp.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temp)
            throw InputError(file: path, "cannot write the file (\(reason))")
        }
    }
}
