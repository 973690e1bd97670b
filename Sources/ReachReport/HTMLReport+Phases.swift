import Foundation

extension HTMLReport {
    /// The plan's proof in words, the phases table and the zone rules (each part only when given).
    static func renderProofSection(_ input: ReportInput, into page: HTMLWriter) {
        guard !input.proof.isEmpty || !input.phases.isEmpty || !input.zoneRules.isEmpty else { return }
        page.raw("<section class=\"proof\">\n<h2>What is proven</h2>\n")
        for sentence in input.proof { page.raw("<p>").text(sentence).raw("</p>\n") }
        if !input.phases.isEmpty {
            page.raw("<div class=\"table-wrap\">\n<table class=\"phases\">\n<thead><tr><th>Phase</th><th class=\"num\">Sites</th><th class=\"num\">Covered</th><th class=\"num\">No choice of as many sites covers more than</th><th class=\"num\">Gap</th><th class=\"num\">Price of nesting</th></tr></thead>\n<tbody>\n")
            for (k, p) in input.phases.enumerated() {
                page.raw("<tr><td>").text(String(k + 1)).raw("</td><td class=\"num\">").text(String(p.branches))
                page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(p.coveredPopulation))
                page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(p.upperBoundPopulation))
                page.raw("</td><td class=\"num\">").text(ReportFormat.fixed(p.gap * 100, decimals: 3)).raw(" %")
                page.raw("</td><td class=\"num\">").text(ReportFormat.grouped(p.priceOfNestingPopulation)).raw("</td></tr>\n")
            }
            page.raw("</tbody>\n</table>\n</div>\n")
            page.raw("<p class=\"note\">Each phase keeps every site of the phase before. The price of nesting is what the best plan of that size found without that condition covers more.</p>\n")
        }
        for sentence in input.zoneRules { page.raw("<p>").text(sentence).raw("</p>\n") }
        page.raw("</section>\n")
    }
}
