import ReachGeo

/// A site in a planning problem: its id and its ``SiteRole``.
public struct PlanningSite: Sendable, Hashable, Codable {
    /// The site's id (unique within the problem).
    public var id: String
    /// Existing, candidate or required (see ``PlanningMode`` for what each role means).
    public var role: SiteRole

    public init(id: String, role: SiteRole) {
        self.id = id
        self.role = role
    }
}

/// Who covers whom: demand points (residents) with populations, sites with roles, and for each
/// demand the sparse, sorted list of sites covering it under the service standard.
///
/// The geo module decides coverage (radius pairs from its spatial index, time pairs from its
/// bounded searches); the planner only sees this abstract structure. It is built once by
/// ``fromCoverageSets(populations:sites:covers:travelMinutes:)`` (the analogue of spopt's
/// `from_cost_matrix`) and never changes: ``solve(_:using:timeLimitSeconds:)`` returns a new
/// ``CoverageSolution``.
///
/// Residents with identical coverage sets are merged into one weighted *merged demand*
/// (Lv et al. 2025): every solver works on merged demands, which is what keeps city-scale exact
/// solving tractable. The mapping back to the original residents is kept so that solutions can
/// say which residents each branch newly covers.
///
/// Storage is compressed sparse rows (CSR): the sites covering demand `i` are
/// `demandCoverSites[demandCoverOffsets[i] ..< demandCoverOffsets[i + 1]]`, sorted ascending.
public struct CoverageProblem: Sendable, Hashable {
    /// The sites, in input order. Their index is the site index used everywhere below and is
    /// the last tie-break ("lower site index", i.e. earlier in the input, wins).
    /// (Settable inside the module: a phased plan reuses the coverage with earlier phases' sites
    /// turned into required ones.)
    public internal(set) var sites: [PlanningSite]

    /// Population of each original demand point (non-negative, finite).
    public let demandPopulations: [Double]
    /// CSR offsets into ``demandCoverSites`` (count = demands + 1).
    public let demandCoverOffsets: [Int]
    /// Site indices covering each demand, sorted ascending within a demand.
    public let demandCoverSites: [Int32]
    /// Travel minutes demand → site for each covering pair (aligned with ``demandCoverSites``),
    /// used for the population-weighted travel-time tie-break and the assignment; nil when unknown.
    public let demandCoverMinutes: [Double]?

    /// The merged demand each original demand belongs to.
    public let mergedIndexOfDemand: [Int32]
    /// Population of each merged demand (the sum over its members, in member order).
    public let mergedPopulations: [Double]
    /// CSR offsets into ``mergedCoverSites``.
    public let mergedCoverOffsets: [Int]
    /// Site indices covering each merged demand, sorted ascending.
    public let mergedCoverSites: [Int32]
    /// CSR offsets into ``mergedMembers``.
    public let mergedMemberOffsets: [Int]
    /// Original demand indices of each merged demand, ascending.
    public let mergedMembers: [Int32]
    /// CSR offsets into ``siteMergedDemands`` (count = sites + 1).
    public let siteMergedOffsets: [Int]
    /// Merged demands covered by each site, ascending (the transpose of ``mergedCoverSites``).
    public let siteMergedDemands: [Int32]

    /// Sum of all demand populations.
    public let totalPopulation: Double

    /// Number of original demand points.
    public var demandCount: Int { demandPopulations.count }
    /// Number of merged demands.
    public var mergedDemandCount: Int { mergedPopulations.count }
    /// Number of sites.
    public var siteCount: Int { sites.count }

    /// The sites covering original demand `demand`, ascending.
    public func covers(_ demand: Int) -> ArraySlice<Int32> {
        demandCoverSites[demandCoverOffsets[demand] ..< demandCoverOffsets[demand + 1]]
    }

    /// The sites covering merged demand `merged`, ascending.
    public func mergedCovers(_ merged: Int) -> ArraySlice<Int32> {
        mergedCoverSites[mergedCoverOffsets[merged] ..< mergedCoverOffsets[merged + 1]]
    }

    /// The merged demands covered by site `site`, ascending.
    public func mergedDemands(coveredBy site: Int) -> ArraySlice<Int32> {
        siteMergedDemands[siteMergedOffsets[site] ..< siteMergedOffsets[site + 1]]
    }

    /// The original demands merged into merged demand `merged`, ascending.
    public func members(ofMerged merged: Int) -> ArraySlice<Int32> {
        mergedMembers[mergedMemberOffsets[merged] ..< mergedMemberOffsets[merged + 1]]
    }

    /// The population covered when every site is open: the most any plan could cover.
    public var coverablePopulation: Double {
        var sum = 0.0
        for m in 0 ..< mergedDemandCount where mergedCoverOffsets[m + 1] > mergedCoverOffsets[m] {
            sum += mergedPopulations[m]
        }
        return sum
    }
}

extension CoverageProblem {
    /// Builds a problem from per-demand coverage sets (spopt's `from_cost_matrix` analogue).
    ///
    /// - Parameters:
    ///   - populations: population of each demand point (non-negative, finite).
    ///   - sites: the sites, in input order (ids unique and non-empty).
    ///   - covers: for each demand, the indices of the sites covering it (any order; no duplicates).
    ///   - travelMinutes: optional travel minutes for each pair, aligned with `covers`
    ///     (non-negative, finite).
    /// - Throws: ``PlannerError/invalidInput(reason:)`` naming the first offending demand or site.
    /// - Complexity: O(P log d) for P covering pairs and at most d sites per demand.
    public static func fromCoverageSets(
        populations: [Double], sites: [PlanningSite], covers: [[Int32]], travelMinutes: [[Double]]? = nil
    ) throws -> CoverageProblem {
        guard covers.count == populations.count else {
            throw PlannerError.invalidInput(reason: "\(populations.count) populations but \(covers.count) coverage sets")
        }
        var offsets = [Int](repeating: 0, count: covers.count + 1)
        for (i, c) in covers.enumerated() { offsets[i + 1] = offsets[i] + c.count }
        let flat = Array(covers.joined())
        var flatMinutes: [Double]? = nil
        if let travelMinutes {
            guard travelMinutes.count == covers.count else {
                throw PlannerError.invalidInput(reason: "\(covers.count) coverage sets but \(travelMinutes.count) travel-minute lists")
            }
            for i in covers.indices where travelMinutes[i].count != covers[i].count {
                throw PlannerError.invalidInput(reason: "demand \(i): \(covers[i].count) covering sites but \(travelMinutes[i].count) travel minutes")
            }
            flatMinutes = Array(travelMinutes.joined())
        }
        return try fromCoverageLists(populations: populations, sites: sites, coverOffsets: offsets,
                                     coverSites: flat, coverMinutes: flatMinutes)
    }

    /// Builds a problem from coverage lists in CSR form (no per-demand arrays; for city scale).
    ///
    /// The sites covering demand `i` are `coverSites[coverOffsets[i] ..< coverOffsets[i + 1]]`
    /// (any order within a demand, no duplicates); `coverMinutes`, when given, is aligned with
    /// `coverSites`. Demands with identical coverage sets are merged — and, when `mergeKeys` is
    /// given (one key per demand), only demands with equal keys (a zone floor keeps each merged
    /// demand inside one zone this way).
    ///
    /// - Throws: ``PlannerError/invalidInput(reason:)`` naming the first offending demand or site.
    /// - Complexity: O(P log d) for P covering pairs and at most d sites per demand.
    public static func fromCoverageLists(
        populations: [Double], sites: [PlanningSite], coverOffsets: [Int], coverSites: [Int32],
        coverMinutes: [Double]? = nil, mergeKeys: [Int32]? = nil
    ) throws -> CoverageProblem {
        let demandCount = populations.count
        if let mergeKeys, mergeKeys.count != demandCount {
            throw PlannerError.invalidInput(reason: "\(demandCount) demands but \(mergeKeys.count) merge keys")
        }
        let siteCount = sites.count
        guard siteCount < Int(Int32.max) else { throw PlannerError.invalidInput(reason: "too many sites (\(siteCount))") }
        guard coverOffsets.count == demandCount + 1, coverOffsets.first == 0, coverOffsets.last == coverSites.count else {
            throw PlannerError.invalidInput(reason: "coverage offsets do not describe \(demandCount) demands over \(coverSites.count) pairs")
        }
        if let coverMinutes, coverMinutes.count != coverSites.count {
            throw PlannerError.invalidInput(reason: "\(coverSites.count) covering pairs but \(coverMinutes.count) travel minutes")
        }
        var seenIDs: [String: Int] = [:]
        for (j, site) in sites.enumerated() {
            if site.id.isEmpty { throw PlannerError.invalidInput(reason: "site \(j) has an empty id") }
            if let first = seenIDs[site.id] {
                throw PlannerError.invalidInput(reason: "site id \"\(site.id)\" is used by sites \(first) and \(j)")
            }
            seenIDs[site.id] = j
        }
        var total = 0.0
        for (i, p) in populations.enumerated() {
            guard p.isFinite, p >= 0 else {
                throw PlannerError.invalidInput(reason: "demand \(i): population \(p) is not a non-negative finite number")
            }
            total += p
        }
        // Sort each demand's list (with its minutes) and validate.
        var sortedSites = coverSites
        var sortedMinutes = coverMinutes
        for i in 0 ..< demandCount {
            let lo = coverOffsets[i], hi = coverOffsets[i + 1]
            guard lo <= hi else { throw PlannerError.invalidInput(reason: "demand \(i): coverage offsets decrease") }
            var isSorted = true
            for k in lo ..< hi {
                let s = sortedSites[k]
                guard s >= 0, Int(s) < siteCount else {
                    throw PlannerError.invalidInput(reason: "demand \(i): site index \(s) is out of range 0..<\(siteCount)")
                }
                if let m = sortedMinutes?[k], !(m.isFinite && m >= 0) {
                    throw PlannerError.invalidInput(reason: "demand \(i): travel minutes \(m) to site \(sites[Int(s)].id) are not a non-negative finite number")
                }
                if k > lo, sortedSites[k - 1] >= s { isSorted = false }
            }
            if !isSorted {
                var pairs = (lo ..< hi).map { (sortedSites[$0], sortedMinutes?[$0] ?? 0) }
                pairs.sort { $0.0 < $1.0 }
                for (k, pair) in pairs.enumerated() {
                    sortedSites[lo + k] = pair.0
                    sortedMinutes?[lo + k] = pair.1
                }
                for k in lo + 1 ..< max(lo + 1, hi) where sortedSites[k - 1] == sortedSites[k] {
                    throw PlannerError.invalidInput(reason: "demand \(i): site \(sites[Int(sortedSites[k])].id) is listed twice")
                }
            }
        }
        return CoverageProblem(sites: sites, populations: populations, offsets: coverOffsets,
                               coverSites: sortedSites, minutes: sortedMinutes, total: total, mergeKeys: mergeKeys)
    }

    /// Merges demands with identical coverage sets and builds the transpose. Inputs are valid.
    private init(sites: [PlanningSite], populations: [Double], offsets: [Int], coverSites: [Int32],
                 minutes: [Double]?, total: Double, mergeKeys: [Int32]?) {
        self.sites = sites
        self.demandPopulations = populations
        self.demandCoverOffsets = offsets
        self.demandCoverSites = coverSites
        self.demandCoverMinutes = minutes
        self.totalPopulation = total
        let demandCount = populations.count

        // Group by coverage set: hash, then compare sets within a hash bucket.
        var firstWithHash: [UInt64: Int32] = [:]
        var nextSameHash: [Int32] = []          // per merged demand: next merged with the same hash, or -1
        var representative: [Int32] = []       // per merged demand: its first original demand
        var mergedOf = [Int32](repeating: 0, count: demandCount)
        func sameSet(_ a: Int, _ b: Int) -> Bool {
            let la = offsets[a], ha = offsets[a + 1], lb = offsets[b], hb = offsets[b + 1]
            guard ha - la == hb - lb else { return false }
            if let mergeKeys, mergeKeys[a] != mergeKeys[b] { return false }
            for k in 0 ..< (ha - la) where coverSites[la + k] != coverSites[lb + k] { return false }
            return true
        }
        for i in 0 ..< demandCount {
            var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(offsets[i + 1] - offsets[i])
            if let mergeKeys { h = (h ^ UInt64(UInt32(bitPattern: mergeKeys[i]))) &* 0x0000_0100_0000_01B3 }
            for k in offsets[i] ..< offsets[i + 1] {
                h = (h ^ UInt64(UInt32(bitPattern: coverSites[k]))) &* 0x0000_0100_0000_01B3
                h ^= h >> 29
            }
            var found: Int32 = -1
            if var m = firstWithHash[h] {
                while m >= 0 {
                    if sameSet(Int(representative[Int(m)]), i) { found = m; break }
                    m = nextSameHash[Int(m)]
                }
                if found < 0 {
                    // Prepend to the bucket's chain.
                    let newIndex = Int32(representative.count)
                    nextSameHash.append(firstWithHash[h]!)
                    firstWithHash[h] = newIndex
                    representative.append(Int32(i))
                    found = newIndex
                }
            } else {
                let newIndex = Int32(representative.count)
                nextSameHash.append(-1)
                firstWithHash[h] = newIndex
                representative.append(Int32(i))
                found = newIndex
            }
            mergedOf[i] = found
        }
        let mergedCount = representative.count
        var mergedPop = [Double](repeating: 0, count: mergedCount)
        var memberOffsets = [Int](repeating: 0, count: mergedCount + 1)
        for i in 0 ..< demandCount {
            mergedPop[Int(mergedOf[i])] += populations[i]
            memberOffsets[Int(mergedOf[i]) + 1] += 1
        }
        for m in 0 ..< mergedCount { memberOffsets[m + 1] += memberOffsets[m] }
        var fill = memberOffsets
        var members = [Int32](repeating: 0, count: demandCount)
        for i in 0 ..< demandCount {
            let m = Int(mergedOf[i])
            members[fill[m]] = Int32(i)
            fill[m] += 1
        }
        var mOffsets = [Int](repeating: 0, count: mergedCount + 1)
        for m in 0 ..< mergedCount {
            let r = Int(representative[m])
            mOffsets[m + 1] = mOffsets[m] + offsets[r + 1] - offsets[r]
        }
        var mSites = [Int32](repeating: 0, count: mOffsets[mergedCount])
        var siteDegree = [Int](repeating: 0, count: sites.count + 1)
        for m in 0 ..< mergedCount {
            let r = Int(representative[m])
            var w = mOffsets[m]
            for k in offsets[r] ..< offsets[r + 1] {
                mSites[w] = coverSites[k]
                siteDegree[Int(coverSites[k]) + 1] += 1
                w += 1
            }
        }
        for j in 0 ..< sites.count { siteDegree[j + 1] += siteDegree[j] }
        var siteFill = siteDegree
        var siteDemands = [Int32](repeating: 0, count: mSites.count)
        for m in 0 ..< mergedCount {
            for k in mOffsets[m] ..< mOffsets[m + 1] {
                let j = Int(mSites[k])
                siteDemands[siteFill[j]] = Int32(m)
                siteFill[j] += 1
            }
        }
        self.mergedIndexOfDemand = mergedOf
        self.mergedPopulations = mergedPop
        self.mergedCoverOffsets = mOffsets
        self.mergedCoverSites = mSites
        self.mergedMemberOffsets = memberOffsets
        self.mergedMembers = members
        self.siteMergedOffsets = siteDegree
        self.siteMergedDemands = siteDemands
    }
}
