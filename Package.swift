// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Reach",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "ReachGeo", targets: ["ReachGeo"]),
        .library(name: "ReachPlanner", targets: ["ReachPlanner"]),
        .library(name: "ReachReport", targets: ["ReachReport"]),
        .executable(name: "reach", targets: ["ReachCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CProj", pkgConfig: "proj",
                       providers: [.apt(["libproj-dev"]), .brew(["proj"])]),
        .systemLibrary(name: "CGdal", pkgConfig: "gdal",
                       providers: [.apt(["libgdal-dev"]), .brew(["gdal"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .systemLibrary(name: "CCbc", pkgConfig: "cbc",
                       providers: [.apt(["coinor-libcbc-dev"]), .brew(["cbc"])]),
        .target(name: "ReachGeo", dependencies: [
            "CProj", "CZlib", "CGdal",
            .product(name: "HeapModule", package: "swift-collections"),
        ]),
        .target(name: "ReachPlanner", dependencies: ["ReachGeo", "CCbc"]),
        .target(name: "ReachReport", dependencies: ["ReachGeo", "ReachPlanner"]),
        .executableTarget(name: "ReachCLI", dependencies: [
            "ReachGeo", "ReachPlanner", "ReachReport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .target(name: "TestSupport", dependencies: ["ReachGeo", "ReachPlanner"],
                path: "Tests/TestSupport"),
        .testTarget(name: "ReachGeoTests", dependencies: ["ReachGeo", "TestSupport"]),
        .testTarget(name: "ReachPlannerTests", dependencies: ["ReachPlanner", "TestSupport"]),
        .testTarget(name: "ReachCLITests", dependencies: ["ReachGeo", "ReachPlanner", "ReachReport", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
