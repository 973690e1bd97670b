import Foundation
import ReachGeo

/// A self-contained, offline HTML map report.
///
/// ``render(_:)`` turns a ``ReportInput`` into one HTML5 page that needs nothing but a browser:
/// inline CSS, inline SVG (map and chart), no script, no font, no image, no URL of any kind.
/// The markup is also well-formed XML (void elements self-closed, every text escaped), so an
/// XML parser can check it. Equal inputs give byte-identical pages: numbers are formatted by
/// ``ReportFormat``, collections are drawn in input or sorted order, and no clock is read.
public enum HTMLReport {
    /// Above this many residents the map draws a grid of aggregated cells instead of points.
    public static let residentPointLimit = 5_000
    /// The map's width in SVG user units.
    static let mapWidthPx = 1000.0
    /// The largest number of grid cells across the map when residents are aggregated.
    static let maxCellsAcross = 120.0

    /// The report as one HTML document.
    public static func render(_ input: ReportInput) -> String {
        let page = HTMLWriter()
        page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
        page.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
        page.raw("<meta name=\"generator\" content=\"reach\"/>\n")
        page.raw("<title>").text(input.title).raw("</title>\n<style>\n").raw(stylesheet).raw("</style>\n</head>\n<body>\n")
        page.raw("<header>\n<h1>").text(input.title).raw("</h1>\n")
        if !input.subtitle.isEmpty { page.raw("<p class=\"subtitle\">").text(input.subtitle).raw("</p>\n") }
        page.raw("<p class=\"standard\">Service standard: ").text(input.assumptions.standardDescription)
        page.raw(" · travel times: ").text(timeMethodShort(input.assumptions)).raw("</p>\n</header>\n")

        renderWarnings(input, into: page)
        renderKeyFigures(input, into: page)
        renderMapSection(input, into: page)
        renderProofSection(input, into: page)
        renderPlanSection(input, into: page)
        renderBusiestSites(input, into: page)
        renderZoneSection(input, into: page)
        renderAssumptions(input, into: page)

        page.raw("<footer>")
        if let footer = input.footer, !footer.isEmpty { page.text(footer).raw(" · ") }
        page.raw("Made with Reach. This page works offline: it loads nothing from the network.</footer>\n")
        page.raw("</body>\n</html>\n")
        return page.output
    }

    /// Writes the report to `url` through ``OutputBatch`` (a temporary file beside it, then a
    /// rename), so a failed run never leaves a partial report behind. The folder must exist.
    public static func write(_ input: ReportInput, to url: URL) throws {
        var isFolder: ObjCBool = false
        let folder = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw ReportWriteError(path: url.path, message: "cannot write the report: no folder \(folder)")
        }
        let batch = OutputBatch()
        do {
            try batch.add(render(input), as: url)
            try batch.commit()
        } catch {
            throw ReportWriteError(path: url.path, message: "cannot write the report: \(error)")
        }
    }

    static func timeMethodShort(_ a: ReportAssumptions) -> String {
        switch a.timeMethod {
        case .network:
            return "road network" + (a.profileName.map { ", \($0) profile" } ?? "")
        case .estimated:
            return "estimated from distance (no road network)" + (a.profileName.map { ", \($0) profile" } ?? "")
        }
    }

    // MARK: - Sections

    static func renderWarnings(_ input: ReportInput, into page: HTMLWriter) {
        var warnings = input.warnings
        if input.assumptions.timeMethod == .estimated,
           !warnings.contains(where: { $0.localizedCaseInsensitiveContains("estimat") }) {
            warnings.insert("Travel times are estimated from straight-line distances, not computed on a road network.", at: 0)
        }
        guard !warnings.isEmpty else { return }
        page.raw("<section class=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n")
        for w in warnings { page.raw("<li>").text(w).raw("</li>\n") }
        page.raw("</ul>\n</section>\n")
    }

    static func renderKeyFigures(_ input: ReportInput, into page: HTMLWriter) {
        let figures = input.keyFigures.isEmpty ? input.derivedKeyFigures() : input.keyFigures
        guard !figures.isEmpty else { return }
        page.raw("<section class=\"figures\">\n")
        for f in figures {
            page.raw("<div class=\"figure\"><div class=\"value\">").text(f.value)
            page.raw("</div><div class=\"label\">").text(f.label).raw("</div>")
            if let note = f.note, !note.isEmpty { page.raw("<div class=\"note\">").text(note).raw("</div>") }
            page.raw("</div>\n")
        }
        page.raw("</section>\n")
    }

    static func renderPlanSection(_ input: ReportInput, into page: HTMLWriter) {
        guard !input.coverageCurve.isEmpty || !input.proposedBranches.isEmpty else { return }
        page.raw("<section class=\"plan\">\n<h2>Roll-out of the proposed branches</h2>\n<div class=\"plan-grid\">\n")
        if !input.coverageCurve.isEmpty {
            page.raw("<figure class=\"chart\">\n")
            CoverageChart.render(input.coverageCurve, into: page)
            page.raw("<figcaption>Covered share of the population when the first <i>k</i> branches of the roll-out are open.</figcaption>\n</figure>\n")
        }
        if !input.proposedBranches.isEmpty {
            let branches = input.proposedBranches.sorted { ($0.order, $0.id) < ($1.order, $1.id) }
            page.raw("<div class=\"table-wrap\">\n<table class=\"branches\">\n<thead><tr><th>#</th><th>Branch</th><th class=\"num\">Newly covered</th><th class=\"num\">Covered in total</th></tr></thead>\n<tbody>\n")
            for b in branches {
                page.raw("<tr><td><span class=\"badge\">").text(String(b.order)).raw("</span></td><td>")
                page.text(b.name.isEmpty ? b.id : b.name)
                if !b.name.isEmpty, b.name != b.id { page.raw(" <span class=\"id\">").text(b.id).raw("</span>") }
                page.raw("</td><td class=\"num\">+").text(ReportFormat.grouped(b.marginalPopulation))
                page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(b.cumulativeCoveredPopulation)).raw("</td></tr>\n")
            }
            page.raw("</tbody>\n</table>\n</div>\n")
        }
        page.raw("</div>\n</section>\n")
    }

    static func renderZoneSection(_ input: ReportInput, into page: HTMLWriter) {
        // Uncovered population by reason, from the residents.
        var byReason: [String: (population: Double, residents: Int)] = [:]
        var total = 0.0
        for r in input.residents {
            total += r.population
            guard !r.covered else { continue }
            let code = r.reason ?? ""
            byReason[code, default: (0, 0)].population += r.population
            byReason[code, default: (0, 0)].residents += 1
        }
        if !input.residents.isEmpty {
            page.raw("<section class=\"reasons\">\n<h2>Who is not covered, and why</h2>\n")
            if byReason.isEmpty {
                page.raw("<p>Every resident is covered by the standard.</p>\n")
            } else {
                page.raw("<table>\n<thead><tr><th>Reason</th><th class=\"num\">Population</th><th class=\"num\">Share of the population</th><th class=\"num\">Resident points</th></tr></thead>\n<tbody>\n")
                let codes = byReason.keys.sorted { (ReportPalette.reasonRank($0), $0) < (ReportPalette.reasonRank($1), $1) }
                for code in codes {
                    let v = byReason[code]!
                    page.raw("<tr><td>")
                    Legend.swatchCircle(ReportPalette.reasonColour(code), into: page)
                    page.raw(" ").text(ReportPalette.reasonLabel(code))
                    if !code.isEmpty { page.raw(" <span class=\"id\">").text(code).raw("</span>") }
                    page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(v.population))
                    page.raw("</td><td class=\"num\">").text(total > 0 ? ReportFormat.percent(v.population / total, decimals: 2) : "—")
                    page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(Double(v.residents))).raw("</td></tr>\n")
                }
                page.raw("</tbody>\n</table>\n")
            }
            page.raw("</section>\n")
        }

        guard !input.zones.isEmpty else { return }
        // Lowest share first; zones without population last; ties by name.
        let zones = input.zones.enumerated().sorted { a, b in
            let sa = a.element.coveredShare ?? 2, sb = b.element.coveredShare ?? 2
            if sa != sb { return sa < sb }
            if a.element.name != b.element.name { return a.element.name < b.element.name }
            return a.offset < b.offset
        }.map(\.element)
        let short = zones.filter { ($0.coveredShare ?? 1) < 1 }.count
        page.raw("<section class=\"zones\">\n<h2>Coverage by zone</h2>\n<p>")
        page.text("\(ReportFormat.grouped(Double(zones.count))) zones, lowest covered share first. ")
        if short > 0 {
            page.text("\(ReportFormat.grouped(Double(short))) of them are not fully covered (highlighted).")
        } else {
            page.text("Every zone is fully covered.")
        }
        page.raw("</p>\n<div class=\"table-wrap\">\n<table class=\"zone-table\">\n<thead><tr><th>Zone</th><th class=\"num\">Population</th><th class=\"num\">Covered</th><th class=\"num\">Not covered</th><th>Covered share</th></tr></thead>\n<tbody>\n")
        var sumPopulation = 0.0, sumCovered = 0.0
        for z in zones {
            sumPopulation += z.population
            sumCovered += z.coveredPopulation
            let share = z.coveredShare
            let isShort = (share ?? 1) < 1
            page.raw(isShort ? "<tr class=\"short\">" : "<tr>")
            page.raw("<td>").text(z.name).raw("</td><td class=\"num\">").text(ReportFormat.grouped(z.population))
            page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(z.coveredPopulation))
            page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(max(0, z.population - z.coveredPopulation)))
            page.raw("</td><td class=\"share\">")
            if let share {
                page.raw("<span class=\"bar\"><span style=\"width:").raw(ReportFormat.fixed(share * 100, decimals: 1))
                page.raw("%;background:").raw(ReportPalette.shareColour(share)).raw("\"></span></span> ")
                page.text(ReportFormat.percent(share))
            } else {
                page.raw("—")
            }
            page.raw("</td></tr>\n")
        }
        page.raw("</tbody>\n<tfoot><tr><td>All zones</td><td class=\"num\">").text(ReportFormat.grouped(sumPopulation))
        page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(sumCovered))
        page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(max(0, sumPopulation - sumCovered)))
        page.raw("</td><td class=\"share\">").text(sumPopulation > 0 ? ReportFormat.percent(sumCovered / sumPopulation) : "—")
        page.raw("</td></tr></tfoot>\n</table>\n</div>\n</section>\n")
    }

    static func renderAssumptions(_ input: ReportInput, into page: HTMLWriter) {
        let a = input.assumptions
        page.raw("<section class=\"assumptions\">\n<h2>Assumptions and data</h2>\n<dl>\n")
        page.raw("<dt>Service standard</dt><dd>A resident is covered when ").text(a.standardDescription).raw(". Bounds are inclusive.</dd>\n")
        if let p = a.profileName { page.raw("<dt>Travel profile</dt><dd>").text(p).raw("</dd>\n") }
        page.raw("<dt>Travel times</dt><dd>")
        switch a.timeMethod {
        case .network: page.raw("Computed on the road network (").text("time_method: network").raw(").")
        case .estimated: page.raw("Estimated: geodesic distance × detour factor ÷ estimate speed (").text("time_method: estimated").raw(").")
        }
        if let note = a.timeMethodNote, !note.isEmpty { page.raw(" ").text(note) }
        page.raw("</dd>\n")
        for note in a.notes { page.raw("<dt>Note</dt><dd>").text(note).raw("</dd>\n") }
        page.raw("</dl>\n")
        if !a.dataSources.isEmpty {
            page.raw("<h3>Data sources</h3>\n<ul class=\"sources\">\n")
            for s in a.dataSources {
                page.raw("<li><b>").text(s.name).raw("</b>")
                if let d = s.detail, !d.isEmpty { page.raw(" — ").text(d) }
                if let l = s.licence, !l.isEmpty { page.raw(" <span class=\"licence\">Licence: ").text(l).raw("</span>") }
                if let t = s.attribution, !t.isEmpty { page.raw(" <span class=\"licence\">").text(t).raw("</span>") }
                page.raw("</li>\n")
            }
            page.raw("</ul>\n")
        }
        page.raw("</section>\n")
    }

    /// The attribution line printed on the map: the sources' distinct attribution lines.
    static func attributionLine(_ a: ReportAssumptions) -> String {
        var seen = Set<String>(), parts: [String] = []
        for s in a.dataSources {
            guard let t = s.attribution?.trimmingWhitespace(), !t.isEmpty, !seen.contains(t) else { continue }
            seen.insert(t)
            parts.append(t)
        }
        return parts.joined(separator: " · ")
    }
}

/// A report could not be written.
public struct ReportWriteError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "\(path): \(message)" }
}

/// Appends markup (`raw`) and escaped text (`text`) to one growing string.
///
/// A class so that calls chain (`page.raw("<b>").text(name).raw("</b>")`); it lives only
/// for one `render` call.
final class HTMLWriter {
    private(set) var output = ""

    init() { output.reserveCapacity(1 << 16) }

    @discardableResult
    func raw(_ markup: String) -> HTMLWriter { output += markup; return self }

    @discardableResult
    func text(_ text: String) -> HTMLWriter { output += HTMLEscaping.escape(text); return self }

    /// A number in SVG user units, one decimal.
    @discardableResult
    func number(_ value: Double) -> HTMLWriter { output += ReportFormat.fixed(value, decimals: 1); return self }
}
