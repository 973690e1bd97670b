/// The chosen set with per-demand cover counts, for fast swap evaluation.
///
/// For each core demand it keeps how many chosen sites cover it and the XOR of their local
/// indices, so that when the count is 1 the XOR *is* the sole covering site. With it the change
/// of covered population for swapping chosen `s` out and unchosen `j` in is
/// `gain(j) − loss(s) + shared(s, j)`, where `gain(j)` is the uncovered population `j` covers,
/// `loss(s)` the population only `s` covers, and `shared(s, j)` the part of `loss(s)` that `j`
/// also covers (the "fast interchange" of Whitaker 1983).
struct CoverState {
    let instance: MCLPInstance
    private(set) var count: [Int32]
    private(set) var soleXor: [Int32]
    private(set) var inSet: [Bool]
    private(set) var chosen: [Int]
    /// For chosen sites: population only that site covers.
    private(set) var loss: [Double]
    private(set) var covered: Double
    /// Scratch: shared(s, j) for the candidate being evaluated, indexed by local site.
    private var shared: [Double]
    private var touched: [Int] = []

    init(_ instance: MCLPInstance, chosen: [Int]) {
        self.instance = instance
        count = [Int32](repeating: 0, count: instance.demandCount)
        soleXor = [Int32](repeating: 0, count: instance.demandCount)
        inSet = [Bool](repeating: false, count: instance.siteCount)
        loss = [Double](repeating: 0, count: instance.siteCount)
        shared = [Double](repeating: 0, count: instance.siteCount)
        self.chosen = []
        covered = 0
        for j in chosen { add(j) }
        recomputeLoss()
    }

    mutating func add(_ j: Int) {
        inSet[j] = true
        chosen.append(j)
        for i in instance.demands(coveredBy: j) {
            let d = Int(i)
            if count[d] == 0 { covered += instance.demandWeights[d] }
            count[d] += 1
            soleXor[d] ^= Int32(j)
        }
    }

    mutating func remove(_ j: Int) {
        inSet[j] = false
        chosen.removeAll { $0 == j }
        for i in instance.demands(coveredBy: j) {
            let d = Int(i)
            count[d] -= 1
            soleXor[d] ^= Int32(j)
            if count[d] == 0 { covered -= instance.demandWeights[d] }
        }
    }

    mutating func recomputeLoss() {
        for s in chosen {
            var sum = 0.0
            for i in instance.demands(coveredBy: s) where count[Int(i)] == 1 { sum += instance.demandWeights[Int(i)] }
            loss[s] = sum
        }
    }

    /// Evaluates unchosen `j`: returns gain(j) and calls `body(s, delta)` for every chosen `s`
    /// with the covered-population change of swapping `s` out and `j` in.
    mutating func evaluateSwaps(bringingIn j: Int, _ body: (Int, Double) -> Void) -> Double {
        var gain = 0.0
        for i in instance.demands(coveredBy: j) {
            let d = Int(i)
            switch count[d] {
            case 0: gain += instance.demandWeights[d]
            case 1:
                let s = Int(soleXor[d])
                if shared[s] == 0 { touched.append(s) }
                shared[s] += instance.demandWeights[d]
            default: break
            }
        }
        for s in chosen { body(s, gain - loss[s] + shared[s]) }
        for s in touched { shared[s] = 0 }
        touched.removeAll(keepingCapacity: true)
        return gain
    }

    mutating func swap(out s: Int, in j: Int) {
        remove(s)
        add(j)
        recomputeLoss()
    }
}

/// Teitz–Bart swap local search and the tie polish on top of it.
enum SwapSearch {
    /// A swap-local optimum from `chosen`: best-improvement swaps on ``SwapNeighbourhood`` when
    /// its tables fit (K·M ≤ ``IteratedSwapSearch/maximumTableCells``), else ``improve``.
    static func descend(_ instance: MCLPInstance, chosen: [Int], deadline: Deadline) -> [Int] {
        IteratedSwapSearch.search(instance, start: chosen, rounds: 0, deadline: deadline)
    }

    /// First-improvement swaps (for each unchosen site in turn, its best swap if it raises
    /// coverage) until a pass finds nothing: the fallback for sets too large for the tables of
    /// ``SwapNeighbourhood``, which needs only O(D) memory.
    /// - Complexity: O(passes × (P + M·K)) for P core covering pairs, M sites, K chosen.
    static func improve(_ instance: MCLPInstance, chosen: [Int], maxPasses: Int, deadline: Deadline) -> [Int] {
        guard !chosen.isEmpty, chosen.count < instance.siteCount else { return chosen }
        var state = CoverState(instance, chosen: chosen)
        let tolerance = instance.populationTolerance
        for _ in 0 ..< maxPasses {
            var improved = false
            for j in 0 ..< instance.siteCount where !state.inSet[j] {
                if deadline.hasPassed { return state.chosen }
                var bestS = -1, bestDelta = tolerance
                _ = state.evaluateSwaps(bringingIn: j) { s, delta in
                    if delta > bestDelta || (delta == bestDelta && bestS >= 0 && s > bestS) { bestDelta = delta; bestS = s }
                }
                if bestS >= 0 {
                    state.swap(out: bestS, in: j)
                    improved = true
                }
            }
            if !improved { break }
        }
        return state.chosen
    }

    /// Applies the tie rules by swaps that keep the covered population within the tolerance of
    /// the starting value (never raising it: that is the solver's job, so a plain greedy stays
    /// greedy): a swap is taken when it lowers the population-weighted travel minutes, or keeps
    /// them and replaces a site by one of lower index.
    ///
    /// It is a local search: exact for ``ExhaustiveSolver`` inputs only when the optimum's ties
    /// are one swap apart (the exhaustive solver applies the rules itself). Coverage-neutral swaps
    /// are read from the tables of ``SwapNeighbourhood`` (K additions per candidate); a set too
    /// large for them (K·M > ``IteratedSwapSearch/maximumTableCells``) is returned unpolished.
    /// - Parameter workBudget: most covering pairs scanned for travel-minute deltas.
    static func polishTies(_ instance: MCLPInstance, chosen: [Int], deadline: Deadline,
                           workBudget: Int = 20_000_000, maxPasses: Int = 20) -> [Int] {
        guard !chosen.isEmpty, chosen.count < instance.siteCount,
              chosen.count * instance.siteCount <= IteratedSwapSearch.maximumTableCells else { return chosen }
        var state = SwapNeighbourhood(instance, chosen: chosen)
        let tolerance = instance.populationTolerance
        let reference = state.covered
        let problem = instance.problem
        var open = [Bool](repeating: false, count: problem.siteCount)
        for s in instance.forcedSites { open[Int(s)] = true }
        for j in chosen { open[Int(instance.selectableSites[j])] = true }
        var work = 0
        let minutesTolerance = 1e-9 * max(1, instance.weightedTravelMinutes(choosing: chosen) ?? 0)

        /// Change of person-minutes when global site `gOut` closes and `gIn` opens.
        func minutesDelta(out gOut: Int, in gIn: Int) -> Double {
            guard let minutes = problem.demandCoverMinutes else { return 0 }
            var delta = 0.0
            func visit(_ m: Int) {
                for i32 in problem.members(ofMerged: m) {
                    let i = Int(i32)
                    var old = Double.infinity, new = Double.infinity
                    for k in problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1] {
                        let s = Int(problem.demandCoverSites[k])
                        let t = minutes[k]
                        if open[s], t < old { old = t }
                        let openAfter = s == gIn || (open[s] && s != gOut)
                        if openAfter, t < new { new = t }
                    }
                    work += problem.demandCoverOffsets[i + 1] - problem.demandCoverOffsets[i]
                    let p = problem.demandPopulations[i]
                    delta += (new.isFinite ? p * new : 0) - (old.isFinite ? p * old : 0)
                }
            }
            for m in problem.mergedDemands(coveredBy: gOut) { visit(Int(m)) }
            for m in problem.mergedDemands(coveredBy: gIn) {
                let covers = problem.mergedCovers(Int(m))
                if binarySearch(covers, Int32(gOut)) { continue }
                visit(Int(m))
            }
            return delta
        }

        for _ in 0 ..< maxPasses {
            var changed = false
            for j in 0 ..< instance.siteCount where state.slotOfSite[j] < 0 {
                if deadline.hasPassed || work > workBudget { return state.chosen }
                // Coverage-neutral swaps bringing j in, by the site they give up (ascending).
                var neutral: [(site: Int, slot: Int)] = []
                let coveredNow = state.covered, floor = reference - tolerance
                for r in 0 ..< state.siteOfSlot.count {
                    let delta = state.delta(slot: r, site: j)
                    if coveredNow + delta >= floor, abs(delta) <= tolerance { neutral.append((Int(state.siteOfSlot[r]), r)) }
                }
                var pick = -1
                if !neutral.isEmpty {
                    let gj = Int(instance.selectableSites[j])
                    var bestMinutes = -minutesTolerance
                    var bestByIndex = -1
                    for (s, r) in neutral.sorted(by: { $0.site < $1.site }) {
                        let gs = Int(instance.selectableSites[s])
                        let dm = minutesDelta(out: gs, in: gj)
                        if dm < bestMinutes { bestMinutes = dm; pick = r }
                        if abs(dm) <= minutesTolerance, gj < gs { bestByIndex = r }
                    }
                    if pick < 0 { pick = bestByIndex }
                }
                if pick >= 0 {
                    open[Int(instance.selectableSites[Int(state.siteOfSlot[pick])])] = false
                    open[Int(instance.selectableSites[j])] = true
                    state.swap(slot: pick, in: j)
                    changed = true
                }
            }
            if !changed { break }
        }
        return state.chosen
    }
}

/// True when sorted `values` contains `x`.
func binarySearch(_ values: ArraySlice<Int32>, _ x: Int32) -> Bool {
    var lo = values.startIndex, hi = values.endIndex
    while lo < hi {
        let mid = (lo + hi) / 2
        if values[mid] < x { lo = mid + 1 } else { hi = mid }
    }
    return lo < values.endIndex && values[lo] == x
}

extension SwapSearch {
    /// The heuristic incumbent shared by the bounded solvers: lazy greedy, then
    /// ``IteratedSwapSearch`` (`kickRounds` kicks per chain, within `share` of the time limit);
    /// each phase is timed on `clock`.
    /// Returns the choice and, when the time limit cut the search short, a note for
    /// `solver.notes` (the plan may then differ between runs).
    static func heuristicIncumbent(_ instance: MCLPInstance, timeLimitSeconds: Double, kickRounds: Int,
                                   share: Double = 0.6, clock: inout PhaseClock) -> (chosen: [Int], note: String?) {
        let greedy = GreedySolver.greedyOrder(instance)
        clock.lap("greedy")
        let heuristic = IteratedSwapSearch.searchReporting(instance, start: greedy, rounds: kickRounds,
                                                           deadline: Deadline(seconds: max(0, timeLimitSeconds) * share))
        clock.lap("swaps")
        let note = heuristic.cutByDeadline
            ? "swaps: cut by the time limit before \(kickRounds) kicks per chain; allow more time for a reproducible plan" : nil
        return (heuristic.chosen, note)
    }
}
