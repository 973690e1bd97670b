import Testing
@testable import ReachGeo
import TestSupport

/// The fast paths of the searches against the simple implementations they replaced, bit for
/// bit, on seeded random networks: the bucket-queue bounded search against the binary-heap
/// Dijkstra, the array completion of ``FastestIntakeSearch`` against the per-resident
/// `Dictionary` + ``EdgeTravel/completion(of:graph:vertexLabel:sameEdgeTargets:)``, and
/// ``SiteReachMatrix`` against one heap search and a general completion per (site, resident).
@Suite struct SearchFastPathTests {
    static let seeds: [UInt64] = Array(1...30)

    /// A network with many exactly equal path sums: a regular grid of one class, no jitter.
    static func tieNetwork() throws -> RoadGraph {
        let side = 9
        var nodes: [OSMNode] = []
        for k in 0 ..< side * side {
            nodes.append(OSMNode(id: Int64(k + 1), position: LonLat(lonDegrees: 105.8 + Double(k % side) * 0.0005,
                                                                    latDegrees: 21.0 + Double(k / side) * 0.0005)))
        }
        var ways: [OSMWay] = []
        for line in 0 ..< side {
            for vertical in [false, true] {
                let ids = (0 ..< side).map { i in Int64((vertical ? i * side + line : line * side + i) + 1) }
                ways.append(OSMWay(id: Int64(ways.count + 1), nodeIds: ids, tags: ["highway": "residential"]))
            }
        }
        let profile = TravelProfile.testMotorcycle(connectorKmh: 10, maxSnapMeters: 200, minComponentNodes: 4)
        return try RoadGraphBuilder.build(nodes: nodes, ways: ways, profile: profile).graph
    }

    @Test(arguments: seeds)
    func bucketQueueLabelsEqualHeapLabels(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed, side: 9, wayCount: 50, residents: 10, sites: 8)
        let tie = try Self.tieNetwork()
        var rng = SplitMix64(seed: seed)
        let tieTargets = (0 ..< 4).map { k -> SnappedPoint in
            let e = Int(rng.next() % UInt64(tie.edges.count))
            let offset = k % 2 == 0 ? 0 : tie.edges[e].lengthMeters * rng.unitInterval()
            return SnappedPoint(edge: Int32(e), offsetMeters: offset, position: tie.vertices[0], distanceMeters: 0)
        }
        for (graph, targets) in [(net.graph, try net.snapAll(net.sitePoints).compactMap { $0 }), (tie, tieTargets)] {
            let adjacency = ReverseAdjacency(graph: graph)
            for point in targets {
                for limit in [5.0, 30, 61.7, 200, 10_000] {
                    let extra = Double(rng.next() % 40) / 8
                    var heap = ReverseDijkstra(adjacency: adjacency)
                    heap.seed(towards: point, graph: graph, extraSeconds: extra, origin: 0, limitSeconds: limit)
                    heap.run(limitSeconds: limit)
                    var buckets = BoundedReverseSearch(adjacency: adjacency, limitSeconds: limit,
                                                       poolCapacity: limit == 200 ? 1 : nil)  // 200 s: the pool grows
                    for round in 0 ..< 2 {  // and again after a reset
                        buckets.reset()
                        buckets.seed(towards: point, graph: graph, extraSeconds: extra)
                        buckets.run()
                        for i in 0 ..< adjacency.vertexCount {
                            #expect(buckets.internalSeconds(Int32(i)).bitPattern == heap.internalSeconds(Int32(i)).bitPattern,
                                    "seed \(seed) limit \(limit) vertex \(i) round \(round)")
                        }
                        #expect(buckets.reachedCount == heap.reachedCount, "seed \(seed) limit \(limit)")
                    }
                }
            }
        }
    }

    @Test(arguments: seeds)
    func fastestIntakeEqualsDictionaryCompletion(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed, side: 8, wayCount: 40, residents: 120, sites: 9)
        var sites = try net.snapAll(net.sitePoints), residents = try net.snapAll(net.residentPoints)
        // Residents and sites on the same edges, and two sites at one place (a tie).
        for k in 0 ..< min(4, residents.count) where sites[k] != nil { residents[k] = sites[k] }
        if sites.count > 2 { sites[2] = sites[1] }
        let siteConnectors = net.connectorSeconds(sites), residentConnectors = net.connectorSeconds(residents)
        for limit in [Double.infinity, 90, 240] {
            let fast = FastestIntakeSearch.run(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                               residents: residents, residentConnectorSeconds: residentConnectors, limitSeconds: limit)
            let again = FastestIntakeSearch.run(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                                residents: residents, residentConnectorSeconds: residentConnectors, limitSeconds: limit)
            // The former implementation: a fresh reverse graph, a Dictionary of sites by edge.
            var search = ReverseDijkstra(adjacency: ReverseAdjacency(graph: net.graph))
            var sitesOnEdge: [Int32: [(offsetMeters: Double, label: ArrivalLabel)]] = [:]
            for (i, site) in sites.enumerated() {
                guard let site else { continue }
                search.seed(towards: site, graph: net.graph, extraSeconds: siteConnectors[i], origin: Int32(i), limitSeconds: limit)
                sitesOnEdge[site.edge, default: []].append((site.offsetMeters, ArrivalLabel(seconds: siteConnectors[i], origin: Int32(i))))
            }
            search.run(limitSeconds: limit)
            var expected = [FastestIntake?](repeating: nil, count: residents.count)
            for (r, resident) in residents.enumerated() {
                guard let resident else { continue }
                let road = EdgeTravel.completion(of: resident, graph: net.graph, vertexLabel: { search.label($0) },
                                                 sameEdgeTargets: sitesOnEdge[resident.edge] ?? [])
                let total = residentConnectors[r] + road.seconds
                if total <= limit, total < .infinity { expected[r] = FastestIntake(siteIndex: Int(road.origin), seconds: total) }
            }
            #expect(fast.map { $0.map { [$0.siteIndex, Int(bitPattern: UInt($0.seconds.bitPattern))] } }
                    == expected.map { $0.map { [$0.siteIndex, Int(bitPattern: UInt($0.seconds.bitPattern))] } }, "seed \(seed) limit \(limit)")
            #expect(fast == again, "seed \(seed): the cached reverse graph gives the same answer")
        }
    }

    @Test(arguments: seeds)
    func siteReachMatrixEqualsHeapSearchPerSite(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed, side: 8, wayCount: 40, residents: 150, sites: 10)
        let sites = try net.snapAll(net.sitePoints)
        var residents = try net.snapAll(net.residentPoints)
        for k in 0 ..< min(3, residents.count) where sites[k] != nil { residents[k] = sites[k] }
        let siteConnectors = net.connectorSeconds(sites), residentConnectors = net.connectorSeconds(residents)
        for limit in [45.0, 150, 1e7] {
            let matrix = SiteReachMatrix.compute(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                                 residents: residents, residentConnectorSeconds: residentConnectors,
                                                 limitSeconds: limit, workers: 2)
            let expected = Self.heapReachPerSite(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                                 residents: residents, residentConnectorSeconds: residentConnectors, limitSeconds: limit)
            for s in sites.indices { #expect(matrix[s] == expected[s], "seed \(seed) site \(s) limit \(limit)") }
        }
    }

    /// The reference for every site × resident road time: one plain heap `ReverseDijkstra` per
    /// site (the former implementation, no bucket queue, no shared reverse graph) and
    /// `EdgeTravel.completion` for the resident's edge; residents within `limitSeconds`.
    static func heapReachPerSite(graph: RoadGraph, sites: [SnappedPoint?], siteConnectorSeconds: [Double],
                                 residents: [SnappedPoint?], residentConnectorSeconds: [Double],
                                 limitSeconds limit: Double) -> [[ResidentReach]] {
        sites.enumerated().map { s, site in
            guard let site else { return [] }
            var search = ReverseDijkstra(adjacency: ReverseAdjacency(graph: graph))
            search.seed(towards: site, graph: graph, extraSeconds: siteConnectorSeconds[s], origin: 0, limitSeconds: limit)
            search.run(limitSeconds: limit)
            let same = [(offsetMeters: site.offsetMeters, label: ArrivalLabel(seconds: siteConnectorSeconds[s], origin: 0))]
            var out: [ResidentReach] = []
            for (r, resident) in residents.enumerated() {
                guard let resident else { continue }
                let road = EdgeTravel.completion(of: resident, graph: graph, vertexLabel: { search.label($0) },
                                                 sameEdgeTargets: resident.edge == site.edge ? same : [])
                let total = residentConnectorSeconds[r] + road.seconds
                if total <= limit, total < .infinity { out.append(ResidentReach(resident: Int32(r), seconds: Float(total))) }
            }
            return out
        }
    }
}
