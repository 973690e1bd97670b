import Foundation

/// The road network of a scenario: the graph, its snapper and the profile it was built for.
public struct RoadNetwork: Sendable {
    public let graph: RoadGraph
    public let snapper: EdgeSnapper
    public let profile: TravelProfile
    public let warnings: [Warning]

    public init(graph: RoadGraph, profile: TravelProfile, warnings: [Warning] = []) throws {
        self.graph = graph
        self.snapper = try EdgeSnapper(graph: graph)
        self.profile = profile
        self.warnings = warnings
    }

    /// Reads an OSM file (`.osm` or `.osm.pbf`) and builds the graph for `profile`.
    public static func build(roads: URL, profile: TravelProfile, progress: ProgressReporter = .silent) throws -> RoadNetwork {
        let result = try RoadGraphBuilder.build(osmFile: roads, profile: profile, progress: progress)
        if result.graph.stats.snapTargetEdges == 0 {
            throw InputError(file: Scenario.displayName(roads), "no routable road for profile \(ErrorText.quoted(profile.name)) in a component of at least \(profile.minComponentNodes) vertices")
        }
        do {
            return try RoadNetwork(graph: result.graph, profile: profile, warnings: result.warnings)
        } catch let e as ProjectionError {
            // A PROJ domain error names the roads file and the offending point, not only PROJ's words.
            var point = ""
            if let k = Int(e.subject.dropFirst("point #".count)), k >= 0, k < result.graph.shape.count {
                point = " at \(result.graph.shape[k])"
            }
            throw InputError(file: Scenario.displayName(roads),
                             "the roads cannot be projected to the UTM zone of their centre\(point) (\(e.message)): the network spans too far; use an extract of one region")
        }
    }

    /// Snaps points within the profile's `max_snap_m`.
    public func snap(_ points: [LonLat]) throws -> [SnappedPoint?] {
        try snapper.snapAll(points, maxDistanceMeters: profile.maxSnapMeters, workers: Parallel.threadCount)
    }

    /// Connector seconds per snapped point: geodesic(point, snapped position) ÷ `connector_kmh`
    /// (not multiplied by the congestion factor). 0 for points that did not snap.
    public func connectorSeconds(_ snaps: [SnappedPoint?]) -> [Double] {
        let metersPerSecond = profile.connectorKmh / 3.6
        return snaps.map { $0.map { $0.distanceMeters / metersPerSecond } ?? 0 }
    }
}

/// Named wall-clock durations of a run's stages, in seconds.
public struct StageTimings: Sendable {
    public var entries: [(stage: String, seconds: Double)] = []
    public init() {}
    public mutating func add(_ stage: String, _ seconds: Double) {
        if let k = entries.firstIndex(where: { $0.stage == stage }) { entries[k].seconds += seconds }
        else { entries.append((stage, seconds)) }
    }
    /// The seconds recorded under `stage` so far (0 when none).
    public func seconds(_ stage: String) -> Double { entries.first { $0.stage == stage }?.seconds ?? 0 }
    /// Runs `body` and adds its duration under `stage`.
    public mutating func measure<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(stage, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }
}

/// The result of evaluating one set of open sites.
public struct CoverageEvaluation: Sendable {
    /// The open sites, as indices into ``PreparedScenario/sites``.
    public var openSites: [Int]
    public var outcomes: [ResidentOutcome]
    public var totals: CoverageTotals
    public var zoneTotals: [ZoneTotals]
    public var timeMethod: TimeMethod

    public init(openSites: [Int], outcomes: [ResidentOutcome], totals: CoverageTotals, zoneTotals: [ZoneTotals], timeMethod: TimeMethod) {
        self.openSites = openSites
        self.outcomes = outcomes
        self.totals = totals
        self.zoneTotals = zoneTotals
        self.timeMethod = timeMethod
    }

    /// The site index (into ``PreparedScenario/sites``) of a resident's nearest / fastest site.
    public func siteIndex(_ local: Int32) -> Int? { local >= 0 ? openSites[Int(local)] : nil }
}

/// A loaded scenario made ready for repeated evaluations: the local metric frame, and (with roads) the graph and every resident's and site's snapped position.
public struct PreparedScenario: Sendable {
    public let loaded: LoadedScenario
    /// Existing followed by candidates.
    public let sites: [Site]
    public let frame: ProjectionSpec
    public let network: RoadNetwork?
    public let residentSnaps: [SnappedPoint?]
    public let residentConnectorSeconds: [Double]
    public let siteSnaps: [SnappedPoint?]
    public let siteConnectorSeconds: [Double]
    public private(set) var warnings: [Warning]
    public var timings: StageTimings

    public var timeMethod: TimeMethod { network == nil ? .estimated : .network }
    public var standard: ServiceStandard { loaded.scenario.standard }
    public var residents: [Resident] { loaded.residents }

    /// Projects, builds the graph (when the scenario has roads) and snaps everything once.
    public static func prepare(_ loaded: LoadedScenario, progress: ProgressReporter = .silent,
                               timings: StageTimings = StageTimings()) throws -> PreparedScenario {
        var timings = timings
        var warnings = loaded.warnings
        let sites = loaded.allSites
        var box = GeoBoundingBox(covering: loaded.residents.map(\.position))!
        for s in sites { box.extend(s.position) }
        let frame = LocalMetricFrame.spec(for: box)
        var network: RoadNetwork? = nil
        var residentSnaps = [SnappedPoint?](repeating: nil, count: loaded.residents.count)
        var siteSnaps = [SnappedPoint?](repeating: nil, count: sites.count)
        var residentConnector = [Double](repeating: 0, count: loaded.residents.count)
        var siteConnector = [Double](repeating: 0, count: sites.count)
        if let roads = loaded.scenario.roads {
            progress.stage("reading roads \(Scenario.displayName(roads))")
            let net = try timings.measure("graph") { try RoadNetwork.build(roads: roads, profile: loaded.profile, progress: progress) }
            warnings += net.warnings
            let s = net.graph.stats
            progress.stage("graph: \(s.vertices) vertices, \(s.edges) edges, \(DecimalText.fixed(s.totalKm, decimals: 1)) km, \(s.components) components")
            progress.stage("snapping \(loaded.residents.count) residents and \(sites.count) sites")
            residentSnaps = try timings.measure("snap") { try net.snap(loaded.residents.map(\.position)) }
            siteSnaps = try timings.measure("snap") { try net.snap(sites.map(\.position)) }
            residentConnector = net.connectorSeconds(residentSnaps)
            siteConnector = net.connectorSeconds(siteSnaps)
            let unsnappedResidents = residentSnaps.lazy.filter { $0 == nil }.count
            if unsnappedResidents > 0 {
                warnings.append(Warning("\(unsnappedResidents) resident(s) have no road within \(DecimalText.fixed(loaded.profile.maxSnapMeters, decimals: 0)) m (reason no_road_within_snap unless within the radius)"))
            }
            let unsnappedSites = sites.indices.filter { siteSnaps[$0] == nil }
            if !unsnappedSites.isEmpty {
                let listed = unsnappedSites.prefix(5).map { k -> String in
                    let site = sites[k]
                    let file = k >= loaded.existing.count ? loaded.scenario.candidates.map(Scenario.displayName) ?? "" : Scenario.displayName(loaded.scenario.existing)
                    return "\(site.id) (\(file):\(site.sourceLine))"
                }
                let more = unsnappedSites.count > 5 ? " and \(unsnappedSites.count - 5) more" : ""
                warnings.append(Warning("\(unsnappedSites.count) site(s) have no road within \(DecimalText.fixed(loaded.profile.maxSnapMeters, decimals: 0)) m: they are never reached by time, but count for distance_m: \(listed.joined(separator: ", "))\(more)"))
            }
            network = net
        } else {
            warnings.append(Warning("the scenario has no roads: travel times are estimated as geodesic distance × \(loaded.profile.detourFactor) ÷ \(loaded.profile.estimateKmh) km/h (time_method \"estimated\")"))
        }
        return PreparedScenario(loaded: loaded, sites: sites, frame: frame, network: network,
                                residentSnaps: residentSnaps, residentConnectorSeconds: residentConnector,
                                siteSnaps: siteSnaps, siteConnectorSeconds: siteConnector, warnings: warnings, timings: timings)
    }

    /// Evaluates coverage with `openSites` (indices into ``sites``) open, in that order (ties go
    /// to the site that comes first in this list).
    public func evaluate(openSites: [Int], timings: inout StageTimings) throws -> CoverageEvaluation {
        let positions = openSites.map { sites[$0].position }
        let finder = NearestSiteFinder(sites: positions)
        let residents = loaded.residents
        let nearest: [(site: Int, distanceMeters: Double)?] = timings.measure("nearest") {
            residents.withUnsafeBufferPointer { rb in
                let r = UnsafeSendableBuffer(rb)
                return Parallel.map(count: residents.count, minimumChunk: 8192, initial: nil) { i in
                    finder.nearest(to: r[i].position)
                }
            }
        }
        let times: ResidentTimes = timings.measure("reach") {
            if let network {
                let found = FastestIntakeSearch.run(graph: network.graph,
                                                    sites: openSites.map { siteSnaps[$0] },
                                                    siteConnectorSeconds: openSites.map { siteConnectorSeconds[$0] },
                                                    residents: residentSnaps,
                                                    residentConnectorSeconds: residentConnectorSeconds)
                var fastest = [Int32](repeating: -1, count: residents.count)
                var minutes = [Double](repeating: .nan, count: residents.count)
                for (i, f) in found.enumerated() {
                    if let f { fastest[i] = Int32(f.siteIndex); minutes[i] = f.seconds / 60 }
                }
                return ResidentTimes(fastestSite: fastest, minutes: minutes, snapped: residentSnaps.map { $0 != nil }, method: .network)
            }
            return TimeEstimate.times(nearest: nearest, detourFactor: loaded.profile.detourFactor, estimateKmh: loaded.profile.estimateKmh)
        }
        let outcomes = timings.measure("classify") { CoverageClassifier.classify(nearest: nearest, times: times, standard: standard) }
        return CoverageEvaluation(openSites: openSites, outcomes: outcomes,
                                  totals: CoverageClassifier.totals(residents: residents, outcomes: outcomes),
                                  zoneTotals: CoverageClassifier.zoneTotals(residents: residents, outcomes: outcomes),
                                  timeMethod: timeMethod)
    }

    /// The same prepared scenario with only the candidates that `keep` accepts (existing sites,
    /// residents, graph and snaps are reused: nothing is recomputed).
    public func restrictingCandidates(_ keep: (Site) -> Bool) -> PreparedScenario {
        let e = loaded.existing.count
        let kept = (0..<loaded.candidates.count).filter { keep(loaded.candidates[$0]) }
        var l = loaded
        l.candidates = kept.map { loaded.candidates[$0] }
        let indices = Array(0..<e) + kept.map { e + $0 }
        return PreparedScenario(loaded: l, sites: indices.map { sites[$0] }, frame: frame,
                                network: network, residentSnaps: residentSnaps, residentConnectorSeconds: residentConnectorSeconds,
                                siteSnaps: indices.map { siteSnaps[$0] }, siteConnectorSeconds: indices.map { siteConnectorSeconds[$0] },
                                warnings: warnings, timings: timings)
    }

    /// The sites open today: every site of the existing table, in input order.
    public var currentlyOpenSites: [Int] { Array(0..<loaded.existing.count) }
}
