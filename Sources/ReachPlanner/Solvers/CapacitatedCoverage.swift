internal import CCbc

/// Capacitated maximal covering: choose branches to maximise the population *served within
/// capacity* (ArcGIS's "maximize capacitated coverage"). Each open site j serves at most its
/// capacity C_j (filings a year); a demand's filings may be split among the open sites covering
/// it; what no open site has room for is unserved (reason `over_capacity`).
///
/// Model, over merged demands i (population w_i, filings f_i, covering sites N_i), binary x_j for
/// the selectable sites (forced sites are open) and continuous y_ij ∈ [0, 1], the share of demand
/// i served at j:
///
///     maximise   Σ_i w_i Σ_{j∈N_i} y_ij
///     subject to Σ_{j∈N_i} y_ij ≤ 1                      for every demand i
///                Σ_i f_i y_ij ≤ C_j x_j                   for every site j with finite capacity
///                y_ij ≤ x_j                               for every pair with j selectable
///                Σ_j x_j = K,  x binary.
///
/// Merging residents with identical covering sets is exact here (a split of a merged demand is a
/// proportional split of its residents). CBC solves it through its C interface, warm-started
/// from the greedy below; its best possible objective is the proven upper bound. With every
/// capacity infinite the model is the uncapacitated MCLP.
public struct CapacitatedCoverageInstance: Sendable {
    public var weights: [Double]
    public var loads: [Double]
    /// Covering sites of demand i: `sites[offsets[i]..<offsets[i+1]]` (global site indices, ascending).
    public var offsets: [Int]
    public var sites: [Int32]
    /// Per site (global): filings a year it can serve; `.infinity` for no limit.
    public var capacities: [Double]
    /// Sites open in every plan (ascending).
    public var forced: [Int]
    /// Sites a plan may open (ascending, disjoint from `forced`).
    public var selectable: [Int]
    /// How many selectable sites to open.
    public var branches: Int

    public init(weights: [Double], loads: [Double], offsets: [Int], sites: [Int32], capacities: [Double],
                forced: [Int], selectable: [Int], branches: Int) throws {
        guard weights.count == loads.count, offsets.count == weights.count + 1, offsets.last == sites.count else {
            throw PlannerError.invalidInput(reason: "capacitated coverage: one weight, one load and one covering list per demand")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), loads.allSatisfy({ $0 >= 0 && $0.isFinite }),
              capacities.allSatisfy({ $0 >= 0 && !$0.isNaN }) else {
            throw PlannerError.invalidInput(reason: "capacitated coverage: weights and loads must be finite and ≥ 0, capacities ≥ 0")
        }
        guard sites.allSatisfy({ $0 >= 0 && Int($0) < capacities.count }) else {
            throw PlannerError.invalidInput(reason: "capacitated coverage: a covering site is out of range")
        }
        guard branches >= 0, branches <= selectable.count else {
            throw PlannerError.tooManyFacilities(requested: branches, available: selectable.count)
        }
        self.weights = weights; self.loads = loads; self.offsets = offsets; self.sites = sites
        self.capacities = capacities; self.forced = forced.sorted(); self.selectable = selectable.sorted(); self.branches = branches
    }

    public var demandCount: Int { weights.count }

    /// The same instance with demands of identical covering sets (restricted to forced and
    /// selectable sites) merged, weights and loads summed; demands no such site covers dropped.
    /// `mergedIndex[i]` is the merged demand of original demand i (−1 when dropped).
    public func merged() -> (instance: CapacitatedCoverageInstance, mergedIndex: [Int32]) {
        var usable = [Bool](repeating: false, count: capacities.count)
        for j in forced { usable[j] = true }
        for j in selectable { usable[j] = true }
        var key: [[Int32]: Int32] = [:]
        var w: [Double] = [], f: [Double] = [], off = [0], s: [Int32] = []
        var index = [Int32](repeating: -1, count: demandCount)
        for i in 0..<demandCount {
            let list = sites[offsets[i]..<offsets[i + 1]].filter { usable[Int($0)] }
            guard !list.isEmpty else { continue }
            if let k = key[list] { w[Int(k)] += weights[i]; f[Int(k)] += loads[i]; index[i] = k; continue }
            let k = Int32(w.count)
            key[list] = k; index[i] = k
            w.append(weights[i]); f.append(loads[i]); s += list; off.append(s.count)
        }
        var m = self
        m.weights = w; m.loads = f; m.offsets = off; m.sites = s
        return (m, index)
    }
}

/// A capacitated plan: the sites chosen, the population served, the proven bound.
public struct CapacitatedCoverageSolution: Sendable {
    /// Selectable sites opened (global indices, ascending).
    public var chosen: [Int]
    public var servedPopulation: Double
    /// No choice of `branches` sites serves more (proven).
    public var upperBoundPopulation: Double
    public var provenOptimal: Bool
    /// Per demand: the share served (0…1).
    public var servedShare: [Double]
    /// Per site (global): filings a year served there.
    public var siteLoads: [Double]
    public var notes: [String]
    public var gap: Double { upperBoundPopulation > 0 ? max(0, (upperBoundPopulation - servedPopulation) / upperBoundPopulation) : 0 }
}

public enum CapacitatedCoverage {
    /// CBC is not tried above this many (demand, site) pairs of the merged instance.
    public static let maxPairsForCBC = 2_000_000

    /// Greedy: forced sites first, then K times the selectable site that serves the most extra
    /// population from what is still unserved (each site fills with the demands of the most
    /// population per filing first; ties: the lower site index). Returns the chosen sites.
    /// - Complexity: O(K · P) for P covering pairs, after sorting each site's demands once.
    public static func greedy(_ inst: CapacitatedCoverageInstance) -> [Int] {
        var state = Fill(inst)
        for j in inst.forced { _ = state.fill(j, commit: true) }
        var chosen: [Int] = []
        var open = Set(inst.forced)
        for _ in 0..<inst.branches {
            var best = -1, bestGain = -1.0
            for j in inst.selectable where !open.contains(j) {
                let g = state.fill(j, commit: false)
                if g > bestGain + 1e-12 * max(1, g) { bestGain = g; best = j }
            }
            guard best >= 0 else { break }
            _ = state.fill(best, commit: true)
            open.insert(best); chosen.append(best)
        }
        return chosen.sorted()
    }

    /// The greedy's assignment state: the unserved share of each demand and the room left at each site.
    struct Fill {
        let inst: CapacitatedCoverageInstance
        var remaining: [Double]
        var room: [Double]
        /// Filings a year assigned to each site so far.
        var served: [Double]
        /// Per site, its demands by population per filing, highest first (ties: lower index).
        var order: [[Int32]]

        init(_ inst: CapacitatedCoverageInstance) {
            self.inst = inst
            remaining = [Double](repeating: 1, count: inst.demandCount)
            room = inst.capacities
            served = [Double](repeating: 0, count: inst.capacities.count)
            var bySite = [[Int32]](repeating: [], count: inst.capacities.count)
            for i in 0..<inst.demandCount { for j in inst.sites[inst.offsets[i]..<inst.offsets[i + 1]] { bySite[Int(j)].append(Int32(i)) } }
            func ratio(_ i: Int32) -> Double { inst.loads[Int(i)] > 0 ? inst.weights[Int(i)] / inst.loads[Int(i)] : .infinity }
            order = bySite.map { list in list.sorted { (ratio($0), -$0) > (ratio($1), -$1) } }
        }

        /// Population site j serves from the unserved demand; updates the state when `commit`.
        mutating func fill(_ j: Int, commit: Bool) -> Double {
            var left = room[j], gain = 0.0, assignedInfinite = 0.0
            for i32 in order[j] {
                let i = Int(i32)
                let r = remaining[i]
                guard r > 0 else { continue }
                let f = inst.loads[i]
                let t = f > 0 ? min(r, left / f) : r
                guard t > 0 else { if f > 0 && left <= 0 { break } else { continue } }
                gain += inst.weights[i] * t
                if f > 0 { left -= f * t }
                if commit { remaining[i] = r - t; assignedInfinite += f * t }
            }
            if commit { served[j] += (room[j].isFinite ? room[j] - left : assignedInfinite); room[j] = left }
            return gain
        }
    }

    /// Builds the MILP (fixing x to `fixed` when given: then it is the LP of one plan).
    static func model(_ inst: CapacitatedCoverageInstance, fixed: Set<Int>?) -> (CBCModel, pairColumn: Int) {
        let n = inst.demandCount
        let m = inst.selectable.count
        var local = [Int](repeating: -1, count: inst.capacities.count)
        for (k, j) in inst.selectable.enumerated() { local[j] = k }
        var isForced = [Bool](repeating: false, count: inst.capacities.count)
        for j in inst.forced { isForced[j] = true }
        // Rows: demands 0..<n, then capacity rows, then link rows, then the cardinality row.
        var capacityRow = [Int32](repeating: -1, count: inst.capacities.count)
        var rowCount = Int32(n)
        var lower: [Double] = [Double](repeating: -.greatestFiniteMagnitude, count: n)
        var upper: [Double] = [Double](repeating: 1, count: n)
        for j in inst.forced + inst.selectable where inst.capacities[j].isFinite {
            capacityRow[j] = rowCount; rowCount += 1
            lower.append(-.greatestFiniteMagnitude); upper.append(isForced[j] ? inst.capacities[j] : 0)
        }
        // Pairs with a usable site, and their link rows.
        var pairsOfSite = [[Int]](repeating: [], count: m)
        var linkRow = [Int32](repeating: -1, count: inst.sites.count)
        for p in 0..<inst.sites.count {
            let j = Int(inst.sites[p])
            if local[j] >= 0 {
                linkRow[p] = rowCount; rowCount += 1
                lower.append(-.greatestFiniteMagnitude); upper.append(0)
                pairsOfSite[local[j]].append(p)
            }
        }
        let cardinality = rowCount
        lower.append(Double(inst.branches)); upper.append(Double(inst.branches))
        var model = CBCModel(integerColumns: m, maximise: true, allowableGap: 1e-9 * max(1, inst.weights.reduce(0, +)))
        model.reserve(entries: 4 * inst.sites.count + 2 * m)
        for (k, j) in inst.selectable.enumerated() {
            if capacityRow[j] >= 0 { model.entry(row: capacityRow[j], -inst.capacities[j]) }
            for p in pairsOfSite[k] { model.entry(row: linkRow[p], -1) }
            model.entry(row: cardinality, 1)
            let v: Double = fixed.map { $0.contains(j) ? 1 : 0 } ?? -1
            model.closeColumn(objective: 0, lower: v >= 0 ? v : 0, upper: v >= 0 ? v : 1)
        }
        for i in 0..<n {
            for p in inst.offsets[i]..<inst.offsets[i + 1] {
                let j = Int(inst.sites[p])
                let usable = isForced[j] || local[j] >= 0
                model.entry(row: Int32(i), 1)
                if usable, capacityRow[j] >= 0 { model.entry(row: capacityRow[j], inst.loads[i]) }
                if linkRow[p] >= 0 { model.entry(row: linkRow[p], 1) }
                model.closeColumn(objective: inst.weights[i], upper: usable ? 1 : 0)
            }
        }
        model.rows(lower: lower, upper: upper)
        return (model, m)
    }

    /// Reads CBC's column values into a solution's served shares and site loads.
    static func read(_ inst: CapacitatedCoverageInstance, values: [Double], firstPair: Int) -> (served: Double, share: [Double], loads: [Double]) {
        var share = [Double](repeating: 0, count: inst.demandCount)
        var loads = [Double](repeating: 0, count: inst.capacities.count)
        var served = 0.0
        for i in 0..<inst.demandCount {
            var s = 0.0
            for p in inst.offsets[i]..<inst.offsets[i + 1] {
                let y = min(1, max(0, values[firstPair + p]))
                s += y
                loads[Int(inst.sites[p])] += inst.loads[i] * y
            }
            share[i] = min(1, s)
            served += inst.weights[i] * share[i]
        }
        return (served, share, loads)
    }

    /// The population `open` (forced sites included automatically) serves at best: the LP with
    /// x fixed, solved by CBC.
    public static func served(_ inst: CapacitatedCoverageInstance, choosing chosen: [Int], seconds: Double = 60) throws -> (population: Double, share: [Double], siteLoads: [Double]) {
        var fixedInst = inst
        fixedInst.branches = chosen.count
        let (model, firstPair) = model(fixedInst, fixed: Set(chosen))
        let answer = try model.solve(warmStart: chosen.isEmpty ? nil : inst.selectable.map { chosen.contains($0) ? 1 : 0 },
                                     readColumns: model.columnCount, seconds: seconds, nodeLimit: nil,
                                     worker: CBCSolver.defaultWorker)
        guard let values = answer.columnValues else {
            throw PlannerError.solverFailure(solver: "cbc", reason: "no solution for a fixed capacitated plan (status \(answer.status))")
        }
        let r = read(inst, values: values, firstPair: firstPair)
        return (r.served, r.share, r.loads)
    }

    /// The population a plan serves at best, from the assignment LP on its open sites only (the
    /// pairs of other sites dropped, so the model stays small at any instance size); nil when
    /// CBC does not finish in `seconds` (so the answer never depends on the machine's speed).
    static func exactlyServed(_ inst: CapacitatedCoverageInstance, chosen: [Int], seconds: Double) throws
        -> (served: Double, share: [Double], loads: [Double])? {
        var open = [Bool](repeating: false, count: inst.capacities.count)
        for j in inst.forced + chosen { open[j] = true }
        var offsets = [0], sites: [Int32] = []
        for i in 0..<inst.demandCount {
            for p in inst.offsets[i]..<inst.offsets[i + 1] where open[Int(inst.sites[p])] { sites.append(inst.sites[p]) }
            offsets.append(sites.count)
        }
        let reduced = try CapacitatedCoverageInstance(weights: inst.weights, loads: inst.loads, offsets: offsets, sites: sites,
                                                      capacities: inst.capacities, forced: open.indices.filter { open[$0] },
                                                      selectable: [], branches: 0)
        let (model, firstPair) = model(reduced, fixed: nil)
        let answer = try model.solve(warmStart: nil, readColumns: model.columnCount, seconds: seconds, nodeLimit: nil,
                                     worker: CBCSolver.defaultWorker)
        guard answer.provenOptimal, !answer.stoppedByTime, let values = answer.columnValues else { return nil }
        let r = read(reduced, values: values, firstPair: firstPair)
        return (r.served, r.share, r.loads)
    }

    /// A bound no plan can beat: the population of coverable demands without filings plus, for
    /// the others, the highest population per filing × the capacity of the forced sites and of the
    /// K largest selectable ones (served population Σ w_i y_ij ≤ max(w/f) × Σ_j load_j); at most
    /// the coverable population.
    public static func capacityBound(_ inst: CapacitatedCoverageInstance) -> Double {
        var coverable = 0.0, free = 0.0, ratio = 0.0
        for i in 0..<inst.demandCount where inst.offsets[i + 1] > inst.offsets[i] {
            coverable += inst.weights[i]
            if inst.loads[i] > 0 { ratio = max(ratio, inst.weights[i] / inst.loads[i]) } else { free += inst.weights[i] }
        }
        let top = inst.selectable.map { inst.capacities[$0] }.sorted(by: >).prefix(inst.branches)
        let capacity = inst.forced.reduce(0) { $0 + inst.capacities[$1] } + top.reduce(0, +)
        guard capacity.isFinite else { return coverable }
        return min(coverable, free + ratio * capacity)
    }

    /// Solves: the greedy (with its own feasible assignment), then — unless the capacity bound
    /// already proves it optimal, or the instance is too large — CBC warm-started from it with
    /// the time left; the better plan stands, and the bound is the smaller of the capacity bound
    /// and CBC's best possible objective.
    /// - Parameters:
    ///   - upperBoundHint: another proven bound on the served population (e.g. the uncapacitated
    ///     planner's bound on the covered population).
    ///   - alternativeStart: another plan (selectable sites) to try as the incumbent.
    public static func solve(_ inst: CapacitatedCoverageInstance, timeLimitSeconds: Double, exact: Bool = true,
                             upperBoundHint: Double = .infinity, alternativeStart: [Int]? = nil) throws -> CapacitatedCoverageSolution {
        let deadline = Deadline(seconds: timeLimitSeconds)
        var greedyChosen = greedy(inst)
        var state = Fill(inst)
        for j in inst.forced + greedyChosen { _ = state.fill(j, commit: true) }
        var startNote: String? = nil
        if let alt = alternativeStart?.sorted(), alt.count == inst.branches, alt != greedyChosen {
            var other = Fill(inst)
            for j in inst.forced + alt { _ = other.fill(j, commit: true) }
            let value = { (f: Fill) in zip(inst.weights, f.remaining).reduce(0.0) { $0 + $1.0 * max(0, 1 - $1.1) } }
            if value(other) > value(state) + 1e-9 * max(1, value(state)) {
                greedyChosen = alt; state = other
                startNote = "the uncapacitated plan, filled by capacity, serves more than the capacitated greedy and starts the search"
            }
        }
        var share = state.remaining.map { max(0, 1 - $0) }
        var loads = state.served
        var served = zip(inst.weights, share).reduce(0) { $0 + $1.0 * $1.1 }
        var chosen = greedyChosen
        var bound = min(capacityBound(inst), upperBoundHint)
        let tolerance = 1e-9 * max(1, inst.weights.reduce(0, +))
        var notes: [String] = startNote.map { [$0] } ?? []
        // The greedy's fill is one feasible assignment of its plan, not always the best: the
        // assignment LP on the plan's sites alone (small) gives the plan's exact served population.
        if exact, bound - served > tolerance, deadline.remainingSeconds > 0.1,
           let r = try? exactlyServed(inst, chosen: chosen, seconds: 0.25 * deadline.remainingSeconds),
           r.served > served + tolerance {
            notes.append("the greedy's plan, assigned exactly (LP on its sites), serves \(Int(r.served.rounded())) instead of \(Int(served.rounded()))")
            served = r.served; share = r.share; loads = r.loads
        }
        func solution(_ proven: Bool) -> CapacitatedCoverageSolution {
            CapacitatedCoverageSolution(chosen: chosen.sorted(), servedPopulation: served, upperBoundPopulation: max(bound, served),
                                        provenOptimal: proven || bound - served <= tolerance, servedShare: share,
                                        siteLoads: loads, notes: notes)
        }
        if bound - served <= tolerance {
            notes.append("greedy: the capacity bound (capacity × population per filing, or everyone coverable) proves it optimal")
            return solution(true)
        }
        guard exact else { notes.append("greedy only: the bound is the capacity bound"); return solution(false) }
        // The Lagrangian bound (demand rows relaxed): all the time left when CBC is not tried,
        // else a third of it, the rest for CBC.
        let cbcTried = inst.sites.count <= maxPairsForCBC
        let lagrangianSeconds = deadline.remainingSeconds * (cbcTried ? 1.0 / 3 : 1)
        if lagrangianSeconds > 0.05 {
            if let l = lagrangianBound(inst, target: served, seconds: lagrangianSeconds) {
                if l < bound - tolerance {
                    notes.append("lagrangian (demand rows relaxed, per-site knapsacks): bound \(Int(l.rounded())) (before \(Int(bound.rounded())))")
                    bound = max(served, l)
                } else {
                    notes.append("lagrangian (demand rows relaxed): \(Int(l.rounded())), no tighter than \(Int(bound.rounded()))")
                }
                if bound - served <= tolerance {
                    notes.append("the Lagrangian bound proves the plan optimal")
                    return solution(true)
                }
            } else {
                notes.append("lagrangian: not used, its iterations do not fit in the time left")
            }
        }
        guard cbcTried else {
            notes.append("cbc: skipped, \(inst.sites.count) covering pairs exceed \(maxPairsForCBC); the bound is the smallest of the capacity, uncapacitated and Lagrangian bounds")
            return solution(false)
        }
        let remaining = deadline.remainingSeconds
        guard remaining > 0.05 else { notes.append("cbc: skipped, no time left"); return solution(false) }
        let (model, firstPair) = model(inst, fixed: nil)
        let start = inst.selectable.map { greedyChosen.contains($0) ? 1.0 : 0.0 }
        let answer: CBCModel.Answer
        do {
            answer = try model.solve(warmStart: start, readColumns: model.columnCount, seconds: remaining,
                                     nodeLimit: CBCSolver.defaultNodeLimit(forSeconds: timeLimitSeconds), worker: CBCSolver.defaultWorker)
        } catch PlannerError.solverFailure(_, let reason) {
            notes.append("cbc: failed (\(reason)); the greedy's plan and the capacity bound stand")
            return solution(false)
        }
        guard !answer.stoppedByTime, let values = answer.columnValues else {
            notes.append(answer.stoppedByTime ? "cbc: stopped by the time limit; the best plan found so far and the bound (capacity, or the hint) stand (allow more --time-limit)"
                                              : "cbc: no solution (status \(answer.status)); the greedy's plan stands")
            return solution(false)
        }
        let picks = inst.selectable.enumerated().filter { values[$0.offset] > 0.5 }.map(\.element)
        let r = read(inst, values: values, firstPair: firstPair)
        if picks.count == inst.branches, r.served > served + tolerance {
            chosen = picks; served = r.served; share = r.share; loads = r.loads
        }
        if answer.bestPossible.isFinite { bound = min(bound, max(answer.bestPossible, served)) }
        let proven = answer.provenOptimal
        if proven { bound = min(bound, max(served, answer.objective)) }
        notes.append(proven ? "cbc: proven optimal (\(answer.nodes) nodes)" : answer.nodeLimitReached ? "cbc: stopped at its node limit (\(answer.nodes) nodes)" : "cbc: not proven (status \(answer.status))")
        return solution(proven)
    }
}
