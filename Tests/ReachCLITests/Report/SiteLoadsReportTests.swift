import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ReachGeo
@testable import ReachReport
import TestSupport
import Testing

/// Loads and waits in the HTML report (issue 13): the map's load symbols and the busiest-sites
/// table, checked against `sites.csv` of the same run and against values worked out by hand.
@Suite(.serialized) struct SiteLoadsReportTests {
    /// sites.csv as rows keyed by column name (the quoted name "Centre B, east" is unquoted).
    func sitesCSV(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map { line -> [String] in
            var fields: [String] = [], cur = "", quoted = false
            for ch in line {
                if ch == "\"" { quoted.toggle() } else if ch == "," && !quoted { fields.append(cur); cur = "" } else { cur.append(ch) }
            }
            fields.append(cur)
            return fields
        }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(lines[0], $0).map { ($0, $1) }) }
    }

    /// The busiest-sites table's body rows: the text of each cell.
    func tableRows(_ doc: XMLDocument) throws -> [[String]] {
        try doc.nodes(forXPath: "//table[@class='busiest-sites']/tbody/tr").map { tr in
            ((tr as? XMLElement)?.elements(forName: "td") ?? []).map { ($0.stringValue ?? "").trimmingCharacters(in: .whitespaces) }
        }
    }

    func circles(_ doc: XMLDocument) throws -> [XMLElement] {
        try ReportFixtures.elements(doc, class: "site-load")
    }

    /// The table shows, for each open site, what sites.csv says, in the report's formatting;
    /// the map's symbols carry sites.csv's filings and waits, sized by filings.
    ///
    /// By hand (StaffScenario, see StaffCLITests): e1 1120 filings, 1 staff, ρ = 0.80769/4 = 20.2 %,
    /// W_q = 60·ρ/(μ − λ) = 60·0.20192/3.19231 = 3.80 min; e2 840 filings, 1 counter (from its
    /// capacity 2080), ρ = 30.3 %, W_q = 13.03 min. Busiest first: e2 (longer wait), then e1.
    /// Symbol radii: e1, the busiest by filings, 22 px; e2 22·√(840/1120) = 19.05 px.
    @Test func coverageReportTableMatchesSitesCSV() throws {
        let t = try StaffScenario()
        let r = try ReachBinary.run(["coverage", "scenario.json", "--out", "out", "--report", "report.html"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let csv = sitesCSV(try t.s.read("out/sites.csv"))
        let byID = Dictionary(uniqueKeysWithValues: csv.map { ($0["id"]!, $0) })
        let html = try t.s.read("report.html")
        let doc = try ReportFixtures.parse(html)

        let rows = try tableRows(doc)
        #expect(rows.map { $0[0] } == ["e2", "e1"])
        for row in rows {
            let c = try #require(byID[row[0]])
            #expect(row[1] == (c["name"] ?? ""))
            #expect(row[2] == ReportFormat.grouped(Double(c["assigned_filings_per_year"]!)!))
            #expect(row[3] == c["staff"]!)
            #expect(row[4] == ReportFormat.percent(Double(c["utilisation"]!)!))
            #expect(row[5] == ReportFormat.fixed(Double(c["expected_wait_minutes"]!)!, decimals: 1) + " min")
            #expect(row[6] == (c["over_capacity"] == "true" ? "yes" : "no"))
        }
        // The same rows by hand.
        #expect(rows[0] == ["e2", "Centre B, east", "840", "1", "30.3 %", "13.0 min", "no"])
        #expect(rows[1] == ["e1", "Centre A", "1,120", "1", "20.2 %", "3.8 min", "no"])

        let symbols = try circles(doc)
        #expect(symbols.count == 2)
        for s in symbols {
            let id = try #require(s.attribute(forName: "data-site-id")?.stringValue)
            let c = try #require(byID[id])
            #expect(s.attribute(forName: "data-filings-per-year")?.stringValue == c["assigned_filings_per_year"])
            #expect(s.attribute(forName: "data-wait-minutes")?.stringValue == c["expected_wait_minutes"])
            #expect(s.attribute(forName: "data-utilisation")?.stringValue == c["utilisation"])
            #expect(s.attribute(forName: "data-staff")?.stringValue == c["staff"])
        }
        let radius = Dictionary(uniqueKeysWithValues: symbols.map {
            ($0.attribute(forName: "data-site-id")!.stringValue!, Double($0.attribute(forName: "r")!.stringValue!)!)
        })
        #expect(radius["e1"] == 22 && radius["e2"] == 19.05)
        // Both waits within the 15 min target: e1 ≤ 5 min (short), e2 5–15 min.
        let classOf = Dictionary(uniqueKeysWithValues: symbols.map { ($0.attribute(forName: "data-site-id")!.stringValue!, $0.attribute(forName: "class")!.stringValue!) })
        #expect(classOf["e1"] == "site-load wait-short" && classOf["e2"] == "site-load wait-within-target")
        // Legend, layer toggle, key figure.
        #expect(html.contains("<h4>Site loads and waits</h4>") && html.contains("id=\"show-loads\""))
        #expect(html.contains("Expected wait at the busiest hour"))
    }

    /// `reach staff --report`: the allocation's counters (e2 gets the third, StaffCLITests) in
    /// the table and on the map, as in the sites.csv of the run; an over-capacity site is
    /// listed first and marked.
    @Test func staffReportShowsTheAllocation() throws {
        let t = try StaffScenario()
        let r = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "3", "--max-wait-minutes", "5", "--out", "s",
                                     "--report", "staff.html"], in: t.s.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let csv = Dictionary(uniqueKeysWithValues: sitesCSV(try t.s.read("s/sites.csv")).map { ($0["id"]!, $0) })
        let doc = try ReportFixtures.parse(try t.s.read("staff.html"))
        let rows = try tableRows(doc)
        #expect(Set(rows.map { $0[0] }) == ["e1", "e2"])
        for row in rows {
            #expect(row[3] == csv[row[0]]!["staff"]!)
            #expect(row[5] == ReportFormat.fixed(Double(csv[row[0]]!["expected_wait_minutes"]!)!, decimals: 1) + " min")
        }
        // By hand: e2's 840 filings a year at the busiest hour are λ = 840 / (52 × 40 h) × 1.5 =
        // 0.6058/h, μ = 2/h per counter (30 min), a = 0.3029; with c = 2 (ρ = 0.1514) Erlang C is
        // a²/2/(1 − ρ) · P0 = 0.05406 × 0.73696 = 0.03984, Wq = 0.03984 / (4 − 0.6058) h = 0.70 min.
        // e1 keeps its one counter: the 3.8 min of the coverage report above.
        #expect(rows.first { $0[0] == "e2" } == ["e2", "Centre B, east", "840", "2", "15.1 %", "0.7 min", "no"])
        #expect(rows.first { $0[0] == "e1" } == ["e1", "Centre A", "1,120", "1", "20.2 %", "3.8 min", "no"])
        // Reruns give the same bytes.
        _ = try ReachBinary.run(["staff", "scenario.json", "--staff-total", "3", "--max-wait-minutes", "5", "--report", "staff2.html"], in: t.s.dir)
        #expect(try t.s.read("staff.html") == t.s.read("staff2.html"))

        // 10 filings per person: e2 is over capacity (λ = 12.1/h > μ = 2/h), its wait ∞.
        let o = try StaffScenario(extra: ", \"filings_per_person_year\": 10, \"online_share\": 0.2")
        let ro = try ReachBinary.run(["coverage", "scenario.json", "--report", "r.html"], in: o.s.dir)
        #expect(ro.status == 0, "\(ro.stderr)")
        let od = try ReportFixtures.parse(try o.s.read("r.html"))
        let orows = try tableRows(od)
        #expect(orows.first?[0] == "e2" && orows.first?[5] == "∞" && orows.first?[6] == "yes")
        let over = try circles(od).first { $0.attribute(forName: "data-site-id")?.stringValue == "e2" }
        #expect(over?.attribute(forName: "data-over-capacity")?.stringValue == "true")
        #expect(over?.attribute(forName: "data-wait-minutes")?.stringValue == "inf")
        #expect(over?.attribute(forName: "class")?.stringValue == "site-load wait-over-capacity")
    }

    /// The renderer alone: sizes by √filings, colour classes around the target, busiest order,
    /// and nothing at all without loads.
    @Test func renderedSymbolsAndOrder() throws {
        func at(_ k: Double) -> LonLat { LonLat(lonDegrees: 105.8 + 0.01 * k, latDegrees: 21.0) }
        var input = ReportFixtures.small()
        input.siteLoads = [
            ReportSiteLoad(id: "a", name: "A", position: at(0), filingsPerYear: 400, staff: 2, utilisation: 0.5, waitMinutes: 2),
            ReportSiteLoad(id: "b", name: "B", position: at(1), filingsPerYear: 100, staff: 1, utilisation: 0.9, waitMinutes: 20),
            ReportSiteLoad(id: "c", position: at(2), filingsPerYear: 25, staff: 1, utilisation: .infinity, waitMinutes: .infinity, overCapacity: true),
            ReportSiteLoad(id: "d", position: at(3), filingsPerYear: 300, staff: 3, utilisation: 0.7, waitMinutes: 10),
            ReportSiteLoad(id: "e", position: at(4), filingsPerYear: 200),
            ReportSiteLoad(id: "f", position: at(5), filingsPerYear: 250, staff: 1, utilisation: 0.95, waitMinutes: 40),
        ]
        input.waitTargetMinutes = 15
        let html = HTMLReport.render(input)
        let doc = try ReportFixtures.parse(html)
        // Over capacity first, then by wait (40, 20, 10, 2), the unknown wait last.
        #expect(try tableRows(doc).map { $0[0] } == ["c", "f", "b", "d", "a", "e"])
        let symbols = try circles(doc)
        let r = Dictionary(uniqueKeysWithValues: symbols.map { ($0.attribute(forName: "data-site-id")!.stringValue!, Double($0.attribute(forName: "r")!.stringValue!)!) })
        // Area ∝ filings: 400 → 22 px, 100 → 11 px, 25 → 5.5 px.
        #expect(r["a"] == 22 && r["b"] == 11 && r["c"] == 5.5)
        let cls = Dictionary(uniqueKeysWithValues: symbols.map { ($0.attribute(forName: "data-site-id")!.stringValue!, $0.attribute(forName: "class")!.stringValue!) })
        #expect(cls == ["a": "site-load wait-short", "d": "site-load wait-within-target", "b": "site-load wait-long",
                        "f": "site-load wait-very-long", "c": "site-load wait-over-capacity", "e": "site-load wait-unknown"])
        // Largest drawn first, so the small ones lie on top.
        #expect(symbols.map { $0.attribute(forName: "data-site-id")!.stringValue! } == ["a", "d", "f", "e", "b", "c"])
        #expect(html.contains("wait ≤ 5 min") && html.contains("over 30 min"))
        #expect(HTMLReport.render(input) == html)

        let plain = HTMLReport.render(ReportFixtures.small())
        #expect(!plain.contains("site-load") && !plain.contains("busiest-sites") && !plain.contains("id=\"show-loads\""))
    }
}
