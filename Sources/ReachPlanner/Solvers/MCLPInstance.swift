import ReachGeo

/// The core maximal covering problem every ``CoverageSolver`` works on: choose exactly
/// ``branchesToChoose`` of the ``selectableSites`` to maximise the population of the core demands
/// they cover.
///
/// It is derived from a ``CoverageProblem`` and a ``PlanningMode``:
/// - *forced* sites (existing sites in mode `.add`, required sites in both modes) are open in
///   every plan; the merged demands they cover form ``baselinePopulation`` and leave the core;
/// - merged demands no site covers form ``uncoverablePopulation`` and leave the core too;
/// - the remaining merged demands are the *core demands*; every site covering one of them is
///   selectable (a forced site would have removed it), so the core is a plain MCLP.
///
/// Local site index `j` stands for global site `selectableSites[j]`; local order follows global
/// order, so "lower local index" and "lower site index" agree.
public struct MCLPInstance: Sendable {
    /// The problem this core was derived from (for travel-time tie-breaks and reporting).
    public let problem: CoverageProblem
    /// The planning mode that decided which sites are forced.
    public let mode: PlanningMode
    /// Global indices of the sites open in every plan, ascending.
    public let forcedSites: [Int32]
    /// Global indices of the required sites (counted within the requested N), ascending.
    public let requiredSites: [Int32]
    /// Global indices of the sites a solver may choose, ascending (local index → global index).
    public let selectableSites: [Int32]
    /// How many selectable sites a plan opens (N minus the required sites).
    public private(set) var branchesToChoose: Int
    /// Population of merged demands covered by the forced sites.
    public let baselinePopulation: Double
    /// Population of merged demands no site covers.
    public let uncoverablePopulation: Double
    /// Population (weight) of each core demand.
    public let demandWeights: [Double]
    /// The merged demand each core demand stands for.
    public let demandMerged: [Int32]
    /// CSR offsets into ``demandSites``.
    public let demandSiteOffsets: [Int]
    /// Local site indices covering each core demand, ascending.
    public let demandSites: [Int32]
    /// CSR offsets into ``siteDemands`` (count = selectable sites + 1).
    public let siteDemandOffsets: [Int]
    /// Core demands covered by each local site, ascending.
    public let siteDemands: [Int32]
    /// Two populations closer than this are treated as equal (ties, proven optimality):
    /// `1e-9 × max(1, total population)` — far below one person, far above rounding noise.
    public let populationTolerance: Double

    /// Number of selectable sites.
    public var siteCount: Int { selectableSites.count }
    /// Number of core demands.
    public var demandCount: Int { demandWeights.count }
    /// Sum of the core demand weights: the most the core can contribute.
    public var coreTotalPopulation: Double { demandWeights.reduce(0, +) }

    /// Derives the core of `problem` for `mode`, choosing `branchesToChoose` selectable sites.
    /// - Complexity: O(P) for P covering pairs of merged demands.
    public init(problem: CoverageProblem, mode: PlanningMode, branchesToChoose: Int) {
        self.problem = problem
        self.mode = mode
        self.branchesToChoose = branchesToChoose
        var forced: [Int32] = [], required: [Int32] = [], selectable: [Int32] = []
        var localOfGlobal = [Int32](repeating: -1, count: problem.siteCount)
        var isForced = [Bool](repeating: false, count: problem.siteCount)
        for (j, site) in problem.sites.enumerated() {
            switch (site.role, mode) {
            case (.required, _):
                required.append(Int32(j)); forced.append(Int32(j)); isForced[j] = true
            case (.existing, .add):
                forced.append(Int32(j)); isForced[j] = true
            case (.existing, .consolidate), (.candidate, _):
                localOfGlobal[j] = Int32(selectable.count)
                selectable.append(Int32(j))
            }
        }
        self.forcedSites = forced
        self.requiredSites = required
        self.selectableSites = selectable

        // Pass 1: classify merged demands (uncoverable, baseline, core) and size the arrays.
        var baseline = 0.0, uncoverable = 0.0
        var coreOfMerged = [Int32](repeating: -1, count: problem.mergedDemandCount)
        var coreCount = 0, pairCount = 0
        for m in 0 ..< problem.mergedDemandCount {
            let lo = problem.mergedCoverOffsets[m], hi = problem.mergedCoverOffsets[m + 1]
            if lo == hi { uncoverable += problem.mergedPopulations[m]; continue }
            var forcedCover = false
            for k in lo ..< hi where isForced[Int(problem.mergedCoverSites[k])] { forcedCover = true; break }
            if forcedCover { baseline += problem.mergedPopulations[m]; continue }
            coreOfMerged[m] = Int32(coreCount)
            coreCount += 1
            pairCount += hi - lo
        }
        // Pass 2: fill the core CSR in both directions.
        var weights = [Double](repeating: 0, count: coreCount)
        var merged = [Int32](repeating: 0, count: coreCount)
        var offsets = [Int](repeating: 0, count: coreCount + 1)
        var sitesOfDemand = [Int32](repeating: 0, count: pairCount)
        var degree = [Int](repeating: 0, count: selectable.count + 1)
        var w = 0
        for m in 0 ..< problem.mergedDemandCount where coreOfMerged[m] >= 0 {
            let i = Int(coreOfMerged[m])
            weights[i] = problem.mergedPopulations[m]
            merged[i] = Int32(m)
            for k in problem.mergedCoverOffsets[m] ..< problem.mergedCoverOffsets[m + 1] {
                let local = localOfGlobal[Int(problem.mergedCoverSites[k])]
                sitesOfDemand[w] = local
                degree[Int(local) + 1] += 1
                w += 1
            }
            offsets[i + 1] = w
        }
        for j in 0 ..< selectable.count { degree[j + 1] += degree[j] }
        var fill = degree
        var demandsOfSite = [Int32](repeating: 0, count: pairCount)
        for i in 0 ..< coreCount {
            for k in offsets[i] ..< offsets[i + 1] {
                let j = Int(sitesOfDemand[k])
                demandsOfSite[fill[j]] = Int32(i)
                fill[j] += 1
            }
        }
        self.baselinePopulation = baseline
        self.uncoverablePopulation = uncoverable
        self.demandWeights = weights
        self.demandMerged = merged
        self.demandSiteOffsets = offsets
        self.demandSites = sitesOfDemand
        self.siteDemandOffsets = degree
        self.siteDemands = demandsOfSite
        self.populationTolerance = 1e-9 * max(1, problem.totalPopulation)
    }

    /// The same core with a different number of sites to choose (no rebuild: O(1)).
    public func choosing(_ branches: Int) -> MCLPInstance {
        var copy = self
        copy.branchesToChoose = branches
        return copy
    }

    /// The local sites covering core demand `demand`.
    @inlinable public func sites(covering demand: Int) -> ArraySlice<Int32> {
        demandSites[demandSiteOffsets[demand] ..< demandSiteOffsets[demand + 1]]
    }

    /// The core demands covered by local site `site`.
    @inlinable public func demands(coveredBy site: Int) -> ArraySlice<Int32> {
        siteDemands[siteDemandOffsets[site] ..< siteDemandOffsets[site + 1]]
    }

    /// The core population covered by the local sites `chosen` (baseline excluded).
    /// - Complexity: O(Σ demands of the chosen sites + core demands).
    public func corePopulation(covered chosen: some Sequence<Int>) -> Double {
        var covered = [Bool](repeating: false, count: demandCount)
        var sum = 0.0
        for j in chosen {
            for i in demands(coveredBy: j) where !covered[Int(i)] {
                covered[Int(i)] = true
                sum += demandWeights[Int(i)]
            }
        }
        return sum
    }

    /// The global indices of every open site when the local sites `chosen` are opened, ascending.
    public func openSites(choosing chosen: some Sequence<Int>) -> [Int32] {
        (forcedSites + chosen.map { selectableSites[$0] }).sorted()
    }

    /// Population-weighted travel minutes (person-minutes) of the original demands to their
    /// nearest covering open site, when the local sites `chosen` are opened; nil when the problem
    /// has no travel minutes.
    /// - Complexity: O(P) over all original covering pairs.
    public func weightedTravelMinutes(choosing chosen: some Sequence<Int>) -> Double? {
        guard let minutes = problem.demandCoverMinutes else { return nil }
        var open = [Bool](repeating: false, count: problem.siteCount)
        for s in forcedSites { open[Int(s)] = true }
        for j in chosen { open[Int(selectableSites[j])] = true }
        var sum = 0.0
        for i in 0 ..< problem.demandCount {
            var best = Double.infinity
            for k in problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1]
            where open[Int(problem.demandCoverSites[k])] && minutes[k] < best {
                best = minutes[k]
            }
            if best.isFinite { sum += problem.demandPopulations[i] * best }
        }
        return sum
    }
}

/// What a solver returns: a choice of local sites, and what it proved about it.
public struct SolverOutcome: Sendable, Hashable {
    /// The chosen local site indices (exactly ``MCLPInstance/branchesToChoose`` of them).
    public var chosen: [Int]
    /// A proven upper bound on the core population any choice can cover (baseline excluded),
    /// or nil when the solver proves none.
    public var coreUpperBound: Double?
    /// True when the solver proved `chosen` maximises the covered population.
    public var provenOptimal: Bool
    /// Short deterministic notes for the report (for example "cbc: stopped at the time limit").
    /// Timings never go here (outputs must be byte-identical across runs): see ``phases``.
    public var notes: [String]
    /// Wall-clock seconds of each phase.
    public var phases: [PhaseTiming]

    public init(chosen: [Int], coreUpperBound: Double?, provenOptimal: Bool, notes: [String] = [], phases: [PhaseTiming] = []) {
        self.chosen = chosen
        self.coreUpperBound = coreUpperBound
        self.provenOptimal = provenOptimal
        self.notes = notes
        self.phases = phases
    }
}

/// A method that chooses sites for an ``MCLPInstance``.
///
/// Conformers: ``GreedySolver`` (lazy greedy), ``GreedySwapSolver`` (greedy then Teitz–Bart
/// swaps), ``LagrangianSolver`` (greedy + swaps + a Lagrangian upper bound), ``CBCSolver``
/// (all of that, then COIN-OR CBC warm-started under a time limit) and ``ExhaustiveSolver``
/// (every subset; a test oracle for tiny inputs). Ties between choices are broken afterwards by
/// ``CoverageProblem/solve(_:using:timeLimitSeconds:)`` (see "Coverage problem types").
public protocol CoverageSolver: Sendable {
    /// A short name for reports (`plan.json` `solver.name`).
    var name: String { get }
    /// Chooses ``MCLPInstance/branchesToChoose`` local sites.
    /// - Parameter timeLimitSeconds: wall-clock budget; solvers that cannot use it ignore it.
    func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome
    /// True when ``CoverageProblem/solve(_:using:timeLimitSeconds:)`` should apply the tie rules
    /// afterwards by coverage-neutral swaps (default true). ``ExhaustiveSolver`` applies them
    /// itself; ``GreedySolver`` keeps its pick order (its own ties go to the lower site index).
    var polishesTies: Bool { get }
}

extension CoverageSolver {
    public var polishesTies: Bool { true }
}
