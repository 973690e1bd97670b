import Foundation

/// The GDAL command-line tools (ogr2ogr, ogrinfo, gdal_translate) and Python modules that the
/// format tests use to write and check files independently of Reach.
public enum GISTools {
    /// Thrown under `CI=true` when a tool is missing.
    public struct Missing: Error, CustomStringConvertible {
        public var tool: String
        public var description: String { "\(tool) is not installed and CI=true: failing instead of skipping" }
    }

    /// The tool's path on PATH, or nil (with a printed reason) when absent; throws under `CI=true`.
    public static func require(_ tool: String) throws -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(tool)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        if SharedData.isCI { throw Missing(tool: tool) }
        print("skipped: \(tool) is not on PATH (install gdal-bin)")
        return nil
    }

    /// True when `python3 -c "import MODULE"` works; prints why not (throws under `CI=true`).
    public static func requirePython(_ module: String) throws -> Bool {
        guard let python = try require("python3") else { return false }
        let r = try run(python, ["-c", "import \(module)"])
        if r.status == 0 { return true }
        if SharedData.isCI { throw Missing(tool: "python3 module \(module)") }
        print("skipped: python3 cannot import \(module) (pip install geopandas pyogrio)")
        return false
    }

    /// Runs a tool; returns its status and output.
    @discardableResult
    public static func run(_ tool: URL, _ args: [String], in directory: URL? = nil) throws -> ReachBinary.Output {
        try ReachBinary.run(command: tool.path, args, in: directory)
    }
}
