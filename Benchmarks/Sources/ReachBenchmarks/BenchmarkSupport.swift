import Foundation
import ReachGeo

/// One named benchmark scenario. `run` does the work once and returns a line of figures
/// (counts, checksums) so the work cannot be optimised away and the output can be recorded.
struct BenchmarkCase {
    var name: String
    var summary: String
    var run: () throws -> String
}

/// Wall-clock seconds of `body`.
func measureSeconds<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    let end = DispatchTime.now().uptimeNanoseconds
    return (value, Double(end - start) / 1e9)
}

/// Peak resident set size of this process in MiB (`VmHWM` from /proc/self/status).
func peakMemoryMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? .nan
        return kb / 1024
    }
    return .nan
}

/// `../shared/data` relative to the repository root (Benchmarks/..), or `REACH_SHARED_DATA`.
func sharedDataDirectory() -> URL {
    if let env = ProcessInfo.processInfo.environment["REACH_SHARED_DATA"], !env.isEmpty { return URL(fileURLWithPath: env) }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/data")
}

/// Runs `body` with a fresh scratch folder under the temporary directory, removed afterwards.
func withScratchDirectory<T>(_ name: String, _ body: (URL) throws -> T) throws -> T {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("reach-bench-\(name)-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    return try body(dir)
}

/// `PointTables.readResidents` of a file, with its wall and CPU seconds.
func timedResidentsRead(_ url: URL) throws -> (residents: [Resident], wallSeconds: Double, cpuSeconds: Double) {
    let cpu0 = processCPUSeconds()
    let (residents, seconds) = try measureSeconds { try PointTables.readResidents(url: url, displayName: url.lastPathComponent).residents }
    return (residents, seconds, processCPUSeconds() - cpu0)
}

/// CPU time of this process (user + system), seconds: the figure that stays meaningful when the
/// machine is shared.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
