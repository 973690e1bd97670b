/// Routing benchmark scenarios (see Benchmarks/README.md for recorded figures).
func registerRoutingBenchmarks(_ cases: inout [BenchmarkCase]) {
}
