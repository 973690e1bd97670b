import CCbc
import Foundation
import Synchronization

/// CBC's solver driver (`Cbc_solve` → `CbcMain`) keeps process-wide state: concurrent solves in
/// one process corrupted each other (observed: status −1, no solution). `Cbc_solve` now runs in a
/// child process, but building and loading models still share the library: every solve holds
/// this lock.
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
/// `Cbc_setMIPStartI`, 90 % of the remaining time with `Cbc_setMaximumSeconds` (wall clock:
/// `timeMode elapsed`), and CBC is silenced with `Cbc_setLogLevel(0)`. `Cbc_solve` runs in a
/// forked child that is killed when the remaining time is up, because CBC does not check its
/// limit inside the root LP. The result keeps the better of CBC's and the heuristic's choice and the
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
    /// The time limit holds at any size (CBC runs in a child process, see ``runCBC(_:warmStart:seconds:)``),
    /// so the guard is about memory and use: CBC's copies of the model take ≈ 40 bytes per
    /// covering pair, and on the 200k-resident benchmark (21 million pairs, 1.2 GB) CBC had not
    /// finished its root LP after 52 s. Above the guard the answer is the heuristic's with the
    /// Lagrangian bound, and a note says so.
    public var maxCoveringPairs: Int?

    /// Kicks per chain of the iterated swap search (``IteratedSwapSearch``); 0 leaves a plain
    /// swap-local optimum.
    public var kickRounds: Int

    public init(lagrangianShare: Double = 0.3, maxCoveringPairs: Int? = 8_000_000, kickRounds: Int = 100) {
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
            : result.killedAtTimeLimit ? "stopped at the time limit before returning an answer"
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
        /// True when the CBC process was killed at the time limit (before CBC itself stopped).
        var killedAtTimeLimit = false
    }

    /// Builds the core MILP, solves it with CBC in a child process under `seconds` of wall clock
    /// (see `solveIsolated`) and reads the answer back.
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
        Cbc_setAllowableGap(model, instance.populationTolerance)
        if warmStart.count == k {
            var startIndex = (0 ..< m).map { Int32($0) }
            var startValue = [Double](repeating: 0, count: m)
            for j in warmStart { startValue[j] = 1 }
            Cbc_setMIPStartI(model, Int32(m), &startIndex, &startValue)
        }
        return try solveIsolated(model, columns: m, branches: k, seconds: seconds)
    }

    /// Runs `Cbc_solve` in a forked child process and reads its answer from a shared mapping.
    ///
    /// CBC checks its time limit between branch-and-bound nodes, not inside the root LP or the
    /// preprocessing, so on a large model it can overrun the limit many times over. In a child
    /// process the limit is enforced from outside: CBC is told 90 % of `seconds`, and a child
    /// still running at `seconds` is killed (`SIGKILL`); the answer is then "no solution, time
    /// limit reached" and the heuristic's choice stands. The child only calls CBC's C interface
    /// and writes plain numbers into memory mapped before the fork, then leaves with `_exit`.
    private static func solveIsolated(_ model: UnsafeMutableRawPointer, columns m: Int, branches k: Int,
                                      seconds: Double) throws -> CBCResult {
        Cbc_setMaximumSeconds(model, max(0.01, 0.9 * seconds))
        // Layout (Doubles): [0] done flag, [1] status, [2] proven, [3] seconds limit reached,
        // [4] objective, [5] best possible, [6] has a solution, [7] spare, [8...] column values.
        let header = 8
        let bytes = (header + m) * MemoryLayout<Double>.stride
        guard let mapping = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0),
              mapping != MAP_FAILED else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "cannot map \(bytes) bytes for the answer")
        }
        defer { munmap(mapping, bytes) }
        let shared = mapping.bindMemory(to: Double.self, capacity: header + m)
        shared.initialize(repeating: 0, count: header + m)
        let start = DispatchTime.now().uptimeNanoseconds
        let pid = fork()
        if pid == 0 {
            let status = Cbc_solve(model)
            shared[1] = Double(status)
            shared[2] = Cbc_isProvenOptimal(model) != 0 ? 1 : 0
            shared[3] = Cbc_isSecondsLimitReached(model) != 0 ? 1 : 0
            shared[4] = Cbc_getObjValue(model)
            shared[5] = Cbc_getBestPossibleObjValue(model)
            if let solution = Cbc_bestSolution(model).map({ UnsafePointer($0) }) ?? Cbc_getColSolution(model) {
                for j in 0 ..< m { shared[header + j] = solution[j] }
                shared[6] = 1
            }
            shared[0] = 1
            _exit(0)
        }
        guard pid > 0 else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "fork failed (errno \(errno))")
        }
        var waitStatus: Int32 = 0
        var killed = false
        while true {
            let done = waitpid(pid, &waitStatus, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                throw PlannerError.solverFailure(solver: "cbc", reason: "waitpid failed (errno \(errno))")
            }
            if secondsSince(start) >= seconds {
                kill(pid, SIGKILL)
                while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
                killed = true
                break
            }
            usleep(2_000)
        }
        guard !killed else {
            return CBCResult(chosen: nil, objective: -.infinity, bestPossible: .infinity, provenOptimal: false,
                             secondsLimitReached: true, status: -1, killedAtTimeLimit: true)
        }
        guard shared[0] == 1 else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "the CBC process ended without an answer (wait status \(waitStatus))")
        }
        var chosen: [Int]? = nil
        if shared[6] == 1 {
            let picks = (0 ..< m).filter { shared[header + $0] > 0.5 }
            if picks.count == k { chosen = picks }
        }
        return CBCResult(chosen: chosen, objective: shared[4], bestPossible: shared[5], provenOptimal: shared[2] == 1,
                         secondsLimitReached: shared[3] == 1, status: Int32(shared[1]))
    }
}
