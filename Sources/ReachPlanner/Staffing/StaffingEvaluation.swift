import ReachGeo

/// One open site's load and queue: filings assigned, counters, arrivals at the busiest hour,
/// utilisation and expected wait (an M/M/c queue, ``ErlangQueue``).
public struct SiteService: Sendable, Hashable {
    /// Index into ``PreparedScenario/sites``.
    public var site: Int
    /// Under file-anywhere (``DemandAssignment``).
    public var assignedPopulation: Double = 0
    public var assignedFilingsPerYear: Double = 0
    /// The part of `assignedFilingsPerYear` from residents outside the service standard.
    public var outsideStandardFilingsPerYear: Double = 0
    /// Under own-unit-only.
    public var ownUnitPopulation: Double = 0
    public var ownUnitFilingsPerYear: Double = 0
    public var openingHoursPerWeek: Double
    public var serviceMinutes: Double
    /// Counters staffed: the allocation's, else the `staff` column, else derived from `capacity`;
    /// nil when none is known.
    public var counters: Int?
    /// Filings per year the counters can serve: the `capacity` column when given, else
    /// counters × opening hours per week × 52 × 60 / service minutes; nil when neither is known.
    public var capacityPerYear: Double?
    /// λ: arrivals per hour at the busiest hour = peak factor × filings per year / (52 × opening hours per week).
    public var arrivalsPerHour: Double = 0
    /// ρ = λ / (c μ); nil without counters; ∞ with 0 counters and some demand.
    public var utilisation: Double?
    /// W_q in minutes at the busiest hour; ∞ when over capacity; nil without counters.
    public var waitMinutes: Double?
    /// ρ ≥ 1, or more filings than the `capacity` column allows; nil when neither can be judged.
    public var overCapacity: Bool?

    /// μ: filings one counter serves per hour, 60 / service minutes.
    public var serviceRatePerHour: Double { 60 / serviceMinutes }
}

/// Filings that stay in, leave or arrive at a zone: the per-zone comparison of file-anywhere
/// with own-unit-only.
public struct ZoneFlow: Sendable, Hashable {
    public var zone: String
    /// Counter filings per year of the zone's residents.
    public var filingsPerYear: Double = 0
    /// Of those, filed at a site of the same zone under file-anywhere.
    public var filedInZoneFileAnywhere: Double = 0
    /// Filings per year arriving at the zone's open sites, under each rule.
    public var arrivingFileAnywhere: Double = 0
    public var arrivingOwnUnit: Double = 0
}

/// Demand, loads and queues of the open sites of a coverage evaluation.
///
/// The model, in order: each resident makes population × `filings_per_person_year` ×
/// (1 − `online_share`) counter filings per year; they go to a site by
/// ``DemandAssignment`` (file-anywhere drives the queues, own-unit is reported beside it); a site
/// with c counters open H hours a week, each filing taking s minutes, serves up to
/// c × H × 52 × 60 / s filings a year; its busiest hour sees λ = peak factor × filings / (52 H)
/// arrivals; with μ = 60/s the expected wait is the M/M/c W_q (``ErlangQueue``).
public struct StaffingEvaluation: Sendable {
    public var parameters: ServiceParameters
    /// One per open site, in the order of the evaluation's `openSites`.
    public var sites: [SiteService]
    public var zones: [ZoneFlow]
    public var population: Double = 0
    /// Population × rate, before the online share.
    public var demandFilingsPerYear: Double = 0
    public var onlineFilingsPerYear: Double = 0
    public var counterFilingsPerYear: Double = 0
    /// Counter filings of residents with no open site at all.
    public var unassignedFilingsPerYear: Double = 0
    public var outsideStandardFilingsPerYear: Double = 0
    /// Population that found no open site in its own zone (own-unit-only fell back to file-anywhere).
    public var ownUnitFallbackPopulation: Double = 0
    /// Residents' open site (index into `sites`) under each rule, −1 for none.
    public var fileAnywhereSite: [Int32]
    public var ownUnitSite: [Int32]

    /// Loads of the open sites of `evaluation`, with queues where counters are known.
    /// - Parameter counters: counters per open site (overrides the tables), e.g. an allocation.
    public static func evaluate(prepared: PreparedScenario, evaluation: CoverageEvaluation, counters: [Int]? = nil) -> StaffingEvaluation {
        let parameters = prepared.loaded.scenario.service
        let residents = prepared.residents
        let open = evaluation.openSites.map { prepared.sites[$0] }
        let anywhere = DemandAssignment.fileAnywhere(evaluation)
        let (own, fellBack) = DemandAssignment.ownUnit(residents: residents, openSites: open, fileAnywhere: anywhere)
        let filings = DemandAssignment.counterFilings(residents: residents, parameters: parameters)
        var sites = evaluation.openSites.map { k -> SiteService in
            let s = prepared.sites[k]
            return SiteService(site: k, openingHoursPerWeek: s.openingHoursPerWeek ?? parameters.openingHoursPerWeek,
                               serviceMinutes: s.serviceMinutes ?? parameters.serviceMinutes)
        }
        var e = StaffingEvaluation(parameters: parameters, sites: [], zones: [], fileAnywhereSite: anywhere, ownUnitSite: own)
        var zones: [String: ZoneFlow] = [:]
        for (i, r) in residents.enumerated() {
            let rate = r.filingsPerPersonYear ?? parameters.filingsPerPersonYear
            e.population += r.population
            e.demandFilingsPerYear += r.population * rate
            e.counterFilingsPerYear += filings[i]
            let a = Int(anywhere[i]), o = Int(own[i])
            if a >= 0 {
                sites[a].assignedPopulation += r.population
                sites[a].assignedFilingsPerYear += filings[i]
                if !evaluation.outcomes[i].covered {
                    sites[a].outsideStandardFilingsPerYear += filings[i]
                    e.outsideStandardFilingsPerYear += filings[i]
                }
            } else {
                e.unassignedFilingsPerYear += filings[i]
            }
            if o >= 0 {
                sites[o].ownUnitPopulation += r.population
                sites[o].ownUnitFilingsPerYear += filings[i]
            }
            if fellBack[i] { e.ownUnitFallbackPopulation += r.population }
            if let z = r.zone {
                zones[z, default: ZoneFlow(zone: z)].filingsPerYear += filings[i]
                if a >= 0, open[a].zone == z { zones[z]!.filedInZoneFileAnywhere += filings[i] }
            }
        }
        for (k, s) in sites.enumerated() {
            guard let z = open[k].zone else { continue }
            zones[z, default: ZoneFlow(zone: z)].arrivingFileAnywhere += s.assignedFilingsPerYear
            zones[z]!.arrivingOwnUnit += s.ownUnitFilingsPerYear
        }
        e.onlineFilingsPerYear = e.demandFilingsPerYear - e.counterFilingsPerYear
        e.zones = zones.values.sorted { $0.zone < $1.zone }
        e.sites = sites
        e.applyQueues(prepared: prepared, counters: counters)
        return e
    }

    /// Recomputes every open site's queue with `counters` (nil: the tables').
    mutating func applyQueues(prepared: PreparedScenario, counters: [Int]?) {
        for k in sites.indices {
            let table = prepared.sites[sites[k].site]
            sites[k] = Self.queue(sites[k], table: table, counters: counters?[k], peakFactor: parameters.peakFactor)
        }
    }

    /// One site's capacity and queue.
    static func queue(_ s: SiteService, table: Site, counters override: Int?, peakFactor: Double) -> SiteService {
        var s = s
        let h = s.openingHoursPerWeek, minutes = s.serviceMinutes
        s.arrivalsPerHour = peakFactor * s.assignedFilingsPerYear / (52 * h)
        var c = override ?? table.staff
        if c == nil, let cap = table.capacity {
            // Counters that serve `capacity` filings a year: ⌈capacity × s / (H × 52 × 60)⌉.
            let v = (cap * minutes / (h * 52 * 60)).rounded(.up)
            c = v < 1e9 ? Int(v) : nil
        }
        s.counters = c
        s.capacityPerYear = table.capacity ?? c.map { Double($0) * h * 52 * 60 / minutes }
        let overAnnual = table.capacity.map { s.assignedFilingsPerYear > $0 }
        guard let c else {
            s.utilisation = nil; s.waitMinutes = nil; s.overCapacity = overAnnual
            return s
        }
        let lambda = s.arrivalsPerHour
        if c == 0 {
            s.utilisation = lambda > 0 ? .infinity : 0
            s.waitMinutes = lambda > 0 ? .infinity : 0
        } else {
            s.utilisation = lambda / (Double(c) * s.serviceRatePerHour)
            s.waitMinutes = 60 * ErlangQueue.expectedWait(arrivalRate: lambda, serviceRate: s.serviceRatePerHour, servers: c)
        }
        s.overCapacity = (lambda > 0 && (s.utilisation ?? 0) >= 1) || (overAnnual ?? false)
        return s
    }

    /// The queues for ``StaffAllocation`` (weights: filings per year).
    public var queues: [StaffAllocation.Queue] {
        sites.map { StaffAllocation.Queue(arrivalsPerHour: $0.arrivalsPerHour, serviceRatePerHour: $0.serviceRatePerHour,
                                          weight: $0.assignedFilingsPerYear) }
    }

    /// The same loads with the queues of `counters` (one per open site).
    public func staffed(_ counters: [Int], prepared: PreparedScenario) -> StaffingEvaluation {
        precondition(counters.count == sites.count, "one counter count per open site")
        var e = self
        e.applyQueues(prepared: prepared, counters: counters)
        return e
    }

    /// True when every open site with demand has a known number of counters.
    public var queuesKnown: Bool { sites.allSatisfy { $0.counters != nil || $0.assignedFilingsPerYear == 0 } }
    public var countersTotal: Int? {
        sites.contains { $0.counters == nil } ? nil : sites.reduce(0) { $0 + ($1.counters ?? 0) }
    }
    /// Filings-weighted mean expected wait (minutes) at the busiest hour; nil unless ``queuesKnown``.
    public var meanWaitMinutes: Double? {
        guard queuesKnown else { return nil }
        let w = sites.reduce(0) { $0 + $1.assignedFilingsPerYear }
        guard w > 0 else { return 0 }
        return sites.reduce(0) { $0 + ($1.assignedFilingsPerYear > 0 ? $1.assignedFilingsPerYear * ($1.waitMinutes ?? 0) : 0) } / w
    }
    /// The longest expected wait of a site with demand; nil unless ``queuesKnown``.
    public var maxWaitMinutes: Double? {
        guard queuesKnown else { return nil }
        return sites.filter { $0.assignedFilingsPerYear > 0 }.compactMap(\.waitMinutes).max() ?? 0
    }
    public var overCapacitySites: [Int] { sites.indices.filter { sites[$0].overCapacity == true } }

    /// Open sites by load: over capacity first, then longest wait, then most filings (ties: site order).
    public var busiest: [Int] {
        sites.indices.sorted { a, b in
            let x = sites[a], y = sites[b]
            let ox = x.overCapacity == true, oy = y.overCapacity == true
            if ox != oy { return ox }
            let wx = x.waitMinutes ?? -1, wy = y.waitMinutes ?? -1
            if wx != wy { return wx > wy }
            if x.assignedFilingsPerYear != y.assignedFilingsPerYear { return x.assignedFilingsPerYear > y.assignedFilingsPerYear }
            return a < b
        }
    }
}
