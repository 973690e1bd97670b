/// Planner benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerPlannerBenchmarks(_ cases: inout [BenchmarkCase]) {
}
