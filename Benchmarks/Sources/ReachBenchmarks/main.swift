import Foundation
import ReachPlanner

// CBC runs in a worker process, as in `reach`: this executable serves as its own worker.
if CommandLine.arguments.count >= 2 && CommandLine.arguments[1] == CBCWorker.subcommand {
    exit(CBCWorker.main(arguments: Array(CommandLine.arguments.dropFirst(2))))
}
CBCSolver.defaultWorker = CBCWorker.ownExecutable()

#if DEBUG
FileHandle.standardError.write("warning: this is a debug build; timings are meaningless. Use `swift run -c release reach-bench`.\n".data(using: .utf8)!)
#endif

var cases: [BenchmarkCase] = []
registerGraphBenchmarks(&cases)
registerRoutingBenchmarks(&cases)
registerPlannerBenchmarks(&cases)
registerCoverageBenchmarks(&cases)
registerScenarioBenchmarks(&cases)
registerCLIBenchmarks(&cases)
registerStaffingBenchmarks(&cases)
registerSetsBenchmarks(&cases)
registerGrowthBenchmarks(&cases)
registerGDALBenchmarks(&cases)

let wanted = Array(CommandLine.arguments.dropFirst())
if wanted.isEmpty {
    print("usage: reach-bench NAME… | all\n")
    for c in cases { print("  \(c.name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(c.summary)") }
    exit(0)
}
for c in cases where wanted.contains("all") || wanted.contains(c.name) {
    do {
        let (line, seconds) = try measureSeconds { try c.run() }
        print("\(c.name): \(String(format: "%.3f", seconds)) s total; \(line); peak RSS \(String(format: "%.0f", peakMemoryMiB())) MiB")
    } catch {
        print("\(c.name): failed: \(error)")
    }
}
