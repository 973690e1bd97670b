/// Scenario benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerScenarioBenchmarks(_ cases: inout [BenchmarkCase]) {
}
