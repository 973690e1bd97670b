import Foundation
import ReachGeo

extension CoverageProblem {
    /// Answers `.coverage(branches: N)` under ``ZoneRules`` (a floor per zone, a minimum number
    /// of open sites per zone).
    ///
    /// Method, in order (each step a fixed share of `timeLimitSeconds`, so reruns make the same
    /// solves):
    /// 1. The plan without the rules, by `solver` (half the time): the reference for the price
    ///    of fairness and a starting point.
    /// 2. Each zone's reachable floor: F × its coverable population, unless the zone alone cannot
    ///    get there with N sites. A zone whose greedy (on its own residents) reaches F × coverable
    ///    is reachable; for the others the zone's own MCLP is solved with ``CBCSolver`` (a tenth of
    ///    the time, shared equally): its optimum is the zone's best possible share, and the zone
    ///    is reported as unable to reach the floor when the proven bound stays below it.
    ///    When plan 1 already meets every reachable floor and site count, it is the answer with
    ///    its bound (the rules only remove plans), and steps 3 and 4 are skipped.
    /// 3. A heuristic plan (``ZoneFloorSearch``): lexicographic — smallest total shortfall below
    ///    the reachable floors, then most coverage — from the greedy and from plan 1.
    /// 4. The exact model (``ZoneFloorModel``, CBC, the rest of the time, node limit from that
    ///    share): coverage maximised with every reachable floor and site count as a hard
    ///    constraint, warm-started from plan 3 when it meets them.
    ///
    /// The reported bound is the smaller of the unconstrained bound (valid for every plan) and
    /// CBC's bound over the plans meeting the rules (when the plan meets them). Coverage-neutral
    /// tie polishing is not applied (it could break a floor).
    ///
    /// `unconstrained`: a plan of the same question already solved without the rules (`reach demo`
    /// has it from its consolidation question); it replaces step 1, whose half of the time is then
    /// not used. Its bound must be a proven bound of that question, as every solver's is.
    /// - Throws: ``PlannerError`` (the site counts asking for more sites than N is `.infeasible`;
    ///   an `unconstrained` plan of another question is `.invalidInput`).
    public func solve(_ type: ProblemType, zoneRules rules: ZoneRules, using solver: any CoverageSolver = CBCSolver(),
                      timeLimitSeconds: Double = 10, progress: SolveProgress? = nil,
                      unconstrained: CoverageSolution? = nil) throws -> CoverageSolution {
        guard case .coverage(let n) = type.objective else {
            throw PlannerError.invalidInput(reason: "zone floors and site counts apply to --objective coverage only")
        }
        guard rules.demandZone.count == demandCount, rules.siteZone.count == siteCount else {
            throw PlannerError.invalidInput(reason: "zone rules name \(rules.demandZone.count) demands and \(rules.siteZone.count) sites, the problem has \(demandCount) and \(siteCount)")
        }
        if let f = rules.floor, !(f.isFinite && f >= 0 && f <= 1) {
            throw PlannerError.invalidInput(reason: "zone floor \(f) is not within 0…1")
        }
        if let k = rules.minSitesPerZone, k < 0 { throw PlannerError.invalidInput(reason: "minimum sites per zone must be ≥ 0 (got \(k))") }
        guard !timeLimitSeconds.isNaN, timeLimitSeconds >= 0 else {
            throw PlannerError.invalidInput(reason: "time limit \(timeLimitSeconds) s is not a non-negative number")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let floorShare = rules.floor ?? 0
        let zoneCount = rules.zoneNames.count

        // 1. Without the rules (unless the caller has that plan already).
        let plain: CoverageSolution
        if let unconstrained {
            guard unconstrained.problemType == type, unconstrained.demandCovered.count == demandCount else {
                throw PlannerError.invalidInput(reason: "the plan given without the zone rules answers another question (\(unconstrained.problemType), not \(type))")
            }
            plain = unconstrained
        } else {
            progress?.begin("\(n) sites without the zone rules", baseline: MCLPInstance(problem: self, mode: type.mode, branchesToChoose: 0).baselinePopulation)
            plain = try solve(type, using: solver, timeLimitSeconds: timeLimitSeconds * 0.5)
            progress?.end()
        }

        // Merged demands that stay inside one zone.
        let split = try CoverageProblem.fromCoverageLists(populations: demandPopulations, sites: sites, coverOffsets: demandCoverOffsets,
                                                          coverSites: demandCoverSites, coverMinutes: demandCoverMinutes,
                                                          mergeKeys: rules.demandZone)
        let probe = MCLPInstance(problem: split, mode: type.mode, branchesToChoose: 0)
        let instance = probe.choosing(n - probe.requiredSites.count)
        let k = instance.branchesToChoose
        let tolerance = instance.populationTolerance
        var isForced = [Bool](repeating: false, count: siteCount)
        for s in instance.forcedSites { isForced[Int(s)] = true }

        // Per zone: coverable and baseline populations, and its residents.
        var coverable = [Double](repeating: 0, count: zoneCount)
        var baseline = [Double](repeating: 0, count: zoneCount)
        var zoneDemands = [[Int32]](repeating: [], count: zoneCount)
        for i in 0 ..< demandCount {
            let z = Int(rules.demandZone[i])
            guard z >= 0 else { continue }
            let covers = self.covers(i)
            guard !covers.isEmpty else { continue }
            coverable[z] += demandPopulations[i]
            zoneDemands[z].append(Int32(i))
            if covers.contains(where: { isForced[Int($0)] }) { baseline[z] += demandPopulations[i] }
        }

        // Site counts: open sites each zone must have, and how many of them are selectable.
        var zoneSitesOpenable = [Int](repeating: 0, count: zoneCount)
        var zoneForcedOpen = [Int](repeating: 0, count: zoneCount)
        for s in 0 ..< siteCount where rules.siteZone[s] >= 0 {
            zoneSitesOpenable[Int(rules.siteZone[s])] += 1
            if isForced[s] { zoneForcedOpen[Int(rules.siteZone[s])] += 1 }
        }
        var requiredOpen = [Int](repeating: 0, count: zoneCount)
        var need = [Int](repeating: 0, count: zoneCount)
        if let minimum = rules.minSitesPerZone, minimum > 0 {
            for z in 0 ..< zoneCount where zoneSitesOpenable[z] > 0 {
                requiredOpen[z] = min(minimum, zoneSitesOpenable[z])
                need[z] = max(0, requiredOpen[z] - zoneForcedOpen[z])
            }
            let total = need.reduce(0, +)
            guard total <= k else {
                throw PlannerError.infeasible(reason: "--min-sites-per-zone \(minimum) needs \(total) sites to be chosen beyond the ones always open, but only \(k) of the \(n) branches are free to choose")
            }
        }

        // 2. Reachable floors.
        var notes: [String] = []
        var targetPopulation = [Double](repeating: 0, count: zoneCount)
        var bestShare = [Double?](repeating: nil, count: zoneCount)
        var cannotReach = [Bool](repeating: false, count: zoneCount)
        var hardZones: [Int] = []
        if floorShare > 0 {
            for z in 0 ..< zoneCount where coverable[z] > 0 {
                targetPopulation[z] = floorShare * coverable[z]
                if baseline[z] >= targetPopulation[z] - tolerance { continue }
                let sub = try zoneProblem(zoneDemands[z])
                let subInstance = MCLPInstance(problem: sub, mode: type.mode, branchesToChoose: k)
                let order = GreedySolver.greedyOrder(subInstance)
                let reached = subInstance.baselinePopulation + subInstance.corePopulation(covered: order)
                if reached < targetPopulation[z] - tolerance { hardZones.append(z) }
            }
            let perZone = hardZones.isEmpty ? 0 : timeLimitSeconds * 0.1 / Double(hardZones.count)
            for z in hardZones {
                let sub = try zoneProblem(zoneDemands[z])
                let best = try sub.solve(type, using: CBCSolver(), timeLimitSeconds: perZone)
                bestShare[z] = best.coveredPopulation / coverable[z]
                if best.upperBoundPopulation < targetPopulation[z] - tolerance { cannotReach[z] = true }
                targetPopulation[z] = min(targetPopulation[z], best.coveredPopulation)
            }
            if !hardZones.isEmpty {
                notes.append("zone floor: \(hardZones.count) zone(s) cannot reach the floor by their own greedy; their best with \(n) sites solved exactly, \(cannotReach.filter { $0 }.count) proven unable to reach it")
            }
        }

        // 3. Heuristic.
        var demandZone = [Int32](repeating: -1, count: instance.demandCount)
        for i in 0 ..< instance.demandCount {
            let first = split.members(ofMerged: Int(instance.demandMerged[i])).first!
            demandZone[i] = rules.demandZone[Int(first)]
        }
        let siteZone = instance.selectableSites.map { rules.siteZone[Int($0)] }
        let core = ZoneFloorCore(instance: instance, demandZone: demandZone, siteZone: siteZone,
                                 target: (0 ..< zoneCount).map { max(0, targetPopulation[$0] - baseline[$0]) }, need: need)
        var localOfGlobal = [Int: Int]()
        for (j, g) in instance.selectableSites.enumerated() { localOfGlobal[Int(g)] = j }
        let plainChosen = plain.openSites.compactMap { localOfGlobal[$0] }
        progress?.begin("\(n) sites with the zone rules", baseline: instance.baselinePopulation)
        defer { progress?.end() }
        // The plan without the rules may meet them already: then no plan meeting them covers more
        // than its bound (they only remove plans), and steps 3 and 4 are skipped.
        let plainValue = core.evaluate(plainChosen)
        let plainMeetsRules = plainChosen.count == k && plainValue.feasible && plainValue.shortfall <= tolerance
        var chosen = plainChosen
        var value = plainValue
        if plainMeetsRules {
            notes.append("zone rules: the plan without them already meets every zone's reachable floor and site count, so it stands, with its bound")
        } else {
            let deadline = Deadline(seconds: timeLimitSeconds * 0.35)
            chosen = ZoneFloorSearch.solve(core, start: plainChosen, deadline: deadline)
            value = core.evaluate(chosen)
            if deadline.hasPassed { notes.append("zone floor: the swap search was cut by the time limit; allow more time for a reproducible plan") }
        }
        progress?.update(stage: "zone-rule heuristic done", covered: value.covered, bound: nil)

        // 4. Exact model.
        var floorBound: Double? = nil
        var provenInfeasible = false
        var proven = plainMeetsRules && plain.provenOptimal
        let cbcSeconds = timeLimitSeconds * 0.4
        if plainMeetsRules {
            // Nothing to add: the plan and the bound of step 1 answer the question with the rules.
        } else if k > 0, k < instance.siteCount, instance.siteDemands.count <= 8_000_000, cbcSeconds > 0.01 {
            let warm = value.shortfall <= tolerance ? chosen : nil
            let result = ZoneFloorModel.run(core, warmStart: warm, seconds: cbcSeconds,
                                            nodeLimit: CBCSolver.defaultNodeLimit(forSeconds: cbcSeconds))
            notes.append(result.note)
            if let picks = result.chosen {
                let v = core.evaluate(picks)
                if core.better((v.shortfall, v.covered), than: (value.shortfall, value.covered)) || !value.feasible {
                    chosen = picks; value = v
                }
            }
            provenInfeasible = result.provenInfeasible
            if value.shortfall <= tolerance, let b = result.bound {
                floorBound = max(b, value.covered)
                proven = result.provenOptimal
            }
        } else if !plainMeetsRules, k > 0, k < instance.siteCount {
            notes.append("cbc (zone rules): skipped (too large or no time left); the heuristic's plan stands")
        }
        if value.shortfall > tolerance {
            notes.append("zone floor: \(provenInfeasible ? "no plan meets every zone's reachable floor together (proven by CBC)" : "no plan meeting every zone's reachable floor together was found"); the plan has the smallest total shortfall found")
        }
        let plainCoreBound = plain.upperBoundPopulation - instance.baselinePopulation
        let coreBound = min(plainCoreBound, floorBound ?? .infinity)
        progress?.update(stage: "done", covered: value.covered, bound: coreBound)
        let outcome = SolverOutcome(chosen: chosen.sorted(), coreUpperBound: coreBound, provenOptimal: proven,
                                    notes: plain.solver.notes.map { "without the zone rules: " + $0 } + notes)
        var solution = SolutionBuilder.build(instance, outcome: outcome, type: type, solverName: solver.name + "+zone-rules", start: start)

        // The report per zone.
        var coveredByZone = [Double](repeating: 0, count: zoneCount)
        for i in 0 ..< demandCount where solution.demandCovered[i] && rules.demandZone[i] >= 0 {
            coveredByZone[Int(rules.demandZone[i])] += demandPopulations[i]
        }
        var openByZone = [Int](repeating: 0, count: zoneCount)
        for s in solution.openSites where rules.siteZone[s] >= 0 { openByZone[Int(rules.siteZone[s])] += 1 }
        var zones: [ZoneFloorReport.Zone] = []
        var shortfall = 0.0
        for z in 0 ..< zoneCount where coverable[z] > 0 || zoneSitesOpenable[z] > 0 {
            shortfall += max(0, targetPopulation[z] - coveredByZone[z])
            zones.append(.init(name: rules.zoneNames[z], coverablePopulation: coverable[z], coveredPopulation: coveredByZone[z],
                               targetPopulation: targetPopulation[z], bestPossibleShare: bestShare[z], cannotReachFloor: cannotReach[z],
                               openSites: openByZone[z], requiredOpenSites: requiredOpen[z]))
        }
        let reference = max(plain.coveredPopulation, solution.coveredPopulation)
        let price = reference - solution.coveredPopulation
        solution.zoneFloor = ZoneFloorReport(
            floor: rules.floor, minSitesPerZone: rules.minSitesPerZone, zones: zones,
            shortfallPopulation: shortfall > tolerance ? shortfall : 0,
            unconstrainedCoveredPopulation: plain.coveredPopulation, unconstrainedUpperBoundPopulation: plain.upperBoundPopulation,
            priceOfFairnessPopulation: price > tolerance ? price : 0, targetsProvenJointlyInfeasible: provenInfeasible)
        return solution
    }

    /// The sub-problem of the given original demands (all sites, same roles).
    private func zoneProblem(_ demands: [Int32]) throws -> CoverageProblem {
        var offsets = [0]
        var flat: [Int32] = []
        for i in demands {
            flat += covers(Int(i))
            offsets.append(flat.count)
        }
        return try CoverageProblem.fromCoverageLists(populations: demands.map { demandPopulations[Int($0)] }, sites: sites,
                                                     coverOffsets: offsets, coverSites: flat)
    }
}
