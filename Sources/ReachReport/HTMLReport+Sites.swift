import ReachGeo

/// One open site's load and queue, as `sites.csv` of the same run gives them.
public struct ReportSiteLoad: Sendable, Hashable {
    /// The wait target used when ``ReportInput/waitTargetMinutes`` is nil (the `reach staff`
    /// and demo default, a planner assumption: README "Capacity and staffing").
    public static let defaultWaitTargetMinutes = 15.0

    public var id: String
    public var name: String
    public var position: LonLat
    /// Population assigned to the site (file anywhere).
    public var assignedPopulation: Double
    /// Counter filings a year assigned to the site (`assigned_filings_per_year`).
    public var filingsPerYear: Double
    /// Counters staffed (`staff`); nil when not known.
    public var staff: Int?
    /// Filings a year the counters can serve (`capacity`); nil when not known.
    public var capacityPerYear: Double?
    /// ρ at the busiest hour; nil without counters, ∞ when no counter serves some demand.
    public var utilisation: Double?
    /// Expected wait in line at the busiest hour, minutes; ∞ when over capacity, nil without counters.
    public var waitMinutes: Double?
    /// `over_capacity`; nil when it cannot be judged.
    public var overCapacity: Bool?

    public init(id: String, name: String = "", position: LonLat, assignedPopulation: Double = 0, filingsPerYear: Double,
                staff: Int? = nil, capacityPerYear: Double? = nil, utilisation: Double? = nil, waitMinutes: Double? = nil,
                overCapacity: Bool? = nil) {
        self.id = id
        self.name = name
        self.position = position
        self.assignedPopulation = assignedPopulation
        self.filingsPerYear = filingsPerYear
        self.staff = staff
        self.capacityPerYear = capacityPerYear
        self.utilisation = utilisation
        self.waitMinutes = waitMinutes
        self.overCapacity = overCapacity
    }
}

/// The wait classes of the site-load symbols, around a target T: ≤ T/3, ≤ T, ≤ 2T, > 2T, over
/// capacity, not known. Greens for waits within the target, oranges beyond it, a dark red with a
/// dashed ring for over capacity (two cues, not colour alone).
enum WaitClass: Int, CaseIterable {
    case short, withinTarget, long, veryLong, overCapacity, unknown

    init(_ s: ReportSiteLoad, target: Double) {
        if s.overCapacity == true || (s.waitMinutes.map { !$0.isFinite } ?? false) { self = .overCapacity; return }
        guard let w = s.waitMinutes else { self = .unknown; return }
        self = w <= target / 3 ? .short : w <= target ? .withinTarget : w <= 2 * target ? .long : .veryLong
    }

    var colour: String {
        switch self {
        case .short: return "#1b7837"
        case .withinTarget: return "#a6dba0"
        case .long: return "#fdb863"
        case .veryLong: return "#e66101"
        case .overCapacity: return "#7f0000"
        case .unknown: return "#bdbdbd"
        }
    }

    var code: String {
        switch self {
        case .short: return "short"
        case .withinTarget: return "within-target"
        case .long: return "long"
        case .veryLong: return "very-long"
        case .overCapacity: return "over-capacity"
        case .unknown: return "unknown"
        }
    }

    func label(target: Double) -> String {
        let t = ReportFormat.minutes(target), third = ReportFormat.minutes(target / 3), twice = ReportFormat.minutes(2 * target)
        switch self {
        case .short: return "wait ≤ \(third)"
        case .withinTarget: return "\(third) – \(t) (target)"
        case .long: return "\(t) – \(twice)"
        case .veryLong: return "over \(twice)"
        case .overCapacity: return "over capacity (queue grows without bound)"
        case .unknown: return "wait not known (no staff or capacity)"
        }
    }
}

extension HTMLReport {
    /// Rows of the busiest-sites table.
    static let busiestSitesShown = 15
    /// The largest load symbol's radius in SVG units.
    static let maxLoadRadiusPx = 22.0

    static func waitTarget(_ input: ReportInput) -> Double {
        input.waitTargetMinutes.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? ReportSiteLoad.defaultWaitTargetMinutes
    }

    /// The open sites busiest first: over capacity, then the longest wait, then the most filings;
    /// ties keep the input order (the order `StaffingEvaluation.busiest` uses for sites.csv runs).
    static func busiestOrder(_ loads: [ReportSiteLoad]) -> [Int] {
        loads.indices.sorted { a, b in
            let x = loads[a], y = loads[b]
            let ox = x.overCapacity == true, oy = y.overCapacity == true
            if ox != oy { return ox }
            let wx = x.waitMinutes ?? -1, wy = y.waitMinutes ?? -1
            if wx != wy { return wx > wy }
            if x.filingsPerYear != y.filingsPerYear { return x.filingsPerYear > y.filingsPerYear }
            return a < b
        }
    }

    /// The largest filings a year of any site (≥ 1, so a map of idle sites still draws).
    static func maxFilings(_ loads: [ReportSiteLoad]) -> Double {
        max(1, loads.map(\.filingsPerYear).filter(\.isFinite).max() ?? 1)
    }

    /// Symbol radius: area proportional to filings a year, the busiest site at ``maxLoadRadiusPx``;
    /// at least 3 px for a site with some load, 2 px for an idle one.
    static func loadRadius(_ filings: Double, maxFilings: Double) -> Double {
        guard filings.isFinite, filings > 0 else { return 2 }
        return max(3, maxLoadRadiusPx * (filings / maxFilings).squareRoot())
    }

    /// The load symbols: one circle per open site, largest first so small ones stay visible.
    /// Each carries its figures as `data-` attributes (filings, staff, utilisation, wait).
    static func renderSiteLoads(_ input: ReportInput, frame: MapFrame, into page: HTMLWriter) {
        let loads = input.siteLoads
        guard !loads.isEmpty else { return }
        let target = waitTarget(input)
        let top = maxFilings(loads)
        let order = loads.indices.filter { loads[$0].position.isValid }.sorted {
            (loads[$0].filingsPerYear, loads[$1].id) > (loads[$1].filingsPerYear, loads[$0].id)
        }
        page.raw("<g class=\"layer-loads site-loads\" stroke=\"#1a1a1a\" stroke-width=\"0.9\" fill-opacity=\"0.78\">\n")
        for k in order {
            let s = loads[k]
            let c = WaitClass(s, target: target)
            page.raw("<circle class=\"site-load wait-\(c.code)\" data-site-id=\"").text(s.id)
            page.raw("\" data-filings-per-year=\"").text(DecimalText.fixed(s.filingsPerYear, decimals: 1))
            page.raw("\" data-staff=\"").text(s.staff.map(String.init) ?? "")
            page.raw("\" data-utilisation=\"").text(s.utilisation.map(dataNumber4) ?? "")
            page.raw("\" data-wait-minutes=\"").text(s.waitMinutes.map(dataNumber2) ?? "")
            page.raw("\" data-over-capacity=\"").text(s.overCapacity.map { $0 ? "true" : "false" } ?? "")
            page.raw("\" cx=\"").number(frame.x(s.position)).raw("\" cy=\"").number(frame.y(s.position))
            page.raw("\" r=\"").raw(ReportFormat.fixed(loadRadius(s.filingsPerYear, maxFilings: top), decimals: 2))
            page.raw("\" fill=\"\(c.colour)\"")
            if c == .overCapacity { page.raw(" stroke=\"#7f0000\" stroke-width=\"2\" stroke-dasharray=\"3 2\"") }
            page.raw("><title>").text(loadTooltip(s)).raw("</title></circle>\n")
        }
        page.raw("</g>\n")
    }

    /// The numbers exactly as sites.csv writes them: its decimals, trailing zeros dropped, `inf`.
    static func dataNumber4(_ v: Double) -> String { v.isFinite ? DecimalText.fixed(v, decimals: 4) : "inf" }
    static func dataNumber2(_ v: Double) -> String { v.isFinite ? DecimalText.fixed(v, decimals: 2) : "inf" }

    /// A wait as the report and its figures show it: "12.3 min", "∞" when over capacity, "—" unknown.
    public static func waitText(_ v: Double?) -> String {
        guard let v else { return "—" }
        return v.isFinite ? ReportFormat.fixed(v, decimals: 1) + " min" : "∞"
    }

    static func utilisationText(_ v: Double?) -> String {
        guard let v else { return "—" }
        return v.isFinite ? ReportFormat.percent(v) : "∞"
    }

    static func loadTooltip(_ s: ReportSiteLoad) -> String {
        var t = (s.name.isEmpty ? s.id : "\(s.name) (\(s.id))") + ": " + ReportFormat.grouped(s.filingsPerYear) + " filings a year"
        if let c = s.staff { t += ", \(c) staff" }
        if s.utilisation != nil { t += ", utilisation " + utilisationText(s.utilisation) }
        if s.waitMinutes != nil { t += ", expected wait " + waitText(s.waitMinutes) + " at the busiest hour" }
        if s.overCapacity == true { t += " — over capacity" }
        return t
    }

    /// The busiest open sites as a table: id, name, filings a year, staff, utilisation, expected
    /// wait, over capacity; the totals of every open site in the footer.
    static func renderBusiestSites(_ input: ReportInput, into page: HTMLWriter) {
        let loads = input.siteLoads
        guard !loads.isEmpty else { return }
        let target = waitTarget(input)
        let order = busiestOrder(loads)
        let shown = order.prefix(busiestSitesShown)
        let over = loads.filter { $0.overCapacity == true }.count
        let beyond = loads.filter { ($0.waitMinutes ?? 0) > target }.count
        page.raw("<section class=\"busiest\">\n<h2>Busiest sites: loads and waits</h2>\n<p>")
        if !input.siteLoadsCaption.isEmpty { page.text(input.siteLoadsCaption).raw(" ") }
        page.text(shown.count == loads.count
                  ? "All \(ReportFormat.grouped(Double(loads.count))) open sites, "
                  : "The \(ReportFormat.grouped(Double(shown.count))) busiest of \(ReportFormat.grouped(Double(loads.count))) open sites (all in sites.csv), ")
        page.text("over capacity first, then by expected wait at the busiest hour. ")
        page.text("\(ReportFormat.grouped(Double(over))) over capacity; \(ReportFormat.grouped(Double(beyond))) wait longer than the \(ReportFormat.minutes(target)) target.")
        page.raw("</p>\n<div class=\"table-wrap\">\n<table class=\"busiest-sites\">\n<thead><tr><th>Site</th><th>Name</th><th class=\"num\">Filings a year</th><th class=\"num\">Staff</th><th class=\"num\">Utilisation</th><th class=\"num\">Expected wait</th><th>Over capacity</th></tr></thead>\n<tbody>\n")
        for k in shown {
            let s = loads[k]
            let c = WaitClass(s, target: target)
            let flag = c == .overCapacity ? " class=\"over\"" : (s.waitMinutes ?? 0) > target ? " class=\"beyond-target\"" : ""
            page.raw("<tr\(flag) data-site-id=\"").text(s.id).raw("\"><td>")
            Legend.swatchCircle(c.colour, into: page)
            page.raw(" ").text(s.id).raw("</td><td>").text(s.name)
            page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(s.filingsPerYear))
            page.raw("</td><td class=\"num\">").text(s.staff.map(String.init) ?? "—")
            page.raw("</td><td class=\"num\">").text(utilisationText(s.utilisation))
            page.raw("</td><td class=\"num\">").text(waitText(s.waitMinutes))
            page.raw("</td><td>").text(s.overCapacity.map { $0 ? "yes" : "no" } ?? "—").raw("</td></tr>\n")
        }
        let filings = loads.reduce(0) { $0 + $1.filingsPerYear }
        let staffKnown = loads.allSatisfy { $0.staff != nil }
        let staff = loads.reduce(0) { $0 + ($1.staff ?? 0) }
        page.raw("</tbody>\n<tfoot><tr><td colspan=\"2\">").text("All \(ReportFormat.grouped(Double(loads.count))) open sites")
        page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(filings))
        page.raw("</td><td class=\"num\">").text(staffKnown ? String(staff) : "—")
        page.raw("</td><td></td><td></td><td>").text(ReportFormat.grouped(Double(over))).raw("</td></tr></tfoot>\n</table>\n</div>\n")
        page.raw("<p class=\"note\">Filings: counter filings a year assigned to the site (residents file at the fastest-reached open site). Utilisation and wait at the busiest hour, an M/M/c queue with one server per staff member.</p>\n</section>\n")
    }

    /// The legend entries of the load symbols: reference sizes and the wait classes in use.
    static func renderLoadLegend(_ input: ReportInput, into page: HTMLWriter) {
        let loads = input.siteLoads
        guard !loads.isEmpty else { return }
        let target = waitTarget(input)
        let top = maxFilings(loads)
        page.raw("<h4>Site loads and waits</h4>\n<p class=\"small\">")
        if !input.siteLoadsCaption.isEmpty { page.text(input.siteLoadsCaption).raw(" ") }
        page.raw("Circle area grows with the filings a year a site receives; colour: expected wait at the busiest hour.</p>\n")
        // Reference sizes: the largest load rounded down to two significant figures, then ¼ and 1/16 of it.
        var magnitude = 1.0
        while magnitude * 100 <= top { magnitude *= 10 }
        let reference = max(1, (top / magnitude).rounded(.down) * magnitude)
        let sizes = [reference, reference / 4, reference / 16].filter { $0 >= 1 }
        let height = 2 * maxLoadRadiusPx + 16  // room for the label above the largest circle
        page.raw("<svg class=\"sw load-sizes\" width=\"240\" height=\"").number(height).raw("\" viewBox=\"0 0 240 ").number(height).raw("\">")
        var x = 2.0
        for v in sizes {
            let r = loadRadius(v, maxFilings: top)
            page.raw("<circle cx=\"").number(x + r).raw("\" cy=\"").number(height - 2 - r).raw("\" r=\"").number(r)
            page.raw("\" fill=\"none\" stroke=\"#1a1a1a\" stroke-width=\"0.9\"/>")
            page.raw("<text x=\"").number(x + r).raw("\" y=\"").number(height - 4 - 2 * r).raw("\" text-anchor=\"middle\" font-size=\"9\">")
            page.text(ReportFormat.grouped(v)).raw("</text>")
            x += 2 * r + 26
        }
        page.raw("</svg>\n<p class=\"small\">filings a year</p>\n<ul>\n")
        var counts: [WaitClass: Int] = [:]
        for s in loads { counts[WaitClass(s, target: target), default: 0] += 1 }
        for c in WaitClass.allCases {
            guard let n = counts[c] else { continue }
            page.raw("<li>")
            Legend.swatchCircle(c.colour, into: page)
            page.raw(" ").text(c.label(target: target)).raw(" <span class=\"n\">").text(ReportFormat.grouped(Double(n))).raw("</span></li>\n")
        }
        page.raw("</ul>\n")
    }
}
