import ReachGeo

/// A proposed network: the branches in roll-out order, what they cover, and how good the
/// proposal is proven to be. Immutable; ``CoverageProblem/solve(_:using:timeLimitSeconds:)``
/// makes a new one.
///
/// Populations are in residents (the unit of the input populations). Per-demand arrays are
/// indexed by the *original* demand index (input order), not by merged demand.
public struct CoverageSolution: Sendable, Hashable, Codable {
    /// One branch of the proposal, in roll-out order.
    public struct Branch: Sendable, Hashable, Codable {
        /// Index of the site in ``CoverageProblem/sites``.
        public var siteIndex: Int
        public var id: String
        public var role: SiteRole
        /// 1-based roll-out position: the first k branches are the plan for k branches.
        public var order: Int
        /// Population this branch newly covers after the branches before it.
        public var marginalPopulation: Double
        /// Population covered once this branch opens (baseline included).
        public var cumulativeCoveredPopulation: Double
    }

    /// One point of the coverage curve: what k branches achieve.
    public struct CurvePoint: Sendable, Hashable, Codable {
        /// Number of branches (k = 0 is the baseline: existing sites in mode `.add`).
        public var branches: Int
        /// Population covered by the first k branches of the roll-out (plus the baseline).
        public var coveredPopulation: Double
        /// `coveredPopulation / totalPopulation` (0 when the total is 0).
        public var coveredShare: Double
        /// A proven upper bound on what any k branches could cover; nil for k smaller than the
        /// number of required sites (every plan opens them all).
        public var upperBoundPopulation: Double?
    }

    /// How good the proposal is known to be.
    public enum Quality: Sendable, Hashable, Codable {
        /// No choice of as many branches covers more.
        case provenOptimal
        /// A heuristic answer; no choice covers more than `upperBound`.
        case heuristic(upperBound: Double)
    }

    /// Which solver answered, and how long the whole planning call took.
    public struct SolverReport: Sendable, Hashable, Codable {
        public var name: String
        /// Wall-clock seconds of the whole planning call.
        public var seconds: Double
        /// Deterministic notes (iterations, CBC status); identical inputs give identical notes
        /// unless a time limit cut a phase short.
        public var notes: [String]
        /// Wall-clock seconds of each phase (varies between runs).
        public var phases: [PhaseTiming]
    }

    /// The question answered.
    public var problemType: ProblemType
    /// N for `.coverage(branches:)`; nil for `.fewestBranches`.
    public var branchesRequested: Int?
    /// For `.fewestBranches`: the population to reach (`targetShare × coverablePopulation`).
    public var targetPopulation: Double?
    /// For `.fewestBranches`: true when no smaller number of branches can reach the target.
    public var branchCountProvenMinimal: Bool?
    /// The branches in roll-out order (required sites first, then the chosen sites; in mode
    /// `.add` existing sites are not branches: they are the baseline).
    public var branches: [Branch]
    /// Every open site (baseline and branches), by site index ascending.
    public var openSites: [Int]
    /// Sum of all populations.
    public var totalPopulation: Double
    /// Population covered when every site is open: the most any plan can cover.
    public var coverablePopulation: Double
    /// Population covered before any branch opens (existing sites in mode `.add`, else 0).
    public var baselinePopulation: Double
    /// Population covered by the proposal.
    public var coveredPopulation: Double
    /// Population not covered by the proposal (`totalPopulation − coveredPopulation`, summed
    /// over the uncovered demands).
    public var uncoveredPopulation: Double
    /// A proven upper bound on the population any choice of as many branches could cover.
    public var upperBoundPopulation: Double
    /// `(upperBoundPopulation − coveredPopulation) / upperBoundPopulation` (0 when the bound is 0).
    public var gap: Double
    /// True when no choice of as many branches covers more (within the population tolerance).
    public var provenOptimal: Bool
    public var quality: Quality
    /// Population-weighted travel minutes (person-minutes) to each covered demand's assigned
    /// site; nil when the problem has no travel minutes.
    public var weightedTravelMinutes: Double?
    public var solver: SolverReport
    /// Covered population for k = 0 … number of branches, with each k's upper bound.
    public var curve: [CurvePoint]
    /// Per original demand: covered by an open site.
    public var demandCovered: [Bool]
    /// Per original demand: the open site serving it — the covering open site with the fewest
    /// travel minutes (ties, or no minutes: the lower site index); nil when uncovered.
    public var assignedSite: [Int?]
    /// Per original demand: the roll-out order of the branch that newly covers it; nil when it is
    /// uncovered or covered from the start (baseline).
    public var coveringBranchOrder: [Int?]

    /// For a phased roll-out (``CoverageProblem/solvePhased(_:mode:using:timeLimitSeconds:progress:)``):
    /// one entry per phase, in order; nil for a plain plan.
    public var phases: [PhaseSummary]? = nil
    /// With zone rules (``CoverageProblem/solve(_:zoneRules:using:timeLimitSeconds:progress:)``):
    /// the floor, the zones that cannot reach it, the price of fairness; nil otherwise.
    public var zoneFloor: ZoneFloorReport? = nil

    /// The roll-out position after which no branch adds coverage (the branches after it are
    /// opened only because N asks for them): nil when every branch adds some.
    public var noFurtherGainAfter: Int? {
        guard let last = branches.last, last.marginalPopulation <= 1e-9 * max(1, totalPopulation) else { return nil }
        var k = branches.count
        while k > 0, branches[k - 1].marginalPopulation <= 1e-9 * max(1, totalPopulation) { k -= 1 }
        return k
    }

    /// `coveredPopulation / totalPopulation` (0 when the total is 0).
    public var coveredShare: Double { totalPopulation > 0 ? coveredPopulation / totalPopulation : 0 }
    /// Indices of the original demands left uncovered, ascending.
    public var uncoveredDemands: [Int] { demandCovered.indices.filter { !demandCovered[$0] } }
}
