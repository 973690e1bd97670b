import ReachGeo
import TestSupport

/// A small random road network for property tests: nodes on a jittered grid (about 80 m apart)
/// near Hanoi, random short ways along grid neighbours with random classes and one-way tags,
/// built by ``RoadGraphBuilder`` with `min_component_nodes` 4 (so some small pieces are not snap
/// targets), plus random resident and site positions around it.
struct RandomRoadNetwork {
    let seed: UInt64
    let graph: RoadGraph
    let snapper: EdgeSnapper
    let residentPoints: [LonLat]
    let sitePoints: [LonLat]
    let maxSnapMeters = 120.0
    let connectorKmh = 10.0

    init(seed: UInt64, side: Int = 7, wayCount: Int = 28, residents: Int = 60, sites: Int = 6) throws {
        self.seed = seed
        var rng = SplitMix64(seed: seed)
        let origin = LonLat(lonDegrees: 105.80, latDegrees: 21.00)
        let stepDegrees = 0.00075  // ≈ 78 m east, 83 m north
        var nodes: [OSMNode] = []
        for row in 0..<side {
            for column in 0..<side {
                let jitterLon = Double.random(in: -0.0002...0.0002, using: &rng)
                let jitterLat = Double.random(in: -0.0002...0.0002, using: &rng)
                nodes.append(OSMNode(id: Int64(row * side + column + 1),
                                     position: LonLat(lonDegrees: origin.lonDegrees + Double(column) * stepDegrees + jitterLon,
                                                      latDegrees: origin.latDegrees + Double(row) * stepDegrees + jitterLat)))
            }
        }
        var ways: [OSMWay] = []
        let classes = ["primary", "secondary", "residential"]
        let oneways: [String?] = [nil, nil, "yes", "-1"]
        for w in 0..<wayCount {
            var row = Int.random(in: 0..<side, using: &rng), column = Int.random(in: 0..<side, using: &rng)
            var path = [row * side + column]
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let moves = [(0, 1), (0, -1), (1, 0), (-1, 0)].filter { (dr, dc) in
                    let r = row + dr, c = column + dc
                    return r >= 0 && r < side && c >= 0 && c < side && !path.contains(r * side + c)
                }
                guard let move = moves.randomElement(using: &rng) else { break }
                row += move.0; column += move.1
                path.append(row * side + column)
            }
            guard path.count >= 2 else { continue }
            var tags = ["highway": classes.randomElement(using: &rng)!]
            if let oneway = oneways.randomElement(using: &rng)! { tags["oneway"] = oneway }
            ways.append(OSMWay(id: Int64(1000 + w), nodeIds: path.map { Int64($0 + 1) }, tags: tags))
        }
        let profile = TravelProfile.testMotorcycle(connectorKmh: connectorKmh, maxSnapMeters: maxSnapMeters, minComponentNodes: 4)
        graph = try RoadGraphBuilder.build(nodes: nodes, ways: ways, profile: profile).graph
        snapper = try EdgeSnapper(graph: graph)
        func randomPoint(_ rng: inout SplitMix64) -> LonLat {
            // One point in five sits exactly on a node (often a graph vertex).
            if Int.random(in: 0..<5, using: &rng) == 0 { return nodes.randomElement(using: &rng)!.position }
            let span = Double(side) * stepDegrees
            return LonLat(lonDegrees: origin.lonDegrees + Double.random(in: -0.001...(span + 0.001), using: &rng),
                          latDegrees: origin.latDegrees + Double.random(in: -0.001...(span + 0.001), using: &rng))
        }
        residentPoints = (0..<residents).map { _ in randomPoint(&rng) }
        var sitePoints = (0..<sites).map { _ in randomPoint(&rng) }
        // Duplicate one site so that exact ties occur.
        if sitePoints.count >= 2 { sitePoints[sitePoints.count - 1] = sitePoints[0] }
        self.sitePoints = sitePoints
    }

    func snapAll(_ points: [LonLat]) throws -> [SnappedPoint?] {
        try snapper.snapAll(points, maxDistanceMeters: maxSnapMeters)
    }

    func connectorSeconds(_ points: [SnappedPoint?]) -> [Double] {
        points.map { $0.map { $0.distanceMeters / (connectorKmh / 3.6) } ?? 0 }
    }
}

/// An independent oracle for the road time between two snapped points: the two points become
/// nodes of their own, splitting their edges into pieces (a point exactly at an edge end is that
/// vertex), and a plain forward Dijkstra runs from the resident's node on the split graph.
func splitGraphSeconds(graph: RoadGraph, from resident: SnappedPoint, to site: SnappedPoint) -> Double {
    let n = graph.vertexCount
    let residentNode = n, siteNode = n + 1
    func node(of p: SnappedPoint, extra: Int) -> Int {
        let e = graph.edges[Int(p.edge)]
        if p.offsetMeters == 0 { return Int(e.fromVertex) }
        if p.offsetMeters == e.lengthMeters { return Int(e.toVertex) }
        return extra
    }
    let r = node(of: resident, extra: residentNode), s = node(of: site, extra: siteNode)
    var arcs = [[(to: Int, seconds: Double)]](repeating: [], count: n + 2)
    for (index, e) in graph.edges.enumerated() {
        let metersPerSecond = e.speedKmh / 3.6
        var stops: [(offset: Double, node: Int)] = [(0, Int(e.fromVertex)), (e.lengthMeters, Int(e.toVertex))]
        if resident.edge == Int32(index), r == residentNode { stops.append((resident.offsetMeters, r)) }
        if site.edge == Int32(index), s == siteNode { stops.append((site.offsetMeters, s)) }
        stops.sort { $0.offset < $1.offset }
        for k in 0..<(stops.count - 1) {
            let seconds = (stops[k + 1].offset - stops[k].offset) / metersPerSecond
            if seconds == 0 {  // two stops at one place are one place, whatever the direction
                arcs[stops[k].node].append((stops[k + 1].node, 0))
                arcs[stops[k + 1].node].append((stops[k].node, 0))
                continue
            }
            if e.forward { arcs[stops[k].node].append((stops[k + 1].node, seconds)) }
            if e.backward { arcs[stops[k + 1].node].append((stops[k].node, seconds)) }
        }
    }
    var best = [Double](repeating: .infinity, count: n + 2)
    var done = [Bool](repeating: false, count: n + 2)
    best[r] = 0
    while true {
        var u = -1
        for v in 0..<(n + 2) where !done[v] && best[v] < .infinity && (u < 0 || best[v] < best[u]) { u = v }
        if u < 0 { break }
        done[u] = true
        for a in arcs[u] where best[u] + a.seconds < best[a.to] { best[a.to] = best[u] + a.seconds }
    }
    return best[s]
}
