import Foundation
import ReachGeo

extension CoverageProblem {
    /// Answers a planning question and returns a new ``CoverageSolution`` (the problem is unchanged).
    ///
    /// - `.coverage(branches: N)`: opens exactly N branches (required sites included) maximising
    ///   the covered population; ties go to fewer population-weighted travel minutes, then to the
    ///   lower site indices.
    /// - `.fewestBranches(targetShare: S)`: the smallest N whose best plan covers at least
    ///   S × ``coverablePopulation``; a binary search with `solver` between the bound-derived
    ///   minimum and the greedy answer, each solve with an equal share of the time limit. The
    ///   count is proven minimal when `solver` proves the count below it short of the target
    ///   (``CoverageSolution/branchCountProvenMinimal``).
    ///
    /// - Parameters:
    ///   - type: mode and objective.
    ///   - solver: the method (default ``CBCSolver``).
    ///   - timeLimitSeconds: wall-clock budget for the solver (default 10 s).
    /// - Throws: ``PlannerError``.
    public func solve(_ type: ProblemType, using solver: any CoverageSolver = CBCSolver(),
                      timeLimitSeconds: Double = 10) throws -> CoverageSolution {
        guard !timeLimitSeconds.isNaN, timeLimitSeconds >= 0, timeLimitSeconds <= ValueRanges.maximumTimeLimitSeconds else {
            throw PlannerError.invalidInput(reason: "time limit \(timeLimitSeconds) s is not a number of seconds in 0…1e6")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let probe = MCLPInstance(problem: self, mode: type.mode, branchesToChoose: 0)
        let required = probe.requiredSites.count
        let available = required + probe.siteCount
        switch type.objective {
        case .coverage(let branches):
            guard branches >= 0 else { throw PlannerError.invalidInput(reason: "branches must be ≥ 0 (got \(branches))") }
            guard branches <= available else { throw PlannerError.tooManyFacilities(requested: branches, available: available) }
            guard branches >= required else {
                throw PlannerError.invalidInput(reason: "\(branches) branches requested but \(required) sites are required (required sites count within N)")
            }
            let instance = probe.choosing(branches - required)
            // The phases outside the solver's own clock are timed too (`solver.phases_s`).
            let modelSeconds = secondsSince(start)
            var outcome = try run(solver, on: instance, seconds: timeLimitSeconds)
            outcome.phases.insert(PhaseTiming(phase: "model", seconds: modelSeconds), at: 0)
            let buildStart = DispatchTime.now().uptimeNanoseconds
            var solution = SolutionBuilder.build(instance, outcome: outcome, type: type, solverName: solver.name, start: start)
            solution.solver.phases.append(PhaseTiming(phase: "solution", seconds: secondsSince(buildStart)))
            return solution

        case .fewestBranches(let share):
            guard share.isFinite, share >= 0, share <= 1 else {
                throw PlannerError.invalidInput(reason: "target share \(share) is not within 0…1")
            }
            return try fewestBranches(share: share, type: type, solver: solver, probe: probe,
                                      timeLimitSeconds: timeLimitSeconds, start: start)
        }
    }

    /// Runs `solver`, checks its answer, and applies the tie rules unless the solver did.
    private func run(_ solver: any CoverageSolver, on instance: MCLPInstance, seconds: Double) throws -> SolverOutcome {
        let limit = Deadline(seconds: seconds)
        // The solver gets 90 % of the limit, the tie polish the rest (and at least a tenth).
        var outcome = try solver.solve(instance, timeLimitSeconds: seconds * 0.9)
        let k = instance.branchesToChoose
        guard outcome.chosen.count == k, Set(outcome.chosen).count == k,
              outcome.chosen.allSatisfy({ $0 >= 0 && $0 < instance.siteCount }) else {
            throw PlannerError.solverFailure(solver: solver.name, reason: "returned \(outcome.chosen.count) distinct valid sites, expected \(k)")
        }
        if solver.polishesTies {
            let polishStart = DispatchTime.now().uptimeNanoseconds
            let polishSeconds = max(limit.remainingSeconds, 0.1 * (seconds.isFinite ? seconds : 10))
            outcome.chosen = SwapSearch.polishTies(instance, chosen: outcome.chosen, deadline: Deadline(seconds: polishSeconds))
            outcome.phases.append(PhaseTiming(phase: "tie polish", seconds: secondsSince(polishStart)))
        }
        outcome.chosen.sort()
        return outcome
    }

    private func fewestBranches(share: Double, type: ProblemType, solver: any CoverageSolver, probe: MCLPInstance,
                                timeLimitSeconds: Double, start: UInt64) throws -> CoverageSolution {
        let target = share * coverablePopulation
        let tolerance = probe.populationTolerance
        let full = probe.choosing(probe.siteCount)
        // Greedy over every selectable site: the first prefix reaching the target is an answer.
        let order = GreedySolver.greedyOrder(full)
        var coveredByPrefix = full.baselinePopulation
        var greedyCount = 0
        var covered = [Bool](repeating: false, count: full.demandCount)
        while coveredByPrefix < target - tolerance, greedyCount < order.count {
            for i in full.demands(coveredBy: order[greedyCount]) where !covered[Int(i)] {
                covered[Int(i)] = true
                coveredByPrefix += full.demandWeights[Int(i)]
            }
            greedyCount += 1
        }
        guard coveredByPrefix >= target - tolerance else {
            throw PlannerError.infeasible(reason: "target \(target) exceeds what every site together covers (\(coveredByPrefix))")
        }
        // Lower end: the fewest free sites whose proven bound reaches the target.
        let bounds = SolutionBuilder.prefixBounds(full, prefix: Array(order[0 ..< greedyCount]), maxBudget: greedyCount)
        var lowest = 0
        while lowest < greedyCount, full.baselinePopulation + bounds[lowest] < target - tolerance { lowest += 1 }
        // Binary search between `lowest` (the bound proves every smaller count short) and
        // `greedyCount` (the greedy prefix reaches the target). The best coverage grows with the
        // count, so with an exact solver this finds the minimum; with a heuristic the count found
        // still reaches the target. Each solve gets an equal, fixed share of the time limit, so
        // the search makes the same solves on every run.
        // At most ⌈log₂(span)⌉ + 1 solves in the search, plus one at the greedy count.
        let probes = Int(log2(Double(max(1, greedyCount - lowest))).rounded(.up)) + 2
        let perSolve = timeLimitSeconds / Double(probes)
        var lo = lowest, hi = greedyCount
        var answer: (MCLPInstance, SolverOutcome)? = nil
        var provenShort = Set<Int>()
        while lo < hi {
            let mid = (lo + hi) / 2
            let instance = probe.choosing(mid)
            let outcome = try run(solver, on: instance, seconds: perSolve)
            let reached = instance.baselinePopulation + instance.corePopulation(covered: outcome.chosen)
            if reached >= target - tolerance {
                hi = mid
                answer = (instance, outcome)
            } else {
                if outcome.provenOptimal || (outcome.coreUpperBound.map { instance.baselinePopulation + $0 < target - tolerance } ?? false) {
                    provenShort.insert(mid)
                }
                lo = mid + 1
            }
        }
        if answer == nil {
            // Only the greedy prefix is known to reach the target; let the solver improve coverage
            // for that count.
            let instance = probe.choosing(greedyCount)
            let prefix = SwapSearch.polishTies(instance, chosen: Array(order[0 ..< greedyCount]), deadline: Deadline(seconds: perSolve))
            var outcome = SolverOutcome(chosen: prefix.sorted(), coreUpperBound: nil, provenOptimal: false)
            if let better = try? run(solver, on: instance, seconds: perSolve),
               instance.corePopulation(covered: better.chosen) >= instance.corePopulation(covered: outcome.chosen) - tolerance {
                outcome = better
            }
            answer = (instance, outcome)
        }
        // Minimal when the count below the answer is proven short (by the bound below `lowest`).
        let allProven = hi == lowest || provenShort.contains(hi - 1)
        let (instance, outcome) = answer!
        let buildStart = DispatchTime.now().uptimeNanoseconds
        var solution = SolutionBuilder.build(instance, outcome: outcome, type: type, solverName: solver.name, start: start)
        solution.solver.phases.append(PhaseTiming(phase: "solution", seconds: secondsSince(buildStart)))
        solution.targetPopulation = target
        solution.branchCountProvenMinimal = allProven
        return solution
    }
}

/// Turns a solver's choice into a ``CoverageSolution``: roll-out order, curve, bounds, assignment.
enum SolutionBuilder {
    /// Proven bounds on the core population any `b` free sites can cover, for b = 0 … maxBudget.
    ///
    /// Coverage f is monotone submodular, so for every set P and every choice Q of b sites,
    /// f(Q) ≤ f(P) + Σ_{j∈Q} gain(j | P) ≤ f(P) + (sum of the b largest gains given P)
    /// (Nemhauser, Wolsey & Fisher 1978). The bound for b is the minimum over the prefixes
    /// P₀ = ∅, P₁, … of `prefix`, and never above the core total. Gains are kept exact
    /// incrementally as P grows.
    /// - Complexity: O(P + |prefix| · M log M) for P core covering pairs and M sites.
    static func prefixBounds(_ instance: MCLPInstance, prefix: [Int], maxBudget: Int) -> [Double] {
        let m = instance.siteCount
        var gain = [Double](repeating: 0, count: m)
        for j in 0 ..< m {
            var sum = 0.0
            for i in instance.demands(coveredBy: j) { sum += instance.demandWeights[Int(i)] }
            gain[j] = sum
        }
        var covered = [Bool](repeating: false, count: instance.demandCount)
        var coveredPopulation = 0.0
        var best = [Double](repeating: .infinity, count: maxBudget + 1)
        let coreTotal = instance.coreTotalPopulation
        func update() {
            let top = gain.map { max(0, $0) }.sorted(by: >)
            var sum = coveredPopulation
            best[0] = min(best[0], sum)
            for b in 1 ... max(1, maxBudget) where b <= maxBudget {
                if b - 1 < top.count { sum += top[b - 1] }
                // No choice covers more than the whole core.
                best[b] = min(best[b], sum, coreTotal)
            }
        }
        update()
        for s in prefix {
            for i in instance.demands(coveredBy: s) where !covered[Int(i)] {
                covered[Int(i)] = true
                let w = instance.demandWeights[Int(i)]
                coveredPopulation += w
                for j in instance.sites(covering: Int(i)) { gain[Int(j)] -= w }
            }
            update()
        }
        return best
    }

    /// - Parameter rolloutGroups: the chosen local sites as groups rolled out one after the other
    ///   (each greedily); nil rolls out `outcome.chosen` as one group. A phased plan passes its
    ///   phases, so the first phase's sites come first.
    static func build(_ instance: MCLPInstance, outcome: SolverOutcome, type: ProblemType, solverName: String,
                      start: UInt64, rolloutGroups: [[Int]]? = nil) -> CoverageSolution {
        let problem = instance.problem
        var open = [Bool](repeating: false, count: problem.siteCount)
        var mergedCovered = [Bool](repeating: false, count: problem.mergedDemandCount)
        var covered = 0.0
        func openSite(_ s: Int) -> Double {
            open[s] = true
            var gain = 0.0
            for m in problem.mergedDemands(coveredBy: s) where !mergedCovered[Int(m)] {
                mergedCovered[Int(m)] = true
                gain += problem.mergedPopulations[Int(m)]
            }
            covered += gain
            return gain
        }
        func gainOf(_ s: Int) -> Double {
            var gain = 0.0
            for m in problem.mergedDemands(coveredBy: s) where !mergedCovered[Int(m)] { gain += problem.mergedPopulations[Int(m)] }
            return gain
        }
        // Baseline: existing sites in mode add.
        let isRequired = Set(instance.requiredSites)
        for s in instance.forcedSites where !isRequired.contains(s) { _ = openSite(Int(s)) }
        let baseline = covered
        // Roll-out: required sites greedily, then the chosen sites greedily.
        var branches: [CoverageSolution.Branch] = []
        var freeRollout: [Int] = []
        var orderOfSite = [Int: Int]()
        func rollOut(_ group: [Int], isFree: Bool) {
            var remaining = group.sorted()
            while !remaining.isEmpty {
                var bestPosition = 0, bestGain = -1.0
                for (p, s) in remaining.enumerated() {
                    let g = gainOf(s)
                    if g > bestGain { bestGain = g; bestPosition = p }
                }
                let s = remaining.remove(at: bestPosition)
                let gain = openSite(s)
                orderOfSite[s] = branches.count + 1
                branches.append(.init(siteIndex: s, id: problem.sites[s].id, role: problem.sites[s].role,
                                      order: branches.count + 1, marginalPopulation: gain,
                                      cumulativeCoveredPopulation: covered))
                if isFree { freeRollout.append(s) }
            }
        }
        rollOut(instance.requiredSites.map(Int.init), isFree: false)
        for group in rolloutGroups ?? [outcome.chosen] {
            rollOut(group.map { Int(instance.selectableSites[$0]) }, isFree: true)
        }

        // Bounds per k from the roll-out prefixes of the free sites.
        var localOfGlobal = [Int: Int]()
        for (j, g) in instance.selectableSites.enumerated() { localOfGlobal[Int(g)] = j }
        let freeLocal = freeRollout.map { localOfGlobal[$0]! }
        let coreBounds = prefixBounds(instance, prefix: freeLocal, maxBudget: instance.branchesToChoose)
        let total = problem.totalPopulation
        let required = instance.requiredSites.count
        var curve: [CoverageSolution.CurvePoint] = []
        for k in 0 ... branches.count {
            let coveredK = k == 0 ? baseline : branches[k - 1].cumulativeCoveredPopulation
            var bound: Double? = nil
            if k >= required {
                var b = instance.baselinePopulation + coreBounds[k - required]
                if k == branches.count, let solverBound = outcome.coreUpperBound {
                    b = min(b, instance.baselinePopulation + solverBound)
                }
                bound = max(b, coveredK)
            }
            curve.append(.init(branches: k, coveredPopulation: coveredK,
                               coveredShare: total > 0 ? coveredK / total : 0, upperBoundPopulation: bound))
        }

        // Per original demand: covered, assigned site, covering branch.
        let n = problem.demandCount
        var demandCovered = [Bool](repeating: false, count: n)
        var assigned = [Int?](repeating: nil, count: n)
        var branchOrder = [Int?](repeating: nil, count: n)
        var coveredPopulation = 0.0, uncoveredPopulation = 0.0
        var minutesSum = 0.0
        let minutes = problem.demandCoverMinutes
        for i in 0 ..< n {
            var bestSite = -1, bestMinutes = Double.infinity
            var firstOrder = Int.max, baselineCovered = false
            for k in problem.demandCoverOffsets[i] ..< problem.demandCoverOffsets[i + 1] {
                let s = Int(problem.demandCoverSites[k])
                guard open[s] else { continue }
                let t = minutes?[k] ?? 0
                if bestSite < 0 || t < bestMinutes { bestSite = s; bestMinutes = t }
                if let o = orderOfSite[s] { firstOrder = min(firstOrder, o) } else { baselineCovered = true }
            }
            if bestSite >= 0 {
                demandCovered[i] = true
                assigned[i] = bestSite
                coveredPopulation += problem.demandPopulations[i]
                if minutes != nil { minutesSum += problem.demandPopulations[i] * bestMinutes }
                if !baselineCovered { branchOrder[i] = firstOrder }
            } else {
                uncoveredPopulation += problem.demandPopulations[i]
            }
        }
        let tolerance = instance.populationTolerance
        let upper = max(coveredPopulation, curve.last?.upperBoundPopulation ?? coveredPopulation)
        let proven = outcome.provenOptimal || upper - coveredPopulation <= tolerance
        let gap = upper > 0 ? max(0, (upper - coveredPopulation) / upper) : 0
        var requested: Int? = nil
        if case .coverage(let n) = type.objective { requested = n }
        return CoverageSolution(
            problemType: type, branchesRequested: requested, targetPopulation: nil, branchCountProvenMinimal: nil,
            branches: branches, openSites: open.indices.filter { open[$0] },
            totalPopulation: total, coverablePopulation: problem.coverablePopulation, baselinePopulation: baseline,
            coveredPopulation: coveredPopulation, uncoveredPopulation: uncoveredPopulation,
            upperBoundPopulation: upper, gap: gap,
            provenOptimal: proven, quality: proven ? .provenOptimal : .heuristic(upperBound: upper),
            weightedTravelMinutes: minutes == nil ? nil : minutesSum,
            solver: .init(name: solverName, seconds: secondsSince(start), notes: outcome.notes, phases: outcome.phases),
            curve: curve, demandCovered: demandCovered, assignedSite: assigned, coveringBranchOrder: branchOrder)
    }
}
