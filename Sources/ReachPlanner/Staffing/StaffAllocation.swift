/// Places a staff total across open sites (one M/M/c queue each) to minimise the filings-weighted
/// expected wait, or the worst site's wait, with at least one counter per site.
///
/// **Why the greedy is optimal.** Each site's expected wait W_j(c) is finite only for c > a_j
/// (a_j = λ_j/μ_j) and, there, decreasing and convex in c (Dyer & Proll 1977, "On the validity of
/// marginal analysis for allocating servers in M/M/c queues", *Management Science* 23(9),
/// 1019–1022). Every allocation with a finite objective therefore gives site j at least
/// c⁰_j = max(1, ⌊a_j⌋ + 1) counters, and above that the objective Σ w_j W_j(c_j) is a separable
/// convex function of integer variables under one budget: adding counters one at a time where
/// the marginal gain w_j (W_j(c_j) − W_j(c_j + 1)) is largest is optimal for every budget, and the
/// allocations for successive budgets are nested (Gross 1956; Fox 1966, "Discrete optimization
/// via marginal analysis", *Management Science* 13(3)). For the worst wait, giving the next counter
/// to the site with the longest current wait is optimal: any allocation whose worst wait is lower
/// must give that site at least one more counter.
///
/// When the total cannot make every site stable (Σ c⁰_j > total), the counters go where the
/// utilisation ρ_j = λ_j / (c_j μ_j) is highest, one at a time, which minimises the highest
/// utilisation (staff in proportion to the load); the sites still at ρ ≥ 1 are listed.
public struct StaffAllocation: Sendable, Hashable {
    public enum Objective: String, Sendable, Hashable, CaseIterable {
        /// Minimise the filings-weighted mean expected wait (the mean wait of a filing).
        case mean
        /// Minimise the longest expected wait of any site.
        case max
    }

    /// One site's queue: arrivals per hour at the busiest hour, service rate per counter per hour,
    /// and the weight of its wait (filings per year).
    public struct Queue: Sendable, Hashable {
        public var arrivalsPerHour: Double
        public var serviceRatePerHour: Double
        public var weight: Double
        public init(arrivalsPerHour: Double, serviceRatePerHour: Double, weight: Double) {
            self.arrivalsPerHour = arrivalsPerHour
            self.serviceRatePerHour = serviceRatePerHour
            self.weight = weight
        }
        /// ⌊λ/μ⌋ + 1, at least 1.
        public var minimumStableCounters: Int {
            ErlangQueue.minimumStableServers(arrivalRate: arrivalsPerHour, serviceRate: serviceRatePerHour)
        }
        /// W_q in minutes with `counters` counters (∞ when over capacity).
        public func waitMinutes(counters: Int) -> Double {
            60 * ErlangQueue.expectedWait(arrivalRate: arrivalsPerHour, serviceRate: serviceRatePerHour, servers: counters)
        }
    }

    public var objective: Objective
    public var staffTotal: Int
    /// Counters per site, in the order of the queues given.
    public var counters: [Int]
    /// Expected wait per site in minutes (∞ over capacity).
    public var waitMinutes: [Double]
    /// Sites (indices) that stay over capacity (ρ ≥ 1) because the total is too small; empty when all are stable.
    public var unstableSites: [Int]
    /// The fewest counters that make every site stable: Σ c⁰_j.
    public var staffNeededForStability: Int

    /// The objective's value: filings-weighted mean wait or the worst wait (minutes; ∞ when a site
    /// with demand is over capacity).
    public func value(queues: [Queue]) -> Double { Self.value(objective, queues: queues, waits: waitMinutes) }

    static func value(_ objective: Objective, queues: [Queue], waits: [Double]) -> Double {
        switch objective {
        case .mean:
            let total = queues.reduce(0) { $0 + $1.weight }
            guard total > 0 else { return 0 }
            var s = 0.0
            for (q, w) in zip(queues, waits) where q.weight > 0 { s += q.weight * w }
            return s / total
        case .max:
            return zip(queues, waits).filter { $0.0.arrivalsPerHour > 0 }.map(\.1).max() ?? 0
        }
    }

    /// The allocation of `staffTotal` counters.
    /// - Throws: ``PlannerError/invalidInput(reason:)`` when the total is smaller than the number
    ///   of sites (each open site needs a counter).
    /// - Complexity: O(S log S + (N − S) · S) for S sites and N staff, plus O(c) per site to start
    ///   the Erlang B recurrence.
    public static func allocate(_ queues: [Queue], staffTotal: Int, objective: Objective) throws -> StaffAllocation {
        guard staffTotal >= queues.count else {
            throw PlannerError.invalidInput(reason: "a staff total of \(staffTotal) cannot give each of the \(queues.count) open sites one counter")
        }
        for q in queues {
            guard q.arrivalsPerHour >= 0, q.arrivalsPerHour.isFinite, q.serviceRatePerHour > 0, q.serviceRatePerHour.isFinite,
                  q.weight >= 0, q.weight.isFinite else {
                throw PlannerError.invalidInput(reason: "a queue needs finite arrivals ≥ 0, a service rate > 0 and a weight ≥ 0")
            }
        }
        let minimum = queues.map(\.minimumStableCounters)
        let needed = minimum.reduce(0) { $0 >= Int.max / 2 || $1 >= Int.max / 2 ? Int.max / 2 : $0 + $1 }
        var state = Greedy(queues: queues, objective: objective)
        var unstable: [Int] = []
        if needed <= staffTotal {
            for j in queues.indices { state.set(j, counters: minimum[j]) }
        } else {
            // Too few to make every queue stable: spread them to minimise the highest utilisation
            // ρ_j = a_j / c_j (the next counter to the site with the highest ρ; ties: the first),
            // optimal for that min–max by the same argument as the worst wait.
            for j in queues.indices { state.set(j, counters: 1) }
            let load = queues.map { $0.arrivalsPerHour / $0.serviceRatePerHour }
            while state.total < staffTotal {
                var best = 0, bestRho = -1.0
                for j in queues.indices {
                    let rho = load[j] / Double(state.counters[j])
                    if rho > bestRho { bestRho = rho; best = j }
                }
                state.set(best, counters: state.counters[best] + 1)
            }
            unstable = queues.indices.filter { queues[$0].arrivalsPerHour > 0 && state.waits[$0] == .infinity }
        }
        while state.total < staffTotal { guard state.addBest() else { break } }
        // Staff no stable site can use (all frozen or no gain left) go to the first site.
        if state.total < staffTotal, !queues.isEmpty { state.set(0, counters: state.counters[0] + staffTotal - state.total) }
        return StaffAllocation(objective: objective, staffTotal: staffTotal, counters: state.counters,
                               waitMinutes: queues.indices.map { queues[$0].waitMinutes(counters: state.counters[$0]) },
                               unstableSites: unstable, staffNeededForStability: needed)
    }

    /// The fewest staff whose best allocation meets `maxWaitMinutes` for the objective (the
    /// filings-weighted mean wait, or every site's wait), with its allocation; nil when more than
    /// `limit` counters would be needed.
    /// For `max` this is Σ_j min{c : W_j(c) ≤ T}; for `mean` the greedy's nested allocations are
    /// optimal for every total, so the first total along them whose mean is ≤ T is the fewest.
    public static func fewestStaff(_ queues: [Queue], maxWaitMinutes: Double, objective: Objective,
                                   limit: Int = 10_000_000) -> (staffTotal: Int, counters: [Int])? {
        guard maxWaitMinutes >= 0, !queues.isEmpty else { return queues.isEmpty ? (0, []) : nil }
        let minimum = queues.map(\.minimumStableCounters)
        guard !minimum.contains(where: { $0 > limit }) else { return nil }
        var state = Greedy(queues: queues, objective: objective)
        for j in queues.indices { state.set(j, counters: minimum[j]) }
        switch objective {
        case .max:
            for j in queues.indices {
                while state.wait(j) > maxWaitMinutes {
                    if state.total >= limit { return nil }
                    state.set(j, counters: state.counters[j] + 1)
                }
            }
        case .mean:
            while state.meanWait() > maxWaitMinutes {
                if state.total >= limit { return nil }
                guard state.addBest() else { return nil }
            }
        }
        return (state.total, state.counters)
    }

    /// The greedy's state: counters, Erlang B at the current counters and the next, and the waits.
    struct Greedy {
        let queues: [Queue]
        let objective: Objective
        var counters: [Int]
        /// B(c_j, a_j) and B(c_j + 1, a_j).
        var b: [Double], bNext: [Double]
        var waits: [Double], nextWaits: [Double]
        var frozen: Set<Int> = []
        var total = 0
        let weightTotal: Double

        init(queues: [Queue], objective: Objective) {
            self.queues = queues
            self.objective = objective
            counters = [Int](repeating: 0, count: queues.count)
            b = [Double](repeating: 1, count: queues.count)
            bNext = b
            waits = [Double](repeating: .infinity, count: queues.count)
            nextWaits = waits
            weightTotal = queues.reduce(0) { $0 + $1.weight }
        }

        func wait(_ j: Int) -> Double { waits[j] }

        mutating func set(_ j: Int, counters c: Int) {
            let q = queues[j]
            let a = q.arrivalsPerHour / q.serviceRatePerHour
            total += c - counters[j]
            if c == counters[j] + 1 && counters[j] > 0 { b[j] = bNext[j] } else { b[j] = ErlangQueue.erlangB(servers: c, offeredLoad: a) }
            counters[j] = c
            bNext[j] = ErlangQueue.erlangBStep(previous: b[j], servers: c + 1, offeredLoad: a)
            waits[j] = 60 * ErlangQueue.expectedWait(fromB: b[j], arrivalRate: q.arrivalsPerHour, serviceRate: q.serviceRatePerHour, servers: c)
            nextWaits[j] = 60 * ErlangQueue.expectedWait(fromB: bNext[j], arrivalRate: q.arrivalsPerHour, serviceRate: q.serviceRatePerHour, servers: c + 1)
        }

        func meanWait() -> Double {
            guard weightTotal > 0 else { return 0 }
            var s = 0.0
            for j in queues.indices where queues[j].weight > 0 { s += queues[j].weight * waits[j] }
            return s / weightTotal
        }

        /// Adds one counter where it helps most (ties: the first site); false when no site can use one.
        mutating func addBest() -> Bool {
            var best = -1
            var bestKey = -Double.infinity
            for j in queues.indices where !frozen.contains(j) {
                let key: Double
                switch objective {
                case .mean: key = queues[j].weight * (waits[j] - nextWaits[j])
                case .max: key = queues[j].arrivalsPerHour > 0 ? waits[j] : -1
                }
                if key > bestKey { bestKey = key; best = j }
            }
            guard best >= 0 else { return false }
            set(best, counters: counters[best] + 1)
            return true
        }
    }
}
