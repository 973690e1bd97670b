import Foundation
import ReachGeo

/// Maps coverage and plan results onto the HTML report's input.
enum ReportBuilder {
    static func coverageReport(prepared: PreparedScenario, evaluation: CoverageEvaluation, plan: Never?) throws -> String {
        throw UsageError("--report is not wired yet")
    }
}
