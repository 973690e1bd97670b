internal import CCbc
import Foundation
import Synchronization

/// CBC's solver driver (`Cbc_solve` → `CbcMain`) keeps process-wide state: concurrent solves in
/// one process corrupted each other (observed: status −1, no solution). Every solve holds this
/// lock, whether it runs here or in the worker process (one CBC run at a time, as before).
private let cbcLock = Mutex(())

/// The worker executable used when a ``CBCSolver`` is built without one (``CBCSolver/defaultWorker``).
private let defaultWorkerStore = Mutex<URL?>(nil)

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
/// `timeMode elapsed`), and CBC is silenced with `Cbc_setLogLevel(0)`. The result keeps the
/// better of CBC's and the heuristic's choice and the smaller of the Lagrangian bound and
/// `Cbc_getBestPossibleObjValue`. `Cbc_isProvenOptimal` (or bound − covered ≤ the population
/// tolerance) sets `provenOptimal`.
///
/// Where CBC runs. With a ``worker`` executable (the CLI passes its own, `reach __cbc-worker`),
/// every CBC run happens in that separate process (``CBCWorker``): the model goes to it in a
/// compact binary file, the answer comes back through a pipe, and the worker is SIGKILLed when
/// the time is up (CBC does not check its limit inside the root LP), when the run is interrupted
/// (SIGINT/SIGTERM, via ``Interruption``), and it leaves by itself when this process dies. It
/// replaced a `fork()` without `exec`, which is unsafe in a multi-threaded process (the child may
/// inherit a lock another thread held, e.g. in `malloc`). Without a worker (library use, tests)
/// CBC runs in this process; it is then stopped only by its own node and time limits. Either way
/// the same model with the same parameters is solved, so the answers are identical.
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
    /// The time limit holds at any size (with a ``worker``, CBC runs in a process killed at the limit),
    /// so the guard is about memory and use: CBC's copies of the model take ≈ 40 bytes per
    /// covering pair, and on the 200k-resident benchmark (21 million pairs, 1.2 GB) CBC had not
    /// finished its root LP after 52 s. Above the guard the answer is the heuristic's with the
    /// Lagrangian bound, and a note says so.
    public var maxCoveringPairs: Int?

    /// Kicks per chain of the iterated swap search (``IteratedSwapSearch``); 0 leaves a plain
    /// swap-local optimum.
    public var kickRounds: Int
    /// Most resident–site pairs (residents with population) for the exact travel-minute tie-break
    /// once coverage is proven optimal; above it the tie polish compares minutes by swaps only.
    public var maxTieBreakPairs: Int

    /// Most branch-and-bound nodes per CBC run; nil derives it from the time limit given to
    /// ``solve(_:timeLimitSeconds:)`` (``defaultNodeLimit(forSeconds:)``). That limit is fixed
    /// by the caller's time limit and question (``CoverageProblem/solve(_:using:timeLimitSeconds:)``
    /// never passes "the time left"), so reruns make the same CBC runs.
    ///
    /// The node limit, not the clock, is meant to end CBC: a run stopped by the node limit gives
    /// the same answer on every machine and every rerun, while a run stopped by the time limit
    /// gives whatever CBC had reached by then. Such an answer is therefore not used (the
    /// heuristic's plan and the Lagrangian bound stand, and a note says so).
    public var nodeLimit: Int?
    /// Where progress lines go (best covered, bound, gap after each phase of the search); nil: none.
    public var progress: SolveProgress?

    /// The executable that runs CBC in a separate process (`EXECUTABLE __cbc-worker`, see
    /// ``CBCWorker``); nil runs CBC in this process.
    public var worker: URL?

    /// The ``worker`` of solvers built without one: `reach` sets its own executable at start-up;
    /// nil (the default, e.g. inside a test runner) means in-process.
    public static var defaultWorker: URL? {
        get { defaultWorkerStore.withLock { $0 } }
        set { defaultWorkerStore.withLock { $0 = newValue } }
    }

    public init(lagrangianShare: Double = 0.3, maxCoveringPairs: Int? = 8_000_000, kickRounds: Int = 100,
                maxTieBreakPairs: Int = 50_000, nodeLimit: Int? = nil, worker: URL? = CBCSolver.defaultWorker) {
        self.worker = worker
        self.nodeLimit = nodeLimit
        self.maxTieBreakPairs = maxTieBreakPairs
        self.kickRounds = kickRounds
        self.lagrangianShare = lagrangianShare
        self.maxCoveringPairs = maxCoveringPairs
    }

    /// Two nodes per second of time limit (at least 10; none for an unlimited time). On the
    /// project's 2-core machine a node of the Hanoi consolidation model takes ≈ 0.2 s, so the
    /// node limit normally binds well before the clock.
    public static func defaultNodeLimit(forSeconds seconds: Double) -> Int? {
        guard seconds.isFinite else { return nil }
        return max(10, Int((2 * max(0, seconds)).rounded(.down)))
    }

    /// The version string of the linked CBC library (`Cbc_getVersion`).
    public static var libraryVersion: String { String(cString: Cbc_getVersion()) }

    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        let deadline = Deadline(seconds: timeLimitSeconds)
        var clock = PhaseClock()
        let (heuristic, swapNote) = SwapSearch.heuristicIncumbent(instance, timeLimitSeconds: timeLimitSeconds,
                                                                  kickRounds: kickRounds, clock: &clock)
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
        progress?.update(stage: "heuristic and Lagrangian bound done", covered: covered, bound: bound)
        defer { progress?.update(stage: "done", covered: covered, bound: bound) }
        var notes = [swapNote, lagrangian.note].compactMap { $0 }
        func outcome(_ proven: Bool) -> SolverOutcome {
            SolverOutcome(chosen: chosen, coreUpperBound: bound, provenOptimal: proven, notes: notes, phases: clock.phases)
        }
        let tolerance = instance.populationTolerance
        /// Once the population is proven optimal: the exact travel-minute tie-break.
        func provenOutcome() throws -> SolverOutcome {
            if let (tieChosen, note) = try breakTiesExactly(instance, chosen: chosen, deadline: deadline, timeLimitSeconds: timeLimitSeconds) {
                if let tieChosen { chosen = tieChosen }
                notes.append(note)
                clock.lap("cbc ties")
            }
            return outcome(true)
        }
        if bound - covered <= tolerance {
            notes.append("cbc: not needed, the Lagrangian bound closed the gap")
            return try provenOutcome()
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
        let nodes = nodeLimit ?? Self.defaultNodeLimit(forSeconds: timeLimitSeconds)
        progress?.update(stage: "cbc branch-and-bound (node limit \(nodes.map(String.init) ?? "none"))", covered: nil, bound: nil)
        let result: CBCResult
        do {
            result = try Self.runCBC(instance, warmStart: chosen, seconds: remaining, nodeLimit: nodes, worker: worker)
        } catch PlannerError.solverFailure(_, let reason) {
            // CBC failing (a crash of its process, a model it cannot load) costs the exact phase,
            // not the plan: the heuristic's choice and the Lagrangian bound are still proven.
            notes.append("cbc: failed (\(reason)); the heuristic's plan and the Lagrangian bound stand")
            return outcome(false)
        }
        clock.lap("cbc")
        if result.stoppedByTime {
            notes.append("cbc: stopped at the time limit before its node limit (\(nodes.map(String.init) ?? "none")); its answer is not used, so that a rerun gives the same plan")
            return outcome(false)
        }
        if let cbcChosen = result.chosen {
            let cbcCovered = instance.corePopulation(covered: cbcChosen)
            if cbcCovered > covered + tolerance { chosen = cbcChosen; covered = cbcCovered }
        }
        if result.bestPossible.isFinite { bound = min(bound, max(result.bestPossible, covered)) }
        if result.provenOptimal { bound = min(bound, max(covered, result.objective)) }
        let state = result.provenOptimal ? "proven optimal" : result.nodeLimitReached ? "stopped at its node limit" : "stopped (status \(result.status))"
        notes.append("cbc: \(state) (\(result.nodes) nodes\(result.droppedSites > 0 ? ", \(result.droppedSites) dominated sites left out" : ""))")
        return result.provenOptimal || bound - covered <= tolerance ? try provenOutcome() : outcome(false)
    }

    /// Applies the first tie rule exactly when coverage is proven optimal and the problem has
    /// travel minutes: among all plans covering the optimum, CBC finds the one with the fewest
    /// population-weighted travel minutes (each covered resident counted at its nearest open
    /// covering site, as ``MCLPInstance/weightedTravelMinutes(choosing:)``), warm-started from
    /// `chosen`. Returns nil when there is nothing to do, else the better choice (nil when
    /// `chosen` stays) and a note for `solver.notes`.
    ///
    /// The model, over the original (unmerged) residents i with positive population pᵢ, with fᵢ
    /// the minutes to i's nearest *forced* (always open) covering site, ∞ if none:
    ///
    ///     minimise Σ pᵢ tᵢₛ zᵢₛ + Σ pᵢ fᵢ φᵢ
    ///     s.t.  zᵢₛ ≤ xₛ,  Σₛ zᵢₛ + φᵢ = 1 (fᵢ finite),  Σₛ zᵢₛ ≤ 1 (fᵢ = ∞),
    ///           Σ_{i: fᵢ=∞} pᵢ Σₛ zᵢₛ ≥ core optimum − tolerance,  Σ xⱼ = K,  x binary,  z, φ ∈ [0, 1],
    ///
    /// where s runs over the selectable sites covering i that are nearer than fᵢ (residents with
    /// none keep fᵢ whatever is chosen and are left out). For binary x no plan covers more than
    /// the optimum, so the coverage row forces every coverable resident to be fully assigned, and
    /// the minimum assigns each to its nearest open site. CBC's answer is re-checked with exact
    /// sums and kept only when it covers the optimum and has fewer minutes.
    private func breakTiesExactly(_ instance: MCLPInstance, chosen: [Int], deadline: Deadline,
                                  timeLimitSeconds: Double) throws -> ([Int]?, String)? {
        let problem = instance.problem
        guard let minutes = problem.demandCoverMinutes, instance.branchesToChoose > 0,
              instance.branchesToChoose < instance.siteCount else { return nil }
        let m = instance.siteCount, k = instance.branchesToChoose
        var localOfGlobal = [Int32](repeating: -1, count: problem.siteCount)
        for (j, g) in instance.selectableSites.enumerated() { localOfGlobal[Int(g)] = Int32(j) }
        var isForced = [Bool](repeating: false, count: problem.siteCount)
        for g in instance.forcedSites { isForced[Int(g)] = true }
        // Each resident's forced minutes, and which of its pairs can matter.
        var forcedMinutes = [Double](repeating: .infinity, count: problem.demandCount)
        /// Pair `q` of resident `i` enters the model: a selectable site nearer than any forced one.
        func enters(_ i: Int, _ q: Int) -> Bool {
            localOfGlobal[Int(problem.demandCoverSites[q])] >= 0 && minutes[q] < forcedMinutes[i]
        }
        var pairs = 0
        for i in 0 ..< problem.demandCount where problem.demandPopulations[i] > 0 {
            let range = problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1]
            for q in range where isForced[Int(problem.demandCoverSites[q])] { forcedMinutes[i] = min(forcedMinutes[i], minutes[q]) }
            for q in range where enters(i, q) { pairs += 1 }
        }
        guard pairs <= maxTieBreakPairs else {
            return (nil, "cbc ties: travel minutes compared by swaps only (\(pairs) resident–site pairs exceed \(maxTieBreakPairs))")
        }
        let seconds = deadline.remainingSeconds
        guard seconds > 0.01 else { return (nil, "cbc ties: no time left, travel minutes compared by swaps only") }
        // Rows: one per resident whose minutes can change, one per pair, then coverage and cardinality.
        var residentRow = [Int32](repeating: -1, count: problem.demandCount)
        var pairRow = [Int32](repeating: -1, count: problem.demandCoverSites.count)
        var pairRowsOfSite = [[Int32]](repeating: [], count: m)
        var rows: Int32 = 0
        for i in 0 ..< problem.demandCount where problem.demandPopulations[i] > 0 {
            var first = true
            for q in problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1] {
                guard enters(i, q) else { continue }
                let local = localOfGlobal[Int(problem.demandCoverSites[q])]
                if first { residentRow[i] = rows; rows += 1; first = false }
                pairRow[q] = rows
                pairRowsOfSite[Int(local)].append(rows)
                rows += 1
            }
        }
        let coverageRow = rows, cardinalityRow = rows + 1
        var rowLower = [Double](repeating: -.greatestFiniteMagnitude, count: Int(rows) + 2)
        var rowUpper = [Double](repeating: 0, count: Int(rows) + 2)
        let tolerance = instance.populationTolerance
        let before = instance.weightedTravelMinutes(choosing: chosen) ?? 0
        var model = CBCModel(integerColumns: m, maximise: false, allowableGap: 1e-9 * max(1, before))
        for j in 0 ..< m {
            for row in pairRowsOfSite[j] { model.entry(row: row, -1) }
            model.entry(row: cardinalityRow, 1)
            model.closeColumn(objective: 0, upper: 1)
        }
        for i in 0 ..< problem.demandCount where residentRow[i] >= 0 {
            let p = problem.demandPopulations[i], row = residentRow[i]
            let forced = forcedMinutes[i].isFinite
            for q in problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1] where pairRow[q] >= 0 {
                model.entry(row: row, 1)
                model.entry(row: pairRow[q], 1)
                if !forced { model.entry(row: coverageRow, p) }
                model.closeColumn(objective: p * minutes[q], upper: 1)
            }
            if forced {
                model.entry(row: row, 1)
                model.closeColumn(objective: p * forcedMinutes[i], upper: 1)
                rowLower[Int(row)] = 1
            }
            rowUpper[Int(row)] = 1
        }
        rowLower[Int(coverageRow)] = instance.corePopulation(covered: chosen) - tolerance
        rowUpper[Int(coverageRow)] = .greatestFiniteMagnitude
        rowLower[Int(cardinalityRow)] = Double(k)
        rowUpper[Int(cardinalityRow)] = Double(k)
        model.rows(lower: rowLower, upper: rowUpper)
        var start = [Double](repeating: 0, count: m)
        for j in chosen { start[j] = 1 }
        let answer: CBCModel.Answer
        do {
            answer = try model.solve(warmStart: start, readColumns: m, seconds: seconds,
                                     nodeLimit: nodeLimit ?? Self.defaultNodeLimit(forSeconds: timeLimitSeconds), worker: worker)
        } catch PlannerError.solverFailure(_, let reason) {
            return (nil, "cbc ties: failed (\(reason)); travel minutes compared by swaps only")
        }
        if answer.stoppedByTime {
            return (nil, "cbc ties: stopped at the time limit; travel minutes compared by swaps only")
        }
        let state = answer.provenOptimal ? "fewest travel minutes proven"
            : answer.nodeLimitReached ? "stopped at its node limit" : "stopped (status \(answer.status))"
        var better: [Int]? = nil
        if let values = answer.columnValues {
            let picks = (0 ..< m).filter { values[$0] > 0.5 }
            let optimum = instance.corePopulation(covered: chosen)
            if picks.count == k, instance.corePopulation(covered: picks) >= optimum - tolerance,
               let after = instance.weightedTravelMinutes(choosing: picks), after < before - 1e-9 * max(1, before) {
                better = picks
            }
        }
        return (better, "cbc ties: \(state)")
    }

    /// CBC's answer for the core model, with the chosen sites read from it.
    @dynamicMemberLookup
    struct CBCResult {
        /// The chosen local sites, when CBC returned a solution choosing exactly K.
        var chosen: [Int]?
        var answer: CBCModel.Answer
        /// Dominated sites left out of the model (``MCLPReduction``).
        var droppedSites = 0

        subscript<T>(dynamicMember field: KeyPath<CBCModel.Answer, T>) -> T { answer[keyPath: field] }
    }

    /// Builds the core MILP (reduced: dominated sites out, always-covered demands a constant, equal
    /// rows merged — same optimum, so CBC's bound plus the constant bounds the core), solves it
    /// with CBC under `seconds` of wall clock (in `worker` when given, see
    /// ``CBCModel/solve(warmStart:readColumns:seconds:nodeLimit:worker:)``) and reads the answer back.
    static func runCBC(_ instance: MCLPInstance, warmStart: [Int], seconds: Double, nodeLimit: Int? = nil,
                       worker: URL? = CBCSolver.defaultWorker) throws -> CBCResult {
        let k = instance.branchesToChoose
        let reduction = MCLPReduction.compute(instance)
        let m = reduction.keptSites.count, n = reduction.rowWeights.count
        // Rows: one per reduced demand covered by two or more kept sites, then the cardinality row.
        var rowOfDemand = [Int32](repeating: -1, count: n)
        var siteObjective = [Double](repeating: 0, count: m)
        var demandsOfColumn = [[Int32]](repeating: [], count: m)
        var rows = 0
        for i in 0 ..< n {
            let covering = reduction.rowColumns[reduction.rowOffsets[i] ..< reduction.rowOffsets[i + 1]]
            if covering.count == 1 {
                siteObjective[Int(covering.first!)] += reduction.rowWeights[i]
            } else {
                rowOfDemand[i] = Int32(rows)
                rows += 1
                for c in covering { demandsOfColumn[Int(c)].append(Int32(i)) }
            }
        }
        let cardinalityRow = Int32(rows)
        var model = CBCModel(integerColumns: m, maximise: true, allowableGap: instance.populationTolerance)
        model.reserve(entries: reduction.rowColumns.count + m + rows)
        for c in 0 ..< m {
            for i in demandsOfColumn[c] { model.entry(row: rowOfDemand[Int(i)], -1) }
            model.entry(row: cardinalityRow, 1)
            model.closeColumn(objective: siteObjective[c], upper: 1)
        }
        for i in 0 ..< n where rowOfDemand[i] >= 0 {
            model.entry(row: rowOfDemand[i], 1)
            model.closeColumn(objective: reduction.rowWeights[i], upper: 1)
        }
        model.rows(rows, lower: -.greatestFiniteMagnitude, upper: 0)
        model.rows(1, lower: Double(k), upper: Double(k))
        var start: [Double]? = nil
        if warmStart.count == k {
            var column = [Int](repeating: -1, count: instance.siteCount)
            for (c, j) in reduction.keptSites.enumerated() { column[j] = c }
            start = [Double](repeating: 0, count: m)
            for j in reduction.keptChoice(warmStart) { start![column[j]] = 1 }
        }
        var answer = try model.solve(warmStart: start, readColumns: m, seconds: seconds, nodeLimit: nodeLimit, worker: worker)
        answer.objective += reduction.constant
        answer.bestPossible += reduction.constant
        var chosen: [Int]? = nil
        if let values = answer.columnValues {
            let picks = (0 ..< m).filter { values[$0] > 0.5 }.map { reduction.keptSites[$0] }
            if picks.count == k { chosen = picks }
        }
        return CBCResult(chosen: chosen, answer: answer, droppedSites: reduction.droppedSiteCount)
    }
}

/// A mixed-integer program in CBC's column-major form, built column by column; the first
/// `integerColumns` columns are integer (binary with bounds 0…1).
struct CBCModel {
    private(set) var columnStarts: [CoinBigIndex] = [0]
    private(set) var rowIndex: [Int32] = []
    private(set) var values: [Double] = []
    private(set) var objective: [Double] = []
    private(set) var columnLower: [Double] = []
    private(set) var columnUpper: [Double] = []
    private(set) var rowLower: [Double] = []
    private(set) var rowUpper: [Double] = []
    let integerColumns: Int
    let maximise: Bool
    /// Absolute gap at which CBC may stop (`Cbc_setAllowableGap`).
    let allowableGap: Double

    init(integerColumns: Int, maximise: Bool, allowableGap: Double) {
        self.integerColumns = integerColumns
        self.maximise = maximise
        self.allowableGap = allowableGap
    }

    var columnCount: Int { objective.count }

    mutating func reserve(entries: Int) {
        rowIndex.reserveCapacity(entries)
        values.reserveCapacity(entries)
    }

    /// Adds a coefficient to the column being built.
    mutating func entry(row: Int32, _ value: Double) {
        rowIndex.append(row)
        values.append(value)
    }

    /// Ends the column being built.
    mutating func closeColumn(objective coefficient: Double, lower: Double = 0, upper: Double) {
        objective.append(coefficient)
        columnLower.append(lower)
        columnUpper.append(upper)
        columnStarts.append(CoinBigIndex(rowIndex.count))
    }

    /// Declares the next `count` rows with the same bounds (rows are numbered in declaration order).
    mutating func rows(_ count: Int, lower: Double, upper: Double) {
        rowLower.append(contentsOf: repeatElement(lower, count: count))
        rowUpper.append(contentsOf: repeatElement(upper, count: count))
    }

    /// Declares the next rows with their own bounds.
    mutating func rows(lower: [Double], upper: [Double]) {
        rowLower.append(contentsOf: lower)
        rowUpper.append(contentsOf: upper)
    }

    /// What CBC returned.
    struct Answer {
        /// The values of the first `readColumns` columns in the best solution, if any.
        var columnValues: [Double]?
        var objective: Double
        var bestPossible: Double
        var provenOptimal: Bool
        var secondsLimitReached: Bool
        var status: Int32
        var killedAtTimeLimit: Bool
        /// Branch-and-bound nodes CBC explored.
        var nodes: Int = 0
        var nodeLimitReached = false
        /// True when the wall clock, not CBC's own work, ended the run.
        var stoppedByTime: Bool { !provenOptimal && (secondsLimitReached || killedAtTimeLimit) }
    }

    /// Solves the model under `seconds` of wall clock and returns the answer; `warmStart` gives
    /// values for the integer columns (`Cbc_setMIPStartI`). With a `worker` executable CBC runs
    /// in that separate process (``CBCWorker``), killed when `seconds` are up; without one it
    /// runs in this process, where CBC checks its limit only between nodes.
    func solve(warmStart: [Double]?, readColumns: Int, seconds: Double, nodeLimit: Int?, worker: URL? = nil) throws -> Answer {
        guard rowIndex.count < Int(Int32.max) else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "model too large (\(rowIndex.count) non-zeros)")
        }
        let job = CBCJob(model: self, warmStart: warmStart, readColumns: min(readColumns, columnCount),
                         seconds: seconds, nodeLimit: nodeLimit)
        return try cbcLock.withLock { _ in
            if let worker { return try CBCWorker.solve(job, executable: worker) }
            return try job.solveInProcess()
        }
    }

    /// A new `Cbc_Model` holding this model and the run's parameters (the caller deletes it).
    /// The same function serves this process and the worker, so both solve the same model.
    func makeCbcModel(warmStart: [Double]?, seconds: Double, nodeLimit: Int?) throws -> UnsafeMutableRawPointer {
        guard let model = Cbc_newModel() else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "Cbc_newModel returned NULL")
        }
        Cbc_setLogLevel(model, 0)
        Cbc_setParameter(model, "log", "0")
        Cbc_setParameter(model, "slog", "0")
        // CBC measures its time limit in CPU seconds unless told otherwise; the planner's limit is
        // wall-clock (a busy machine would otherwise overrun it many times over).
        Cbc_setParameter(model, "timeMode", "elapsed")
        // Cutting planes: on the Hanoi consolidation model the root cut loop ran over 16 s without
        // reaching a node; without cuts CBC explores 30 nodes in 7 s and finds a better plan, and
        // the 20k-resident benchmark is proven optimal in 2.5 s instead of 4.4 s.
        Cbc_setParameter(model, "cuts", "off")
        if rowIndex.count > 1_000_000 {
            // Large models: CGL preprocessing takes long before the first node.
            Cbc_setParameter(model, "preprocess", "off")
        }
        if let nodeLimit { Cbc_setMaximumNodes(model, Int32(clamping: max(1, nodeLimit))) }
        Cbc_loadProblem(model, Int32(columnCount), Int32(rowLower.count), columnStarts, rowIndex, values,
                        columnLower, columnUpper, objective, rowLower, rowUpper)
        for j in 0 ..< integerColumns { Cbc_setInteger(model, Int32(j)) }
        Cbc_setObjSense(model, maximise ? -1 : 1)
        Cbc_setAllowableGap(model, allowableGap)
        if var start = warmStart, start.count == integerColumns {
            var startIndex = (0 ..< integerColumns).map { Int32($0) }
            Cbc_setMIPStartI(model, Int32(integerColumns), &startIndex, &start)
        }
        // CBC is told 90 % of the time; the worker is killed at the full time (CBC does not check
        // its limit inside the root LP or the preprocessing).
        Cbc_setMaximumSeconds(model, max(0.01, 0.9 * seconds))
        return model
    }

    /// The parts of the model, for ``CBCJob``'s encoding.
    init(integerColumns: Int, maximise: Bool, allowableGap: Double, columnStarts: [CoinBigIndex], rowIndex: [Int32],
         values: [Double], objective: [Double], columnLower: [Double], columnUpper: [Double],
         rowLower: [Double], rowUpper: [Double]) {
        self.init(integerColumns: integerColumns, maximise: maximise, allowableGap: allowableGap)
        self.columnStarts = columnStarts
        self.rowIndex = rowIndex
        self.values = values
        self.objective = objective
        self.columnLower = columnLower
        self.columnUpper = columnUpper
        self.rowLower = rowLower
        self.rowUpper = rowUpper
    }

    /// Answer layout (Doubles): [0] done flag, [1] status, [2] proven, [3] seconds limit reached,
    /// [4] objective, [5] best possible, [6] has a solution (+1) and node limit reached (+2),
    /// [7] nodes, then the first `columns` column values.
    static let answerHeader = 8

    /// Solves and writes the answer as plain numbers into `out` (`answerHeader + m` slots).
    static func runAndRecord(_ model: UnsafeMutableRawPointer, into out: UnsafeMutablePointer<Double>, columns m: Int) {
        let status = Cbc_solve(model)
        out[1] = Double(status)
        out[2] = Cbc_isProvenOptimal(model) != 0 ? 1 : 0
        out[3] = Cbc_isSecondsLimitReached(model) != 0 ? 1 : 0
        out[4] = Cbc_getObjValue(model)
        out[5] = Cbc_getBestPossibleObjValue(model)
        out[7] = Double(Cbc_getNodeCount(model))
        if Cbc_isNodeLimitReached(model) != 0 { out[6] += 2 }
        if let solution = Cbc_bestSolution(model).map({ UnsafePointer($0) }) ?? Cbc_getColSolution(model) {
            for j in 0 ..< m { out[answerHeader + j] = solution[j] }
            out[6] += 1
        }
        out[0] = 1
    }

    static func answer(from buffer: UnsafePointer<Double>, columns m: Int) -> Answer {
        let hasSolution = Int(buffer[6]) & 1 == 1
        return Answer(columnValues: hasSolution ? Array(UnsafeBufferPointer(start: buffer + answerHeader, count: m)) : nil,
                      objective: buffer[4], bestPossible: buffer[5], provenOptimal: buffer[2] == 1,
                      secondsLimitReached: buffer[3] == 1, status: Int32(buffer[1]), killedAtTimeLimit: false,
                      nodes: Int(buffer[7]), nodeLimitReached: Int(buffer[6]) & 2 == 2)
    }
}
