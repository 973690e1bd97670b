/// Coverage benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerCoverageBenchmarks(_ cases: inout [BenchmarkCase]) {
}
