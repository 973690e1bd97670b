/// Bad input: a file (and line or feature) and what is wrong with it.
///
/// The CLI prints it as `error: FILE:LINE: what` and exits with code 2. `line` is 1-based;
/// 0 means the problem concerns the whole file (empty, unreadable, truncated). For GeoJSON,
/// `line` is the line the offending feature starts on and `feature` its 1-based index.
public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var feature: Int?
    public var message: String

    public init(file: String, line: Int = 0, feature: Int? = nil, _ message: String) {
        self.file = file
        self.line = line
        self.feature = feature
        self.message = message
    }

    /// `FILE:LINE: what` (or `FILE: what` without a line), the part after `error: `.
    public var description: String {
        var s = file
        if line > 0 { s += ":\(line)" }
        if let feature { s += ": feature \(feature)" }
        return s + ": " + message
    }
}

/// A non-fatal finding that the run reports in its output (`warnings` in summary.json) and on
/// stderr.
public struct Warning: Sendable, Hashable, CustomStringConvertible, Codable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
