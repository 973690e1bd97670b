import Testing
import ReachGeo
import TestSupport

/// Property tests on random networks (SplitMix64 seeds; each failure names its seed).
@Suite struct ReachabilityPropertyTests {
    static let seeds: [UInt64] = Array(1...25)

    @Test(arguments: seeds)
    func multiSourceEqualsMinimumOfSingleSourceSearches(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed)
        let sites = try net.snapAll(net.sitePoints), residents = try net.snapAll(net.residentPoints)
        let siteConnectors = net.connectorSeconds(sites), residentConnectors = net.connectorSeconds(residents)
        let multi = FastestIntakeSearch.run(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                            residents: residents, residentConnectorSeconds: residentConnectors)
        // Oracle 1 (same engine, one site at a time): the lexicographic minimum of (seconds, site
        // index) over single-site searches must match bit for bit.
        var expected = [FastestIntake?](repeating: nil, count: residents.count)
        for s in sites.indices {
            let single = FastestIntakeSearch.run(graph: net.graph, sites: [sites[s]], siteConnectorSeconds: [siteConnectors[s]],
                                                 residents: residents, residentConnectorSeconds: residentConnectors)
            for r in residents.indices {
                guard let t = single[r]?.seconds else { continue }
                if expected[r] == nil || t < expected[r]!.seconds { expected[r] = FastestIntake(siteIndex: s, seconds: t) }
            }
        }
        #expect(multi == expected, "seed \(seed)")
        // Oracle 2 (independent): plain Dijkstra on the graph split at both points, plus connectors.
        for r in residents.indices {
            guard let resident = residents[r] else { #expect(multi[r] == nil, "seed \(seed)"); continue }
            var best = Double.infinity
            var bestSite: Int?
            for s in sites.indices {
                guard let site = sites[s] else { continue }
                let t = residentConnectors[r] + splitGraphSeconds(graph: net.graph, from: resident, to: site) + siteConnectors[s]
                if t < best - 1e-9 { best = t; bestSite = s }
            }
            if let bestSite {
                let got = try #require(multi[r], "seed \(seed) resident \(r)")
                #expect(abs(got.seconds - best) < 1e-6, "seed \(seed) resident \(r)")
                let chosen = residentConnectors[r] + splitGraphSeconds(graph: net.graph, from: resident, to: sites[got.siteIndex]!)
                    + siteConnectors[got.siteIndex]
                #expect(abs(chosen - best) < 1e-6, "seed \(seed) resident \(r): site \(got.siteIndex) vs \(bestSite)")
            } else {
                #expect(multi[r] == nil, "seed \(seed) resident \(r)")
            }
        }
    }

    @Test(arguments: seeds)
    func boundedSearchesEqualUnboundedCutAtTheLimit(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed)
        let sites = try net.snapAll(net.sitePoints), residents = try net.snapAll(net.residentPoints)
        let siteConnectors = net.connectorSeconds(sites), residentConnectors = net.connectorSeconds(residents)
        let limits: [Double] = [15, 40, 80, 150]
        var previous: [[ResidentReach]]?
        for limit in limits {
            let matrix = SiteReachMatrix.compute(graph: net.graph, sites: sites, siteConnectorSeconds: siteConnectors,
                                                 residents: residents, residentConnectorSeconds: residentConnectors,
                                                 limitSeconds: limit)
            for s in sites.indices {
                // The unbounded single-site search, cut at the limit.
                let unbounded = FastestIntakeSearch.run(graph: net.graph, sites: [sites[s]], siteConnectorSeconds: [siteConnectors[s]],
                                                        residents: residents, residentConnectorSeconds: residentConnectors)
                let cut = unbounded.enumerated().compactMap { r, hit in
                    hit.flatMap { $0.seconds <= limit ? ResidentReach(resident: Int32(r), seconds: Float($0.seconds)) : nil }
                }
                #expect(matrix[s] == cut, "seed \(seed) site \(s) limit \(limit)")
                // The bounded multi-source search with one site agrees too.
                let bounded = FastestIntakeSearch.run(graph: net.graph, sites: [sites[s]], siteConnectorSeconds: [siteConnectors[s]],
                                                      residents: residents, residentConnectorSeconds: residentConnectors,
                                                      limitSeconds: limit)
                #expect(bounded == unbounded.map { $0.flatMap { $0.seconds <= limit ? $0 : nil } }, "seed \(seed) site \(s)")
                // Raising the cutoff never shrinks the reached set.
                if let previous {
                    let before = Set(previous[s].map(\.resident)), now = Set(matrix[s].map(\.resident))
                    #expect(before.isSubset(of: now), "seed \(seed) site \(s) limit \(limit)")
                }
            }
            previous = matrix
        }
    }

    @Test(arguments: seeds)
    func isochroneBuildingBlocksMatchTheSearch(seed: UInt64) throws {
        let net = try RandomRoadNetwork(seed: seed, residents: 30, sites: 3)
        let sites = try net.snapAll(net.sitePoints), residents = try net.snapAll(net.residentPoints)
        for site in sites.compactMap({ $0 }) {
            let vertexSeconds = reverseVertexSeconds(graph: net.graph, to: site, limitSeconds: .infinity)
            for resident in residents.compactMap({ $0 }) {
                let t = secondsFromPoint(resident, graph: net.graph, vertexSeconds: vertexSeconds, target: site)
                let oracle = splitGraphSeconds(graph: net.graph, from: resident, to: site)
                #expect(t == oracle || abs(t - oracle) < 1e-6, "seed \(seed): \(t) vs \(oracle)")
            }
        }
    }
}
