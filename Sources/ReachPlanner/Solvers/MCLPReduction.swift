/// Exact reductions of the core MCLP before it goes to CBC: the reduced model has the same
/// optimum (so CBC's bound on it, plus ``constant``, is a bound on the core).
///
/// 1. **Dominated sites.** Site j is dominated by j′ when every demand j covers is covered by j′
///    (and j′ covers more, or the same demands with a lower index). A plan that opens j can open
///    j′ instead — or, when j′ is already open, any site not yet open — without losing coverage,
///    so dominated sites are left out, as long as at least K sites remain (dominance is a strict
///    order, so every dropped site has a kept dominator).
/// 2. **Demands covered by every kept site** are covered by every plan once K ≥ 1: their
///    population is a constant and their rows go.
/// 3. **Demands with the same kept sites** (equal once dominated sites are gone) are merged into
///    one row with their total weight, and a demand with one kept site is folded into that site's
///    objective coefficient (as before).
struct MCLPReduction {
    /// Kept local sites, ascending: column c of the model is site `keptSites[c]`.
    let keptSites: [Int]
    /// For every local site, its kept dominator (itself when kept).
    let representative: [Int]
    /// Population every plan covers (demands covered by every kept site).
    let constant: Double
    /// The reduced demands: weight and kept-site columns (ascending).
    let rowWeights: [Double]
    let rowOffsets: [Int]
    let rowColumns: [Int32]

    var droppedSiteCount: Int { representative.count - keptSites.count }

    /// - Parameter maxWork: most demand comparisons spent looking for dominated sites.
    static func compute(_ instance: MCLPInstance, maxWork: Int = 200_000_000) -> MCLPReduction {
        let m = instance.siteCount, k = instance.branchesToChoose
        // 1. Dominated sites: j ⊆ j′ checked by a merge of the sorted demand lists.
        var dominator = [Int](repeating: -1, count: m)
        func contains(_ big: Int, _ small: Int) -> Bool {
            let a = instance.demands(coveredBy: big), b = instance.demands(coveredBy: small)
            guard b.count <= a.count else { return false }
            var p = a.startIndex
            for d in b {
                while p < a.endIndex && a[p] < d { p += 1 }
                if p == a.endIndex || a[p] != d { return false }
                p += 1
            }
            return true
        }
        if k < m {
            let order = (0 ..< m).sorted {
                let a = instance.siteDemandOffsets[$0 + 1] - instance.siteDemandOffsets[$0]
                let b = instance.siteDemandOffsets[$1 + 1] - instance.siteDemandOffsets[$1]
                return a != b ? a > b : $0 < $1
            }
            var kept = m
            var work = 0  // demand comparisons: a fixed budget keeps huge site sets cheap and reproducible
            // Largest first: a site can only be dominated by one at least as large, earlier in `order`
            // (equal sets: the lower index, also earlier).
            for (position, j) in order.enumerated() where kept > k && work < maxWork {
                for q in 0 ..< position where work < maxWork {
                    let candidate = order[q]
                    guard dominator[candidate] < 0 else { continue }  // compare with kept sites only
                    work += instance.siteDemandOffsets[j + 1] - instance.siteDemandOffsets[j]
                    if contains(candidate, j) { dominator[j] = candidate; kept -= 1; break }
                }
            }
        }
        var representative = Array(0 ..< m)
        for j in 0 ..< m where dominator[j] >= 0 { representative[j] = dominator[j] }
        let keptSites = (0 ..< m).filter { dominator[$0] < 0 }
        var column = [Int32](repeating: -1, count: m)
        for (c, j) in keptSites.enumerated() { column[j] = Int32(c) }

        // 2–3. Demands over kept sites: constant, merged rows.
        var constant = 0.0
        var rowWeights: [Double] = []
        var rowOffsets = [0]
        var rowColumns: [Int32] = []
        var rowOfKey: [[Int32]: Int] = [:]
        var list: [Int32] = []
        for i in 0 ..< instance.demandCount {
            list.removeAll(keepingCapacity: true)
            for j in instance.sites(covering: i) where column[Int(j)] >= 0 { list.append(column[Int(j)]) }
            let w = instance.demandWeights[i]
            if k >= 1 && list.count == keptSites.count { constant += w; continue }
            if let r = rowOfKey[list] { rowWeights[r] += w; continue }
            rowOfKey[list] = rowWeights.count
            rowWeights.append(w)
            rowColumns += list
            rowOffsets.append(rowColumns.count)
        }
        return MCLPReduction(keptSites: keptSites, representative: representative, constant: constant,
                             rowWeights: rowWeights, rowOffsets: rowOffsets, rowColumns: rowColumns)
    }

    /// A choice of K kept sites covering at least what `chosen` covers: each dropped site is
    /// replaced by its dominator, or, when that is already chosen, by the lowest kept site not chosen.
    func keptChoice(_ chosen: [Int]) -> [Int] {
        var inSet = Set<Int>()
        var pending = 0
        for j in chosen {
            let r = representative[j]
            if inSet.contains(r) { pending += 1 } else { inSet.insert(r) }
        }
        for j in keptSites where pending > 0 && !inSet.contains(j) { inSet.insert(j); pending -= 1 }
        return inSet.sorted()
    }

    /// The reduced optimum by enumeration (tests only): the best K kept sites, plus the constant.
    func value(of keptChoice: [Int], instance: MCLPInstance) -> Double {
        var columns = Set<Int32>()
        for (c, j) in keptSites.enumerated() where keptChoice.contains(j) { columns.insert(Int32(c)) }
        var sum = constant
        for r in 0 ..< rowWeights.count where rowColumns[rowOffsets[r] ..< rowOffsets[r + 1]].contains(where: columns.contains) {
            sum += rowWeights[r]
        }
        return sum
    }
}
