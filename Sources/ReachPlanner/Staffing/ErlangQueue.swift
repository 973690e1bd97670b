/// The M/M/c queue (Poisson arrivals, exponential service, c identical counters, one shared
/// line, no abandonment): Erlang's B and C formulas and the expected wait in line.
///
/// With arrival rate λ, service rate μ per counter and c counters, the offered load is
/// a = λ/μ (Erlangs) and the utilisation ρ = λ/(cμ). For ρ < 1 the probability that an arrival
/// waits is Erlang C, C(c, a) = B / (1 − ρ(1 − B)) with B = B(c, a) Erlang's loss formula, and
/// the expected wait in line is W_q = C(c, a) / (cμ − λ). For ρ ≥ 1 the line grows without bound
/// (W_q = ∞).
///
/// B(c, a) comes from the recurrence B(0) = 1, B(k) = a·B(k−1) / (k + a·B(k−1)): every term lies
/// in [0, 1], so no factorial or power overflows and the result is accurate for c in the
/// thousands (Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.,
/// §2.5; the recurrence is the standard way to evaluate Erlang B).
public enum ErlangQueue {
    /// Erlang's loss formula B(c, a), by the recurrence above.
    /// - Complexity: O(c).
    public static func erlangB(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(c >= 0 && a >= 0 && a.isFinite, "Erlang B needs c ≥ 0 and a finite load a ≥ 0")
        var b = 1.0
        if c == 0 { return b }
        for k in 1...c { b = a * b / (Double(k) + a * b) }
        return b
    }

    /// One step of the recurrence: B(c, a) from B(c − 1, a).
    @inlinable
    public static func erlangBStep(previous b: Double, servers c: Int, offeredLoad a: Double) -> Double {
        a * b / (Double(c) + a * b)
    }

    /// Erlang's C formula, the probability that an arrival has to wait; 1 when ρ = a/c ≥ 1.
    public static func erlangC(servers c: Int, offeredLoad a: Double) -> Double {
        precondition(c >= 1, "Erlang C needs at least one server")
        return erlangC(fromB: erlangB(servers: c, offeredLoad: a), servers: c, offeredLoad: a)
    }

    /// Erlang C from Erlang B with the same c and a.
    @inlinable
    public static func erlangC(fromB b: Double, servers c: Int, offeredLoad a: Double) -> Double {
        let rho = a / Double(c)
        if rho >= 1 { return 1 }
        return b / (1 - rho * (1 - b))
    }

    /// The expected wait in line W_q, in the time unit of the rates (rates per hour → hours).
    /// - Parameters:
    ///   - arrivalRate: λ ≥ 0.
    ///   - serviceRate: μ > 0 per server.
    ///   - servers: c ≥ 1.
    /// - Returns: C(c, a)/(cμ − λ); 0 when λ = 0; `.infinity` when λ ≥ cμ (over capacity).
    public static func expectedWait(arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int) -> Double {
        precondition(c >= 1 && mu > 0 && lambda >= 0, "W_q needs c ≥ 1, μ > 0, λ ≥ 0")
        return expectedWait(fromB: erlangB(servers: c, offeredLoad: lambda / mu), arrivalRate: lambda, serviceRate: mu, servers: c)
    }

    /// W_q from Erlang B(c, λ/μ) (for callers that step the recurrence themselves).
    @inlinable
    public static func expectedWait(fromB b: Double, arrivalRate lambda: Double, serviceRate mu: Double, servers c: Int) -> Double {
        if lambda == 0 { return 0 }
        let capacity = Double(c) * mu
        if lambda >= capacity { return .infinity }
        return erlangC(fromB: b, servers: c, offeredLoad: lambda / mu) / (capacity - lambda)
    }

    /// The fewest servers that keep the queue stable: ⌊λ/μ⌋ + 1 (at least 1).
    public static func minimumStableServers(arrivalRate lambda: Double, serviceRate mu: Double) -> Int {
        let a = lambda / mu
        guard a.isFinite, a < 1e12 else { return Int.max }
        return max(1, Int(a.rounded(.down)) + 1)
    }
}
