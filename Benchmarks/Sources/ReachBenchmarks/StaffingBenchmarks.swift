import Foundation
import ReachGeo
import ReachPlanner

/// Staffing: the Hanoi scenario, the 30 former district seats open, 184 staff (issue 13).
func registerStaffingBenchmarks(_ cases: inout [BenchmarkCase]) {
    cases.append(BenchmarkCase(
        name: "staff-hanoi-184",
        summary: "Hanoi scenario (whole-province roads), 30 former district seats open, 184 staff: assignment + queues + allocation (best of 5)",
        run: {
            let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/hanoi")
            let scenario = try Scenario.load(from: dir.appendingPathComponent("scenario.json"))
            let (prepared, prepareSeconds) = try measureSeconds { try PreparedScenario.prepare(try ScenarioLoader.load(scenario)) }
            let open = prepared.sites.indices.filter { prepared.sites[$0].id.hasPrefix("d") }
            var best = Double.infinity, bestEvaluate = 0.0, bestStaff = 0.0
            var line = ""
            for _ in 0..<5 {
                var timings = StageTimings()
                let (evaluation, evaluateSeconds) = try measureSeconds { try prepared.evaluate(openSites: open, timings: &timings) }
                let (run, staffSeconds) = try measureSeconds {
                    try StaffingRun.run(prepared: prepared, evaluation: evaluation, staffTotal: 184, objective: .mean, maxWaitMinutes: 15)
                }
                if evaluateSeconds + staffSeconds < best {
                    best = evaluateSeconds + staffSeconds; bestEvaluate = evaluateSeconds; bestStaff = staffSeconds
                }
                line = "\(prepared.residents.count) residents, \(open.count) sites, \(Int(run.staffed.counterFilingsPerYear.rounded())) filings/yr, "
                    + "needed for stability \(run.allocation.staffNeededForStability), fewest for 15 min \(run.fewest?.staffTotal ?? -1)"
            }
            return line + String(format: "; prepare (read, graph, snap) %.2f s; best %.3f s = evaluate (nearest + fastest search) %.3f s + staffing (loads, queues, allocation, fewest) %.3f s",
                                 prepareSeconds, best, bestEvaluate, bestStaff)
        }))
    cases.append(BenchmarkCase(
        name: "plan-capacitated-hanoi",
        summary: "Hanoi scenario (whole-province roads): reach plan --capacitated --mode consolidate --branches 30 --default-staff 20 --time-limit 20",
        run: {
            let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("data/hanoi")
            let scenario = try Scenario.load(from: dir.appendingPathComponent("scenario.json"))
            let (prepared, prepareSeconds) = try measureSeconds { try PreparedScenario.prepare(try ScenarioLoader.load(scenario)) }
            var timings = StageTimings()
            // REACH_BENCH_TIME_LIMIT overrides the 20 s (to see what more time gives).
            let limit = ProcessInfo.processInfo.environment["REACH_BENCH_TIME_LIMIT"].flatMap(Double.init) ?? 20
            let (r, seconds) = try measureSeconds {
                try CapacitatedPlanning.plan(prepared: prepared, mode: .consolidate, branches: 30, defaultStaff: 20,
                                             timeLimitSeconds: limit, timings: &timings)
            }
            let s = r.solution
            return String(format: "time limit %.0f s; prepare %.2f s; plan %.2f s (coverage sets, uncapacitated + capacitated solve, evaluation); served %.0f; bound %.0f; gap %.3f %%; proven %@; %@",
                          limit, prepareSeconds, seconds, s.servedPopulation, s.upperBoundPopulation, 100 * s.gap, s.provenOptimal ? "yes" : "no",
                          s.notes.joined(separator: "; "))
        }))
}
