import ReachGeo

/// `sites.csv`, `sites.geojson`, the `staffing` member of `summary.json` / `plan.json`, and
/// `staff.json` (INTERFACE.md, December 2026 additions).
///
/// Numbers: populations as counts (up to 3 decimals), filings per year and capacity with 1
/// decimal, arrivals per hour with 3, utilisation with 4, waits in minutes with 2. An infinite
/// wait or utilisation (over capacity) is written `inf` in the CSV and `null` in JSON and
/// GeoJSON (JSON has no infinity), always with `over_capacity` true.
public enum StaffingOutputs {
    /// The contract's columns, then Reach's extensions (README "Extensions").
    public static let siteColumns = ["id", "name", "role", "open", "snapped", "snap_distance_m", "assigned_population",
                                     "assigned_filings_per_year", "capacity", "staff", "service_minutes", "arrivals_per_hour",
                                     "utilisation", "expected_wait_minutes", "over_capacity",
                                     "zone", "opening_hours_per_week", "own_unit_assigned_filings_per_year",
                                     "outside_standard_filings_per_year"]

    enum Cell { case text(String), number(Double, Int), integer(Int), bool(Bool), empty }

    /// One row per site of the scenario (existing, then candidates), the open ones with their loads.
    static func rows(prepared: PreparedScenario, staffing: StaffingEvaluation) -> [(site: Site, cells: [Cell])] {
        let p = staffing.parameters
        var openPosition = [Int: Int]()
        for (k, s) in staffing.sites.enumerated() { openPosition[s.site] = k }
        let hasRoads = prepared.network != nil
        return prepared.sites.enumerated().map { k, site in
            let snap = prepared.siteSnaps[k]
            var cells: [Cell] = [.text(site.id), site.name.map(Cell.text) ?? .empty, .text(site.role.rawValue),
                                 .bool(openPosition[k] != nil),
                                 hasRoads ? .bool(snap != nil) : .empty,
                                 snap.map { .number($0.distanceMeters, 1) } ?? .empty]
            if let o = openPosition[k] {
                let s = staffing.sites[o]
                cells += [.number(s.assignedPopulation, 3), .number(s.assignedFilingsPerYear, 1),
                          s.capacityPerYear.map { .number($0, 1) } ?? .empty,
                          s.counters.map(Cell.integer) ?? .empty,
                          .number(s.serviceMinutes, 3), .number(s.arrivalsPerHour, 3),
                          s.utilisation.map { .number($0, 4) } ?? .empty,
                          s.waitMinutes.map { .number($0, 2) } ?? .empty,
                          s.overCapacity.map(Cell.bool) ?? .empty,
                          site.zone.map(Cell.text) ?? .empty, .number(s.openingHoursPerWeek, 3),
                          .number(s.ownUnitFilingsPerYear, 1), .number(s.outsideStandardFilingsPerYear, 1)]
            } else {
                let hours = site.openingHoursPerWeek ?? p.openingHoursPerWeek
                let minutes = site.serviceMinutes ?? p.serviceMinutes
                let capacity = site.capacity ?? site.staff.map { Double($0) * hours * 52 * 60 / minutes }
                cells += [.empty, .empty, capacity.map { .number($0, 1) } ?? .empty, site.staff.map(Cell.integer) ?? .empty,
                          .number(minutes, 3), .empty, .empty, .empty, .empty,
                          site.zone.map(Cell.text) ?? .empty, .number(hours, 3), .empty, .empty]
            }
            return (site, cells)
        }
    }

    /// `sites.csv`.
    public static func sitesCSV(prepared: PreparedScenario, staffing: StaffingEvaluation) -> String {
        var out = siteColumns.joined(separator: ",") + "\n"
        for (_, cells) in rows(prepared: prepared, staffing: staffing) {
            out += cells.map { c -> String in
                switch c {
                case .text(let s): return CSVWriter.escape(s)
                case .number(let v, let d): return v.isInfinite ? (v > 0 ? "inf" : "-inf") : DecimalText.fixed(v, decimals: d)
                case .integer(let i): return String(i)
                case .bool(let b): return b ? "true" : "false"
                case .empty: return ""
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }

    /// `sites.geojson`: the sites as Points with the `sites.csv` columns.
    public static func sitesGeoJSON(prepared: PreparedScenario, staffing: StaffingEvaluation) -> String {
        let features = rows(prepared: prepared, staffing: staffing).map { site, cells in
            GeoJSONFeature(geometry: .point(site.position), properties: zip(siteColumns, cells).map { key, c in
                let v: GeoJSONProperty
                switch c {
                case .text(let s): v = .string(s)
                case .number(let x, let d): v = x.isFinite ? .number(x, decimals: d) : .null
                case .integer(let i): v = .integer(i)
                case .bool(let b): v = .bool(b)
                case .empty: v = .null
                }
                return (key, v)
            })
        }
        return GeoJSONWriter.featureCollection(features, name: "sites")
    }

    static func number(_ v: Double?, _ decimals: Int) -> OrderedJSON {
        guard let v, v.isFinite else { return .null }
        return .number(v, decimals: decimals)
    }

    /// The parameters used, with their values.
    public static func parametersMember(_ p: ServiceParameters) -> OrderedJSON.Member {
        .init("parameters", .object([
            .init("filings_per_person_year", .number(p.filingsPerPersonYear, decimals: 6)),
            .init("online_share", .share(p.onlineShare)),
            .init("service_minutes", .number(p.serviceMinutes, decimals: 3)),
            .init("opening_hours_per_week", .number(p.openingHoursPerWeek, decimals: 3)),
            .init("peak_factor", .number(p.peakFactor, decimals: 3)),
        ]))
    }

    /// The totals of a staffing evaluation (the `staffing` member of summary.json and plan.json).
    public static func totalsMembers(_ e: StaffingEvaluation) -> [OrderedJSON.Member] {
        [
            parametersMember(e.parameters),
            .init("demand_filings_per_year", .number(e.demandFilingsPerYear, decimals: 1)),
            .init("online_filings_per_year", .number(e.onlineFilingsPerYear, decimals: 1)),
            .init("counter_filings_per_year", .number(e.counterFilingsPerYear, decimals: 1)),
            .init("unassigned_filings_per_year", .number(e.unassignedFilingsPerYear, decimals: 1)),
            .init("outside_standard_filings_per_year", .number(e.outsideStandardFilingsPerYear, decimals: 1)),
            .init("own_unit_fallback_population", .count(e.ownUnitFallbackPopulation)),
            .init("open_sites", .integer(e.sites.count)),
            .init("staffed_sites", .integer(e.sites.filter { $0.counters != nil }.count)),
            .init("counters", e.countersTotal.map(OrderedJSON.integer) ?? .null),
            .init("over_capacity_sites", .integer(e.overCapacitySites.count)),
            .init("mean_wait_minutes", number(e.meanWaitMinutes, 2)),
            .init("max_wait_minutes", number(e.maxWaitMinutes, 2)),
        ]
    }

    public static func staffingMember(_ e: StaffingEvaluation) -> OrderedJSON.Member {
        .init("staffing", .object(totalsMembers(e)))
    }

    /// Inserts `member` before the trailing `warnings` / `timings_s` members of a summary.
    public static func inserting(_ member: OrderedJSON.Member, into members: [OrderedJSON.Member]) -> [OrderedJSON.Member] {
        var m = members
        let at = m.firstIndex { $0.key == "warnings" || $0.key == "timings_s" } ?? m.count
        m.insert(member, at: at)
        return m
    }

    public static func inserting(_ member: OrderedJSON.Member, into json: OrderedJSON) -> OrderedJSON {
        guard case .object(let members) = json else { return json }
        return .object(inserting(member, into: members))
    }

    /// Per-zone comparison of file-anywhere with own-unit-only.
    public static func zonesMember(_ e: StaffingEvaluation) -> OrderedJSON.Member {
        .init("zones", .array(e.zones.map { z in
            .object([
                .init("zone", .string(z.zone)),
                .init("filings_per_year", .number(z.filingsPerYear, decimals: 1)),
                .init("filed_in_zone_file_anywhere", .number(z.filedInZoneFileAnywhere, decimals: 1)),
                .init("arriving_file_anywhere", .number(z.arrivingFileAnywhere, decimals: 1)),
                .init("arriving_own_unit", .number(z.arrivingOwnUnit, decimals: 1)),
            ])
        }))
    }

    /// One open site's figures for staff.json.
    static func siteObject(_ s: SiteService, prepared: PreparedScenario) -> OrderedJSON {
        let site = prepared.sites[s.site]
        return .object([
            .init("id", .string(site.id)),
            .init("name", site.name.map(OrderedJSON.string) ?? .null),
            .init("assigned_population", .count(s.assignedPopulation)),
            .init("assigned_filings_per_year", .number(s.assignedFilingsPerYear, decimals: 1)),
            .init("own_unit_assigned_filings_per_year", .number(s.ownUnitFilingsPerYear, decimals: 1)),
            .init("staff", s.counters.map(OrderedJSON.integer) ?? .null),
            .init("capacity", number(s.capacityPerYear, 1)),
            .init("arrivals_per_hour", .number(s.arrivalsPerHour, decimals: 3)),
            .init("utilisation", number(s.utilisation, 4)),
            .init("expected_wait_minutes", number(s.waitMinutes, 2)),
            .init("over_capacity", s.overCapacity.map(OrderedJSON.bool) ?? .null),
        ])
    }

    /// `staff.json`: the allocation, the fewest staff for the wait target, totals, sites
    /// (busiest first) and zones.
    public static func staffJSON(prepared: PreparedScenario, result: StaffingRun, warnings: [Warning]) -> OrderedJSON {
        let e = result.staffed
        let a = result.allocation
        var members: [OrderedJSON.Member] = [
            .init("scenario", .string(prepared.loaded.scenario.name)),
            .init("time_method", .string(prepared.timeMethod.rawValue)),
            .init("objective", .string(a.objective.rawValue)),
            .init("staff_total", .integer(a.staffTotal)),
            .init("open_site_ids", .array(e.sites.map { .string(prepared.sites[$0.site].id) })),
            .init("staff_needed_for_stability", a.staffNeededForStability >= Int.max / 2 ? .null : .integer(a.staffNeededForStability)),
            .init("unstable_sites", .array(a.unstableSites.map { .string(prepared.sites[e.sites[$0].site].id) })),
        ]
        if let target = result.maxWaitMinutes {
            var t: [OrderedJSON.Member] = [.init("max_wait_minutes", .number(target, decimals: 3)),
                                           .init("objective", .string(a.objective.rawValue))]
            if let f = result.fewest {
                t.append(.init("fewest_staff", .integer(f.staffTotal)))
                t.append(.init("met_by_staff_total", .bool(f.staffTotal <= a.staffTotal)))
            } else {
                t.append(.init("fewest_staff", .null))
                t.append(.init("met_by_staff_total", .bool(false)))
            }
            members.append(.init("wait_target", .object(t)))
        }
        members += totalsMembers(e)
        members.append(.init("sites", .array(e.busiest.map { siteObject(e.sites[$0], prepared: prepared) })))
        members.append(zonesMember(e))
        members.append(.init("warnings", .array(warnings.map { .string($0.message) })))
        return .object(members)
    }
}

/// A `reach staff` run: the loads, the allocation, the queues it gives and the fewest staff for
/// a wait target.
public struct StaffingRun: Sendable {
    public var allocation: StaffAllocation
    /// The loads with the allocation's counters.
    public var staffed: StaffingEvaluation
    public var maxWaitMinutes: Double?
    public var fewest: (staffTotal: Int, counters: [Int])?

    /// Allocates `staffTotal` counters over the open sites of `evaluation` and evaluates the queues.
    /// - Throws: ``PlannerError/invalidInput(reason:)`` when the total is below the number of open sites.
    public static func run(prepared: PreparedScenario, evaluation: CoverageEvaluation, staffTotal: Int,
                           objective: StaffAllocation.Objective, maxWaitMinutes: Double?) throws -> StaffingRun {
        let loads = StaffingEvaluation.evaluate(prepared: prepared, evaluation: evaluation)
        let queues = loads.queues
        let allocation = try StaffAllocation.allocate(queues, staffTotal: staffTotal, objective: objective)
        let fewest = maxWaitMinutes.flatMap { StaffAllocation.fewestStaff(queues, maxWaitMinutes: $0, objective: objective) }
        return StaffingRun(allocation: allocation, staffed: loads.staffed(allocation.counters, prepared: prepared),
                           maxWaitMinutes: maxWaitMinutes, fewest: fewest)
    }

    /// The smallest online share (≥ the scenario's) at which `staffTotal` staff meet the wait
    /// target, to 0.1 percentage point; nil when even the scenario's share is enough, 1 when only
    /// filing everything online would do. Counter filings scale with (1 − share), so the
    /// fewest staff fall as the share rises and a bisection finds the threshold.
    public static func onlineShareNeeded(_ queues: [StaffAllocation.Queue], currentShare: Double, staffTotal: Int,
                                         maxWaitMinutes: Double, objective: StaffAllocation.Objective) -> Double? {
        func fits(_ share: Double) -> Bool {
            let f = currentShare < 1 ? (1 - share) / (1 - currentShare) : 0
            let scaled = queues.map { StaffAllocation.Queue(arrivalsPerHour: $0.arrivalsPerHour * f,
                                                            serviceRatePerHour: $0.serviceRatePerHour, weight: $0.weight * f) }
            guard let n = StaffAllocation.fewestStaff(scaled, maxWaitMinutes: maxWaitMinutes, objective: objective,
                                                      limit: max(staffTotal, queues.count) + 1) else { return false }
            return n.staffTotal <= staffTotal
        }
        if fits(currentShare) { return nil }
        var lo = currentShare, hi = 1.0
        while hi - lo > 0.0005 {
            let mid = (lo + hi) / 2
            if fits(mid) { hi = mid } else { lo = mid }
        }
        return (hi * 1000).rounded(.up) / 1000
    }
}
