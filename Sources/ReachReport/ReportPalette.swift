/// Colours and words of the report, chosen to stay distinguishable with colour-vision
/// deficiencies: the Okabe–Ito palette for categories, ColorBrewer's RdYlBu for covered shares.
enum ReportPalette {
    /// Covered residents (Okabe–Ito blue).
    static let covered = "#0072B2"
    /// Reasons a resident is not covered, in the order of INTERFACE's `reason` rules.
    static let reasons: [(code: String, colour: String, label: String)] = [
        ("no_road_within_snap", "#000000", "No road within snapping distance"),
        ("unreachable", "#009E73", "No path to any intake point"),
        ("beyond_radius_and_time", "#D55E00", "Beyond the radius and the time limit"),
        ("beyond_radius", "#E69F00", "Beyond the radius"),
        ("beyond_time", "#CC79A7", "Beyond the time limit"),
    ]
    /// Unknown reasons.
    static let otherReason = "#999999"

    static func reasonColour(_ code: String) -> String {
        reasons.first { $0.code == code }?.colour ?? otherReason
    }

    static func reasonLabel(_ code: String) -> String {
        if code.isEmpty { return "Not covered (no reason given)" }
        return reasons.first { $0.code == code }?.label ?? code
    }

    /// The rank of a reason for sorting: known reasons in their rule order, then others.
    static func reasonRank(_ code: String) -> Int {
        reasons.firstIndex { $0.code == code } ?? reasons.count
    }

    /// Covered-share classes, from fully covered to barely covered (lower bounds inclusive).
    static let shareClasses: [(lowerBound: Double, colour: String, label: String)] = [
        (1.0, "#4575b4", "100 % covered"),
        (0.9, "#91bfdb", "90 – 99.9 %"),
        (0.5, "#fee090", "50 – 90 %"),
        (0.1, "#fc8d59", "10 – 50 %"),
        (0.0, "#d73027", "under 10 %"),
    ]

    static func shareColour(_ share: Double) -> String {
        for c in shareClasses where share >= c.lowerBound { return c.colour }
        return shareClasses[shareClasses.count - 1].colour
    }

    /// Fills of isochrone bands, shortest time first (ColorBrewer Purples, dark to light).
    static let isochroneFills = ["#54278f", "#756bb1", "#9e9ac8", "#bcbddc", "#dadaeb"]

    /// Proposed-branch markers.
    static let branch = "#5e3c99"
}
