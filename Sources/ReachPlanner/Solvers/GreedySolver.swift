/// Greedy maximal covering with lazy gain updates (CELF, Leskovec et al. 2007).
///
/// Each round opens the site with the largest marginal covered population (ties: lower site
/// index). Coverage is monotone and submodular, so a site's gain can only shrink as sites open:
/// a stale gain in the priority queue is an upper bound, and a site whose freshly computed gain
/// still tops the queue is the true greedy choice. The pick order is the natural roll-out order,
/// and the result covers at least (1 − 1/e) of the optimum (Nemhauser, Wolsey & Fisher 1978).
public struct GreedySolver: CoverageSolver {
    public var name: String { "greedy" }
    public var polishesTies: Bool { false }

    public init() {}

    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        SolverOutcome(chosen: Self.greedyOrder(instance), coreUpperBound: nil, provenOptimal: false)
    }

    /// The lazy-greedy pick order of ``MCLPInstance/branchesToChoose`` local sites.
    /// - Complexity: O(P + r·d̄ + M log M) for P core covering pairs, r gain re-evaluations of
    ///   d̄ demands each, M selectable sites; r is typically a small multiple of the picks.
    public static func greedyOrder(_ instance: MCLPInstance) -> [Int] {
        let m = instance.siteCount
        let k = min(instance.branchesToChoose, m)
        guard k > 0 else { return [] }
        var covered = [Bool](repeating: false, count: instance.demandCount)
        var heap = GainHeap(capacity: m)
        instance.demandWeights.withUnsafeBufferPointer { w in
            instance.siteDemands.withUnsafeBufferPointer { sd in
                for j in 0 ..< m {
                    var gain = 0.0
                    for p in instance.siteDemandOffsets[j] ..< instance.siteDemandOffsets[j + 1] { gain += w[Int(sd[p])] }
                    heap.push(.init(gain: gain, site: Int32(j), round: 0))
                }
            }
        }
        var order: [Int] = []
        order.reserveCapacity(k)
        var round: Int32 = 0
        while order.count < k, var top = heap.pop() {
            if top.round == round {
                let j = Int(top.site)
                order.append(j)
                for i in instance.demands(coveredBy: j) { covered[Int(i)] = true }
                round += 1
                continue
            }
            var gain = 0.0
            for i in instance.demands(coveredBy: Int(top.site)) where !covered[Int(i)] {
                gain += instance.demandWeights[Int(i)]
            }
            top.gain = gain
            top.round = round
            heap.push(top)
        }
        return order
    }
}

/// Greedy followed by Teitz–Bart vertex substitution (Teitz & Bart 1968) on the chosen set.
///
/// The swap search makes, each time, the best swap of the whole neighbourhood (every chosen site
/// against every unchosen one, see ``SwapNeighbourhood``) while it raises the covered population
/// by more than the tolerance. The final set is re-ordered greedily for the roll-out by
/// ``CoverageProblem/solve(_:using:timeLimitSeconds:)``.
public struct GreedySwapSolver: CoverageSolver {
    public var name: String { "greedy+swap" }

    public init() {}

    public func solve(_ instance: MCLPInstance, timeLimitSeconds: Double) throws -> SolverOutcome {
        let greedy = GreedySolver.greedyOrder(instance)
        let improved = SwapSearch.descend(instance, chosen: greedy, deadline: Deadline(seconds: timeLimitSeconds))
        return SolverOutcome(chosen: improved, coreUpperBound: nil, provenOptimal: false)
    }
}
