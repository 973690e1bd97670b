import ReachGeo

/// The map legend, an HTML `aside` next to the map with small inline SVG swatches.
enum Legend {
    static func swatchCircle(_ colour: String, into page: HTMLWriter) {
        page.raw("<svg class=\"sw\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\"><circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"\(colour)\" fill-opacity=\"0.8\"/></svg>")
    }

    static func swatchSquare(_ colour: String, opacity: String = "0.9", into page: HTMLWriter) {
        page.raw("<svg class=\"sw\" width=\"14\" height=\"14\" viewBox=\"0 0 14 14\"><rect x=\"1\" y=\"1\" width=\"12\" height=\"12\" fill=\"\(colour)\" fill-opacity=\"\(opacity)\" stroke=\"#3d3d3d\" stroke-width=\"0.4\"/></svg>")
    }

    static func render(_ input: ReportInput, grid: ResidentGrid?, zonesDrawn: Bool, frame: MapFrame, into page: HTMLWriter) {
        page.raw("<aside class=\"legend\">\n<h3>Legend</h3>\n")
        var shareScaleShown = false

        if !input.residents.isEmpty {
            if let grid {
                let size = ReportFormat.distance(meters: grid.cellSizeMeters)
                page.raw("<h4>Residents, aggregated</h4>\n<p class=\"small\">")
                page.text("\(ReportFormat.grouped(Double(input.residents.count))) resident points are more than \(ReportFormat.grouped(Double(HTMLReport.residentPointLimit))) to draw one by one, so they are summed into \(size) squares (\(ReportFormat.grouped(Double(grid.cells.count))) squares). Colour: covered share of the square's population; paler squares hold fewer people.")
                page.raw("</p>\n<ul>\n")
                for c in ReportPalette.shareClasses {
                    page.raw("<li>"); swatchSquare(c.colour, into: page); page.raw(" ").text(c.label).raw("</li>\n")
                }
                page.raw("</ul>\n")
                shareScaleShown = true
            } else {
                var covered = 0.0
                var byReason: [String: Double] = [:]
                for r in input.residents {
                    if r.covered { covered += r.population } else { byReason[r.reason ?? "", default: 0] += r.population }
                }
                page.raw("<h4>Residents</h4>\n<p class=\"small\">One circle per resident point; circle area grows with population.</p>\n<ul>\n")
                page.raw("<li>"); swatchCircle(ReportPalette.covered, into: page)
                page.raw(" Covered <span class=\"n\">").text(ReportFormat.grouped(covered)).raw("</span></li>\n")
                let codes = byReason.keys.sorted { (ReportPalette.reasonRank($0), $0) < (ReportPalette.reasonRank($1), $1) }
                for code in codes {
                    page.raw("<li>"); swatchCircle(ReportPalette.reasonColour(code), into: page)
                    page.raw(" Not covered: ").text(ReportPalette.reasonLabel(code).lowercasedFirst)
                    page.raw(" <span class=\"n\">").text(ReportFormat.grouped(byReason[code]!)).raw("</span></li>\n")
                }
                page.raw("</ul>\n")
            }
        }

        if zonesDrawn {
            page.raw("<h4>Zones</h4>\n<p class=\"small\">Outlined; tinted by the covered share of their population")
            page.raw(shareScaleShown ? " (same colours as above).</p>\n" : ":</p>\n")
            if !shareScaleShown {
                page.raw("<ul>\n")
                for c in ReportPalette.shareClasses {
                    page.raw("<li>"); swatchSquare(c.colour, opacity: "0.4", into: page); page.raw(" ").text(c.label).raw("</li>\n")
                }
                page.raw("</ul>\n")
            }
        }

        let minutes = HTMLReport.isochroneMinutes(input)
        if !minutes.isEmpty {
            page.raw("<h4>Travel-time bands</h4>\n<ul>\n")
            for (rank, m) in minutes.enumerated() {
                let colour = ReportPalette.isochroneFills[min(rank, ReportPalette.isochroneFills.count - 1)]
                page.raw("<li>"); swatchSquare(colour, opacity: "0.35", into: page)
                page.raw(" within ").text(ReportFormat.minutes(m)).raw("</li>\n")
            }
            page.raw("</ul>\n")
        }

        if !input.intakePoints.isEmpty {
            page.raw("<h4>Intake points</h4>\n<ul>\n")
            let labels: [(ReportSiteRole, String)] = [(.required, "Required (always open)"), (.existing, "Existing"),
                                                      (.closed, "Existing, closed in this proposal"),
                                                      (.candidate, "Candidate, not chosen")]
            for (role, label) in labels {
                let n = input.intakePoints.filter { $0.role == role }.count
                guard n > 0 else { continue }
                page.raw("<li><svg class=\"sw\" width=\"18\" height=\"18\" viewBox=\"0 0 18 18\">")
                HTMLReport.appendSiteSymbol(role, x: 9, y: 9, into: page)
                page.raw("</svg> ").text(label).raw(" <span class=\"n\">").text(ReportFormat.grouped(Double(n))).raw("</span></li>\n")
            }
            page.raw("</ul>\n")
        }

        HTMLReport.renderLoadLegend(input, into: page)

        if !input.proposedBranches.isEmpty {
            page.raw("<h4>Proposed branches</h4>\n<ul>\n<li><svg class=\"sw legend-branch\" width=\"20\" height=\"20\" viewBox=\"-10 -10 20 20\"><circle r=\"9\"/><text y=\"3.3\">1</text></svg> ")
            page.text("Numbered in roll-out order (\(ReportFormat.grouped(Double(input.proposedBranches.count))) branches)").raw("</li>\n</ul>\n")
        }

        let unplaced = input.residents.filter { !$0.position.isValid }.count
            + input.intakePoints.filter { !$0.position.isValid }.count
            + input.proposedBranches.filter { !$0.position.isValid }.count
        if unplaced > 0 {
            page.raw("<p class=\"small\">").text("\(ReportFormat.grouped(Double(unplaced))) points have no valid position and are not drawn (they still count in the tables).").raw("</p>\n")
        }

        page.raw("<h4>Map</h4>\n<p class=\"small\">North is up. Local equirectangular projection centred on ")
        page.text("\(ReportFormat.fixed(frame.center.lonDegrees, decimals: 3))° E, \(ReportFormat.fixed(frame.center.latDegrees, decimals: 3))° N")
        page.raw("; the scale bar is measured geodesically (WGS 84). No background map: nothing is loaded from the network.</p>\n")
        page.raw("</aside>\n")
    }
}

extension String {
    /// The string with its first character lowercased ("Beyond the radius" → "beyond the radius").
    var lowercasedFirst: String {
        guard let f = first else { return self }
        return f.lowercased() + dropFirst()
    }
}
