import CCbc
import Foundation
import Synchronization

/// CBC's solver driver (`Cbc_solve` → `CbcMain`) keeps process-wide state: concurrent solves
/// corrupt each other (observed: status −1, no solution). Every solve holds this lock.
private let cbcLock = Mutex(())

/// The exact back end: COIN-OR CBC (Debian `coinor-libcbc-dev` ≥ 2.10) through its C interface,
/// warm-started from the heuristic and run under a time limit.
///
/// First greedy + swaps and the Lagrangian bound run (on at most ``lagrangianShare`` of the
/// time); when they already close the gap CBC is not called. Otherwise the core MILP
///
///     maximise Σᵢ wᵢ yᵢ  s.t.  yᵢ − Σ_{j∈Nᵢ} xⱼ ≤ 0 (each core demand),  Σⱼ xⱼ = K,
///     xⱼ ∈ {0, 1},  0 ≤ yᵢ ≤ 1
///
/// is loaded with `Cbc_loadProblem` (yᵢ may stay continuous: for integral x the optimum sets
/// yᵢ = min(1, Σ xⱼ)); a demand covered by a single site j is folded into xⱼ's objective
/// coefficient instead of getting a row. The heuristic's choice is given with
/// `Cbc_setMIPStartI`, the remaining time with `Cbc_setMaximumSeconds` (wall clock:
/// `timeMode elapsed`), and CBC is silenced with `Cbc_setLogLevel(0)`. The result keeps the better of CBC's and the heuristic's choice and the
/// smaller of the Lagrangian bound and `Cbc_getBestPossibleObjValue`. `Cbc_isProvenOptimal`
/// (or bound − covered ≤ the population tolerance) sets `provenOptimal`.
///
/// - Important: each call builds and destroys its own `Cbc_Model`; the solver value itself holds
///   no C state and is `Sendable`. CBC's driver is not re-entrant, so CBC runs are serialised by a
///   process-wide lock (the heuristic and Lagrangian phases still run concurrently).
public struct CBCSolver: CoverageSolver {
    public var name: String { "cbc" }
    /// Share of the time limit the Lagrangian bound may use before CBC starts.
    public var lagrangianShare: Double
    /// Skip CBC when the core has more covering pairs than this; nil means no limit.
    ///
    /// CBC checks its time limit between nodes, not inside the root LP: on the 200k-resident
    /// benchmark (11 million core pairs) a 60 s limit still had not returned after 240 s. Above
    /// the guard the answer is the heuristic's with the Lagrangian bound, and a note says so.
    public var maxCoveringPairs: Int?

    /// Kicks per chain of the iterated swap search (``IteratedSwapSearch``); 0 leaves a plain
    /// swap-local optimum.
    public var kickRounds: Int

    public init(lagrangianShare: Double = 0.3, maxCoveringPairs: Int? = 2_000_000, kickRounds: Int = 100) {
        self.kickRounds = kickRounds
        self.lagrangianShare = lagrangianShare
        self.maxCoveringPairs = maxCoveringPairs
    }

    /// The version string of the linked CBC library (`Cbc_getVersion`).
    public static var libraryVersion: String { String(cString: Cbc_getVersion()) }

    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        let deadline = Deadline(seconds: timeLimitSeconds)
        var clock = PhaseClock()
        let heuristic = SwapSearch.heuristicIncumbent(instance, timeLimitSeconds: timeLimitSeconds, kickRounds: kickRounds,
                                                      clock: &clock)
        let lagrangian = LagrangianBound.optimise(
            instance, incumbent: heuristic, deadline: Deadline(seconds: max(0, timeLimitSeconds) * lagrangianShare))
        clock.lap("lagrangian")
        var chosen = lagrangian.bestChosen
        if chosen != heuristic {
            chosen = SwapSearch.descend(instance, chosen: chosen, deadline: deadline)
            clock.lap("swap")
        }
        var covered = instance.corePopulation(covered: chosen)
        var bound = lagrangian.bound
        var notes = [lagrangian.note]
        func outcome(_ proven: Bool) -> SolverOutcome {
            SolverOutcome(chosen: chosen, coreUpperBound: bound, provenOptimal: proven, notes: notes, phases: clock.phases)
        }
        let tolerance = instance.populationTolerance
        if bound - covered <= tolerance {
            notes.append("cbc: not needed, the Lagrangian bound closed the gap")
            return outcome(true)
        }
        if let limit = maxCoveringPairs, instance.siteDemands.count > limit {
            notes.append("cbc: skipped, \(instance.siteDemands.count) covering pairs exceed the limit \(limit)")
            return outcome(false)
        }
        let remaining = deadline.remainingSeconds
        guard remaining > 0.01 else {
            notes.append("cbc: skipped, no time left")
            return outcome(false)
        }
        let result = try Self.runCBC(instance, warmStart: chosen, seconds: remaining)
        clock.lap("cbc")
        if let cbcChosen = result.chosen {
            let cbcCovered = instance.corePopulation(covered: cbcChosen)
            if cbcCovered > covered + tolerance { chosen = cbcChosen; covered = cbcCovered }
        }
        if result.bestPossible.isFinite { bound = min(bound, max(result.bestPossible, covered)) }
        if result.provenOptimal { bound = min(bound, max(covered, result.objective)) }
        let state = result.provenOptimal ? "proven optimal"
            : (result.secondsLimitReached ? "stopped at the time limit" : "stopped (status \(result.status))")
        notes.append("cbc: \(state)")
        return outcome(result.provenOptimal || bound - covered <= tolerance)
    }

    struct CBCResult {
        var chosen: [Int]?
        var objective: Double
        var bestPossible: Double
        var provenOptimal: Bool
        var secondsLimitReached: Bool
        var status: Int32
    }

    /// Builds the core MILP, solves it with CBC and reads the answer back.
    static func runCBC(_ instance: MCLPInstance, warmStart: [Int], seconds: Double) throws -> CBCResult {
        try cbcLock.withLock { _ in try runCBCUnlocked(instance, warmStart: warmStart, seconds: seconds) }
    }

    private static func runCBCUnlocked(_ instance: MCLPInstance, warmStart: [Int], seconds: Double) throws -> CBCResult {
        let m = instance.siteCount, n = instance.demandCount, k = instance.branchesToChoose
        // Rows: one per core demand covered by two or more sites, then the cardinality row.
        var rowOfDemand = [Int32](repeating: -1, count: n)
        var objective = [Double](repeating: 0, count: m)
        var rows = 0
        for i in 0 ..< n {
            let covering = instance.sites(covering: i)
            if covering.count == 1 {
                objective[Int(covering.first!)] += instance.demandWeights[i]
            } else {
                rowOfDemand[i] = Int32(rows)
                rows += 1
            }
        }
        let cardinalityRow = Int32(rows)
        let yCount = rows
        var starts: [CoinBigIndex] = [0]
        var index: [Int32] = []
        var value: [Double] = []
        index.reserveCapacity(instance.siteDemands.count + m + yCount)
        value.reserveCapacity(index.capacity)
        for j in 0 ..< m {
            for i in instance.demands(coveredBy: j) where rowOfDemand[Int(i)] >= 0 {
                index.append(rowOfDemand[Int(i)]); value.append(-1)
            }
            index.append(cardinalityRow); value.append(1)
            starts.append(CoinBigIndex(index.count))
        }
        for i in 0 ..< n where rowOfDemand[i] >= 0 {
            index.append(rowOfDemand[i]); value.append(1)
            objective.append(instance.demandWeights[i])
            starts.append(CoinBigIndex(index.count))
        }
        guard index.count < Int(Int32.max) else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "model too large (\(index.count) non-zeros)")
        }
        let columns = m + yCount
        let colLower = [Double](repeating: 0, count: columns)
        let colUpper = [Double](repeating: 1, count: columns)
        var rowLower = [Double](repeating: -Double.greatestFiniteMagnitude, count: rows + 1)
        var rowUpper = [Double](repeating: 0, count: rows + 1)
        rowLower[rows] = Double(k)
        rowUpper[rows] = Double(k)

        guard let model = Cbc_newModel() else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "Cbc_newModel returned NULL")
        }
        defer { Cbc_deleteModel(model) }
        Cbc_setLogLevel(model, 0)
        Cbc_setParameter(model, "log", "0")
        Cbc_setParameter(model, "slog", "0")
        // CBC measures its time limit in CPU seconds unless told otherwise; the planner's limit is
        // wall-clock (a busy machine would otherwise overrun it many times over).
        Cbc_setParameter(model, "timeMode", "elapsed")
        if index.count > 1_000_000 {
            // Large models: CGL preprocessing and root cuts are not interrupted by the time limit.
            Cbc_setParameter(model, "preprocess", "off")
            Cbc_setParameter(model, "cuts", "off")
        }
        Cbc_loadProblem(model, Int32(columns), Int32(rows + 1), starts, index, value, colLower, colUpper,
                        objective, rowLower, rowUpper)
        for j in 0 ..< m { Cbc_setInteger(model, Int32(j)) }
        Cbc_setObjSense(model, -1)  // maximise
        Cbc_setMaximumSeconds(model, max(0.01, seconds))
        Cbc_setAllowableGap(model, instance.populationTolerance)
        if warmStart.count == k {
            var startIndex = (0 ..< m).map { Int32($0) }
            var startValue = [Double](repeating: 0, count: m)
            for j in warmStart { startValue[j] = 1 }
            Cbc_setMIPStartI(model, Int32(m), &startIndex, &startValue)
        }
        let status = Cbc_solve(model)
        let proven = Cbc_isProvenOptimal(model) != 0
        var chosen: [Int]? = nil
        if let solution = Cbc_bestSolution(model) ?? UnsafeMutablePointer(mutating: Cbc_getColSolution(model)) {
            var picks: [Int] = []
            for j in 0 ..< m where solution[j] > 0.5 { picks.append(j) }
            if picks.count == k { chosen = picks }
        }
        return CBCResult(chosen: chosen, objective: Cbc_getObjValue(model),
                         bestPossible: Cbc_getBestPossibleObjValue(model), provenOptimal: proven,
                         secondsLimitReached: Cbc_isSecondsLimitReached(model) != 0, status: status)
    }
}
