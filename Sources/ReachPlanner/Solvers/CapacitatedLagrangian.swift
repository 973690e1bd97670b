import Foundation

extension CapacitatedCoverage {
    /// A Lagrangian upper bound on the population served, relaxing each demand's "served at most
    /// once" row (Σ_j y_ij ≤ 1) with a multiplier u_i ≥ 0.
    ///
    /// For any u ≥ 0 and any feasible plan (x, y):
    ///     Σ_i w_i Σ_j y_ij ≤ Σ_i w_i Σ_j y_ij + Σ_i u_i (1 − Σ_j y_ij)
    ///                      = Σ_i u_i + Σ_{j open} Σ_i (w_i − u_i) y_ij
    ///                      ≤ Σ_i u_i + Σ_{j forced} v_j(u) + (the K largest v_j(u) of the selectable sites),
    /// where v_j(u) is the best of one site alone — a fractional knapsack: items i covered by j
    /// with profit w_i − u_i > 0, weight f_i, capacity C_j, each taken at most once (y_ij ≤ 1),
    /// solved exactly by taking items by profit per filing. So every L(u) is a valid bound and the
    /// smallest one seen is returned. The multipliers follow a subgradient method (g_i = 1 −
    /// Σ_{j in the relaxed plan} y_ij, Polyak steps toward `target`, the best served population
    /// known), starting from u = 0 (u = w gives the coverable population, so the result never
    /// exceeds it), for `iterations` or until the step vanishes or the target is reached.
    ///
    /// Returns nil when `seconds` run out first — or, after the first iteration, clearly will —
    /// so that the bound never depends on the machine's speed (the same rule as CBC's answers).
    /// - Complexity: O(P log P) per iteration for P covering pairs (each capacity-bound site sorts its demands).
    public static func lagrangianBound(_ inst: CapacitatedCoverageInstance, target: Double, iterations: Int = 300,
                                       seconds: Double = .infinity) -> Double? {
        let deadline = Deadline(seconds: seconds)
        let n = inst.demandCount
        var usable = [Bool](repeating: false, count: inst.capacities.count)
        for j in inst.forced + inst.selectable { usable[j] = true }
        var bySite = [[Int32]](repeating: [], count: inst.capacities.count)
        var hasSite = [Bool](repeating: false, count: n)
        for i in 0..<n {
            for j in inst.sites[inst.offsets[i]..<inst.offsets[i + 1]] where usable[Int(j)] {
                bySite[Int(j)].append(Int32(i)); hasSite[i] = true
            }
        }
        let sitesUsed = inst.forced + inst.selectable
        var u = [Double](repeating: 0, count: n)
        // u_i = w_i zeroes every profit: L = the coverable population, a bound to start from.
        var best = (0..<n).reduce(0.0) { $0 + (hasSite[$1] ? inst.weights[$1] : 0) }
        var theta = 2.0, sinceImprovement = 0
        var shares = [[(Int32, Double)]](repeating: [], count: inst.capacities.count)
        var scratch: [Int32] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for iteration in 0..<max(1, iterations) {
            // Each site's knapsack under u.
            var value = [Double](repeating: 0, count: inst.capacities.count)
            for j in sitesUsed {
                shares[j].removeAll(keepingCapacity: true)
                scratch.removeAll(keepingCapacity: true)
                var need = 0.0
                for i32 in bySite[j] where inst.weights[Int(i32)] - u[Int(i32)] > 0 {
                    scratch.append(i32); need += inst.loads[Int(i32)]
                }
                var v = 0.0
                if need <= inst.capacities[j] {
                    for i32 in scratch { let i = Int(i32); v += inst.weights[i] - u[i]; shares[j].append((i32, 1)) }
                } else {
                    func ratio(_ i: Int32) -> Double {
                        let f = inst.loads[Int(i)]
                        return f > 0 ? (inst.weights[Int(i)] - u[Int(i)]) / f : .infinity
                    }
                    scratch.sort { (ratio($0), -$0) > (ratio($1), -$1) }
                    var room = inst.capacities[j]
                    for i32 in scratch {
                        let i = Int(i32), f = inst.loads[i]
                        let t = f > 0 ? min(1, room / f) : 1
                        guard t > 0 else { break }
                        v += (inst.weights[i] - u[i]) * t
                        if f > 0 { room -= f * t }
                        shares[j].append((i32, t))
                    }
                }
                value[j] = v
            }
            let top = inst.selectable.sorted { (value[$0], -$0) > (value[$1], -$1) }.prefix(inst.branches)
            var l = 0.0
            for i in 0..<n where hasSite[i] { l += u[i] }
            for j in inst.forced { l += value[j] }
            for j in top { l += value[j] }
            if l < best - 1e-9 * max(1, l) { best = l; sinceImprovement = 0 } else { sinceImprovement += 1 }
            if sinceImprovement >= 15 { theta /= 2; sinceImprovement = 0 }
            if best <= target * (1 + 1e-9) || theta < 1e-4 { break }
            if deadline.remainingSeconds <= 0 { return nil }
            if iteration == 0, seconds.isFinite {
                // Far more than the time left for the remaining iterations: give up now.
                let used = secondsSince(start)
                if used * Double(iterations) > 3 * seconds { return nil }
            }
            // Subgradient of L at u: 1 − (share served in the relaxed plan).
            var g = [Double](repeating: 0, count: n)
            for i in 0..<n where hasSite[i] { g[i] = 1 }
            for j in inst.forced { for (i, t) in shares[j] { g[Int(i)] -= t } }
            for j in top { for (i, t) in shares[j] { g[Int(i)] -= t } }
            var norm = 0.0
            for i in 0..<n where hasSite[i] {
                // Projected direction: a multiplier at 0 with g > 0 cannot fall further.
                if u[i] <= 0 && g[i] > 0 { g[i] = 0 }
                norm += g[i] * g[i]
            }
            guard norm > 0 else { break }
            let step = theta * max(l - target, 1e-9 * max(1, l)) / norm
            for i in 0..<n where g[i] != 0 { u[i] = max(0, u[i] - step * g[i]) }
        }
        return best
    }
}
