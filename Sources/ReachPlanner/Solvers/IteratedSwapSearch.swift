import Foundation
import ReachGeo
import Synchronization

/// Iterated local search over the swap neighbourhood (Lourenço, Martin & Stützle 2003), run as
/// independent seeded chains on the available cores.
///
/// A chain starts from a swap-local optimum (``SwapNeighbourhood/descend(maxSwaps:pinnedSlot:barred:)``)
/// and repeats a *kick*: it picks an uncovered core demand at random (in proportion to its
/// population), brings in one of the sites covering it (at random) in place of the chosen site
/// whose removal costs least, re-optimises with that site kept and the removed one barred, and
/// then re-optimises freely. The result replaces the chain's current set when it covers at least
/// as much (so the chain also walks across plateaus), and the best set seen is kept.
///
/// Every random choice comes from a `SplitMix64` seeded per chain, and rounds are counted, not
/// timed: the answer does not depend on the machine or the thread count unless the deadline
/// cuts a chain short. Chains are compared by covered population, ties to the lower chain.
enum IteratedSwapSearch {
    /// Largest K·M (chosen × selectable sites) for which the swap tables are built (8 bytes each).
    static let maximumTableCells = 8_000_000

    /// Runs `chains` chains of `rounds` kicks each from `start`; returns the best set found.
    /// - Complexity: per round, one kick and a descent; each swap costs K·M plus the degrees of
    ///   the demands whose cover count crosses 0 or 1.
    /// - Parameters:
    ///   - tableCells: the K·M above which it falls back to ``SwapSearch/improve`` (no kicks).
    ///   - copyLimit: the K·M + 2·D up to which a kick works on a copy of the state; above it, in
    ///     place with an undo log.
    static func search(_ instance: MCLPInstance, start: [Int], rounds: Int, chains: Int = 2,
                       seed: UInt64 = 0x5EED, deadline: Deadline, tableCells: Int = maximumTableCells,
                       copyLimit: Int = defaultCopyLimit) -> [Int] {
        searchReporting(instance, start: start, rounds: rounds, chains: chains, seed: seed, deadline: deadline,
                        tableCells: tableCells, copyLimit: copyLimit).chosen
    }

    /// Copying the state costs K·M + 2·D values; undoing a kick costs its swaps again. On the
    /// 200k × 2k benchmark (60,000 + 212,000 values) copies are faster (1.5 s against 2.1 s).
    static let defaultCopyLimit = 2_000_000

    /// As ``search(_:start:rounds:chains:seed:deadline:tableCells:copyLimit:)``, and whether the deadline cut a
    /// chain short (the answer may then differ between runs).
    static func searchReporting(_ instance: MCLPInstance, start: [Int], rounds: Int, chains: Int = 2,
                                seed: UInt64 = 0x5EED, deadline: Deadline, tableCells: Int = maximumTableCells,
                                copyLimit: Int = defaultCopyLimit) -> (chosen: [Int], cutByDeadline: Bool) {
        let k = start.count
        guard k > 0, k < instance.siteCount, k * instance.siteCount <= tableCells else {
            let chosen = SwapSearch.improve(instance, chosen: start, maxPasses: 50, deadline: deadline)
            return (chosen, deadline.hasPassed)
        }
        var base = SwapNeighbourhood(instance, chosen: start)
        base.descend()
        guard rounds > 0, chains > 0 else { return (base.chosen, false) }
        let results = Mutex([(chosen: [Int], covered: Double, cut: Bool)?](repeating: nil, count: chains))
        let startState = base
        DispatchQueue.concurrentPerform(iterations: chains) { c in
            let found = runChain(startState, rounds: rounds, seed: seed &+ UInt64(c) &* 0x9E37_79B9_7F4A_7C15,
                                 copyLimit: copyLimit, deadline: deadline)
            results.withLock { $0[c] = found }
        }
        var best = (chosen: base.chosen, covered: base.covered)
        var cut = false
        let tolerance = instance.populationTolerance
        for found in results.withLock({ $0 }) {
            guard let found else { continue }
            cut = cut || found.cut
            if found.covered > best.covered + tolerance { best = (found.chosen, found.covered) }
        }
        return (best.chosen, cut)
    }

    private static func runChain(_ start: SwapNeighbourhood, rounds: Int, seed: UInt64, copyLimit: Int,
                                 deadline: Deadline) -> (chosen: [Int], covered: Double, cut: Bool) {
        let instance = start.instance
        let tolerance = instance.populationTolerance
        var rng = SplitMix64(seed: seed)
        var current = start
        var best = (chosen: current.chosen, covered: current.covered)
        var uncovered: [Int32] = []
        var cumulative: [Double] = []
        var log: [SwapNeighbourhood.Move] = []
        let copiesState = start.siteOfSlot.count * instance.siteCount + 2 * instance.demandCount <= copyLimit
        for _ in 0 ..< rounds {
            if deadline.hasPassed { return (best.chosen, best.covered, true) }
            // An uncovered demand, drawn in proportion to its population.
            uncovered.removeAll(keepingCapacity: true)
            cumulative.removeAll(keepingCapacity: true)
            var sum = 0.0
            for d in 0 ..< instance.demandCount where current.isUncovered(d) {
                sum += instance.demandWeights[d]
                uncovered.append(Int32(d))
                cumulative.append(sum)
            }
            guard sum > 0 else { break }  // everything covered: nothing left to gain
            let target = rng.unitInterval() * sum
            var lo = 0, hi = cumulative.count - 1
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulative[mid] <= target { lo = mid + 1 } else { hi = mid }
            }
            let demand = Int(uncovered[lo])
            let covering = instance.sites(covering: demand)
            let incoming = Int(covering[covering.startIndex + Int(rng.next() % UInt64(covering.count))])
            // The slot whose swap for `incoming` costs least.
            var outSlot = 0, outDelta = -Double.infinity
            for r in 0 ..< current.siteOfSlot.count {
                let value = current.delta(slot: r, site: incoming)
                if value > outDelta { outDelta = value; outSlot = r }
            }
            /// The kick and the two descents, logging every swap.
            func kick(_ state: inout SwapNeighbourhood) {
                let removed = Int(state.siteOfSlot[outSlot])
                log.append(.init(slot: outSlot, previousSite: removed))
                state.swap(slot: outSlot, in: incoming)
                state.descend(pinnedSlot: outSlot, barred: removed, log: &log)
                state.descend(log: &log)
            }
            let before = current.covered
            if copiesState {
                // Small tables: kick a copy, keep it if it is no worse (a rejected kick costs a copy).
                var trial = current
                kick(&trial)
                if trial.covered >= before - tolerance { current = trial }
            } else {
                // Large tables: kick in place and undo a worse result swap by swap (no copy of the
                // K·M table per kick).
                kick(&current)
                if current.covered < before - tolerance { current.undo(&log) }
            }
            log.removeAll(keepingCapacity: true)
            if current.covered > best.covered + tolerance { best = (current.chosen, current.covered) }
        }
        return (best.chosen, best.covered, false)
    }
}
