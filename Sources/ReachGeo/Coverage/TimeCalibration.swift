/// The no-roads estimate (INTERFACE.md rule 7, minutes = geodesic metres × `detour_factor` ÷
/// `estimate_kmh`) fitted to the road network of a scenario, so that a planner can see how far
/// the estimate would over- or understate reach, and so that the bundled profiles' estimate
/// parameters come from a network rather than a guess (Documentation/profiles.md).
///
/// The fit uses the residents that got a network time and lie at least ``minimumGeodesicMeters``
/// from their nearest open site (shorter trips are dominated by the connector legs):
/// - **detour factor**: road metres of the *shortest* road path from the resident to the open
///   site nearest by road (connector legs included, one-way respected) ÷ the geodesic metres to
///   that site — one search over the graph with every edge weighted by its length;
/// - **estimate speed**: the speed that makes the estimate exact for the resident, given the
///   fitted (median) detour factor D: D × geodesic metres to the nearest open site ÷ the network
///   time to the fastest-reached one (what the estimate would predict from what it would see).
/// Both are reported as population-weighted 10th, 50th and 90th percentiles. ``agreement`` is
/// the population share (of the fitted residents) on which the estimate with the two medians and
/// the network agree about `minutes ≤ max_minutes`.
public struct TimeCalibration: Sendable, Hashable {
    /// Population-weighted percentiles of one fitted quantity.
    public struct Spread: Sendable, Hashable {
        public var p10: Double
        public var median: Double
        public var p90: Double
    }

    public static let minimumGeodesicMeters = 1000.0

    /// Residents used and their population.
    public var residents: Int
    public var population: Double
    public var detourFactor: Spread
    public var estimateKmh: Spread
    /// Share of the fitted population whose within-time verdict is the same under the fitted
    /// estimate and on the network.
    public var agreement: Double

    /// Fits the estimate to the network times of `evaluation`; nil without roads or when fewer
    /// no resident qualifies.
    /// - Complexity: one multi-source search over the graph (O((V + A) log A)) plus O(R log R).
    public static func fit(prepared: PreparedScenario, evaluation: CoverageEvaluation) -> TimeCalibration? {
        guard let network = prepared.network, evaluation.timeMethod == .network else { return nil }
        let graph = network.graph
        let metreGraph = lengthWeighted(graph)
        // With every edge at 3.6 km/h a "second" is a metre, connector legs included.
        let open = evaluation.openSites
        let byRoad = FastestIntakeSearch.run(graph: metreGraph,
                                             sites: open.map { prepared.siteSnaps[$0] },
                                             siteConnectorSeconds: open.map { prepared.siteSnaps[$0]?.distanceMeters ?? 0 },
                                             residents: prepared.residentSnaps,
                                             residentConnectorSeconds: prepared.residentSnaps.map { $0?.distanceMeters ?? 0 })
        var detours: [(value: Double, weight: Double)] = []
        var usable: [Int] = []
        for (i, o) in evaluation.outcomes.enumerated() {
            guard o.timeMethod == .network, !o.minutes.isNaN, o.minutes > 0, o.nearestSite >= 0,
                  o.distanceMeters >= minimumGeodesicMeters, let road = byRoad[i] else { continue }
            let site = prepared.sites[open[road.siteIndex]]
            let geodesic = Geodesic.distanceMeters(prepared.residents[i].position, site.position)
            guard geodesic >= minimumGeodesicMeters else { continue }
            usable.append(i)
            detours.append((road.seconds / geodesic, prepared.residents[i].population))
        }
        guard !usable.isEmpty else { return nil }
        let detour = spread(detours)
        var speeds: [(value: Double, weight: Double)] = []
        var agreeing = 0.0, population = 0.0
        let maxMinutes = prepared.standard.maxMinutes
        for i in usable {
            let o = evaluation.outcomes[i], w = prepared.residents[i].population
            speeds.append((detour.median * o.distanceMeters / (o.minutes * 60) * 3.6, w))
            population += w
        }
        let speed = spread(speeds)
        for i in usable {
            let o = evaluation.outcomes[i], w = prepared.residents[i].population
            let estimate = o.distanceMeters * detour.median / (speed.median / 3.6) / 60
            if (estimate <= maxMinutes) == (o.minutes <= maxMinutes) { agreeing += w }
        }
        return TimeCalibration(residents: usable.count, population: population, detourFactor: detour, estimateKmh: speed,
                               agreement: population > 0 ? agreeing / population : 1)
    }

    /// The population-weighted 10th, 50th and 90th percentiles (the smallest value whose
    /// cumulative weight reaches the fraction; ties broken by value, so the result is exact and
    /// independent of input order).
    static func spread(_ samples: [(value: Double, weight: Double)]) -> Spread {
        let sorted = samples.sorted { $0.value < $1.value }
        let total = sorted.reduce(0) { $0 + $1.weight }
        func percentile(_ q: Double) -> Double {
            guard total > 0 else { return sorted[sorted.count / 2].value }
            var cumulative = 0.0
            for s in sorted {
                cumulative += s.weight
                if cumulative >= q * total { return s.value }
            }
            return sorted[sorted.count - 1].value
        }
        return Spread(p10: percentile(0.1), median: percentile(0.5), p90: percentile(0.9))
    }

    /// The same graph with every edge at 3.6 km/h, so that arc "seconds" are metres.
    static func lengthWeighted(_ g: RoadGraph) -> RoadGraph {
        func metres(_ arcs: [RoadArc]) -> [RoadArc] {
            arcs.map { RoadArc(otherVertex: $0.otherVertex, edge: $0.edge, alongEdge: $0.alongEdge,
                               seconds: g.edges[Int($0.edge)].lengthMeters) }
        }
        var edges = g.edges
        for k in edges.indices { edges[k].speedKmh = 3.6 }
        return RoadGraph(vertices: g.vertices, vertexNodeIds: g.vertexNodeIds, edges: edges, shape: g.shape,
                         shapeOffsetMeters: g.shapeOffsetMeters, outgoingOffsets: g.outgoingOffsets, outgoingArcs: metres(g.outgoingArcs),
                         incomingOffsets: g.incomingOffsets, incomingArcs: metres(g.incomingArcs),
                         componentOfVertex: g.componentOfVertex, componentSizes: g.componentSizes,
                         isSnapTarget: g.isSnapTarget, stats: g.stats)
    }

    /// `"time_calibration": {…}` for `summary.json`.
    public var member: OrderedJSON.Member {
        func spreadJSON(_ s: Spread, _ decimals: Int) -> OrderedJSON {
            .object([.init("p10", .number(s.p10, decimals: decimals)), .init("median", .number(s.median, decimals: decimals)),
                     .init("p90", .number(s.p90, decimals: decimals))])
        }
        return .init("time_calibration", .object([
            .init("residents", .integer(residents)),
            .init("population", .count(population)),
            .init("minimum_geodesic_m", .number(Self.minimumGeodesicMeters, decimals: 0)),
            .init("detour_factor", spreadJSON(detourFactor, 3)),
            .init("estimate_kmh", spreadJSON(estimateKmh, 2)),
            .init("agreement_within_time", .share(agreement)),
        ]))
    }
}
