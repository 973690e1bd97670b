import Foundation
import ReachGeo

/// Scenario benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerScenarioBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(
        name: "asc-read-worldpop",
        summary: "AsciiGrid.read + residents() of the WorldPop 2020 1 km Hanoi grid (88×99), 200 times",
        run: {
            let url = sharedDataDirectory().appendingPathComponent("population/hanoi_worldpop2020_1km.asc")
            var residents = 0
            var total = 0.0
            let repeats = 200
            let cpu0 = processCPUSeconds()
            let (_, seconds) = try measureSeconds {
                for _ in 0..<repeats {
                    let r = try AsciiGrid.read(from: url).residents()
                    residents = r.count
                    total = r.reduce(0) { $0 + $1.population }
                }
            }
            let cpu = processCPUSeconds() - cpu0
            return "\(residents) cells, population \(Int(total.rounded())); "
                + String(format: "%.3f ms wall / %.3f ms CPU per read", seconds / Double(repeats) * 1000, cpu / Double(repeats) * 1000)
        }))

    cases.append(BenchmarkCase(
        name: "asc-read-synthetic-9m",
        summary: "AsciiGrid.read of a generated 3000×3000 grid (9 M cells, half nodata), throughput",
        run: {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-\(getpid()).asc")
            defer { try? FileManager.default.removeItem(at: url) }
            let side = 3000
            var text = "ncols \(side)\nnrows \(side)\nxllcorner 100\nyllcorner 10\ncellsize 0.001\nNODATA_value -9999\n"
            text.reserveCapacity(side * side * 8)
            for row in 0..<side {
                var line = ""
                for col in 0..<side {
                    if col > 0 { line += " " }
                    line += (row + col) % 2 == 0 ? "-9999" : String((row * 31 + col * 17) % 1000) + ".25"
                }
                text += line + "\n"
            }
            try text.write(to: url, atomically: false, encoding: .utf8)
            let bytes = Double(text.utf8.count)
            let cpu0 = processCPUSeconds()
            let (grid, seconds) = try measureSeconds { try AsciiGrid.read(from: url) }
            let cpu1 = processCPUSeconds()
            let (residents, secondsResidents) = measureSeconds { grid.residents() }
            let cpu2 = processCPUSeconds()
            return "\(residents.count) residents, \(grid.nodataCellCount) nodata; read "
                + String(format: "%.3f s wall / %.3f s CPU (%.0f MB/s of CPU), residents() %.3f s wall / %.3f s CPU",
                         seconds, cpu1 - cpu0, bytes / (cpu1 - cpu0) / 1e6, secondsResidents, cpu2 - cpu1)
        }))

    cases.append(BenchmarkCase(
        name: "residents-from-zones-hanoi",
        summary: "reach residents --from-zones data/hanoi/units.csv --zones zones.geojson --spacing-m 500 --seed 2025",
        run: {
            let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/hanoi")
            let ((units, zones), readSeconds) = try measureSeconds {
                (try ZoneUnit.loadUnits(from: dir.appendingPathComponent("units.csv")),
                 try ZonePolygon.loadZones(from: dir.appendingPathComponent("zones.geojson")))
            }
            let (residents, seconds) = try measureSeconds {
                try ZoneDisaggregation.residents(units: units, zones: zones, spacingMeters: 500, seed: 2025)
            }
            let (csv, csvSeconds) = measureSeconds { ZoneDisaggregation.csv(residents) }
            let total = residents.reduce(0) { $0 + $1.population }
            return "\(units.count) zones, \(residents.count) residents, population \(Int(total)); "
                + String(format: "read %.3f s, generate %.3f s, csv %.3f s (%d bytes)", readSeconds, seconds, csvSeconds, csv.utf8.count)
        }))
}

/// CPU time of this process (user + system), seconds: the figure that stays meaningful when the
/// machine is shared.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
