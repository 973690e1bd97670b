import Foundation

extension RoadGraphBuilder {
    /// The OSM file formats the builder reads.
    public enum OSMFileFormat: String, Sendable {
        case xml
        case pbf

        /// The format named by a file's extension: `.osm` → XML; `.osm.pbf` or `.pbf` → PBF.
        /// - Throws: ``InputError`` for any other extension.
        public init(url: URL) throws {
            let name = url.lastPathComponent.lowercased()
            if name.hasSuffix(".pbf") {
                self = .pbf
            } else if name.hasSuffix(".osm") {
                self = .xml
            } else {
                throw InputError(file: url.path, "unknown road file type: expected .osm (OSM XML), .osm.pbf or .pbf")
            }
        }
    }

    /// Reads an OSM file (XML or PBF, chosen by extension) and builds the road graph for `profile`.
    ///
    /// Only ways routable under the profile are kept (with the tags the model reads), and only
    /// the positions of the nodes they reference are used. `stats.osmNodesRead` and
    /// `stats.osmWaysRead` count every node and way in the file.
    /// - Throws: ``InputError`` for unreadable, truncated, corrupt or malformed files.
    /// - Complexity: O(file size + N + R) for N nodes and R references of routable ways.
    public static func build(osmFile: URL, profile: TravelProfile, progress: ProgressReporter = .silent) throws -> RoadGraphBuildResult {
        let format = try OSMFileFormat(url: osmFile)
        progress.stage("reading \(osmFile.lastPathComponent)")
        let extract = try readOSM(osmFile, format: format, profile: profile)
        progress.stage("building the road graph (\(extract.wayCount) routable ways of \(extract.waysRead))")
        return build(extract: extract, profile: profile)
    }

    static func readOSM(_ url: URL, format: OSMFileFormat, profile: TravelProfile) throws -> OSMExtract {
        switch format {
        case .xml: return try OSMXMLReader.read(url: url, profile: profile)
        case .pbf: return try OSMPBFReader.read(url: url, profile: profile)
        }
    }
}
