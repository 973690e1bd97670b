/// How residents' administrative filings turn into work at the counters: the scenario fields
/// `filings_per_person_year`, `online_share`, `service_minutes`, `opening_hours_per_week` and
/// `peak_factor` (INTERFACE.md, "Additions asked for in December 2026").
///
/// Defaults and where they come from:
/// - `filings_per_person_year` **0.24**: Đà Nẵng's former district and commune one-stop offices
///   handled ≈ 753,000 procedures in 2024 for ≈ 3.1 million people (issue 13), 753,000 / 3.1 M ≈ 0.243.
/// - `online_share` **0**: every filing is made at a counter (the conservative case; planners set
///   e.g. 0.3 to see what a shift online does).
/// - `service_minutes` **15** per filing at the counter: an assumption (intake and checking of one
///   dossier), not a measured Hanoi figure; set it from the centre's own records.
/// - `opening_hours_per_week` **40**: the counters keep office hours, the 40-hour working week
///   of civil servants (Decision 188/1999/QĐ-TTg: Monday–Friday, 8 hours a day); online filing
///   runs around the clock but is not counter work.
/// - `peak_factor` **1.5**: the busiest hour of the week carries 1.5 × the average hourly arrival
///   rate over the opening hours — a planner assumption (Monday mornings and the days before
///   deadlines are busiest; no published factor for Vietnamese one-stop offices was found).
///
/// The wait target (15 minutes in `reach demo` and the report) is a planner assumption too, set
/// with `--max-wait-minutes` (README "Where the defaults come from").
public struct ServiceParameters: Sendable, Hashable {
    public var filingsPerPersonYear: Double
    public var onlineShare: Double
    public var serviceMinutes: Double
    public var openingHoursPerWeek: Double
    public var peakFactor: Double

    public static let defaultFilingsPerPersonYear = 0.24
    public static let defaultOnlineShare = 0.0
    public static let defaultServiceMinutes = 15.0
    public static let defaultOpeningHoursPerWeek = 40.0
    public static let defaultPeakFactor = 1.5

    public init(filingsPerPersonYear: Double = ServiceParameters.defaultFilingsPerPersonYear,
                onlineShare: Double = ServiceParameters.defaultOnlineShare,
                serviceMinutes: Double = ServiceParameters.defaultServiceMinutes,
                openingHoursPerWeek: Double = ServiceParameters.defaultOpeningHoursPerWeek,
                peakFactor: Double = ServiceParameters.defaultPeakFactor) {
        self.filingsPerPersonYear = filingsPerPersonYear
        self.onlineShare = onlineShare
        self.serviceMinutes = serviceMinutes
        self.openingHoursPerWeek = openingHoursPerWeek
        self.peakFactor = peakFactor
    }

    /// The scenario keys this type reads.
    static let keys: [String] = ["filings_per_person_year", "online_share", "service_minutes",
                                 "opening_hours_per_week", "peak_factor"]

    /// Checks one value; nil when it is valid, else what is wrong (used by the scenario reader
    /// and the CLI overrides, so both say the same).
    public static func problem(key: String, value: Double) -> String? {
        guard value.isFinite else { return "\"\(key)\" must be a finite number" }
        switch key {
        case "filings_per_person_year":
            return value >= 0 ? nil : "\"filings_per_person_year\" must be ≥ 0 filings per person per year"
        case "online_share":
            return value >= 0 && value <= 1 ? nil : "\"online_share\" must be a share in 0…1"
        case "service_minutes":
            return value > 0 ? nil : "\"service_minutes\" must be > 0 minutes per filing"
        case "opening_hours_per_week":
            return value > 0 && value <= 168 ? nil : "\"opening_hours_per_week\" must be in (0, 168] hours"
        case "peak_factor":
            return value >= 1 ? nil : "\"peak_factor\" must be ≥ 1 (the busiest hour carries at least the average rate)"
        default:
            return "unknown service parameter \"\(key)\""
        }
    }

    public mutating func set(_ key: String, _ value: Double) {
        switch key {
        case "filings_per_person_year": filingsPerPersonYear = value
        case "online_share": onlineShare = value
        case "service_minutes": serviceMinutes = value
        case "opening_hours_per_week": openingHoursPerWeek = value
        default: peakFactor = value
        }
    }

    /// Reads the fields from a scenario's root object (absent or null: the default).
    static func parse(_ root: JSONNode, fileName: String) throws -> ServiceParameters {
        var p = ServiceParameters()
        for key in keys {
            guard let node = root[key], !node.isNull else { continue }
            guard let v = node.numberValue else {
                throw InputError(file: fileName, line: node.line, "\"\(key)\" must be a number, found \(node.value.typeName)")
            }
            if let problem = problem(key: key, value: v) { throw InputError(file: fileName, line: node.line, problem) }
            p.set(key, v)
        }
        return p
    }
}
