import Foundation

/// The coverage curve as an inline SVG chart: covered share (y) against the number of branches
/// open (x), one marked point per curve entry, with axes, ticks and labels.
enum CoverageChart {
    static let widthPx = 560.0
    static let heightPx = 320.0
    static let left = 62.0, right = 18.0, top = 16.0, bottom = 50.0

    /// A "nice" tick step (1, 2 or 5 × 10ⁿ) giving at most `maxTicks` intervals over `span`.
    static func niceStep(span: Double, maxTicks: Int) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        var magnitude = 1e-6
        while true {
            for m in [1.0, 2.0, 5.0] where span / (m * magnitude) <= Double(maxTicks) { return m * magnitude }
            magnitude *= 10
        }
    }

    /// Decimals that tell ticks `stepPercent` apart: 0 for steps of 1 % or more, 1 for 0.1–0.5 %,
    /// 2 for 0.01–0.05 %, …
    static func tickDecimals(stepPercent: Double) -> Int {
        guard stepPercent > 0, stepPercent < 1 else { return 0 }
        return Int((-log10(stepPercent) - 1e-9).rounded(.up))
    }

    static func render(_ curve: [ReportCurvePoint], into page: HTMLWriter) {
        let points = curve.enumerated()
            .sorted { ($0.element.branches, $0.offset) < ($1.element.branches, $1.offset) }
            .map(\.element)
        let minBranches = min(0, points.map(\.branches).min() ?? 0)
        let maxBranches = max(minBranches + 1, points.map(\.branches).max() ?? 1)
        let finiteShares = points.map(\.coveredShare).filter(\.isFinite)
        let lowest = max(0, min(1, finiteShares.min() ?? 0))
        // The y axis starts at 0 unless every point is high, then at a round value below them.
        let yStep0 = niceStep(span: 1 - lowest, maxTicks: 5)
        let yMin = lowest > 0.5 ? max(0, ((lowest - yStep0 / 2) / yStep0).rounded(.down) * yStep0) : 0
        let yStep = niceStep(span: 1 - yMin, maxTicks: 6)
        let xStep = max(1, niceStep(span: Double(maxBranches - minBranches), maxTicks: 10))
        let plotW = widthPx - left - right, plotH = heightPx - top - bottom
        func px(_ b: Int) -> Double { left + Double(b - minBranches) / Double(maxBranches - minBranches) * plotW }
        func py(_ s: Double) -> Double { top + (1 - (min(1, max(yMin, s)) - yMin) / (1 - yMin)) * plotH }

        page.raw("<svg class=\"chart-svg\" viewBox=\"0 0 ").number(widthPx).raw(" ").number(heightPx)
        page.raw("\" role=\"img\" aria-label=\"Covered share against the number of branches\">\n")
        page.raw("<rect x=\"").number(left).raw("\" y=\"").number(top).raw("\" width=\"").number(plotW).raw("\" height=\"").number(plotH).raw("\" fill=\"#fafafa\" stroke=\"#bbbbbb\"/>\n")

        // Y grid and ticks.
        page.raw("<g class=\"y-axis\" text-anchor=\"end\">\n")
        var k = 0
        while true {
            let s = yMin + Double(k) * yStep
            if s > 1 + 1e-9 { break }
            let y = py(s)
            page.raw("<line x1=\"").number(left).raw("\" x2=\"").number(left + plotW).raw("\" y1=\"").number(y).raw("\" y2=\"").number(y).raw("\" stroke=\"#e0e0e0\"/>")
            page.raw("<text x=\"").number(left - 6).raw("\" y=\"").number(y + 4).raw("\">")
            page.text(ReportFormat.fixed(s * 100, decimals: tickDecimals(stepPercent: yStep * 100)) + " %").raw("</text>\n")
            k += 1
        }
        page.raw("</g>\n<g class=\"x-axis\" text-anchor=\"middle\">\n")
        var b = Double(minBranches)
        while b <= Double(maxBranches) + 1e-9 {
            let x = px(Int(b))
            page.raw("<line x1=\"").number(x).raw("\" x2=\"").number(x).raw("\" y1=\"").number(top + plotH).raw("\" y2=\"").number(top + plotH + 5).raw("\" stroke=\"#888888\"/>")
            page.raw("<text x=\"").number(x).raw("\" y=\"").number(top + plotH + 18).raw("\">").text(String(Int(b))).raw("</text>\n")
            b += xStep
        }
        page.raw("</g>\n")
        page.raw("<text class=\"axis-title\" x=\"").number(left + plotW / 2).raw("\" y=\"").number(heightPx - 8).raw("\" text-anchor=\"middle\">Number of branches open</text>\n")
        page.raw("<text class=\"axis-title\" transform=\"translate(14,").number(top + plotH / 2).raw(") rotate(-90)\" text-anchor=\"middle\">Covered share of population</text>\n")

        let drawable = points.filter(\.coveredShare.isFinite)
        if drawable.count > 1 {
            page.raw("<polyline fill=\"none\" stroke=\"").raw(ReportPalette.branch).raw("\" stroke-width=\"2\" points=\"")
            for (i, p) in drawable.enumerated() {
                if i > 0 { page.raw(" ") }
                page.number(px(p.branches)).raw(",").number(py(p.coveredShare))
            }
            page.raw("\"/>\n")
        }
        page.raw("<g class=\"curve-points\" fill=\"").raw(ReportPalette.branch).raw("\" stroke=\"#ffffff\" stroke-width=\"1\">\n")
        for p in points {
            let share = p.coveredShare.isFinite ? p.coveredShare : yMin
            page.raw("<circle class=\"curve-point\" data-branches=\"\(p.branches)\" data-share=\"").text(ReportFormat.fixed(p.coveredShare, decimals: 6))
            page.raw("\" cx=\"").number(px(p.branches)).raw("\" cy=\"").number(py(share)).raw("\" r=\"").raw(points.count > 60 ? "2.2" : "3.5").raw("\"><title>")
            page.text("\(p.branches) branches: \(ReportFormat.percent(p.coveredShare, decimals: 2)) covered").raw("</title></circle>\n")
        }
        page.raw("</g>\n")
        if let last = drawable.last {
            page.raw("<text class=\"end-label\" x=\"").number(min(px(last.branches), left + plotW - 4)).raw("\" y=\"").number(max(py(last.coveredShare) - 9, top + 12))
            page.raw("\" text-anchor=\"end\">").text(ReportFormat.percent(last.coveredShare, decimals: 2)).raw("</text>\n")
        }
        page.raw("</svg>\n")
    }
}
