/// Travel times of every resident to its fastest-reached open intake point, however obtained.
public struct ResidentTimes: Sendable {
    /// Index of the fastest-reached site per resident, −1 when none is reachable.
    public var fastestSite: [Int32]
    /// Minutes to that site; NaN when none is reachable.
    public var minutes: [Double]
    /// Per resident: false when the resident could not be snapped to the network (network
    /// method only; always true for the estimate).
    public var snapped: [Bool]
    public var method: TimeMethod

    public init(fastestSite: [Int32], minutes: [Double], snapped: [Bool], method: TimeMethod) {
        self.fastestSite = fastestSite
        self.minutes = minutes
        self.snapped = snapped
        self.method = method
    }
}

/// The outcome for one resident, as written to `residents.csv`.
public struct ResidentOutcome: Sendable, Hashable {
    /// Geodesically nearest open site, −1 when there is none.
    public var nearestSite: Int32
    /// Geodesic metres to it; NaN when there is none.
    public var distanceMeters: Double
    /// Fastest-reached open site, −1 when none is reachable (or times were not computed).
    public var fastestSite: Int32
    /// Minutes to it; NaN when empty.
    public var minutes: Double
    public var withinRadius: Bool
    public var withinTime: Bool
    public var covered: Bool
    public var reason: UncoveredReason?
    /// How `minutes` was obtained: `network` (the resident snapped to the roads), `estimated`
    /// (no roads in the scenario), nil when no time was obtained (no road within `max_snap_m`,
    /// or no open site to estimate from).
    public var timeMethod: TimeMethod?
}

/// Population totals of a coverage run (the figures of `summary.json`).
public struct CoverageTotals: Sendable, Hashable {
    public var residents: Int
    public var population: Double
    public var coveredPopulation: Double
    public var withinRadiusPopulation: Double
    public var withinTimePopulation: Double
    public var withinBothPopulation: Double
    public var uncoveredByReason: [UncoveredReason: Double]
    /// Residents by how their time was obtained (nil key: no time).
    public var residentsByTimeMethod: [TimeMethod?: Int] = [:]

    public var uncoveredPopulation: Double { population - coveredPopulation }
    public var coveredShare: Double { population > 0 ? coveredPopulation / population : 0 }
}

/// Per-zone population and covered population.
public struct ZoneTotals: Sendable, Hashable {
    public var zone: String
    public var residents: Int
    public var population: Double
    public var coveredPopulation: Double
    public var coveredShare: Double { population > 0 ? coveredPopulation / population : 0 }
}

/// Classifies residents under a service standard.
public enum CoverageClassifier {
    /// Combines nearest-by-distance and fastest-by-time results into outcomes.
    /// - Parameters:
    ///   - nearest: per resident the nearest open site and metres (nil: no open site).
    ///   - times: per resident the fastest site and minutes.
    public static func classify(nearest: [(site: Int, distanceMeters: Double)?], times: ResidentTimes,
                                standard: ServiceStandard) -> [ResidentOutcome] {
        var out = [ResidentOutcome]()
        out.reserveCapacity(nearest.count)
        for i in 0..<nearest.count {
            let n = nearest[i]
            let d = n?.distanceMeters ?? .nan
            let withinRadius = n != nil && d <= standard.radiusMeters
            let m = times.minutes[i]
            let withinTime = !m.isNaN && m <= standard.maxMinutes
            let covered = standard.isCovered(withinRadius: withinRadius, withinTime: withinTime)
            var reason: UncoveredReason? = nil
            if !covered {
                if times.method == .network && !times.snapped[i] {
                    reason = .noRoadWithinSnap
                } else if m.isNaN {
                    reason = .unreachable
                } else {
                    switch standard.rule {
                    case .either: reason = .beyondRadiusAndTime
                    case .both: reason = withinRadius ? .beyondTime : .beyondRadius
                    case .radius: reason = .beyondRadius
                    case .time: reason = .beyondTime
                    }
                }
            }
            let method: TimeMethod?
            switch times.method {
            case .network: method = times.snapped[i] ? .network : nil
            case .estimated: method = m.isNaN ? nil : .estimated
            }
            out.append(ResidentOutcome(nearestSite: Int32(n?.site ?? -1), distanceMeters: d,
                                       fastestSite: times.fastestSite[i], minutes: m,
                                       withinRadius: withinRadius, withinTime: withinTime,
                                       covered: covered, reason: reason, timeMethod: method))
        }
        return out
    }

    /// Totals over all residents.
    public static func totals(residents: [Resident], outcomes: [ResidentOutcome]) -> CoverageTotals {
        var t = CoverageTotals(residents: residents.count, population: 0, coveredPopulation: 0, withinRadiusPopulation: 0,
                               withinTimePopulation: 0, withinBothPopulation: 0, uncoveredByReason: [:])
        for (r, o) in zip(residents, outcomes) {
            t.population += r.population
            if o.covered { t.coveredPopulation += r.population }
            if o.withinRadius { t.withinRadiusPopulation += r.population }
            if o.withinTime { t.withinTimePopulation += r.population }
            if o.withinRadius && o.withinTime { t.withinBothPopulation += r.population }
            if let reason = o.reason { t.uncoveredByReason[reason, default: 0] += r.population }
            t.residentsByTimeMethod[o.timeMethod, default: 0] += 1
        }
        return t
    }

    /// Totals per zone, sorted by zone name; residents without a zone are not listed.
    public static func zoneTotals(residents: [Resident], outcomes: [ResidentOutcome]) -> [ZoneTotals] {
        var byZone: [String: ZoneTotals] = [:]
        for (r, o) in zip(residents, outcomes) {
            guard let z = r.zone else { continue }
            var e = byZone[z] ?? ZoneTotals(zone: z, residents: 0, population: 0, coveredPopulation: 0)
            e.residents += 1
            e.population += r.population
            if o.covered { e.coveredPopulation += r.population }
            byZone[z] = e
        }
        return byZone.values.sorted { $0.zone < $1.zone }
    }
}

/// The no-roads travel-time estimate (INTERFACE.md rule 7): minutes from the geodesically
/// nearest open site = metres × `detourFactor` ÷ `estimateKmh`; the fastest site is the nearest.
public enum TimeEstimate {
    public static func times(nearest: [(site: Int, distanceMeters: Double)?], detourFactor: Double, estimateKmh: Double) -> ResidentTimes {
        var fastest = [Int32](repeating: -1, count: nearest.count)
        var minutes = [Double](repeating: .nan, count: nearest.count)
        let metersPerMinute = estimateKmh * 1000 / 60
        for (i, n) in nearest.enumerated() {
            if let n {
                fastest[i] = Int32(n.site)
                minutes[i] = n.distanceMeters * detourFactor / metersPerMinute
            }
        }
        return ResidentTimes(fastestSite: fastest, minutes: minutes, snapped: [Bool](repeating: true, count: nearest.count), method: .estimated)
    }
}
