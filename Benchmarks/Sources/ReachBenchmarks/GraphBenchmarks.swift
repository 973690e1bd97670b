/// Graph benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerGraphBenchmarks(_ cases: inout [BenchmarkCase]) {
}
