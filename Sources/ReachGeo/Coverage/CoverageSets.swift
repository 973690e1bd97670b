/// Which sites cover each resident under the service standard: the sparse coverage matrix the
/// planner solves on, in CSR form.
///
/// A site covers a resident when, for that one site, the rule holds: `either` — geodesic distance
/// ≤ radius or travel time ≤ limit; `both` — both for the same site (stricter than the coverage
/// report, where radius and time may be met by different sites); `radius`; `time`. Radius pairs
/// come from a latitude–longitude grid of the sites and the proven chord band of
/// ``GeodesicBand`` (exact `geod_inverse` only for the pairs in the band or whose minutes need
/// the distance), time pairs from bounded searches per site on the roads (or the no-roads
/// estimate).
public struct CoverageSets: Sendable {
    /// Covering sites of resident i are `sites[offsets[i]..<offsets[i+1]]`, ascending, as indices
    /// into the site list given to ``compute(prepared:siteIndices:timings:)``.
    public var offsets: [Int]
    public var sites: [Int32]
    /// Travel minutes of each pair (aligned with `sites`), for the travel-time tie-break: the
    /// network time when the site is reached within the limit, else the estimate
    /// (geodesic × detour ÷ estimate speed) but never below the limit.
    public var minutes: [Double]

    public var pairCount: Int { sites.count }

    public static func compute(prepared: PreparedScenario, siteIndices: [Int], progress: ProgressReporter = .silent,
                               timings: inout StageTimings) throws -> CoverageSets {
        let standard = prepared.standard
        let residents = prepared.residents
        let n = residents.count
        let profile = prepared.loaded.profile
        let positions = siteIndices.map { prepared.sites[$0].position }
        let metersPerMinute = profile.estimateKmh * 1000 / 60
        let limitMinutes = standard.maxMinutes
        // Estimated-time reach in metres (used without roads).
        let estimateReachMeters = limitMinutes * metersPerMinute / profile.detourFactor
        let useRadius = standard.rule != .time
        let useTime = standard.rule != .radius

        // Time pairs on the network, per resident (inverted from per-site bounded searches).
        var networkOffsets: [Int] = []
        var networkSites: [Int32] = []
        var networkSeconds: [Float] = []
        if useTime, let network = prepared.network {
            progress.stage("bounded \(DecimalText.fixed(limitMinutes, decimals: 2))-minute searches from \(siteIndices.count) sites")
            let perSite = timings.measure("reach") {
                SiteReachMatrix.compute(graph: network.graph,
                                        sites: siteIndices.map { prepared.siteSnaps[$0] },
                                        siteConnectorSeconds: siteIndices.map { prepared.siteConnectorSeconds[$0] },
                                        residents: prepared.residentSnaps,
                                        residentConnectorSeconds: prepared.residentConnectorSeconds,
                                        limitSeconds: limitMinutes * 60, workers: Parallel.threadCount)
            }
            var counts = [Int](repeating: 0, count: n + 1)
            for list in perSite { for r in list { counts[Int(r.resident) + 1] += 1 } }
            for i in 0..<n { counts[i + 1] += counts[i] }
            var fill = counts
            networkSites = [Int32](repeating: 0, count: counts[n])
            networkSeconds = [Float](repeating: 0, count: counts[n])
            for (s, list) in perSite.enumerated() {
                for r in list {
                    let k = fill[Int(r.resident)]
                    networkSites[k] = Int32(s); networkSeconds[k] = r.seconds
                    fill[Int(r.resident)] += 1
                }
            }
            networkOffsets = counts
        }
        let hasNetwork = prepared.network != nil
        let netOffsets = networkOffsets, netSites = networkSites, netSeconds = networkSeconds
        let detour = profile.detourFactor
        let radius = standard.radiusMeters
        // Geodesic candidates: radius pairs, and (without roads) estimated-time pairs, i.e. the
        // sites with geodesic ≤ `reach`. The band (``GeodesicBand``) settles most pairs from the
        // unit-sphere chord; `geod_inverse` runs only on the uncertain ones and on the pairs whose
        // minutes come from the distance (every covered pair without roads, the radius-only pairs
        // with roads). The exact distance is always `Geodesic.distanceMeters(resident, site)`.
        let estimateByDistance = useTime && !hasNetwork
        let useGeo = useRadius || estimateByDistance
        let reach = max(useRadius ? radius : 0, estimateByDistance ? estimateReachMeters : 0)
        let grid = SphereSiteGrid(sites: positions, cellMeters: max(reach / 2, 100))
        let sigma = GeodesicBand.maxCentralAngle(radiusMeters: reach)

        // Per resident, in parallel chunks; each chunk builds its own lists, joined in order.
        let chunk = 8192
        let chunkCount = (n + chunk - 1) / chunk
        struct Part: Sendable { var counts: [Int32] = []; var sites: [Int32] = []; var minutes: [Double] = [] }
        /// A geodesic candidate: its site and distance, or −1 when it is certainly within `reach`
        /// and its distance was not needed yet.
        struct Candidate { var site: Int32; var meters: Double }
        var parts: [Part] = residents.withUnsafeBufferPointer { rb in
            positions.withUnsafeBufferPointer { sb in
                let r = UnsafeSendableBuffer(rb), sitePositions = UnsafeSendableBuffer(sb)
                return Parallel.map(count: chunkCount, minimumChunk: 1, initial: Part()) { c in
                    var part = Part()
                    let lo = c * chunk, hi = min(n, (c + 1) * chunk)
                    part.counts.reserveCapacity(hi - lo)
                    var geo: [Candidate] = []
                    for i in lo ..< hi {
                        let point = r[i].position
                        geo.removeAll(keepingCapacity: true)
                        if useGeo {
                            let band = GeodesicBand(radiusMeters: reach, latDegrees: point.latDegrees)
                            let u = GeodesicBand.unit(point)
                            grid.forEachCandidate(near: point, centralAngle: sigma) { site, v in
                                let d = u - v
                                let c2 = (d * d).sum()
                                if c2 > band.outsideChord2 { return }
                                if c2 <= band.insideChord2 { geo.append(Candidate(site: site, meters: -1)); return }
                                let g = Geodesic.distanceMeters(point, sitePositions[Int(site)])
                                if g <= reach { geo.append(Candidate(site: site, meters: g)) }
                            }
                            if geo.count > 1 { geo.sort { $0.site < $1.site } }
                        }
                        @inline(__always) func meters(_ k: Int) -> Double {
                            geo[k].meters >= 0 ? geo[k].meters : Geodesic.distanceMeters(point, sitePositions[Int(geo[k].site)])
                        }
                        let before = part.sites.count
                        if hasNetwork {
                            let lo = useTime ? netOffsets[i] : 0, hi = useTime ? netOffsets[i + 1] : 0
                            var g = 0, t = lo
                            while g < geo.count || t < hi {
                                let gs = g < geo.count ? geo[g].site : Int32.max
                                let ts = t < hi ? netSites[t] : Int32.max
                                let site = min(gs, ts)
                                // Every geodesic candidate is within `reach` = the radius here.
                                let inRadius = gs == site && useRadius
                                let inTime = ts == site
                                if standard.isCovered(withinRadius: inRadius, withinTime: inTime) {
                                    let m: Double
                                    if inTime { m = Double(netSeconds[t]) / 60 }
                                    else { m = max(limitMinutes, meters(g) * detour / metersPerMinute) }
                                    part.sites.append(site); part.minutes.append(m)
                                }
                                if gs == site { g += 1 }
                                if ts == site { t += 1 }
                            }
                        } else {
                            for k in geo.indices {
                                let d = meters(k)
                                let m = d * detour / metersPerMinute
                                let inRadius = useRadius && d <= radius
                                let inTime = useTime && m <= limitMinutes
                                if standard.isCovered(withinRadius: inRadius, withinTime: inTime) {
                                    part.sites.append(geo[k].site); part.minutes.append(m)
                                }
                            }
                        }
                        part.counts.append(Int32(part.sites.count - before))
                    }
                    return part
                }
            }
        }
        var offsets = [Int](repeating: 0, count: n + 1)
        var sites: [Int32] = []
        var minutes: [Double] = []
        sites.reserveCapacity(parts.reduce(0) { $0 + $1.sites.count })
        minutes.reserveCapacity(sites.capacity)
        var i = 0
        // Each part is released as soon as it is copied, so the lists are not held twice.
        for k in parts.indices {
            let part = parts[k]
            parts[k] = Part()
            for c in part.counts { offsets[i + 1] = offsets[i] + Int(c); i += 1 }
            sites += part.sites
            minutes += part.minutes
        }
        return CoverageSets(offsets: offsets, sites: sites, minutes: minutes)
    }
}
