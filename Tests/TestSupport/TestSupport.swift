import Foundation
@_exported import ReachGeo

/// Where the real data of `../shared/data` lives, relative to the repository root.
public enum SharedData {
    /// The repository root (two levels above this file's folder `Tests/TestSupport`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` beside the repository, or `REACH_SHARED_DATA` when set.
    public static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["REACH_SHARED_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }()

    /// True under CI (`CI=true`): missing shared data is then a failure, not a skip.
    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The URL of `relativePath` under the shared data folder, or nil when it is absent.
    /// When absent it prints why the test is skipped; under `CI=true` the caller must fail
    /// (use ``requireFile(_:)`` in Swift Testing: `try #require(SharedData.file(...))` after
    /// checking ``isCI``).
    public static func file(_ relativePath: String) -> URL? {
        let url = directory.appendingPathComponent(relativePath)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        print("skipped: \(url.path) is absent (shared data not found beside the repository)")
        return nil
    }

    /// The repository's own `data/` folder.
    public static var bundledData: URL { repositoryRoot.appendingPathComponent("data") }
}

/// Thrown by ``SharedData/require(_:)`` when shared data is missing under CI.
public struct MissingSharedData: Error, CustomStringConvertible {
    public var path: String
    public var description: String { "shared data \(path) is missing and CI=true: failing instead of skipping" }
}

extension SharedData {
    /// Use at the top of a test that needs real data:
    /// `guard let url = try SharedData.require("roads/x.osm.pbf") else { return }`.
    /// Returns nil (skip, with a printed reason) when absent outside CI; throws under `CI=true`.
    public static func require(_ relativePath: String) throws -> URL? {
        if let url = file(relativePath) { return url }
        if isCI { throw MissingSharedData(path: directory.appendingPathComponent(relativePath).path) }
        return nil
    }
}

/// A fresh temporary directory for one test.
public func makeTemporaryDirectory(_ name: String = "reach-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
