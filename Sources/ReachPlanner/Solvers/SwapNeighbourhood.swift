/// The whole single-swap neighbourhood of a chosen set, kept up to date as swaps are made.
///
/// The "fast interchange" of Resende & Werneck (2007, for the p-median problem) adapted to
/// maximal covering. With `count[d]` the chosen sites covering core demand `d` and, for each
/// chosen site in slot `r`:
///
/// - `gain[j]`: population of the uncovered demands site `j` covers,
/// - `loss[r]`: population only the site in slot `r` covers,
/// - `extra[r·M + j]`: the part of `loss[r]` that site `j` also covers,
///
/// the covered-population change of swapping slot `r`'s site out and `j` in is exactly
/// `gain[j] − loss[r] + extra[r·M + j]`. A swap changes the three tables only for the demands
/// whose cover count crosses 0 or 1, so it costs the degrees of those demands, not a full pass;
/// choosing the best swap then costs K·M additions.
///
/// Populations are added and removed in a fixed order, so the tables (and every choice made from
/// them) are deterministic; rounding drift stays far below ``MCLPInstance/populationTolerance``.
struct SwapNeighbourhood {
    let instance: MCLPInstance
    /// Selectable sites M.
    let siteCount: Int
    /// Per core demand: chosen sites covering it.
    private(set) var count: [Int32]
    /// Per core demand: XOR of the local indices of the chosen sites covering it (the sole
    /// covering site when `count` is 1).
    private var soleXor: [Int32]
    /// Per site: its slot when chosen, else −1.
    private(set) var slotOfSite: [Int32]
    /// Per slot: the chosen site.
    private(set) var siteOfSlot: [Int32]
    private(set) var gain: [Double]
    private(set) var loss: [Double]
    private var extra: [Double]
    /// Core population covered by the chosen set.
    private(set) var covered: Double

    /// The chosen local sites, in slot order.
    var chosen: [Int] { siteOfSlot.map(Int.init) }

    /// Builds the tables for `chosen` (distinct local sites).
    /// - Complexity: O(P) for P core covering pairs.
    init(_ instance: MCLPInstance, chosen: [Int]) {
        self.instance = instance
        siteCount = instance.siteCount
        let n = instance.demandCount
        count = [Int32](repeating: 0, count: n)
        soleXor = [Int32](repeating: 0, count: n)
        slotOfSite = [Int32](repeating: -1, count: siteCount)
        siteOfSlot = chosen.map(Int32.init)
        gain = [Double](repeating: 0, count: siteCount)
        loss = [Double](repeating: 0, count: chosen.count)
        extra = [Double](repeating: 0, count: chosen.count * siteCount)
        covered = 0
        for (r, j) in chosen.enumerated() {
            slotOfSite[j] = Int32(r)
            for d in instance.demands(coveredBy: j) {
                count[Int(d)] += 1
                soleXor[Int(d)] ^= Int32(j)
            }
        }
        for d in 0 ..< n {
            switch count[d] {
            case 0: addUncovered(d)
            case 1: covered += instance.demandWeights[d]; addSole(d, slot: Int(slotOfSite[Int(soleXor[d])]))
            default: covered += instance.demandWeights[d]
            }
        }
    }

    // MARK: Contributions of one demand

    private mutating func addUncovered(_ d: Int) { spread(d, into: 0, sign: 1, slot: -1) }
    private mutating func removeUncovered(_ d: Int) { spread(d, into: 0, sign: -1, slot: -1) }
    private mutating func addSole(_ d: Int, slot: Int) { spread(d, into: 1, sign: 1, slot: slot) }
    private mutating func removeSole(_ d: Int, slot: Int) { spread(d, into: 1, sign: -1, slot: slot) }

    /// Adds `sign × weight(d)` to `gain` (table 0) or to `loss[slot]` and `extra[slot]` (table 1),
    /// at every site covering `d`.
    @inline(__always)
    private mutating func spread(_ d: Int, into table: Int, sign: Double, slot: Int) {
        let w = sign * instance.demandWeights[d]
        let lo = instance.demandSiteOffsets[d], hi = instance.demandSiteOffsets[d + 1]
        instance.demandSites.withUnsafeBufferPointer { sites in
            if table == 0 {
                gain.withUnsafeMutableBufferPointer { g in
                    for k in lo ..< hi { g[Int(sites[k])] += w }
                }
            } else {
                loss[slot] += w
                let row = slot * siteCount
                extra.withUnsafeMutableBufferPointer { e in
                    for k in lo ..< hi { e[row + Int(sites[k])] += w }
                }
            }
        }
    }

    // MARK: Moves

    /// The covered-population change of swapping slot `slot` out and unchosen `site` in.
    @inline(__always)
    func delta(slot: Int, site: Int) -> Double {
        gain[site] - loss[slot] + extra[slot * siteCount + site]
    }

    /// The best swap: the largest `delta` over every slot (but `pinnedSlot`) and every unchosen
    /// site (but `barred`); ties go to the lower slot, then the lower site.
    /// - Complexity: O(K·M).
    func bestSwap(pinnedSlot: Int = -1, barred: Int = -1) -> (slot: Int, site: Int, delta: Double)? {
        var best: (slot: Int, site: Int, delta: Double)? = nil
        var bestDelta = -Double.infinity
        gain.withUnsafeBufferPointer { g in
            extra.withUnsafeBufferPointer { e in
                slotOfSite.withUnsafeBufferPointer { slotOf in
                    for r in 0 ..< loss.count where r != pinnedSlot {
                        let row = r * siteCount, l = loss[r]
                        for j in 0 ..< siteCount where slotOf[j] < 0 && j != barred {
                            let value = g[j] - l + e[row + j]
                            if value > bestDelta { bestDelta = value; best = (r, j, value) }
                        }
                    }
                }
            }
        }
        return best
    }

    /// Swaps the site in `slot` out and unchosen `site` in (`site` takes over the slot).
    /// - Complexity: the degrees of the demands whose cover count crosses 0 or 1.
    mutating func swap(slot r: Int, in j: Int) {
        let s = Int(siteOfSlot[r])
        precondition(slotOfSite[j] < 0 && s != j, "swap needs an unchosen incoming site")
        slotOfSite[s] = -1
        slotOfSite[j] = Int32(r)
        siteOfSlot[r] = Int32(j)
        let out = instance.demands(coveredBy: s), into = instance.demands(coveredBy: j)
        var a = out.startIndex, b = into.startIndex
        let s32 = Int32(s), j32 = Int32(j)
        // Merge the two ascending lists: demands covered by s only, by j only, or by both.
        while a < out.endIndex || b < into.endIndex {
            let da = a < out.endIndex ? out[a] : Int32.max
            let db = b < into.endIndex ? into[b] : Int32.max
            if da == db {
                // Covered by both: the count stays; a sole cover moves from s to j in the same slot.
                soleXor[Int(da)] ^= s32 ^ j32
                a += 1; b += 1
            } else if da < db {
                let d = Int(da)
                count[d] -= 1
                soleXor[d] ^= s32
                if count[d] == 0 {
                    removeSole(d, slot: r)
                    addUncovered(d)
                    covered -= instance.demandWeights[d]
                } else if count[d] == 1 {
                    addSole(d, slot: Int(slotOfSite[Int(soleXor[d])]))
                }
                a += 1
            } else {
                let d = Int(db)
                if count[d] == 0 {
                    removeUncovered(d)
                    addSole(d, slot: r)
                    covered += instance.demandWeights[d]
                } else if count[d] == 1 {
                    removeSole(d, slot: Int(slotOfSite[Int(soleXor[d])]))
                }
                count[d] += 1
                soleXor[d] ^= j32
                b += 1
            }
        }
    }

    /// Best-improvement swaps until no swap raises coverage by more than the tolerance (or
    /// `maxSwaps` are made). Returns the number of swaps made.
    @discardableResult
    mutating func descend(maxSwaps: Int = 10_000, pinnedSlot: Int = -1, barred: Int = -1) -> Int {
        var log: [Move] = []
        return descend(maxSwaps: maxSwaps, pinnedSlot: pinnedSlot, barred: barred, log: &log)
    }

    /// A swap made: the slot and the site that left it (swapping it back undoes the move).
    struct Move {
        var slot: Int
        var previousSite: Int
    }

    /// As ``descend(maxSwaps:pinnedSlot:barred:)``, appending each swap made to `log`.
    @discardableResult
    mutating func descend(maxSwaps: Int = 10_000, pinnedSlot: Int = -1, barred: Int = -1, log: inout [Move]) -> Int {
        let tolerance = instance.populationTolerance
        var swaps = 0
        while swaps < maxSwaps, let move = bestSwap(pinnedSlot: pinnedSlot, barred: barred), move.delta > tolerance {
            log.append(Move(slot: move.slot, previousSite: Int(siteOfSlot[move.slot])))
            swap(slot: move.slot, in: move.site)
            swaps += 1
        }
        return swaps
    }

    /// Undoes the swaps of `log`, last first, and empties it. The tables come back to their
    /// values before the swaps up to rounding (each population is added and removed again).
    mutating func undo(_ log: inout [Move]) {
        for move in log.reversed() { swap(slot: move.slot, in: move.previousSite) }
        log.removeAll(keepingCapacity: true)
    }

    /// True when core demand `d` is covered by no chosen site.
    @inline(__always) func isUncovered(_ d: Int) -> Bool { count[d] == 0 }
}
