import Foundation
import ReachGeo
import ReachPlanner

/// Maps coverage and plan results onto the HTML report's input.
enum ReportBuilder {
    static func coverageReport(prepared: PreparedScenario, evaluation: CoverageEvaluation, plan: Never?) throws -> String {
        throw UsageError("--report is not wired yet")
    }
    static func planReport(prepared: PreparedScenario, result: ScenarioPlanning.Result, title: String?) throws -> String {
        throw UsageError("--report is not wired yet")
    }
}
