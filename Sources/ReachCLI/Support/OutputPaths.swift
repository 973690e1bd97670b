import Foundation
import ReachGeo

/// The files a run reads and the paths it writes, for ``OutputBatch`` (outputs never replace
/// inputs; an empty path is a usage error).
enum OutputPaths {
    /// Every input file of a scenario run: the scenario itself, its tables, roads, zones and a
    /// profile given as a path (or the bundled profile file).
    static func inputs(of scenario: Scenario) -> [URL] {
        var urls = [scenario.file, scenario.residents, scenario.existing, scenario.candidates, scenario.roads, scenario.zones]
            .compactMap { $0 }
        if let profile = try? BundledData.profileURL(scenario.profile, relativeTo: scenario.file?.deletingLastPathComponent()) {
            urls.append(profile)
        }
        return urls
    }

    /// The URL of a path given with `option` (`--out`, `--report`); an empty path is a usage error.
    static func url(_ path: String, option: String) throws -> URL {
        guard !path.isEmpty else {
            throw UsageError("\(option): the path is empty (give a file or folder name; \".\" is the current folder)")
        }
        return URL(fileURLWithPath: path).standardizedFileURL
    }
}
