/// Settings of isochrone construction. The defaults suit a city: 50 m cells, samples every
/// 25 m along the roads, outlines simplified by at most 10 m.
public struct IsochroneOptions: Sendable, Hashable {
    /// Requested grid cell, metres. The builder enlarges it when the grid would exceed
    /// `maxGridNodes` (the polygons' resolution is then coarser).
    public var cellMeters: Double
    /// Distance between time samples along a reached road, metres (shape points are sampled too).
    public var sampleSpacingMeters: Double
    /// The most grid nodes one isochrone may use (memory: about 20 bytes per node).
    public var maxGridNodes: Int
    /// Douglas–Peucker tolerance for the outlines, metres; 0 keeps every contour vertex.
    public var simplifyToleranceMeters: Double
    /// Decimal places of the output coordinates (RFC 7946 output uses 7, about 1 cm).
    public var coordinateDecimals: Int

    public init(cellMeters: Double = 50, sampleSpacingMeters: Double = 25, maxGridNodes: Int = 4_000_000,
                simplifyToleranceMeters: Double = 10, coordinateDecimals: Int = 7) {
        self.cellMeters = cellMeters
        self.sampleSpacingMeters = sampleSpacingMeters
        self.maxGridNodes = maxGridNodes
        self.simplifyToleranceMeters = simplifyToleranceMeters
        self.coordinateDecimals = coordinateDecimals
    }
}

/// Builds isochrone polygons for one intake point: the areas from which a resident reaches it
/// within each time band, under the travel-time model of INTERFACE.md (connector leg to the
/// nearest road point, then the roads, then the intake point's own connector leg).
///
/// Method (Valhalla's `GriddedData` idea, adapted to our model):
/// 1. a bounded reverse search from the intake point gives every vertex its seconds (the caller
///    passes them, with a function giving the seconds from any point of an edge);
/// 2. every snap-target edge touching a reached vertex (and the intake point's own edge) is
///    sampled along its shape, each sample carrying its seconds; samples too slow or unreachable
///    are kept, and unreached snap-target edges near the reached area are sampled with infinite
///    seconds: they block residents for whom they are the nearest road (snapping takes the
///    nearest edge, not the best one);
/// 3. a grid in the UTM zone of the intake point gets, at each node, the nearest sample's
///    seconds plus the connector leg to it, within `max_snap_m` (``TimeGrid/rasterize(samples:cellMeters:connectorMetersPerSecond:maxConnectorMeters:maxNodes:)``);
/// 4. each band is contoured (``MarchingSquares``), simplified, unprojected, rounded and checked
///    (``PolygonValidity``); a ring whose simplification breaks validity is put back unsimplified.
///
/// Accuracy: a location's time is exact at grid nodes; between nodes it is interpolated, so a
/// boundary is good to about one cell plus the connector time over half a sample spacing.
public enum IsochroneBuilder {
    /// Isochrones of one snapped intake point: runs the bounded reverse search
    /// (``reverseVertexSeconds(graph:to:limitSeconds:)``) up to the largest band and times every
    /// road point with ``secondsFromPoint(_:graph:vertexSeconds:target:)`` plus the intake point's
    /// connector leg (`site.distanceMeters` at `profile.connectorKmh`). Connector legs use
    /// `profile.connectorKmh`; the connector reach is capped at `profile.maxSnapMeters`.
    ///
    /// Safe to call from several tasks at once (each call makes its own PROJ projector).
    /// - Throws: see ``build(graph:siteIndex:sitePosition:siteEdge:vertexSeconds:secondsFromPoint:connectorKmh:maxSnapMeters:bandsMinutes:options:)``.
    public static func build(graph: RoadGraph, siteIndex: Int, sitePosition: LonLat, site: SnappedPoint,
                             profile: TravelProfile, bandsMinutes: [Double],
                             options: IsochroneOptions = IsochroneOptions()) throws -> [IsochroneBand] {
        try validate(bandsMinutes: bandsMinutes, connectorKmh: profile.connectorKmh, maxSnapMeters: profile.maxSnapMeters, options: options)
        let siteConnectorSeconds = site.distanceMeters / (profile.connectorKmh / 3.6)
        let limitSeconds = max(0, bandsMinutes.max()! * 60 - siteConnectorSeconds)
        let vertexSeconds = reverseVertexSeconds(graph: graph, to: site, limitSeconds: limitSeconds)
        return try build(graph: graph, siteIndex: siteIndex, sitePosition: sitePosition, siteEdge: site.edge,
                         vertexSeconds: vertexSeconds,
                         secondsFromPoint: { p in
                             secondsFromPoint(p, graph: graph, vertexSeconds: vertexSeconds, target: site) + siteConnectorSeconds
                         },
                         connectorKmh: profile.connectorKmh, maxSnapMeters: profile.maxSnapMeters,
                         bandsMinutes: bandsMinutes, options: options)
    }

    /// Isochrones of one intake point from the results of a reverse search.
    ///
    /// - Parameters:
    ///   - siteIndex: copied into each ``IsochroneBand``.
    ///   - sitePosition: the intake point; its UTM zone is the working plane.
    ///   - siteEdge: the edge the intake point snapped to (sampled even when neither end is reached).
    ///   - vertexSeconds: seconds from each vertex to the intake point, `.infinity` when not
    ///     reached; searched up to at least the largest band.
    ///   - secondsFromPoint: seconds from a point on an edge to the intake point (partial edges,
    ///     same-edge rule and the intake point's connector leg included); `.infinity` when unreachable.
    ///   - connectorKmh: the profile's `connector_kmh`; `maxSnapMeters` its `max_snap_m`.
    ///   - bandsMinutes: positive, finite; output follows this order.
    /// - Throws: ``IsochroneError`` for bad arguments or (never expected) an invalid result;
    ///   ``ProjectionError`` when PROJ cannot build the UTM transformation.
    /// - Complexity: O(E + S + N log N + B·N) for E edges, S samples, N grid nodes, B bands.
    public static func build(graph: RoadGraph, siteIndex: Int, sitePosition: LonLat, siteEdge: Int32?,
                             vertexSeconds: [Double], secondsFromPoint: (SnappedPoint) -> Double,
                             connectorKmh: Double, maxSnapMeters: Double, bandsMinutes: [Double],
                             options: IsochroneOptions = IsochroneOptions()) throws -> [IsochroneBand] {
        try validate(bandsMinutes: bandsMinutes, connectorKmh: connectorKmh, maxSnapMeters: maxSnapMeters, options: options)
        precondition(vertexSeconds.count == graph.vertexCount, "vertexSeconds must have one value per vertex")
        let projector = try ProjectionSpec.utm(containing: sitePosition).makeProjector()
        let samples = try roadSamples(graph: graph, siteEdge: siteEdge, vertexSeconds: vertexSeconds,
                                      secondsFromPoint: secondsFromPoint, spacingMeters: options.sampleSpacingMeters,
                                      reachMeters: maxSnapMeters + 2 * options.cellMeters, projector: projector)
        let grid = TimeGrid.rasterize(samples: samples, cellMeters: options.cellMeters,
                                      connectorMetersPerSecond: connectorKmh / 3.6, maxConnectorMeters: maxSnapMeters,
                                      maxNodes: options.maxGridNodes)
        return try bands(from: grid, siteIndex: siteIndex, bandsMinutes: bandsMinutes, options: options, projector: projector)
    }

    /// Contours `grid` at each band and turns the result into valid lon/lat polygons.
    /// - Throws: ``IsochroneError/invalidPolygon(siteIndex:minutes:findings:)`` if even the
    ///   unsimplified rings fail validation; ``ProjectionError`` from unprojection.
    public static func bands(from grid: TimeGrid, siteIndex: Int, bandsMinutes: [Double], options: IsochroneOptions,
                             projector: borrowing Projector) throws -> [IsochroneBand] {
        var out: [IsochroneBand] = []
        for minutes in bandsMinutes {
            let planar = MarchingSquares.polygons(in: grid, thresholdSeconds: minutes * 60)
            let polygons = try finish(planar, siteIndex: siteIndex, minutes: minutes, options: options, projector: projector)
            out.append(IsochroneBand(siteIndex: siteIndex, minutes: minutes, polygons: polygons))
        }
        return out
    }

    /// Checks arguments shared by the entry points.
    static func validate(bandsMinutes: [Double], connectorKmh: Double, maxSnapMeters: Double, options: IsochroneOptions) throws {
        if bandsMinutes.isEmpty || bandsMinutes.contains(where: { !($0.isFinite && $0 > 0) }) {
            throw IsochroneError.invalidBands(bandsMinutes)
        }
        for (name, v) in [("connector_kmh", connectorKmh), ("max_snap_m", maxSnapMeters), ("cellMeters", options.cellMeters),
                          ("sampleSpacingMeters", options.sampleSpacingMeters)] where !(v.isFinite && v > 0) {
            throw IsochroneError.invalidParameter(name: name, value: v)
        }
        if !(options.simplifyToleranceMeters.isFinite && options.simplifyToleranceMeters >= 0) {
            throw IsochroneError.invalidParameter(name: "simplifyToleranceMeters", value: options.simplifyToleranceMeters)
        }
        if options.maxGridNodes < 16 { throw IsochroneError.invalidParameter(name: "maxGridNodes", value: Double(options.maxGridNodes)) }
        if !(0...9).contains(options.coordinateDecimals) {
            throw IsochroneError.invalidParameter(name: "coordinateDecimals", value: Double(options.coordinateDecimals))
        }
    }

    /// Samples the roads a resident may snap to near the reached area, in the projector's plane:
    /// every snap-target edge with a reached end (and `siteEdge`) at its shape points and every
    /// `spacingMeters` between them, with their seconds; then, as *blockers* with infinite
    /// seconds, the snap-target edges not reached at all that come within `reachMeters` of a
    /// reached sample (a resident whose nearest road is one of them is not within any band).
    /// Edges that are not snap targets (tiny components) are never sampled: nobody snaps to them.
    /// - Complexity: O(E + P + total sampled length / spacing) for P shape points.
    static func roadSamples(graph: RoadGraph, siteEdge: Int32?, vertexSeconds: [Double],
                            secondsFromPoint: (SnappedPoint) -> Double, spacingMeters: Double, reachMeters: Double,
                            projector: borrowing Projector) throws -> [TimeSample] {
        var reached: [Int] = []
        var isReached = [Bool](repeating: false, count: graph.edges.count)
        for (e, edge) in graph.edges.enumerated() where graph.isSnapTarget[e] || Int32(e) == siteEdge {
            if vertexSeconds[Int(edge.fromVertex)].isFinite || vertexSeconds[Int(edge.toVertex)].isFinite || Int32(e) == siteEdge {
                reached.append(e)
                isReached[e] = true
            }
        }
        var samples = try sample(edges: reached, graph: graph, spacingMeters: spacingMeters, projector: projector) { e, offset, lonLat in
            secondsFromPoint(SnappedPoint(edge: Int32(e), offsetMeters: offset, position: lonLat, distanceMeters: 0))
        }
        // The reached area's box, widened by the connector reach, in lon/lat (the unprojected
        // corners of the planar box, plus 0.01° ≈ 1 km for the curvature of the UTM grid).
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for s in samples where s.seconds.isFinite {
            minX = min(minX, s.position.xMeters); maxX = max(maxX, s.position.xMeters)
            minY = min(minY, s.position.yMeters); maxY = max(maxY, s.position.yMeters)
        }
        guard minX.isFinite else { return samples }
        let corners = try projector.inverse([
            PlanarPoint(xMeters: minX - reachMeters, yMeters: minY - reachMeters), PlanarPoint(xMeters: maxX + reachMeters, yMeters: minY - reachMeters),
            PlanarPoint(xMeters: maxX + reachMeters, yMeters: maxY + reachMeters), PlanarPoint(xMeters: minX - reachMeters, yMeters: maxY + reachMeters),
        ])
        guard var box = GeoBoundingBox(covering: corners) else { return samples }
        box.extend(LonLat(lonDegrees: box.minLonDegrees - 0.01, latDegrees: box.minLatDegrees - 0.01))
        box.extend(LonLat(lonDegrees: box.maxLonDegrees + 0.01, latDegrees: box.maxLatDegrees + 0.01))
        var blockers: [Int] = []
        for (e, edge) in graph.edges.enumerated() where graph.isSnapTarget[e] && !isReached[e] {
            if graph.shape[Int(edge.shapeStart)...Int(edge.shapeEnd)].contains(where: { box.contains($0) }) { blockers.append(e) }
        }
        samples += try sample(edges: blockers, graph: graph, spacingMeters: spacingMeters, projector: projector) { _, _, _ in .infinity }
        return samples
    }

    /// Samples `edges` at their shape points and every `spacingMeters` between them; `seconds`
    /// receives the edge, the offset from its `fromVertex` and the (linearly interpolated) position.
    static func sample(edges: [Int], graph: RoadGraph, spacingMeters: Double, projector: borrowing Projector,
                       seconds: (Int, Double, LonLat) -> Double) throws -> [TimeSample] {
        var shapeLonLat: [LonLat] = []
        for e in edges {
            let edge = graph.edges[e]
            shapeLonLat.append(contentsOf: graph.shape[Int(edge.shapeStart)...Int(edge.shapeEnd)])
        }
        let shapePlanar = try projector.forward(shapeLonLat)
        var samples: [TimeSample] = []
        samples.reserveCapacity(shapeLonLat.count * 2)
        var base = 0
        for e in edges {
            let edge = graph.edges[e]
            let start = Int(edge.shapeStart), count = Int(edge.shapeEnd) - start + 1
            func add(offsetMeters: Double, segment i: Int, fraction t: Double) {
                let j = min(i + 1, count - 1)
                let a = shapePlanar[base + i], b = shapePlanar[base + j]
                let la = shapeLonLat[base + i], lb = shapeLonLat[base + j]
                let position = PlanarPoint(xMeters: a.xMeters + t * (b.xMeters - a.xMeters), yMeters: a.yMeters + t * (b.yMeters - a.yMeters))
                let lonLat = LonLat(lonDegrees: la.lonDegrees + t * (lb.lonDegrees - la.lonDegrees),
                                    latDegrees: la.latDegrees + t * (lb.latDegrees - la.latDegrees))
                let offset = min(max(offsetMeters, 0), edge.lengthMeters)
                samples.append(TimeSample(position: position, seconds: seconds(e, offset, lonLat)))
            }
            for i in 0..<count {
                let offA = graph.shapeOffsetMeters[start + i]
                // The last shape point is the end vertex: use the exact edge length as its offset.
                add(offsetMeters: i == count - 1 ? edge.lengthMeters : offA, segment: i, fraction: 0)
                guard i < count - 1 else { break }
                let length = graph.shapeOffsetMeters[start + i + 1] - offA
                guard length > spacingMeters else { continue }
                let pieces = Int((length / spacingMeters).rounded(.up))
                for k in 1..<pieces {
                    let t = Double(k) / Double(pieces)
                    add(offsetMeters: offA + t * length, segment: i, fraction: t)
                }
            }
            base += count
        }
        return samples
    }

    /// Simplifies, unprojects, rounds and validates the polygons of one band, putting back the
    /// original of any ring that a validity finding names.
    static func finish(_ planar: [PlanarPolygon], siteIndex: Int, minutes: Double, options: IsochroneOptions,
                       projector: borrowing Projector) throws -> [IsochronePolygon] {
        // Every ring of the band, original and simplified, unprojected in one batch each.
        var originals: [[PlanarPoint]] = []
        var shape: [(polygon: Int, ring: Int)] = []
        for (p, polygon) in planar.enumerated() {
            originals.append(polygon.outer); shape.append((p, 0))
            for (h, hole) in polygon.holes.enumerated() { originals.append(hole); shape.append((p, h + 1)) }
        }
        let simplified = originals.map { RingSimplifier.simplify(ring: $0, toleranceMeters: options.simplifyToleranceMeters) }
        let originalLonLat = try unprojectRounded(originals, decimals: options.coordinateDecimals, projector: projector)
        let simplifiedLonLat = try unprojectRounded(simplified, decimals: options.coordinateDecimals, projector: projector)
        var useOriginal = [Bool](repeating: false, count: originals.count)
        var index: [PolygonValidity.RingID: Int] = [:]
        for (k, s) in shape.enumerated() { index[PolygonValidity.RingID(polygon: s.polygon, ring: s.ring)] = k }
        for (k, ring) in simplifiedLonLat.enumerated() where ring.count < 4 { useOriginal[k] = true }

        while true {
            var polygons: [IsochronePolygon] = planar.map { _ in IsochronePolygon(outer: []) }
            for (k, s) in shape.enumerated() {
                let ring = useOriginal[k] ? originalLonLat[k] : simplifiedLonLat[k]
                if s.ring == 0 { polygons[s.polygon].outer = ring } else { polygons[s.polygon].holes.append(ring) }
            }
            var offenders = Set<PolygonValidity.RingID>()
            let findings = PolygonValidity.check(rings: PolygonValidity.lonLatRings(polygons), offenders: &offenders)
            if findings.isEmpty { return polygons }
            var changed = false
            for id in offenders { if let k = index[id], !useOriginal[k] { useOriginal[k] = true; changed = true } }
            if !changed { throw IsochroneError.invalidPolygon(siteIndex: siteIndex, minutes: minutes, findings: findings) }
        }
    }

    /// Unprojects rings and rounds them to `decimals`, dropping positions that rounding made
    /// equal to the previous one (the closing position is restored).
    static func unprojectRounded(_ rings: [[PlanarPoint]], decimals: Int, projector: borrowing Projector) throws -> [[LonLat]] {
        let flat = try projector.inverse(rings.flatMap { $0 })
        let scale = pow10(decimals)
        var out: [[LonLat]] = []
        out.reserveCapacity(rings.count)
        var k = 0
        for ring in rings {
            var r: [LonLat] = []
            r.reserveCapacity(ring.count)
            for p in flat[k..<(k + ring.count)] {
                let q = LonLat(lonDegrees: (p.lonDegrees * scale).rounded() / scale, latDegrees: (p.latDegrees * scale).rounded() / scale)
                if r.last != q { r.append(q) }
            }
            k += ring.count
            if let first = r.first, r.last != first { r.append(first) }
            out.append(r)
        }
        return out
    }

    static func pow10(_ n: Int) -> Double {
        var v = 1.0
        for _ in 0..<n { v *= 10 }
        return v
    }
}
