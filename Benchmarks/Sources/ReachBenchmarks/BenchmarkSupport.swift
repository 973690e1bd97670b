import Foundation

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
