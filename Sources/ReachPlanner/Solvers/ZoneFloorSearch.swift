import Foundation

/// The core MCLP with zone side constraints: per zone z a core target tᶻ (population to cover
/// beyond the baseline) and a number of selectable sites that must open (needᶻ).
///
/// Plans are compared **lexicographically**: first the shortfall Σ_z max(0, tᶻ − coveredᶻ),
/// then the covered population. A plan is *feasible* when it opens at least needᶻ sites of every
/// zone (the heuristics never leave that set) and *meets the targets* when its shortfall is 0.
struct ZoneFloorCore {
    let instance: MCLPInstance
    /// Zone of each core demand (−1: none).
    let demandZone: [Int32]
    /// Zone of each local site (−1: none).
    let siteZone: [Int32]
    /// Core target per zone (0: no floor).
    let target: [Double]
    /// Selectable sites each zone must open.
    let need: [Int]
    var zoneCount: Int { target.count }
    var tolerance: Double { instance.populationTolerance }

    /// Shortfall, covered core population, and whether `chosen` opens enough sites per zone.
    func evaluate(_ chosen: [Int]) -> (shortfall: Double, covered: Double, feasible: Bool) {
        var covered = [Bool](repeating: false, count: instance.demandCount)
        var zoneCovered = [Double](repeating: 0, count: zoneCount)
        var total = 0.0
        var open = [Int](repeating: 0, count: zoneCount)
        for j in chosen {
            if siteZone[j] >= 0 { open[Int(siteZone[j])] += 1 }
            for i in instance.demands(coveredBy: j) where !covered[Int(i)] {
                covered[Int(i)] = true
                let w = instance.demandWeights[Int(i)]
                total += w
                if demandZone[Int(i)] >= 0 { zoneCovered[Int(demandZone[Int(i)])] += w }
            }
        }
        var shortfall = 0.0
        for z in 0 ..< zoneCount { shortfall += max(0, target[z] - zoneCovered[z]) }
        let feasible = (0 ..< zoneCount).allSatisfy { open[$0] >= need[$0] }
        return (shortfall, total, feasible)
    }

    /// True when (shortfall a, covered a) is better than b beyond the tolerance.
    func better(_ a: (Double, Double), than b: (Double, Double)) -> Bool {
        if a.0 < b.0 - tolerance { return true }
        if a.0 > b.0 + tolerance { return false }
        return a.1 > b.1 + tolerance
    }
}

/// Local search for ``ZoneFloorCore``: a greedy that first opens the sites each zone needs and
/// then adds the site with the best lexicographic gain (shortfall reduction, then coverage), and
/// first-improvement swaps (for each unchosen site in turn, its best swap if it improves the
/// lexicographic value and keeps every zone's site count) until a pass finds nothing. Work is
/// counted in passes, never timed, so the answer is the same on every run.
struct ZoneFloorSearch {
    let core: ZoneFloorCore
    private var count: [Int32]
    private var zoneCovered: [Double]
    private var zoneOpen: [Int]
    private(set) var inSet: [Bool]
    private(set) var chosen: [Int]
    private(set) var covered = 0.0

    init(_ core: ZoneFloorCore) {
        self.core = core
        count = [Int32](repeating: 0, count: core.instance.demandCount)
        zoneCovered = [Double](repeating: 0, count: core.zoneCount)
        zoneOpen = [Int](repeating: 0, count: core.zoneCount)
        inSet = [Bool](repeating: false, count: core.instance.siteCount)
        chosen = []
    }

    var shortfall: Double {
        var s = 0.0
        for z in 0 ..< core.zoneCount { s += max(0, core.target[z] - zoneCovered[z]) }
        return s
    }

    mutating func add(_ j: Int) {
        inSet[j] = true
        chosen.append(j)
        if core.siteZone[j] >= 0 { zoneOpen[Int(core.siteZone[j])] += 1 }
        for i in core.instance.demands(coveredBy: j) {
            let d = Int(i)
            if count[d] == 0 {
                let w = core.instance.demandWeights[d]
                covered += w
                if core.demandZone[d] >= 0 { zoneCovered[Int(core.demandZone[d])] += w }
            }
            count[d] += 1
        }
    }

    mutating func remove(_ j: Int) {
        inSet[j] = false
        chosen.removeAll { $0 == j }
        if core.siteZone[j] >= 0 { zoneOpen[Int(core.siteZone[j])] -= 1 }
        for i in core.instance.demands(coveredBy: j) {
            let d = Int(i)
            count[d] -= 1
            if count[d] == 0 {
                let w = core.instance.demandWeights[d]
                covered -= w
                if core.demandZone[d] >= 0 { zoneCovered[Int(core.demandZone[d])] -= w }
            }
        }
    }

    /// (shortfall reduction, coverage gain) of adding unchosen `j`.
    private func addGain(_ j: Int, scratch: inout [Double], touched: inout [Int]) -> (Double, Double) {
        var gain = 0.0
        for i in core.instance.demands(coveredBy: j) where count[Int(i)] == 0 {
            let w = core.instance.demandWeights[Int(i)]
            gain += w
            let z = Int(core.demandZone[Int(i)])
            if z >= 0 {
                if scratch[z] == 0 { touched.append(z) }
                scratch[z] += w
            }
        }
        var reduction = 0.0
        for z in touched {
            reduction += min(scratch[z], max(0, core.target[z] - zoneCovered[z]))
            scratch[z] = 0
        }
        touched.removeAll(keepingCapacity: true)
        return (reduction, gain)
    }

    /// Opens `k` sites greedily: first the sites zones need (best gain among the sites of zones
    /// still short of their count), then the best gain overall. Ties: lower local index.
    mutating func greedyFill(upTo k: Int) {
        var scratch = [Double](repeating: 0, count: core.zoneCount)
        var touched: [Int] = []
        let tol = core.tolerance
        while chosen.count < k {
            let deficitZones = (0 ..< core.zoneCount).filter { zoneOpen[$0] < core.need[$0] }
            let restricted = !deficitZones.isEmpty
            var isDeficit = [Bool](repeating: false, count: core.zoneCount)
            for z in deficitZones { isDeficit[z] = true }
            var best = -1, bestGain = (-Double.infinity, -Double.infinity)
            for j in 0 ..< core.instance.siteCount where !inSet[j] {
                if restricted { guard core.siteZone[j] >= 0, isDeficit[Int(core.siteZone[j])] else { continue } }
                let g = addGain(j, scratch: &scratch, touched: &touched)
                if g.0 > bestGain.0 + tol || (abs(g.0 - bestGain.0) <= tol && g.1 > bestGain.1 + tol) { best = j; bestGain = g }
            }
            guard best >= 0 else { break }
            add(best)
        }
    }

    /// Makes a choice of the right size feasible for the site counts: while a zone is short, the
    /// chosen site whose removal costs least (lexicographically) among those a zone can spare is
    /// replaced by the best site of a short zone.
    mutating func repairCounts() {
        let k = chosen.count
        var guardRounds = 0
        while (0 ..< core.zoneCount).contains(where: { zoneOpen[$0] < core.need[$0] }), guardRounds <= k {
            guardRounds += 1
            var drop = -1, dropValue = (Double.infinity, Double.infinity)
            for s in chosen.sorted() {
                let z = Int(core.siteZone[s])
                if z >= 0, zoneOpen[z] - 1 < core.need[z] { continue }
                remove(s)
                let value = (shortfall, -covered)
                add(s)
                if drop < 0 || value.0 < dropValue.0 - core.tolerance
                    || (abs(value.0 - dropValue.0) <= core.tolerance && value.1 < dropValue.1 - core.tolerance) {
                    drop = s; dropValue = value
                }
            }
            guard drop >= 0 else { return }
            remove(drop)
            greedyFill(upTo: k)
        }
    }

    /// First-improvement swaps until a pass improves nothing (at most `maxPasses` passes).
    /// - Complexity: per pass, Σⱼ (deg j + Σ_{s chosen} deg s) demand visits.
    mutating func descend(maxPasses: Int = 50, deadline: Deadline) {
        let m = core.instance.siteCount
        guard !chosen.isEmpty, chosen.count < m else { return }
        var stamp = [Int32](repeating: -1, count: core.instance.demandCount)
        var zoneDelta = [Double](repeating: 0, count: core.zoneCount)
        var touched: [Int] = []
        let tol = core.tolerance
        for _ in 0 ..< maxPasses {
            var improved = false
            for j in 0 ..< m where !inSet[j] {
                if deadline.hasPassed { return }
                for i in core.instance.demands(coveredBy: j) { stamp[Int(i)] = Int32(j) }
                var best = -1, bestDelta = (0.0, 0.0)  // (shortfall change, coverage change)
                let zj = Int(core.siteZone[j])
                for s in chosen.sorted() {
                    let zs = Int(core.siteZone[s])
                    if zs >= 0, zs != zj, zoneOpen[zs] - 1 < core.need[zs] { continue }
                    var dCover = 0.0
                    for i in core.instance.demands(coveredBy: s) where count[Int(i)] == 1 && stamp[Int(i)] != Int32(j) {
                        let w = core.instance.demandWeights[Int(i)]
                        dCover -= w
                        let z = Int(core.demandZone[Int(i)])
                        if z >= 0 { if zoneDelta[z] == 0 { touched.append(z) }; zoneDelta[z] -= w }
                    }
                    for i in core.instance.demands(coveredBy: j) where count[Int(i)] == 0 {
                        let w = core.instance.demandWeights[Int(i)]
                        dCover += w
                        let z = Int(core.demandZone[Int(i)])
                        if z >= 0 { if zoneDelta[z] == 0 { touched.append(z) }; zoneDelta[z] += w }
                    }
                    var dShort = 0.0
                    for z in touched {
                        let t = core.target[z], c = zoneCovered[z]
                        dShort += max(0, t - (c + zoneDelta[z])) - max(0, t - c)
                        zoneDelta[z] = 0
                    }
                    touched.removeAll(keepingCapacity: true)
                    let improves = dShort < bestDelta.0 - tol || (abs(dShort - bestDelta.0) <= tol && dCover > bestDelta.1 + tol)
                    if improves { best = s; bestDelta = (dShort, dCover) }
                }
                if best >= 0 {
                    remove(best)
                    add(j)
                    improved = true
                }
            }
            if !improved { break }
        }
    }

    /// The best of two descents: from the lexicographic greedy and from `start` (repaired for the
    /// site counts). Returns the chosen local sites, sorted.
    static func solve(_ core: ZoneFloorCore, start: [Int]?, deadline: Deadline) -> [Int] {
        let k = core.instance.branchesToChoose
        var fromGreedy = ZoneFloorSearch(core)
        fromGreedy.greedyFill(upTo: k)
        fromGreedy.descend(deadline: deadline)
        var best = fromGreedy.chosen.sorted()
        if let start, start.count == k {
            var fromStart = ZoneFloorSearch(core)
            for j in start { fromStart.add(j) }
            fromStart.repairCounts()
            fromStart.descend(deadline: deadline)
            let a = core.evaluate(fromStart.chosen), b = core.evaluate(best)
            if a.feasible && (!b.feasible || core.better((a.shortfall, a.covered), than: (b.shortfall, b.covered))) {
                best = fromStart.chosen.sorted()
            }
        }
        return best
    }
}

/// The exact model of ``ZoneFloorCore`` for CBC: the core MILP of ``CBCSolver`` plus, per zone
/// with a target, Σ_{i∈z} wᵢ yᵢ ≥ tᶻ (a demand covered by one site j counts as xⱼ), and per zone
/// with a site count, Σ_{j∈z} xⱼ ≥ needᶻ. The targets are hard: CBC maximises coverage among the
/// plans meeting them all. Without site counts the model is reduced as ``MCLPReduction`` does
/// (dominated sites out, demands every kept site covers a constant — also taken off their zone's
/// target —, equal rows merged within a zone).
enum ZoneFloorModel {
    struct Result {
        var chosen: [Int]?
        /// CBC's bound on the core population of plans meeting every target (valid only when
        /// `usable`).
        var bound: Double?
        var provenOptimal: Bool
        /// CBC finished its search and found no plan meeting every target.
        var provenInfeasible: Bool
        var note: String
    }

    static func run(_ core: ZoneFloorCore, warmStart: [Int]?, seconds: Double, nodeLimit: Int?) -> Result {
        let instance = core.instance
        let m = instance.siteCount, n = instance.demandCount, k = instance.branchesToChoose
        let tol = core.tolerance
        // Without site counts the exact reductions of ``MCLPReduction`` hold here too: opening a
        // site's dominator instead never lowers any zone's coverage. (With counts a dominator may
        // lie in another zone, so every site stays.)
        let reduction = core.need.allSatisfy({ $0 == 0 }) ? MCLPReduction.compute(instance) : nil
        let columns = reduction?.keptSites ?? Array(0 ..< m)
        let mc = columns.count
        var columnOf = [Int32](repeating: -1, count: m)
        for (c, j) in columns.enumerated() { columnOf[j] = Int32(c) }
        // Reduced demands: merged by (zone, kept sites); covered by every kept site → a constant.
        var rowWeight: [Double] = [], rowZone: [Int32] = [], rowOffsets = [0], rowColumns: [Int32] = []
        var keyed: [[Int32]: Int] = [:]
        var constant = 0.0
        var zoneConstant = [Double](repeating: 0, count: core.zoneCount)
        var list: [Int32] = []
        for i in 0 ..< n {
            list.removeAll(keepingCapacity: true)
            for j in instance.sites(covering: i) where columnOf[Int(j)] >= 0 { list.append(columnOf[Int(j)]) }
            let w = instance.demandWeights[i], z = core.demandZone[i]
            if reduction != nil, k >= 1, list.count == mc {
                constant += w
                if z >= 0 { zoneConstant[Int(z)] += w }
                continue
            }
            let key = [z] + list
            if let r = keyed[key] { rowWeight[r] += w; continue }
            keyed[key] = rowWeight.count
            rowWeight.append(w)
            rowZone.append(z)
            rowColumns += list
            rowOffsets.append(rowColumns.count)
        }
        let rowCount = rowWeight.count
        var rowOfDemand = [Int32](repeating: -1, count: rowCount)
        var siteObjective = [Double](repeating: 0, count: mc)
        var demandsOfColumn = [[Int32]](repeating: [], count: mc)
        var rows: Int32 = 0
        for r in 0 ..< rowCount {
            let covering = rowColumns[rowOffsets[r] ..< rowOffsets[r + 1]]
            if covering.count == 1 { siteObjective[Int(covering.first!)] += rowWeight[r] }
            else { rowOfDemand[r] = rows; rows += 1 }
            for c in covering { demandsOfColumn[Int(c)].append(Int32(r)) }
        }
        let cardinalityRow = rows
        rows += 1
        let target = (0 ..< core.zoneCount).map { core.target[$0] - zoneConstant[$0] }
        var floorRow = [Int32](repeating: -1, count: core.zoneCount)
        for z in 0 ..< core.zoneCount where target[z] > tol { floorRow[z] = rows; rows += 1 }
        var countRow = [Int32](repeating: -1, count: core.zoneCount)
        for z in 0 ..< core.zoneCount where core.need[z] > 0 { countRow[z] = rows; rows += 1 }
        var model = CBCModel(integerColumns: mc, maximise: true, allowableGap: tol)
        model.reserve(entries: 2 * rowColumns.count + 2 * mc)
        var singleByZone: [Int: Double] = [:]
        for c in 0 ..< mc {
            singleByZone.removeAll(keepingCapacity: true)
            for r in demandsOfColumn[c] {
                if rowOfDemand[Int(r)] >= 0 { model.entry(row: rowOfDemand[Int(r)], -1) }
                else if rowZone[Int(r)] >= 0, floorRow[Int(rowZone[Int(r)])] >= 0 {
                    singleByZone[Int(rowZone[Int(r)]), default: 0] += rowWeight[Int(r)]
                }
            }
            model.entry(row: cardinalityRow, 1)
            for z in singleByZone.keys.sorted() { model.entry(row: floorRow[z], singleByZone[z]!) }
            let zone = core.siteZone[columns[c]]
            if zone >= 0, countRow[Int(zone)] >= 0 { model.entry(row: countRow[Int(zone)], 1) }
            model.closeColumn(objective: siteObjective[c], upper: 1)
        }
        for r in 0 ..< rowCount where rowOfDemand[r] >= 0 {
            model.entry(row: rowOfDemand[r], 1)
            let z = Int(rowZone[r])
            if z >= 0, floorRow[z] >= 0 { model.entry(row: floorRow[z], rowWeight[r]) }
            model.closeColumn(objective: rowWeight[r], upper: 1)
        }
        model.rows(Int(cardinalityRow), lower: -.greatestFiniteMagnitude, upper: 0)
        model.rows(1, lower: Double(k), upper: Double(k))
        for z in 0 ..< core.zoneCount where floorRow[z] >= 0 {
            model.rows(1, lower: target[z] - tol, upper: .greatestFiniteMagnitude)
        }
        for z in 0 ..< core.zoneCount where countRow[z] >= 0 {
            model.rows(1, lower: Double(core.need[z]), upper: .greatestFiniteMagnitude)
        }
        var start: [Double]? = nil
        if let warmStart, warmStart.count == k {
            start = [Double](repeating: 0, count: mc)
            for j in reduction?.keptChoice(warmStart) ?? warmStart { start![Int(columnOf[j])] = 1 }
        }
        let answer: CBCModel.Answer
        do {
            answer = try model.solve(warmStart: start, readColumns: mc, seconds: seconds, nodeLimit: nodeLimit,
                                     worker: CBCSolver.defaultWorker)
        } catch {
            return Result(chosen: nil, bound: nil, provenOptimal: false, provenInfeasible: false,
                          note: "cbc (zone rules): failed (\(error)); the heuristic's plan stands")
        }
        if answer.stoppedByTime {
            return Result(chosen: nil, bound: nil, provenOptimal: false, provenInfeasible: false,
                          note: "cbc (zone rules): stopped at the time limit before its node limit; its answer is not used, so that a rerun gives the same plan")
        }
        var chosen: [Int]? = nil
        if let values = answer.columnValues {
            let picks = (0 ..< mc).filter { values[$0] > 0.5 }.map { columns[$0] }
            let check = core.evaluate(picks)
            if picks.count == k, check.feasible, check.shortfall <= tol { chosen = picks }
        }
        let infeasible = chosen == nil && answer.status == 0 && !answer.provenOptimal && !answer.nodeLimitReached
        let bound: Double? = answer.bestPossible.isFinite && !infeasible ? answer.bestPossible + constant : nil
        let state = answer.provenOptimal ? "proven optimal" : infeasible ? "no plan meets every zone's target"
            : answer.nodeLimitReached ? "stopped at its node limit" : "stopped (status \(answer.status))"
        return Result(chosen: chosen, bound: bound, provenOptimal: answer.provenOptimal, provenInfeasible: infeasible,
                      note: "cbc (zone rules): \(state) (\(answer.nodes) nodes)")
    }
}
