import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ReachGeo
@testable import ReachReport
import TestSupport
import Testing

/// Helpers shared by the report tests.
enum ReportFixtures {
    /// A small scenario around central Hanoi: 3 zones, 40 residents, 3 sites, 4 branches.
    static func small(zoneName: String = "Phường Ba Đình") -> ReportInput {
        var rng = SplitMix64(seed: 42)
        var residents: [ReportResident] = []
        let reasons = ["beyond_radius_and_time", "no_road_within_snap", "unreachable"]
        for i in 0..<40 {
            let lon = 105.78 + Double(rng.next() % 10_000) / 10_000 * 0.1
            let lat = 20.98 + Double(rng.next() % 10_000) / 10_000 * 0.08
            let covered = i % 4 != 0
            residents.append(ReportResident(position: LonLat(lonDegrees: lon, latDegrees: lat),
                                            population: Double(100 + i * 37), covered: covered,
                                            reason: covered ? nil : reasons[i % 3]))
        }
        func square(_ lon: Double, _ lat: Double, _ d: Double) -> [[[LonLat]]] {
            [[[LonLat(lonDegrees: lon, latDegrees: lat), LonLat(lonDegrees: lon + d, latDegrees: lat),
               LonLat(lonDegrees: lon + d, latDegrees: lat + d), LonLat(lonDegrees: lon, latDegrees: lat + d),
               LonLat(lonDegrees: lon, latDegrees: lat)]]]
        }
        return ReportInput(
            title: "Coverage of Hanoi — test",
            subtitle: "reach coverage test.json",
            assumptions: ReportAssumptions(radiusMeters: 5000, maxMinutes: 30, rule: "either",
                                           profileName: "motorcycle", timeMethod: .network,
                                           dataSources: [ReportDataSource(name: "Roads", licence: "ODbL 1.0",
                                                                          attribution: "© OpenStreetMap contributors")]),
            residents: residents,
            intakePoints: [
                ReportSite(id: "hq", name: "197 Nghi Tàm", position: LonLat(lonDegrees: 105.8335, latDegrees: 21.0585), role: .required),
                ReportSite(id: "e1", name: "Ba Đình", position: LonLat(lonDegrees: 105.819, latDegrees: 21.035)),
                ReportSite(id: "e2", name: "Closed desk", position: LonLat(lonDegrees: 105.80, latDegrees: 21.00), role: .closed),
            ],
            proposedBranches: (1...4).map { k in
                ReportBranch(id: "c\(k)", name: "Post office \(k)",
                             position: LonLat(lonDegrees: 105.79 + 0.02 * Double(k), latDegrees: 21.0),
                             order: k, marginalPopulation: Double(1000 * (5 - k)),
                             cumulativeCoveredPopulation: Double(10_000 + 1000 * k))
            },
            zones: [
                ReportZone(name: zoneName, polygons: square(105.78, 20.98, 0.04), population: 1000, coveredPopulation: 900),
                ReportZone(name: "Phường Láng", polygons: square(105.82, 20.98, 0.04), population: 2000, coveredPopulation: 2000),
                ReportZone(name: "Xã Không Hình", population: 500, coveredPopulation: 0),
            ],
            isochrones: [ReportIsochrone(siteId: "hq", minutes: 10, polygons: square(105.82, 21.04, 0.03)),
                         ReportIsochrone(siteId: "hq", minutes: 20, polygons: square(105.81, 21.03, 0.05))],
            coverageCurve: (0...10).map { ReportCurvePoint(branches: $0, coveredShare: 0.80 + 0.015 * Double($0)) },
            warnings: ["2 intake points did not snap to the road network"])
    }

    /// Parses `html` as XML; throws when it is not well-formed.
    static func parse(_ html: String) throws -> XMLDocument {
        try XMLDocument(xmlString: html, options: [])
    }

    /// Elements whose class list contains `className`.
    static func elements(_ doc: XMLDocument, class className: String) throws -> [XMLElement] {
        try doc.nodes(forXPath: "//*[contains(concat(' ', normalize-space(@class), ' '), ' \(className) ')]")
            .compactMap { $0 as? XMLElement }
    }

    static func count(_ needle: String, in haystack: String) -> Int {
        haystack.components(separatedBy: needle).count - 1
    }

    /// `count` residents spread over a 60 km × 50 km box around Hanoi with a seeded generator;
    /// those within 12 km of the centre are covered.
    static func syntheticResidents(count: Int, seed: UInt64) -> [ReportResident] {
        var rng = SplitMix64(seed: seed)
        var out: [ReportResident] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            let u = Double(rng.next() >> 11) / Double(1 << 53), v = Double(rng.next() >> 11) / Double(1 << 53)
            let lon = 105.55 + 0.58 * u, lat = 20.80 + 0.45 * v
            let dLon = (lon - 105.84) * 104_000, dLat = (lat - 21.02) * 110_700
            let covered = (dLon * dLon + dLat * dLat).squareRoot() <= 12_000
            out.append(ReportResident(position: LonLat(lonDegrees: lon, latDegrees: lat),
                                      population: Double(1 + rng.next() % 80), covered: covered,
                                      reason: covered ? nil : (lat > 21.2 ? "no_road_within_snap" : "beyond_radius_and_time")))
        }
        return out
    }
}

@Suite("HTMLReport")
struct HTMLReportTests {
    @Test func isWellFormedXMLAndSelfContained() throws {
        let html = HTMLReport.render(ReportFixtures.small())
        let doc = try ReportFixtures.parse(html)
        #expect(doc.rootElement()?.name == "html")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Nothing that could reach the network: no scheme, no protocol-relative URL, no
        // namespace URI, no external resource attributes.
        for needle in ["http://", "https://", "//cdn", "xmlns", "url(", "src=", "@import", "<script", "<link"] {
            #expect(!html.contains(needle), "the report contains \(needle)")
        }
    }

    @Test func oneMarkerPerBranchInRollOutOrder() throws {
        let input = ReportFixtures.small()
        let doc = try ReportFixtures.parse(HTMLReport.render(input))
        let markers = try ReportFixtures.elements(doc, class: "branch-marker")
        #expect(markers.count == input.proposedBranches.count)
        let orders = markers.compactMap { $0.attribute(forName: "data-order")?.stringValue }.compactMap(Int.init).sorted()
        #expect(orders == [1, 2, 3, 4])
        // Each marker shows its number.
        for m in markers {
            let order = m.attribute(forName: "data-order")?.stringValue
            let text = (m.elements(forName: "text").first?.stringValue)
            #expect(text == order)
        }
    }

    @Test func escapesZoneAndSiteNames() throws {
        var input = ReportFixtures.small(zoneName: "<Tây & Hồ>")
        input.intakePoints.append(ReportSite(id: "q\"1", name: "Bưu điện 'A' & <B>",
                                             position: LonLat(lonDegrees: 105.85, latDegrees: 21.02)))
        input.title = "A & B <c>"
        let html = HTMLReport.render(input)
        _ = try ReportFixtures.parse(html)
        #expect(!html.contains("<Tây"))
        #expect(!html.contains("<B>"))
        #expect(html.contains("&lt;Tây &amp; Hồ&gt;"))
        #expect(html.contains("Bưu điện &#39;A&#39; &amp; &lt;B&gt;"))
        #expect(html.contains("<title>A &amp; B &lt;c&gt;</title>"))
        #expect(HTMLEscaping.escape("a\u{1}b\"") == "a\u{FFFD}b&quot;")
    }

    @Test func coverageChartHasOnePointPerCurveEntry() throws {
        let input = ReportFixtures.small()
        let doc = try ReportFixtures.parse(HTMLReport.render(input))
        let points = try ReportFixtures.elements(doc, class: "curve-point")
        #expect(points.count == input.coverageCurve.count)
        let branches = points.compactMap { $0.attribute(forName: "data-branches")?.stringValue }.compactMap(Int.init)
        #expect(branches == Array(0...10))
        // Higher share is drawn higher up (smaller y): the curve rises monotonically here.
        let ys = points.compactMap { $0.attribute(forName: "cy")?.stringValue }.compactMap(Double.init)
        #expect(ys == ys.sorted(by: >))
    }

    /// A curve between 99.88 % and 99.94 % (the Hanoi demo's post offices) gets ticks 0.02 % apart;
    /// with one decimal they printed as "99.9 %" three times and "100.0 %" three times.
    @Test func chartTickLabelsAreDistinctOnANarrowRange() throws {
        var input = ReportFixtures.small()
        input.coverageCurve = [0.99883, 0.99917, 0.99936, 0.99939, 0.99940].enumerated().map {
            ReportCurvePoint(branches: $0.offset, coveredShare: $0.element)
        }
        let doc = try ReportFixtures.parse(HTMLReport.render(input))
        let labels = try doc.nodes(forXPath: "//*[@class='y-axis']/*[local-name()='text']").compactMap { $0.stringValue }
        #expect(labels.count >= 3)
        #expect(Set(labels).count == labels.count, "\(labels)")
        #expect(labels.allSatisfy { $0.split(separator: ".").last?.count == 4 }, "two decimals and \" %\": \(labels)")
    }

    @Test func zoneTableSortsLowestShareFirstAndHighlightsShortZones() throws {
        let doc = try ReportFixtures.parse(HTMLReport.render(ReportFixtures.small()))
        let rows = try doc.nodes(forXPath: "//table[@class='zone-table']/tbody/tr").compactMap { $0 as? XMLElement }
        let names = rows.compactMap { $0.elements(forName: "td").first?.stringValue }
        // Shares: Xã Không Hình 0 %, Ba Đình 90 %, Láng 100 % (hand computed from the fixture).
        #expect(names == ["Xã Không Hình", "Phường Ba Đình", "Phường Láng"])
        let classes = rows.map { $0.attribute(forName: "class")?.stringValue ?? "" }
        #expect(classes == ["short", "short", ""])
    }

    /// The scale bar's ends, turned back into positions with the projection parameters the map
    /// publishes, must lie its stated length apart on the WGS 84 ellipsoid.
    @Test func scaleBarLengthMatchesGeodesic() throws {
        // Extent 105.7–105.9 E, 20.95–21.05 N. One degree of longitude at 21° N is about
        // 111,320 m × cos 21° ≈ 103,930 m, so the 0.2° width is ≈ 20.8 km drawn over
        // 1000 − 2×28 = 944 px ≈ 22.0 m/px. A fifth of the map (200 px) is ≈ 4.4 km, and the
        // longest round length under it is 2 km (≈ 91 px).
        let corners = [LonLat(lonDegrees: 105.7, latDegrees: 20.95), LonLat(lonDegrees: 105.9, latDegrees: 21.05)]
        let input = ReportInput(title: "scale", intakePoints: corners.enumerated().map {
            ReportSite(id: "s\($0.offset)", position: $0.element)
        })
        let doc = try ReportFixtures.parse(HTMLReport.render(input))
        let svg = try #require(try ReportFixtures.elements(doc, class: "map").first)
        func attr(_ e: XMLElement, _ name: String) throws -> Double {
            try #require(Double(e.attribute(forName: name)?.stringValue ?? ""), "missing \(name)")
        }
        let lon0 = try attr(svg, "data-lon0"), lat0 = try attr(svg, "data-lat0")
        let kx = try attr(svg, "data-px-per-degree-lon"), ky = try attr(svg, "data-px-per-degree-lat")
        let x0 = try attr(svg, "data-x0"), y0 = try attr(svg, "data-y0")
        let bar = try #require(try ReportFixtures.elements(doc, class: "scale-bar").first)
        let lengthMeters = try attr(bar, "data-length-meters")
        let x1 = try attr(bar, "data-x1"), x2 = try attr(bar, "data-x2"), y = try attr(bar, "data-y")
        #expect(lengthMeters == 2000)
        #expect(abs((x2 - x1) - 90.8) < 1.5)
        let a = LonLat(lonDegrees: lon0 + (x1 - x0) / kx, latDegrees: lat0 - (y - y0) / ky)
        let b = LonLat(lonDegrees: lon0 + (x2 - x0) / kx, latDegrees: lat0 - (y - y0) / ky)
        let geodesic = Geodesic.distanceMeters(a, b)
        // x1 is printed with one decimal (±0.05 px ≈ ±1.1 m); allow 0.1 %.
        #expect(abs(geodesic - lengthMeters) / lengthMeters < 0.001, "geodesic \(geodesic) m")
    }

    @Test func scaleBarPicksRoundLengths() {
        // 10 m/px, at most 200 px → at most 2,000 m → 2 km; 26 m/px → 5,200 m → 5 km;
        // 0.3 m/px → 60 m → 50 m.
        #expect(ScaleBar(metersPerPixel: 10, maxPx: 200).lengthMeters == 2000)
        #expect(ScaleBar(metersPerPixel: 26, maxPx: 200).lengthMeters == 5000)
        #expect(ScaleBar(metersPerPixel: 0.3, maxPx: 200).lengthMeters == 50)
        #expect(ScaleBar(metersPerPixel: 26, maxPx: 200).lengthPx == 5000.0 / 26)
    }

    @Test func isDeterministic() throws {
        let a = HTMLReport.render(ReportFixtures.small())
        let b = HTMLReport.render(ReportFixtures.small())
        #expect(a == b)
        let large = ReportFixtures.syntheticResidents(count: 20_000, seed: 7)
        #expect(HTMLReport.render(ReportInput(title: "x", residents: large))
            == HTMLReport.render(ReportInput(title: "x", residents: large)))
    }

    @Test func writesAtomicallyWithoutLeftovers() throws {
        let dir = try makeTemporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("report.html")
        let input = ReportFixtures.small()
        try HTMLReport.write(input, to: url)
        try HTMLReport.write(input, to: url) // replaces the existing file
        #expect(try String(contentsOf: url, encoding: .utf8) == HTMLReport.render(input))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["report.html"])
        // A directory that does not exist: an error, and nothing written.
        let missing = dir.appendingPathComponent("no/such/dir/report.html")
        #expect(throws: ReportWriteError.self) { try HTMLReport.write(input, to: missing) }
    }

    @Test func smallResidentSetsAreDrawnAsPoints() throws {
        let input = ReportFixtures.small()
        let html = HTMLReport.render(input)
        let doc = try ReportFixtures.parse(html)
        let circles = try doc.nodes(forXPath: "//*[contains(@class,'resident-points')]//*[local-name()='circle']")
        #expect(circles.count == input.residents.count)
        #expect(!html.contains("resident-cells"))
    }

    /// 200,000 residents become a grid: the page stays small, still parses, and the cells hold
    /// exactly the residents' population.
    @Test func aggregatesLargeResidentSetsToAGrid() throws {
        let residents = ReportFixtures.syntheticResidents(count: 200_000, seed: 2025)
        var input = ReportFixtures.small()
        input.residents = residents
        let html = HTMLReport.render(input)
        let bytes = html.utf8.count
        #expect(bytes < 2_500_000, "report is \(bytes) bytes")
        let doc = try ReportFixtures.parse(html)
        #expect(try ReportFixtures.elements(doc, class: "resident-points").isEmpty)
        let cells = try doc.nodes(forXPath: "//*[contains(@class,'resident-cells')]/*[local-name()='rect']")
        #expect(cells.count > 100)
        #expect(html.contains("aggregated"))

        let frame = try #require(HTMLReport.mapFrame(input))
        let size = ResidentGrid.cellSizeMeters(frame: frame, maxCellsAcross: HTMLReport.maxCellsAcross)
        let grid = ResidentGrid(residents: residents, frame: frame, cellSizeMeters: size)
        #expect(grid.cells.count == cells.count)
        let total = residents.reduce(0) { $0 + $1.population }
        let covered = residents.reduce(0) { $0 + ($1.covered ? $1.population : 0) }
        #expect(abs(grid.cells.reduce(0) { $0 + $1.population } - total) < 1e-6 * total)
        #expect(abs(grid.cells.reduce(0) { $0 + $1.coveredPopulation } - covered) < 1e-6 * total)
        #expect(grid.cells.reduce(0) { $0 + $1.residents } == residents.count)
    }

    @Test func rollOutCurveFromBranches() {
        // Hand computed: base 100 of 1,000 people → 0.1; after #1 400 → 0.4; after #2 600 → 0.6.
        let p = LonLat(lonDegrees: 105.8, latDegrees: 21.0)
        let branches = [ReportBranch(id: "b", position: p, order: 2, marginalPopulation: 200, cumulativeCoveredPopulation: 600),
                        ReportBranch(id: "a", position: p, order: 1, marginalPopulation: 300, cumulativeCoveredPopulation: 400)]
        let curve = ReportCurvePoint.rollOutCurve(branches: branches, baseCoveredPopulation: 100, totalPopulation: 1000)
        #expect(curve == [ReportCurvePoint(branches: 0, coveredShare: 0.1), ReportCurvePoint(branches: 1, coveredShare: 0.4),
                          ReportCurvePoint(branches: 2, coveredShare: 0.6)])
        #expect(ReportCurvePoint.rollOutCurve(branches: branches, baseCoveredPopulation: 0, totalPopulation: 0).isEmpty)
    }

    @Test func emptyInputStillRenders() throws {
        let html = HTMLReport.render(ReportInput(title: "Nothing"))
        _ = try ReportFixtures.parse(html)
        #expect(html.contains("nothing with a position"))
    }

    @Test func formatsNumbersForPeople() {
        // Expected strings written by hand.
        #expect(ReportFormat.grouped(1_234_567.4) == "1,234,567")
        #expect(ReportFormat.grouped(999.5) == "1,000")
        #expect(ReportFormat.grouped(-12_345) == "-12,345")
        #expect(ReportFormat.grouped(0) == "0")
        #expect(ReportFormat.fixed(1.25, decimals: 1) == "1.3")
        #expect(ReportFormat.fixed(-0.04, decimals: 1) == "0.0")
        #expect(ReportFormat.fixed(3, decimals: 2) == "3.00")
        #expect(ReportFormat.percent(0.87654) == "87.7 %")
        #expect(ReportFormat.percent(0.87654, decimals: 2) == "87.65 %")
        #expect(ReportFormat.percent(1) == "100.0 %")
        #expect(ReportFormat.percent(0.99999) == ">99.9 %")
        #expect(ReportFormat.percent(0.000001) == "<0.1 %")
        #expect(ReportFormat.percent(0) == "0.0 %")
        #expect(ReportFormat.distance(meters: 850) == "850 m")
        #expect(ReportFormat.distance(meters: 5000) == "5 km")
        #expect(ReportFormat.distance(meters: 2500) == "2.5 km")
        #expect(ReportFormat.distance(meters: 12_000) == "12 km")
        #expect(ReportFormat.minutes(30) == "30 min")
        #expect(ReportFormat.minutes(7.5) == "7.5 min")
        #expect(ReportAssumptions().standardDescription == "within 5 km or within 30 min of travel (rule: either)")
    }
}
