import Foundation
import ReachGeo

/// Scenario benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerScenarioBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(
        name: "csv-residents-1m",
        summary: "PointTables.readResidents of a generated 1M-row residents CSV (id, lon, lat, population, zone; 38 MB), then of the same as GeoJSON (issue 15 item 3: ≤ 1 s)",
        run: {
            var rng = SplitMix64(seed: 15)
            var text = "id,lon,lat,population,zone\n"
            text.reserveCapacity(40_000_000)
            for i in 0..<1_000_000 {
                let lon = DecimalText.degrees(105.3 + rng.unitInterval() * 0.8), lat = DecimalText.degrees(20.6 + rng.unitInterval() * 0.8)
                text += "r\(i),\(lon),\(lat),\(DecimalText.population(Double(1 + i % 500) / 4)),Phường \(i % 126)\n"
            }
            return try withScratchDirectory("csv") { dir in
                let url = dir.appendingPathComponent("residents.csv")
                try text.write(to: url, atomically: false, encoding: .utf8)
                text = ""
                let csv = try timedResidentsRead(url)
                let total = csv.residents.reduce(0) { $0 + $1.population }
                // The same residents as a GeoJSON FeatureCollection (as geopandas writes one).
                var json = "{\"type\": \"FeatureCollection\", \"features\": [\n"
                json.reserveCapacity(150_000_000)
                for (k, r) in csv.residents.enumerated() {
                    json += "{\"type\": \"Feature\", \"properties\": {\"id\": \"\(r.id)\", \"population\": \(DecimalText.population(r.population)), \"zone\": \"\(r.zone ?? "")\"}, "
                    json += "\"geometry\": {\"type\": \"Point\", \"coordinates\": [\(DecimalText.degrees(r.position.lonDegrees)), \(DecimalText.degrees(r.position.latDegrees))]}}"
                    json += k + 1 < csv.residents.count ? ",\n" : "\n"
                }
                json += "]}\n"
                let gj = dir.appendingPathComponent("residents.geojson")
                try json.write(to: gj, atomically: false, encoding: .utf8)
                json = ""
                let geo = try timedResidentsRead(gj)
                let megabytes = ((try? FileManager.default.attributesOfItem(atPath: gj.path)[.size] as? Int) ?? 0) / 1_000_000
                return "\(csv.residents.count) residents, population \(Int(total)); "
                    + String(format: "CSV read %.2f s wall, %.2f s CPU; ", csv.wallSeconds, csv.cpuSeconds)
                    + String(format: "GeoJSON (%d MB) read %.2f s wall, %.2f s CPU, same residents: %@", megabytes,
                             geo.wallSeconds, geo.cpuSeconds, geo.residents == csv.residents ? "yes" : "NO")
            }
        }))

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


/// The repository root (Benchmarks/Sources/ReachBenchmarks/ → three levels up).
private func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

/// Runs the release `reach` of the main package (`swift build -c release` at the repository
/// root) `repeats` times and reports the best and median wall time and the peak RSS of the
/// child (`wait4`'s `ru_maxrss`). Outputs go to a temporary folder that is removed.
private func timeReach(_ arguments: [String], repeats: Int) throws -> String {
    let root = repositoryRoot()
    let reach = root.appendingPathComponent(".build/release/reach")
    guard FileManager.default.isExecutableFile(atPath: reach.path) else {
        return "skipped: \(reach.path) is missing (run `swift build -c release` at the repository root first)"
    }
    var walls: [Double] = [], peakKB = 0
    for k in 0..<repeats {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-cli-\(getpid())-\(k)")
        defer { try? FileManager.default.removeItem(at: out) }
        let args = arguments.map { $0 == "OUT" ? out.path : $0 }
        var pid: pid_t = 0
        var cArgs: [UnsafeMutablePointer<CChar>?] = ([reach.path] + args).map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, reach.path, &actions, nil, &cArgs, environ)
        guard rc == 0 else { return "failed: posix_spawn returned \(rc)" }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        walls.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        peakKB = max(peakKB, Int(usage.ru_maxrss))
        guard status == 0 else { return "failed: reach exited with status \(status)" }
    }
    walls.sort()
    return String(format: "best %.2f s, median %.2f s wall over %d runs; peak RSS %.0f MB", walls[0], walls[walls.count / 2],
                  repeats, Double(peakKB) / 1024)
}

func registerCLIBenchmarks(_ cases: inout [BenchmarkCase]) {
    let scenario = repositoryRoot().appendingPathComponent("data/hanoi/scenario.json").path
    cases.append(BenchmarkCase(
        name: "cli-coverage-hanoi",
        summary: "reach coverage data/hanoi/scenario.json --out DIR (whole-province roads, 53,424 residents), 5 runs",
        run: { try timeReach(["coverage", scenario, "--out", "OUT"], repeats: 5) }))
    cases.append(BenchmarkCase(
        name: "cli-plan-hanoi-200k",
        summary: "reach plan --mode consolidate --branches 30 --time-limit 60 on the bundled scenario with 125 m residents (211,735 points, made by reach residents), 1 run (issue 14: gap ≤ 0.1 %, ≤ 2 GB)",
        run: { try planHanoi200k() }))
    cases.append(BenchmarkCase(
        name: "cli-demo-hanoi",
        summary: "reach demo --out DIR --report DIR/report.html (questions a–c and more on the bundled scenario), 3 runs",
        run: { try timeReach(["demo", "--out", "OUT"], repeats: 3) }))
}

/// Issue 14's city-scale question: the bundled scenario with residents on a 125 m grid
/// (`reach residents --from-zones … --weights WorldPop --spacing-m 125 --seed 2025`), keep 30.
/// Prints the plan's covered population, bound, gap and CBC's notes, the wall time and the peak
/// RSS of `reach` and its CBC worker (`getrusage(RUSAGE_CHILDREN)`: the largest of them).
private func planHanoi200k() throws -> String {
    let root = repositoryRoot()
    let reach = root.appendingPathComponent(".build/release/reach")
    guard FileManager.default.isExecutableFile(atPath: reach.path) else {
        return "skipped: \(reach.path) is missing (run `swift build -c release` at the repository root first)"
    }
    let grid = sharedDataDirectory().appendingPathComponent("population/hanoi_worldpop2020_1km.asc")
    guard FileManager.default.fileExists(atPath: grid.path) else { return "skipped: ../shared/data/population/hanoi_worldpop2020_1km.asc is missing" }
    let data = root.appendingPathComponent("data/hanoi")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-hanoi200k-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    func run(_ args: [String], stdout: URL?) throws -> (Double, Int32) {
        let p = Process()
        p.executableURL = reach
        p.arguments = args
        if let stdout { FileManager.default.createFile(atPath: stdout.path, contents: nil); p.standardOutput = try FileHandle(forWritingTo: stdout) }
        p.standardError = FileHandle.nullDevice
        let start = DispatchTime.now().uptimeNanoseconds
        try p.run()
        p.waitUntilExit()
        return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, p.terminationStatus)
    }
    let residents = dir.appendingPathComponent("residents.csv")
    let (genSeconds, genStatus) = try run(["residents", "--from-zones", data.appendingPathComponent("units.csv").path,
                                           "--zones", data.appendingPathComponent("zones.geojson").path, "--weights", grid.path,
                                           "--spacing-m", "125", "--seed", "2025", "--out", residents.path], stdout: nil)
    guard genStatus == 0 else { return "failed: reach residents exited with status \(genStatus)" }
    var scenario = try String(contentsOf: data.appendingPathComponent("scenario.json"), encoding: .utf8)
    for (key, file) in [("residents", residents.path), ("existing", data.appendingPathComponent("existing.csv").path),
                        ("candidates", data.appendingPathComponent("candidates.csv").path),
                        ("roads", data.appendingPathComponent("roads.osm.pbf").path), ("zones", data.appendingPathComponent("zones.geojson").path)] {
        scenario = scenario.replacingOccurrences(of: "\"\(key)\": \"\(key == "roads" ? "roads.osm.pbf" : key == "zones" ? "zones.geojson" : key + ".csv")\"",
                                                 with: "\"\(key)\": \"\(file)\"")
    }
    let scenarioURL = dir.appendingPathComponent("scenario.json")
    try scenario.write(to: scenarioURL, atomically: true, encoding: .utf8)
    let planURL = dir.appendingPathComponent("plan.json")
    let (seconds, status) = try run(["plan", scenarioURL.path, "--mode", "consolidate", "--branches", "30", "--time-limit", "60", "--format", "json"], stdout: planURL)
    guard status == 0 else { return "failed: reach plan exited with status \(status)" }
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    let plan = try JSONParser.parse(Data(contentsOf: planURL), fileName: "plan.json")
    let notes = plan["solver"]?["notes"]?.arrayElements?.compactMap(\.stringValue).joined(separator: "; ") ?? ""
    return String(format: "residents %.2f s; plan %.1f s wall; %.0f residents; covered %.0f, bound %.0f, gap %.4f %%, proven %@; peak RSS %.0f MB; %@",
                  genSeconds, seconds, Double(try String(contentsOf: residents, encoding: .utf8).utf8.filter { $0 == 10 }.count - 1),
                  plan["planner_covered_population"]?.numberValue ?? -1, plan["upper_bound_population"]?.numberValue ?? -1,
                  100 * (plan["gap"]?.numberValue ?? -1), plan["proven_optimal"]?.boolValue == true ? "yes" : "no",
                  Double(usage.ru_maxrss) / 1024, notes)
}
