import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ReachGeo
@testable import ReachReport
import TestSupport
import Testing

/// A report built from real Hanoi data (WorldPop 2020 1 km cells as residents, the 126 OSM
/// commune-level polygons of 2025 as zones) with a *made-up* coverage: covered = within 5 km
/// (straight line) of a dozen hand-placed sites. It checks that a realistic page stays
/// well-formed and small. Set `REACH_REPORT_SAMPLE=/path/report.html` to keep the page and look
/// at it in a browser.
@Suite("HTMLReport on Hanoi data")
struct HanoiSampleReportTests {
    @Test func realisticHanoiReport() throws {
        guard let cellsURL = try SharedData.require("population/hanoi_worldpop2020_1km_cells.csv"),
              let zonesURL = try SharedData.require("admin/hanoi_wards_communes_2025_osm.geojson") else { return }
        let input = try Self.makeInput(cellsURL: cellsURL, zonesURL: zonesURL)
        let html = HTMLReport.render(input)
        if let path = ProcessInfo.processInfo.environment["REACH_REPORT_SAMPLE"], !path.isEmpty {
            try HTMLReport.write(input, to: URL(fileURLWithPath: path))
        }
        _ = try ReportFixtures.parse(html)
        #expect(html.utf8.count < 2_000_000, "report is \(html.utf8.count) bytes")
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(ReportFixtures.count("class=\"branch-marker\"", in: html) == input.proposedBranches.count)
        // 126 zone polygons drawn (SOURCES.md: 126 Polygons in the file).
        #expect(input.zones.count == 126)
        #expect(ReportFixtures.count("<path id=\"zone-", in: html) == 126)
    }

    /// The same city with each 1 km cell split into 48 jittered points (201,120 residents):
    /// the map switches to aggregated squares and the page stays small.
    @Test func denseHanoiReportIsAggregated() throws {
        guard let cellsURL = try SharedData.require("population/hanoi_worldpop2020_1km_cells.csv"),
              let zonesURL = try SharedData.require("admin/hanoi_wards_communes_2025_osm.geojson") else { return }
        var input = try Self.makeInput(cellsURL: cellsURL, zonesURL: zonesURL)
        var rng = SplitMix64(seed: 48)
        let total = input.residents.reduce(0) { $0 + $1.population }
        input.residents = input.residents.flatMap { r in
            (0..<48).map { _ in
                let dx = (Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * 0.0083
                let dy = (Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * 0.0083
                return ReportResident(position: LonLat(lonDegrees: r.position.lonDegrees + dx, latDegrees: r.position.latDegrees + dy),
                                      population: r.population / 48, covered: r.covered, reason: r.reason)
            }
        }
        #expect(input.residents.count == 201_120)
        let html = HTMLReport.render(input)
        if let path = ProcessInfo.processInfo.environment["REACH_REPORT_SAMPLE_DENSE"], !path.isEmpty {
            try HTMLReport.write(input, to: URL(fileURLWithPath: path))
        }
        _ = try ReportFixtures.parse(html)
        #expect(html.utf8.count < 2_500_000, "report is \(html.utf8.count) bytes")
        #expect(html.contains("resident-cells") && !html.contains("resident-points"))
        // The legend and the derived total still speak of every resident.
        #expect(html.contains("201,120 resident points"))
        #expect(abs(input.residents.reduce(0) { $0 + $1.population } - total) < 1e-6 * total)
    }

    static let sites: [(String, String, Double, Double, ReportSiteRole)] = [
        ("hq", "Trung tâm PVHCC Hà Nội, 197 Nghi Tàm", 105.8335, 21.0585, .required),
        ("hk", "Hoàn Kiếm", 105.852, 21.029, .existing), ("bd", "Ba Đình", 105.819, 21.035, .existing),
        ("cg", "Cầu Giấy", 105.794, 21.036, .existing), ("hd", "Hà Đông", 105.776, 20.971, .existing),
        ("lb", "Long Biên", 105.888, 21.047, .existing), ("hm", "Hoàng Mai", 105.851, 20.975, .existing),
        ("da", "Đông Anh", 105.849, 21.137, .existing), ("ss", "Sóc Sơn", 105.848, 21.258, .existing),
        ("st", "Sơn Tây", 105.505, 21.138, .existing), ("tt", "Thường Tín", 105.860, 20.871, .existing),
        ("cm", "Chương Mỹ", 105.667, 20.921, .closed),
    ]

    /// Straight-line metres on a local plane (only to make up a plausible coverage).
    static func approxMeters(_ a: LonLat, _ b: LonLat) -> Double {
        let dx = (a.lonDegrees - b.lonDegrees) * 103_900, dy = (a.latDegrees - b.latDegrees) * 110_700
        return (dx * dx + dy * dy).squareRoot()
    }

    static func makeInput(cellsURL: URL, zonesURL: URL) throws -> ReportInput {
        // Residents: one per WorldPop cell.
        let text = try String(contentsOf: cellsURL, encoding: .utf8)
        var cells: [(LonLat, Double)] = []
        for line in text.split(whereSeparator: \.isNewline).dropFirst() {
            let f = line.split(separator: ",")
            guard f.count >= 6, let lon = Double(f[3]), let lat = Double(f[4]), let pop = Double(f[5]) else { continue }
            cells.append((LonLat(lonDegrees: lon, latDegrees: lat), pop))
        }
        let open = sites.filter { $0.4 != .closed }.map { LonLat(lonDegrees: $0.2, latDegrees: $0.3) }
        var covered = cells.map { c in open.contains { approxMeters($0, c.0) <= 5000 } }

        // Greedy roll-out of 12 branches among every 5th cell centre.
        let candidates = stride(from: 0, to: cells.count, by: 5).map { $0 }
        let reach: [[Int]] = candidates.map { ci in
            cells.indices.filter { approxMeters(cells[ci].0, cells[$0].0) <= 5000 }
        }
        let total = cells.reduce(0) { $0 + $1.1 }
        var coveredPop = zip(cells, covered).reduce(0) { $0 + ($1.1 ? $1.0.1 : 0) }
        var branches: [ReportBranch] = []
        var curve = [ReportCurvePoint(branches: 0, coveredShare: coveredPop / total)]
        for order in 1...12 {
            var best = -1, bestGain = 0.0
            for (k, list) in reach.enumerated() {
                let gain = list.reduce(0) { $0 + (covered[$1] ? 0 : cells[$1].1) }
                if gain > bestGain { best = k; bestGain = gain }
            }
            guard best >= 0 else { break }
            for i in reach[best] { covered[i] = true }
            coveredPop += bestGain
            let p = cells[candidates[best]].0
            branches.append(ReportBranch(id: "po\(candidates[best])", name: "Bưu điện \(order)", position: p, order: order,
                                         marginalPopulation: bestGain, cumulativeCoveredPopulation: coveredPop))
            curve.append(ReportCurvePoint(branches: order, coveredShare: coveredPop / total))
        }
        // Coverage after the roll-out is what the map shows.
        let residents = cells.enumerated().map { i, c in
            ReportResident(position: c.0, population: c.1, covered: covered[i],
                           reason: covered[i] ? nil : (c.0.latDegrees > 21.3 ? "no_road_within_snap" : "beyond_radius_and_time"))
        }

        // Zones from the OSM polygons; populations by point in polygon.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: zonesURL)) as? [String: Any]
        let features = json?["features"] as? [[String: Any]] ?? []
        var zones: [ReportZone] = []
        for f in features {
            guard let g = f["geometry"] as? [String: Any], g["type"] as? String == "Polygon",
                  let rings = g["coordinates"] as? [[[Double]]],
                  let name = (f["properties"] as? [String: Any])?["name"] as? String else { continue }
            let polygon = rings.map { $0.map { LonLat(lonDegrees: $0[0], latDegrees: $0[1]) } }
            guard let box = GeoBoundingBox(covering: polygon[0]) else { continue }
            var pop = 0.0, cov = 0.0
            for (i, c) in cells.enumerated() where box.contains(c.0) && contains(polygon[0], c.0) {
                pop += c.1
                if covered[i] { cov += c.1 }
            }
            zones.append(ReportZone(name: name, polygons: [polygon], population: pop, coveredPopulation: cov))
        }

        // Isochrone-like bands around the headquarters (circles; for the look only).
        let hq = LonLat(lonDegrees: 105.8335, latDegrees: 21.0585)
        let isochrones = [10.0, 20.0, 30.0].map { minutes in
            let radius = minutes / 60 * 22_000 / 1.35
            let ring = stride(from: 0.0, through: 360.0, by: 6).map {
                Geodesic.direct(from: hq, azimuthDegrees: $0, distanceMeters: radius)
            }
            return ReportIsochrone(siteId: "hq", minutes: minutes, polygons: [[ring]])
        }

        let finalShare = coveredPop / total
        return ReportInput(
            title: "Hà Nội — who is within 5 km of an intake point",
            subtitle: "Sample report: WorldPop 2020 residents, 2025 commune boundaries, made-up coverage (layout check)",
            keyFigures: [
                ReportFigure(label: "Population (WorldPop 2020)", value: ReportFormat.grouped(total),
                             note: "\(ReportFormat.grouped(Double(cells.count))) grid cells of 1 km"),
                ReportFigure(label: "Covered today", value: ReportFormat.percent(curve[0].coveredShare),
                             note: "\(ReportFormat.grouped(curve[0].coveredShare * total)) people"),
                ReportFigure(label: "Covered with 12 new branches", value: ReportFormat.percent(finalShare),
                             note: "\(ReportFormat.grouped(coveredPop)) people"),
                ReportFigure(label: "Still not covered", value: ReportFormat.grouped(total - coveredPop)),
            ],
            assumptions: ReportAssumptions(
                radiusMeters: 5000, maxMinutes: 30, rule: "either", profileName: "motorcycle",
                timeMethod: .estimated, timeMethodNote: "Distance × 1.35 ÷ 22 km/h.",
                dataSources: [
                    ReportDataSource(name: "Population", detail: "WorldPop 2020 UN-adjusted, 1 km",
                                     licence: "CC BY 4.0", attribution: "WorldPop"),
                    ReportDataSource(name: "Boundaries", detail: "OSM admin_level 6, 2025 units",
                                     licence: "ODbL 1.0", attribution: "© OpenStreetMap contributors"),
                ],
                notes: ["Coverage in this sample is invented; it only exercises the layout."]),
            residents: residents,
            intakePoints: sites.map { ReportSite(id: $0.0, name: $0.1, position: LonLat(lonDegrees: $0.2, latDegrees: $0.3), role: $0.4) }
                + [ReportSite(id: "cand1", name: "Unchosen candidate", position: LonLat(lonDegrees: 105.70, latDegrees: 21.05), role: .candidate)],
            proposedBranches: branches,
            zones: zones,
            isochrones: isochrones,
            coverageCurve: curve,
            warnings: ["No road network: travel times are estimated from distance (sample)."],
            footer: "Sample generated by HanoiSampleReportTests")
    }

    /// Even–odd point in ring (ray casting), for the sample only.
    static func contains(_ ring: [LonLat], _ p: LonLat) -> Bool {
        var inside = false
        var j = ring.count - 1
        for i in 0..<ring.count {
            let a = ring[i], b = ring[j]
            if (a.latDegrees > p.latDegrees) != (b.latDegrees > p.latDegrees),
               p.lonDegrees < (b.lonDegrees - a.lonDegrees) * (p.latDegrees - a.latDegrees) / (b.latDegrees - a.latDegrees) + a.lonDegrees {
                inside.toggle()
            }
            j = i
        }
        return inside
    }
}
