// swift-tools-version: 6.1
import PackageDescription
import Foundation

// The parent package's identity is its folder name, whatever the clone is called.
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

// Benchmarks live in their own package so that benchmark-only code never reaches library users.
// Run: cd Benchmarks && swift run -c release reach-bench [NAME…] (no name: the list).
let package = Package(
    name: "ReachBenchmarks",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "reach-bench", targets: ["ReachBenchmarks"])],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "ReachBenchmarks", dependencies: [
            .product(name: "ReachGeo", package: parent),
            .product(name: "ReachPlanner", package: parent),
        ], path: "Sources/ReachBenchmarks"),
    ],
    swiftLanguageModes: [.v6]
)
