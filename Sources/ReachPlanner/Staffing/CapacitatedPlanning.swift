import ReachGeo

/// `reach plan --capacitated`: the scenario's coverage sets, site capacities and counter filings
/// turned into a ``CapacitatedCoverageInstance``, solved, and evaluated.
public enum CapacitatedPlanning {
    public struct Result: Sendable {
        public var mode: PlanningMode
        public var branchesRequested: Int
        public var solution: CapacitatedCoverageSolution
        /// Global site indices of every open site (forced and chosen), ascending.
        public var openSites: [Int]
        /// The chosen sites (global), ascending.
        public var chosenSites: [Int]
        /// Per site (global): filings a year it can serve (`.infinity`: no limit).
        public var capacities: [Double]
        /// Coverage with the proposed network open; covered residents not fully served carry
        /// reason `over_capacity`.
        public var evaluation: CoverageEvaluation
        /// Per resident: the share of its filings served within capacity.
        public var residentServedShare: [Double]
        /// Population covered (by the coverage rule) but not served within capacity.
        public var overCapacityPopulation: Double
        public var warnings: [Warning]
    }

    /// A site's capacity in filings a year: the `capacity` column, else (its `staff`, else
    /// `defaultStaff`) × opening hours × 52 × 60 / service minutes, else no limit.
    public static func capacity(of site: Site, parameters: ServiceParameters, defaultStaff: Int?) -> Double {
        if let c = site.capacity { return c }
        guard let staff = site.staff ?? defaultStaff else { return .infinity }
        return Double(staff) * (site.openingHoursPerWeek ?? parameters.openingHoursPerWeek) * 52 * 60
            / (site.serviceMinutes ?? parameters.serviceMinutes)
    }

    public static func plan(prepared: PreparedScenario, mode: PlanningMode, branches: Int, defaultStaff: Int?,
                            timeLimitSeconds: Double, progress: ProgressReporter = .silent,
                            timings: inout StageTimings) throws -> Result {
        if mode == .add && prepared.loaded.candidates.isEmpty {
            throw PlannerError.invalidInput(reason: "--mode add chooses among candidates, and the scenario has none")
        }
        let sites = prepared.sites
        let sets = try CoverageSets.compute(prepared: prepared, siteIndices: Array(sites.indices), progress: progress, timings: &timings)
        let parameters = prepared.loaded.scenario.service
        let capacities = sites.map { capacity(of: $0, parameters: parameters, defaultStaff: defaultStaff) }
        var warnings: [Warning] = []
        if capacities.allSatisfy({ $0 == .infinity }) {
            warnings.append(Warning("--capacitated: no site has a staff or capacity value (and no --default-staff): every capacity is unlimited, so the plan is the uncapacitated one"))
        }
        var forced: [Int] = [], selectable: [Int] = [], required = 0
        for (j, s) in sites.enumerated() {
            switch (s.role, mode) {
            case (.required, _): forced.append(j); required += 1
            case (.existing, .add): forced.append(j)
            default: selectable.append(j)
            }
        }
        guard branches >= required else {
            throw PlannerError.invalidInput(reason: "\(branches) branches requested but \(required) sites are required (required sites count within N)")
        }
        guard branches - required <= selectable.count else {
            throw PlannerError.tooManyFacilities(requested: branches, available: required + selectable.count)
        }
        let weights = prepared.residents.map(\.population)
        let loads = DemandAssignment.counterFilings(residents: prepared.residents, parameters: parameters)
        let full = try CapacitatedCoverageInstance(weights: weights, loads: loads, offsets: sets.offsets, sites: sets.sites,
                                                   capacities: capacities, forced: forced, selectable: selectable,
                                                   branches: branches - required)
        let problem = try CoverageProblem.fromCoverageLists(populations: weights, sites: sites.map { PlanningSite(id: $0.id, role: $0.role) },
                                                            coverOffsets: sets.offsets, coverSites: sets.sites, coverMinutes: sets.minutes)
        let (solution, mergedIndex) = try solve(full, uncapacitated: problem, type: .coverage(mode, branches: branches),
                                                timeLimitSeconds: timeLimitSeconds, progress: progress, timings: &timings)
        let open = (forced + solution.chosen).sorted()
        var evaluation = try prepared.evaluate(openSites: open, timings: &timings)
        var share = [Double](repeating: 0, count: prepared.residents.count)
        var over = 0.0
        for i in share.indices {
            let k = Int(mergedIndex[i])
            share[i] = k >= 0 ? solution.servedShare[k] : 0
            if evaluation.outcomes[i].covered && share[i] < 1 - 1e-9 {
                evaluation.outcomes[i].reason = .overCapacity
                over += prepared.residents[i].population * (1 - share[i])
            }
        }
        return Result(mode: mode, branchesRequested: branches, solution: solution, openSites: open, chosenSites: solution.chosen,
                      capacities: capacities, evaluation: evaluation, residentServedShare: share,
                      overCapacityPopulation: over, warnings: warnings)
    }

    /// The solve of ``plan(prepared:mode:branches:defaultStaff:timeLimitSeconds:progress:timings:)``
    /// on a built instance: demands merged; the uncapacitated plan of the same coverage lists
    /// (`uncapacitated`, CBC with 40 % of the time) gives a proven bound on the covered — hence
    /// on the served — population and a second start; then ``CapacitatedCoverage/solve`` with the
    /// remaining 60 %. `mergedIndex[i]` is the merged demand of original demand i (−1: dropped).
    public static func solve(_ full: CapacitatedCoverageInstance, uncapacitated problem: CoverageProblem, type: ProblemType,
                             timeLimitSeconds: Double, progress: ProgressReporter = .silent,
                             timings: inout StageTimings) throws -> (solution: CapacitatedCoverageSolution, mergedIndex: [Int32]) {
        let (instance, mergedIndex) = full.merged()
        let uncapacitated = try timings.measure("solve") {
            try problem.solve(type, using: CBCSolver(), timeLimitSeconds: 0.4 * timeLimitSeconds)
        }
        let forcedSet = Set(full.forced)
        let uncapacitatedChosen = uncapacitated.openSites.filter { !forcedSet.contains($0) }
        progress.stage("solving the capacitated plan (\(instance.demandCount) merged demands, \(instance.sites.count) pairs, \(full.selectable.count) selectable sites)")
        let solution = try timings.measure("solve") {
            try CapacitatedCoverage.solve(instance, timeLimitSeconds: 0.6 * timeLimitSeconds,
                                          upperBoundHint: uncapacitated.upperBoundPopulation, alternativeStart: uncapacitatedChosen)
        }
        return (solution, mergedIndex)
    }

    /// The members `plan.json` gains with `--capacitated` (inserted before the warnings).
    public static func planMembers(prepared: PreparedScenario, result r: Result) -> [OrderedJSON.Member] {
        let s = r.solution
        func capacity(_ v: Double) -> OrderedJSON { v.isFinite ? .number(v, decimals: 1) : .null }
        return [
            .init("mode", .string(r.mode.rawValue)),
            .init("objective", .string("capacitated_coverage")),
            .init("branches_requested", .integer(r.branchesRequested)),
            .init("branches", .array(r.chosenSites.enumerated().map { k, j in
                let site = prepared.sites[j]
                return .object([
                    .init("id", .string(site.id)),
                    .init("name", site.name.map(OrderedJSON.string) ?? .null),
                    .init("lon", .number(site.position.lonDegrees, decimals: 7)),
                    .init("lat", .number(site.position.latDegrees, decimals: 7)),
                    .init("order", .integer(k + 1)),
                    .init("role", .string(site.role.rawValue)),
                    .init("capacity", capacity(r.capacities[j])),
                    .init("served_filings_per_year", .number(s.siteLoads[j], decimals: 1)),
                ])
            })),
            .init("open_sites", .integer(r.openSites.count)),
            .init("served_population", .count(s.servedPopulation)),
            .init("over_capacity_population", .count(r.overCapacityPopulation)),
            .init("upper_bound_population", .count(s.upperBoundPopulation)),
            .init("gap", .number(s.gap, decimals: 6)),
            .init("proven_optimal", .bool(s.provenOptimal)),
            .init("solver", .object([
                .init("name", .string("capacitated: greedy + cbc")),
                .init("notes", .array(s.notes.map { .string($0) })),
            ])),
        ]
    }
}
