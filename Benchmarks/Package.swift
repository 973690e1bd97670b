// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that benchmark-only code never reaches library users.
// Run: cd Benchmarks && swift run -c release reach-bench [NAME…] (no name: the list).
let package = Package(
    name: "ReachBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "ReachBenchmarks", dependencies: [
            .product(name: "ReachGeo", package: "main"),
            .product(name: "ReachPlanner", package: "main"),
        ], path: "Sources/ReachBenchmarks"),
    ],
    swiftLanguageModes: [.v6]
)
