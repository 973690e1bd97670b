import Foundation
import ReachGeo

extension HTMLReport {
    /// The smallest box holding every valid position of the input (zones, isochrones,
    /// residents, sites, branches); nil when there is none.
    static func dataExtent(_ input: ReportInput) -> GeoBoundingBox? {
        var box: GeoBoundingBox?
        func add(_ p: LonLat) {
            guard p.isValid else { return }
            if box == nil {
                box = GeoBoundingBox(minLonDegrees: p.lonDegrees, minLatDegrees: p.latDegrees,
                                     maxLonDegrees: p.lonDegrees, maxLatDegrees: p.latDegrees)
            } else {
                box!.extend(p)
            }
        }
        for z in input.zones { for polygon in z.polygons { for ring in polygon { ring.forEach(add) } } }
        for i in input.isochrones { for polygon in i.polygons { for ring in polygon { ring.forEach(add) } } }
        for r in input.residents { add(r.position) }
        for s in input.intakePoints { add(s.position) }
        for b in input.proposedBranches { add(b.position) }
        for s in input.siteLoads { add(s.position) }
        return box
    }

    /// The map frame the report uses for `input`, nil when there is nothing to draw.
    static func mapFrame(_ input: ReportInput) -> MapFrame? {
        dataExtent(input).map {
            MapFrame(fitting: $0, widthPx: mapWidthPx, marginPx: 28, minHeightPx: 420, maxHeightPx: 1150)
        }
    }

    static func renderMapSection(_ input: ReportInput, into page: HTMLWriter) {
        page.raw("<section class=\"map-section\">\n<h2>Map</h2>\n")
        guard let frame = mapFrame(input) else {
            page.raw("<p>There is nothing with a position to draw.</p>\n</section>\n")
            return
        }
        let grid: ResidentGrid? = input.residents.count > residentPointLimit
            ? ResidentGrid(residents: input.residents, frame: frame,
                           cellSizeMeters: ResidentGrid.cellSizeMeters(frame: frame, maxCellsAcross: maxCellsAcross))
            : nil
        let zonesDrawn = input.zones.filter { !$0.polygons.isEmpty }

        // Layer toggles: CSS-only checkboxes, siblings of the map (no script).
        var layers: [(id: String, label: String)] = []
        if !zonesDrawn.isEmpty { layers.append(("zones", "Zones")) }
        if !input.isochrones.isEmpty { layers.append(("isochrones", "Travel-time bands")) }
        if !input.residents.isEmpty { layers.append(("residents", "Residents")) }
        if !input.intakePoints.isEmpty { layers.append(("sites", "Intake points")) }
        if !input.siteLoads.isEmpty { layers.append(("loads", "Site loads")) }
        if !input.proposedBranches.isEmpty { layers.append(("branches", "Proposed branches")) }
        if !zonesDrawn.isEmpty { layers.append(("labels", "Zone names")) }
        if !layers.isEmpty {
            page.raw("<div class=\"toggles\">Show: ")
            for l in layers {
                page.raw("<input type=\"checkbox\" id=\"show-\(l.id)\" checked=\"checked\"/><label for=\"show-\(l.id)\">").text(l.label).raw("</label> ")
            }
            page.raw("</div>\n")
        }
        page.raw("<div class=\"map-wrap\">\n")

        page.raw("<svg class=\"map\" viewBox=\"0 0 ").number(frame.widthPx).raw(" ").number(frame.heightPx)
        page.raw("\" role=\"img\" aria-label=\"Map of coverage\" data-projection=\"local-equirectangular\"")
        page.raw(" data-lon0=\"\(frame.center.lonDegrees)\" data-lat0=\"\(frame.center.latDegrees)\"")
        page.raw(" data-px-per-degree-lon=\"\(frame.pxPerDegreeLon)\" data-px-per-degree-lat=\"\(frame.pxPerDegreeLat)\"")
        page.raw(" data-x0=\"\(frame.x0)\" data-y0=\"\(frame.y0)\">\n")
        page.raw("<rect class=\"map-bg\" x=\"0\" y=\"0\" width=\"").number(frame.widthPx).raw("\" height=\"").number(frame.heightPx).raw("\"/>\n")

        // Zone shapes once, reused for the tint (below residents) and the outline (above).
        if !zonesDrawn.isEmpty {
            page.raw("<defs>\n")
            for (i, z) in zonesDrawn.enumerated() {
                page.raw("<path id=\"zone-\(i + 1)\" d=\"")
                appendPath(z.polygons, frame: frame, into: page)
                page.raw("\"/>\n")
            }
            // A lighter tint when resident points sit on top, so the points keep their contrast.
            let tint = input.residents.isEmpty ? "0.3" : grid == nil ? "0.18" : "0.22"
            page.raw("</defs>\n<g class=\"layer-zones zone-fills\" fill-opacity=\"\(tint)\">\n")
            for (i, z) in zonesDrawn.enumerated() {
                let fill = z.coveredShare.map(ReportPalette.shareColour) ?? "#dddddd"
                page.raw("<use href=\"#zone-\(i + 1)\" fill=\"\(fill)\"/>\n")
            }
            page.raw("</g>\n")
        }

        if let grid {
            renderResidentCells(grid, frame: frame, into: page)
        } else if !input.residents.isEmpty {
            renderResidentPoints(input.residents, frame: frame, into: page)
        }

        // Bands above the residents (light fill, clear edge) so they show over grid squares too.
        renderIsochrones(input, frame: frame, into: page)

        if !zonesDrawn.isEmpty {
            page.raw("<g class=\"layer-zones zone-outlines\" fill=\"none\" stroke=\"#3d3d3d\" stroke-width=\"0.7\" stroke-linejoin=\"round\">\n")
            for (i, z) in zonesDrawn.enumerated() {
                page.raw("<use href=\"#zone-\(i + 1)\"><title>").text(zoneTooltip(z)).raw("</title></use>\n")
            }
            page.raw("</g>\n")
            // Labels keep clear of the site and branch symbols drawn above them.
            let obstacles = input.intakePoints.filter { $0.position.isValid }.map { (frame.x($0.position), frame.y($0.position), 5.0) }
                + input.proposedBranches.filter { $0.position.isValid }.map { (frame.x($0.position), frame.y($0.position), 10.0) }
                + input.siteLoads.filter { $0.position.isValid }.map { (frame.x($0.position), frame.y($0.position), 6.0) }
            renderZoneLabels(zonesDrawn, frame: frame, obstacles: obstacles, into: page)
        }

        renderSiteLoads(input, frame: frame, into: page)
        renderSites(input.intakePoints, frame: frame, into: page)
        renderBranches(input.proposedBranches, frame: frame, into: page)
        renderMapFurniture(input, frame: frame, into: page)
        page.raw("</svg>\n")

        Legend.render(input, grid: grid, zonesDrawn: !zonesDrawn.isEmpty, frame: frame, into: page)
        page.raw("</div>\n</section>\n")
    }

    static func zoneTooltip(_ z: ReportZone) -> String {
        var s = z.name + ": " + ReportFormat.grouped(z.population) + " people"
        if let share = z.coveredShare { s += ", " + ReportFormat.percent(share) + " covered" }
        return s
    }

    /// SVG path data for polygons (rings as closed subpaths). Points closer than 0.6 px to the
    /// previous kept point are dropped, which keeps detailed boundaries small without visible
    /// change; rings that shrink below three points are left out.
    static func appendPath(_ polygons: [[[LonLat]]], frame: MapFrame, into page: HTMLWriter) {
        var first = true
        for polygon in polygons {
            for ring in polygon {
                var kept: [(Double, Double)] = []
                kept.reserveCapacity(ring.count)
                for p in ring where p.isValid {
                    let x = frame.x(p), y = frame.y(p)
                    if let last = kept.last, abs(x - last.0) + abs(y - last.1) < 0.6 { continue }
                    kept.append((x, y))
                }
                if kept.count > 1, let f = kept.first, let l = kept.last, abs(f.0 - l.0) + abs(f.1 - l.1) < 0.6 {
                    kept.removeLast()
                }
                guard kept.count >= 3 else { continue }
                page.raw(first ? "M" : " M")
                first = false
                for (i, pt) in kept.enumerated() {
                    if i == 1 { page.raw("L") } else if i > 1 { page.raw(" ") }
                    page.number(pt.0).raw(" ").number(pt.1)
                    if i == 0 { page.raw(" ") }
                }
                page.raw("Z")
            }
        }
    }

    static func renderIsochrones(_ input: ReportInput, frame: MapFrame, into page: HTMLWriter) {
        guard !input.isochrones.isEmpty else { return }
        let minutes = isochroneMinutes(input)
        page.raw("<g class=\"layer-isochrones\" fill-rule=\"evenodd\">\n")
        // Longest time first, so shorter (darker) bands lie on top.
        for (rank, m) in minutes.enumerated().reversed() {
            let colour = ReportPalette.isochroneFills[min(rank, ReportPalette.isochroneFills.count - 1)]
            page.raw("<g class=\"isochrone-band\" data-minutes=\"").text(ReportFormat.fixed(m, decimals: 1))
            page.raw("\" fill=\"\(colour)\" fill-opacity=\"0.14\" stroke=\"\(colour)\" stroke-opacity=\"0.9\" stroke-width=\"1.3\">\n")
            for iso in input.isochrones where iso.minutes == m {
                page.raw("<path d=\"")
                appendPath(iso.polygons, frame: frame, into: page)
                page.raw("\"><title>").text("\(ReportFormat.minutes(m)) from \(iso.siteId)").raw("</title></path>\n")
            }
            page.raw("</g>\n")
        }
        page.raw("</g>\n")
    }

    /// The distinct isochrone minutes, ascending.
    static func isochroneMinutes(_ input: ReportInput) -> [Double] {
        Array(Set(input.isochrones.map(\.minutes).filter(\.isFinite))).sorted()
    }

    /// Residents as circles (area ∝ population), covered below uncovered, by reason.
    static func renderResidentPoints(_ residents: [ReportResident], frame: MapFrame, into page: HTMLWriter) {
        let populations = residents.map(\.population).filter { $0.isFinite && $0 > 0 }.sorted()
        // Scale on the 95th percentile so one huge point does not shrink all others.
        let reference = populations.isEmpty ? 1 : populations[min(populations.count - 1, Int(Double(populations.count) * 0.95))]
        let density = Double(residents.count)
        let maxRadius = density > 2000 ? 3.2 : density > 500 ? 4.5 : 6.0
        func radius(_ population: Double) -> Double {
            guard population.isFinite, population > 0, reference > 0 else { return 0.8 }
            return min(maxRadius * 1.6, max(0.9, maxRadius * (population / reference).squareRoot()))
        }
        var groups: [(code: String?, colour: String)] = [(nil, ReportPalette.covered)]
        let codes = Set(residents.filter { !$0.covered }.map { $0.reason ?? "" })
        for code in codes.sorted(by: { (ReportPalette.reasonRank($0), $0) < (ReportPalette.reasonRank($1), $1) }) {
            groups.append((code, ReportPalette.reasonColour(code)))
        }
        page.raw("<g class=\"layer-residents resident-points\" fill-opacity=\"0.72\" stroke=\"#ffffff\" stroke-width=\"0.3\">\n")
        for g in groups {
            page.raw("<g class=\"")
            page.text(g.code.map { "uncovered reason-\($0.isEmpty ? "none" : $0)" } ?? "covered")
            page.raw("\" fill=\"\(g.colour)\">\n")
            for r in residents where r.position.isValid {
                if let code = g.code {
                    guard !r.covered, (r.reason ?? "") == code else { continue }
                } else {
                    guard r.covered else { continue }
                }
                page.raw("<circle cx=\"").number(frame.x(r.position)).raw("\" cy=\"").number(frame.y(r.position))
                page.raw("\" r=\"").number(radius(r.population)).raw("\"/>\n")
            }
            page.raw("</g>\n")
        }
        page.raw("</g>\n")
    }

    /// Aggregated residents: one square per occupied cell, coloured by covered share, more
    /// opaque where more people live.
    static func renderResidentCells(_ grid: ResidentGrid, frame: MapFrame, into page: HTMLWriter) {
        let maxPopulation = grid.cells.map(\.population).max() ?? 1
        let size = ReportFormat.distance(meters: grid.cellSizeMeters)
        page.raw("<g class=\"layer-residents resident-cells\" data-cell-size-meters=\"")
        page.text(ReportFormat.fixed(grid.cellSizeMeters, decimals: 0)).raw("\">\n")
        for c in grid.cells {
            let (x, y, s) = grid.rect(c, frame: frame)
            let opacity = 0.35 + 0.6 * (c.population / maxPopulation).squareRoot()
            page.raw("<rect x=\"").number(x).raw("\" y=\"").number(y).raw("\" width=\"").number(s).raw("\" height=\"").number(s)
            page.raw("\" fill=\"").raw(ReportPalette.shareColour(c.coveredShare)).raw("\" fill-opacity=\"")
            page.raw(ReportFormat.fixed(opacity, decimals: 2)).raw("\"><title>")
            page.text("\(size) square: \(ReportFormat.grouped(c.population)) people, \(ReportFormat.percent(c.coveredShare)) covered")
            page.raw("</title></rect>\n")
        }
        page.raw("</g>\n")
    }

    /// Zone names, largest zones first, each placed only where it overlaps no earlier label
    /// and fits roughly inside its zone.
    static func renderZoneLabels(_ zones: [ReportZone], frame: MapFrame,
                                 obstacles: [(x: Double, y: Double, radius: Double)], into page: HTMLWriter) {
        struct Candidate { var name: String; var x: Double; var y: Double; var area: Double; var width: Double; var height: Double }
        var candidates: [Candidate] = []
        for z in zones {
            // The largest outer ring by projected area, its centroid and its box.
            var best: (area: Double, cx: Double, cy: Double, w: Double, h: Double)?
            for polygon in z.polygons {
                guard let ring = polygon.first, ring.count >= 3 else { continue }
                var a = 0.0, cx = 0.0, cy = 0.0
                var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
                let pts = ring.filter(\.isValid).map { (frame.x($0), frame.y($0)) }
                guard pts.count >= 3 else { continue }
                for i in 0..<pts.count {
                    let (x1, y1) = pts[i], (x2, y2) = pts[(i + 1) % pts.count]
                    let cross = x1 * y2 - x2 * y1
                    a += cross
                    cx += (x1 + x2) * cross
                    cy += (y1 + y2) * cross
                    minX = min(minX, x1); maxX = max(maxX, x1); minY = min(minY, y1); maxY = max(maxY, y1)
                }
                guard abs(a) > 1e-9 else { continue }
                let area = abs(a) / 2
                if best == nil || area > best!.area {
                    best = (area, cx / (3 * a), cy / (3 * a), maxX - minX, maxY - minY)
                }
            }
            if let b = best { candidates.append(Candidate(name: z.name, x: b.cx, y: b.cy, area: b.area, width: b.w, height: b.h)) }
        }
        candidates.sort { ($0.area, $1.name) > ($1.area, $0.name) }
        var placed: [(x0: Double, y0: Double, x1: Double, y1: Double)] = obstacles.map {
            ($0.x - $0.radius, $0.y - $0.radius, $0.x + $0.radius, $0.y + $0.radius)
        }
        page.raw("<g class=\"layer-labels zone-labels\" text-anchor=\"middle\">\n")
        for c in candidates {
            let textWidth = Double(c.name.count) * 5.6 + 4
            let textHeight = 12.0
            guard textWidth <= c.width * 1.4, c.height >= 10 else { continue }
            // The centroid, or just above or below it when a symbol or a label is in the way.
            for dy in [0.0, -11.0, 11.0] {
                let cy = c.y + dy
                let box = (x0: c.x - textWidth / 2, y0: cy - textHeight / 2, x1: c.x + textWidth / 2, y1: cy + textHeight / 2)
                guard box.x0 >= 2, box.x1 <= frame.widthPx - 2, box.y0 >= 2, box.y1 <= frame.heightPx - 2 else { continue }
                if placed.contains(where: { $0.x0 < box.x1 && box.x0 < $0.x1 && $0.y0 < box.y1 && box.y0 < $0.y1 }) { continue }
                placed.append(box)
                page.raw("<text x=\"").number(c.x).raw("\" y=\"").number(cy + 3.5).raw("\">").text(c.name).raw("</text>\n")
                break
            }
        }
        page.raw("</g>\n")
    }

    static func siteTooltip(_ s: ReportSite) -> String {
        let role: String
        switch s.role {
        case .existing: role = "existing intake point"
        case .required: role = "required intake point"
        case .closed: role = "existing, closed in this proposal"
        case .candidate: role = "candidate site, not chosen"
        }
        return (s.name.isEmpty ? s.id : "\(s.name) (\(s.id))") + " — " + role
    }

    static func renderSites(_ sites: [ReportSite], frame: MapFrame, into page: HTMLWriter) {
        guard !sites.isEmpty else { return }
        page.raw("<g class=\"layer-sites\">\n")
        for role in [ReportSiteRole.candidate, .closed, .existing, .required] {
            for s in sites where s.role == role && s.position.isValid {
                let x = frame.x(s.position), y = frame.y(s.position)
                page.raw("<g class=\"site site-\(role.rawValue)\">")
                appendSiteSymbol(role, x: x, y: y, into: page)
                page.raw("<title>").text(siteTooltip(s)).raw("</title></g>\n")
            }
        }
        page.raw("</g>\n")
    }

    /// The symbol of a site role centred on (x, y); also used by the legend.
    static func appendSiteSymbol(_ role: ReportSiteRole, x: Double, y: Double, into page: HTMLWriter) {
        switch role {
        case .existing:
            page.raw("<circle cx=\"").number(x).raw("\" cy=\"").number(y).raw("\" r=\"3.6\" fill=\"#1a1a1a\" stroke=\"#ffffff\" stroke-width=\"1.2\"/>")
        case .required:
            page.raw("<path d=\"M").number(x).raw(" ").number(y - 7.5).raw("L").number(x + 7.5).raw(" ").number(y)
            page.raw(" ").number(x).raw(" ").number(y + 7.5).raw(" ").number(x - 7.5).raw(" ").number(y)
            page.raw("Z\" fill=\"#1a1a1a\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>")
        case .closed:
            page.raw("<circle cx=\"").number(x).raw("\" cy=\"").number(y).raw("\" r=\"3.4\" fill=\"#ffffff\" stroke=\"#555555\" stroke-width=\"1.3\"/>")
        case .candidate:
            page.raw("<path d=\"M").number(x).raw(" ").number(y - 4).raw("L").number(x + 3.6).raw(" ").number(y + 2.6)
            page.raw(" ").number(x - 3.6).raw(" ").number(y + 2.6).raw("Z\" fill=\"#ffffff\" stroke=\"#666666\" stroke-width=\"1\"/>")
        }
    }

    /// One `branch-marker` group per branch, numbered by roll-out order; the first on top.
    static func renderBranches(_ branches: [ReportBranch], frame: MapFrame, into page: HTMLWriter) {
        guard !branches.isEmpty else { return }
        let ordered = branches.sorted { ($0.order, $0.id) < ($1.order, $1.id) }
        page.raw("<g class=\"layer-branches\">\n")
        for b in ordered.reversed() {
            // An invalid position still gets its marker (so the count holds), off the map's corner.
            let x = b.position.isValid ? frame.x(b.position) : -20, y = b.position.isValid ? frame.y(b.position) : -20
            let label = String(b.order)
            page.raw("<g class=\"branch-marker\" data-order=\"\(b.order)\" data-id=\"").text(b.id)
            page.raw("\" transform=\"translate(").number(x).raw(",").number(y).raw(")\">")
            page.raw("<circle r=\"\(label.count > 2 ? "10.5" : "9")\"/>")
            page.raw("<text y=\"3.3\"\(label.count > 2 ? " font-size=\"8\"" : "")>").text(label).raw("</text><title>")
            page.text("#\(b.order) \(b.name.isEmpty ? b.id : "\(b.name) (\(b.id))"): +\(ReportFormat.grouped(b.marginalPopulation)) people, \(ReportFormat.grouped(b.cumulativeCoveredPopulation)) covered in total")
            page.raw("</title></g>\n")
        }
        page.raw("</g>\n")
    }

    /// Where the scale bar sits and how long it is, for `frame`.
    static func scaleBarPlacement(_ frame: MapFrame) -> (x: Double, y: Double, bar: ScaleBar) {
        let y = frame.heightPx - 18
        return (16, y, ScaleBar(metersPerPixel: frame.metersPerPixel(atY: y), maxPx: frame.widthPx / 5))
    }

    /// Scale bar, north arrow and attribution.
    static func renderMapFurniture(_ input: ReportInput, frame: MapFrame, into page: HTMLWriter) {
        let (x, y, bar) = scaleBarPlacement(frame)
        let half = bar.lengthPx / 2
        page.raw("<g class=\"scale-bar\" data-length-meters=\"").text(ReportFormat.fixed(bar.lengthMeters, decimals: 0))
        page.raw("\" data-x1=\"").number(x).raw("\" data-x2=\"").raw(ReportFormat.fixed(x + bar.lengthPx, decimals: 3))
        page.raw("\" data-y=\"").number(y).raw("\">\n")
        page.raw("<rect x=\"").number(x - 6).raw("\" y=\"").number(y - 20).raw("\" width=\"").number(bar.lengthPx + 12 + 10)
        page.raw("\" height=\"30\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>\n")
        page.raw("<rect x=\"").number(x).raw("\" y=\"").number(y).raw("\" width=\"").raw(ReportFormat.fixed(half, decimals: 3))
        page.raw("\" height=\"5\" fill=\"#1a1a1a\" stroke=\"#1a1a1a\" stroke-width=\"0.6\"/>\n")
        page.raw("<rect x=\"").raw(ReportFormat.fixed(x + half, decimals: 3)).raw("\" y=\"").number(y).raw("\" width=\"").raw(ReportFormat.fixed(half, decimals: 3))
        page.raw("\" height=\"5\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"0.6\"/>\n")
        page.raw("<text x=\"").number(x).raw("\" y=\"").number(y - 5).raw("\">0</text>")
        page.raw("<text x=\"").number(x + bar.lengthPx).raw("\" y=\"").number(y - 5).raw("\" text-anchor=\"middle\">")
        page.text(ReportFormat.distance(meters: bar.lengthMeters)).raw("</text>\n</g>\n")

        // North arrow, top right.
        let nx = frame.widthPx - 30, ny = 22.0
        page.raw("<g class=\"north-arrow\" transform=\"translate(").number(nx).raw(",").number(ny).raw(")\">")
        page.raw("<circle cx=\"0\" cy=\"16\" r=\"17\" fill=\"#ffffff\" fill-opacity=\"0.85\"/>")
        page.raw("<path d=\"M0 2L7 26 0 20Z\" fill=\"#1a1a1a\"/><path d=\"M0 2L-7 26 0 20Z\" fill=\"#ffffff\" stroke=\"#1a1a1a\" stroke-width=\"0.8\"/>")
        page.raw("<text x=\"0\" y=\"-3\" text-anchor=\"middle\">N</text></g>\n")

        let attribution = attributionLine(input.assumptions)
        if !attribution.isEmpty {
            page.raw("<text class=\"attribution\" x=\"").number(frame.widthPx - 6).raw("\" y=\"").number(frame.heightPx - 6)
            page.raw("\" text-anchor=\"end\">").text(attribution).raw("</text>\n")
        }
    }
}
