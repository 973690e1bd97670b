import Foundation

/// The Lagrangian relaxation of the maximal covering problem and its subgradient optimisation.
///
/// The core MCLP is: maximise Σᵢ wᵢ yᵢ subject to yᵢ ≤ Σ_{j∈Nᵢ} xⱼ, Σⱼ xⱼ = K, x, y ∈ {0, 1}.
/// Relaxing the coverage constraints with multipliers λᵢ ≥ 0 gives
///
///     L(λ) = Σᵢ max(0, wᵢ − λᵢ) + (sum of the K largest cⱼ),   cⱼ = Σ_{i: j∈Nᵢ} λᵢ,
///
/// which is at least the optimum for *every* λ ≥ 0 (each relaxed constraint has a non-negative
/// slack times a non-negative multiplier in any feasible solution). The best bound is the minimum
/// of L over the iterations. λ starts at w (where L is the sum of the K largest single-site
/// coverages) and moves against the subgradient gᵢ = |{j chosen : j ∈ Nᵢ}| − yᵢ with Polyak's
/// step t = θ (L − incumbent) / ‖g‖² (Galvão & ReVelle 1996); θ halves when L stalls.
/// Each relaxed solution's K sites are also a feasible plan (the Lagrangian heuristic).
///
/// When K sites can cover every core demand *fractionally* (a dense candidate set), the LP
/// relaxation — and with it every L(λ) — is at least the core total, so no iteration can improve
/// on the trivial bound: after `trivialIterations` iterations without a bound below the total
/// the optimisation stops and says so (only the primal side can then close the gap).
enum LagrangianBound {
    struct Result {
        /// The least L(λ) seen: a proven upper bound on the core population.
        var bound: Double
        /// The best feasible choice seen (the incumbent or a relaxed solution).
        var bestChosen: [Int]
        var bestCoverage: Double
        var iterations: Int
        /// True when it stopped because no iteration bounded below the core total.
        var stoppedAtTrivialBound = false
        /// True when the deadline ended it (the bound may then differ between runs).
        var cutByDeadline = false
    }

    /// Runs subgradient optimisation until the bound meets the incumbent (within the tolerance),
    /// θ falls below `minimumTheta`, `maxIterations` pass, or the deadline passes.
    /// - Complexity: O(P + M log M + D) per iteration for P core covering pairs, M sites, D demands.
    static func optimise(_ instance: MCLPInstance, incumbent: [Int], maxIterations: Int = 400,
                         deadline: Deadline, minimumTheta: Double = 1e-4, trivialIterations: Int = 40) -> Result {
        let m = instance.siteCount, n = instance.demandCount
        let k = min(instance.branchesToChoose, m)
        let total = instance.coreTotalPopulation
        var bestChosen = incumbent
        var bestCoverage = instance.corePopulation(covered: incumbent)
        // Trivial cases: all sites (or none) chosen; the incumbent is then optimal.
        if k == 0 || k == m || n == 0 {
            return Result(bound: k == 0 ? 0 : total, bestChosen: bestChosen, bestCoverage: bestCoverage, iterations: 0)
        }
        let tolerance = instance.populationTolerance
        var lambda = instance.demandWeights
        var c = [Double](repeating: 0, count: m)
        var count = [Int32](repeating: 0, count: n)
        var order = Array(0 ..< m)
        var bestBound = Double.infinity
        var theta = 2.0, stall = 0
        let parallel = instance.siteDemands.count >= 1_000_000
        let threads = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            computeSiteValues(instance, lambda: lambda, into: &c, parallel: parallel, threads: threads)
            // Top K by value, ties to the lower index.
            order.sort { c[$0] > c[$1] || (c[$0] == c[$1] && $0 < $1) }
            var value = 0.0
            for i in 0 ..< n where instance.demandWeights[i] > lambda[i] { value += instance.demandWeights[i] - lambda[i] }
            for r in 0 ..< k { value += c[order[r]] }
            if value < bestBound - tolerance * 1e-3 { bestBound = value; stall = 0 } else { stall += 1 }
            // Lagrangian heuristic: the relaxed choice is a feasible plan.
            for i in 0 ..< n { count[i] = 0 }
            var covered = 0.0
            for r in 0 ..< k {
                for i in instance.demands(coveredBy: order[r]) {
                    if count[Int(i)] == 0 { covered += instance.demandWeights[Int(i)] }
                    count[Int(i)] += 1
                }
            }
            if covered > bestCoverage + tolerance {
                bestCoverage = covered
                bestChosen = Array(order[0 ..< k])
            }
            if bestBound - bestCoverage <= tolerance { break }
            if deadline.hasPassed {
                return Result(bound: min(bestBound, total), bestChosen: bestChosen, bestCoverage: bestCoverage,
                              iterations: iteration, cutByDeadline: true)
            }
            if iteration >= trivialIterations, bestBound >= total - tolerance {
                return Result(bound: total, bestChosen: bestChosen, bestCoverage: bestCoverage, iterations: iteration,
                              stoppedAtTrivialBound: true)
            }
            if stall >= 15 { theta /= 2; stall = 0 }
            if theta < minimumTheta { break }
            var norm = 0.0
            for i in 0 ..< n {
                let g = Double(count[i]) - (instance.demandWeights[i] > lambda[i] ? 1 : 0)
                norm += g * g
            }
            if norm == 0 { break }  // λ is optimal for the dual
            let step = theta * max(value - bestCoverage, tolerance) / norm
            for i in 0 ..< n {
                let g = Double(count[i]) - (instance.demandWeights[i] > lambda[i] ? 1 : 0)
                if g != 0 { lambda[i] = max(0, lambda[i] - step * g) }
            }
        }
        return Result(bound: min(bestBound, total), bestChosen: bestChosen, bestCoverage: bestCoverage, iterations: iteration)
    }

    /// cⱼ = Σ_{i covered by j} λᵢ for every site; each site is summed by one thread in a fixed
    /// order, so the result does not depend on the thread count.
    private static func computeSiteValues(_ instance: MCLPInstance, lambda: [Double], into c: inout [Double],
                                          parallel: Bool, threads: Int) {
        let m = instance.siteCount
        let offsets = instance.siteDemandOffsets
        lambda.withUnsafeBufferPointer { lam in
            instance.siteDemands.withUnsafeBufferPointer { sd in
                c.withUnsafeMutableBufferPointer { out in
                    nonisolated(unsafe) let lamP = lam, sdP = sd, outP = out
                    let chunks = parallel ? threads * 4 : 1
                    let body: @Sendable (Int) -> Void = { chunk in
                        let lo = m * chunk / chunks, hi = m * (chunk + 1) / chunks
                        for j in lo ..< hi {
                            var sum = 0.0
                            for p in offsets[j] ..< offsets[j + 1] { sum += lamP[Int(sdP[p])] }
                            outP[j] = sum
                        }
                    }
                    if chunks == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: body) }
                }
            }
        }
    }
}

extension LagrangianBound.Result {
    /// The report line (`plan.json` `solver.notes`).
    var note: String {
        "lagrangian: \(iterations) iterations" + (stoppedAtTrivialBound ? ", no bound below the coverable total" : "")
            + (cutByDeadline ? ", cut by the time limit (allow more time for a reproducible bound)" : "")
    }
}

/// Greedy + swaps, then the Lagrangian bound (and heuristic): every answer has a proven gap.
public struct LagrangianSolver: CoverageSolver {
    public var name: String { "greedy+swap+lagrangian" }
    /// Most subgradient iterations.
    public var maxIterations: Int
    /// Kicks per chain of the iterated swap search (``IteratedSwapSearch``); 0 leaves a plain
    /// swap-local optimum.
    public var kickRounds: Int

    public init(maxIterations: Int = 400, kickRounds: Int = 100) {
        self.maxIterations = maxIterations
        self.kickRounds = kickRounds
    }

    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        let deadline = Deadline(seconds: timeLimitSeconds)
        var clock = PhaseClock()
        let (heuristic, swapNote) = SwapSearch.heuristicIncumbent(instance, timeLimitSeconds: timeLimitSeconds,
                                                                  kickRounds: kickRounds, clock: &clock)
        let result = LagrangianBound.optimise(instance, incumbent: heuristic, maxIterations: maxIterations, deadline: deadline)
        clock.lap("lagrangian")
        var chosen = result.bestChosen
        if chosen != heuristic {
            chosen = SwapSearch.descend(instance, chosen: chosen, deadline: deadline)
            clock.lap("swap")
        }
        let covered = instance.corePopulation(covered: chosen)
        let proven = result.bound - covered <= instance.populationTolerance
        return SolverOutcome(chosen: chosen, coreUpperBound: result.bound, provenOptimal: proven,
                             notes: [swapNote, result.note].compactMap { $0 }, phases: clock.phases)
    }
}
