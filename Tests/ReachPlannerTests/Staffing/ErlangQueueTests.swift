import Foundation
import Testing
import ReachPlanner

@Suite struct ErlangQueueTests {
    // M/M/1 by hand: W_q = ρ / (μ − λ). λ = 2/h, μ = 3/h: ρ = 2/3, W_q = (2/3)/1 h = 40 min.
    @Test func singleCounterIsMM1() {
        let w = ErlangQueue.expectedWait(arrivalRate: 2, serviceRate: 3, servers: 1)
        #expect(abs(w - 2.0 / 3.0) < 1e-12)
        // With one server Erlang C is ρ itself.
        #expect(abs(ErlangQueue.erlangC(servers: 1, offeredLoad: 0.7) - 0.7) < 1e-12)
        // λ = 0.9, μ = 1: W_q = 0.9 / 0.1 = 9.
        #expect(abs(ErlangQueue.expectedWait(arrivalRate: 0.9, serviceRate: 1, servers: 1) - 9) < 1e-9)
    }

    // Hillier & Lieberman, *Introduction to Operations Research* (queueing chapter, the County
    // Hospital emergency-room example): λ = 2 patients/h, μ = 3/h; with s = 2 doctors
    // L_q = 1/12 and W_q = 1/24 h (2.5 min), P0 = 1/2. By hand: M/M/2 has L_q = 2ρ³/(1 − ρ²), ρ = 1/3.
    @Test func publishedTwoServerExample() {
        let w = ErlangQueue.expectedWait(arrivalRate: 2, serviceRate: 3, servers: 2)
        #expect(abs(w - 1.0 / 24.0) < 1e-12)
        #expect(abs(w * 2 - 1.0 / 12.0) < 1e-12) // Little: L_q = λ W_q
        // P(wait) = C(2, 2/3) = L_q (cμ − λ) / λ ... = W_q (cμ − λ) = (1/24)·4 = 1/6.
        #expect(abs(ErlangQueue.erlangC(servers: 2, offeredLoad: 2.0 / 3.0) - 1.0 / 6.0) < 1e-12)
    }

    // Erlang B tables (e.g. any teletraffic table, A = 10 Erlangs, N = 10 lines): blocking 0.2146.
    // Then C(11, 10) = B(11)/(1 − ρ(1 − B(11))) with B(11) = 10·B(10)/(11 + 10·B(10)) ≈ 0.16325, ρ = 10/11: ≈ 0.6821.
    @Test func erlangTableValues() {
        #expect(abs(ErlangQueue.erlangB(servers: 10, offeredLoad: 10) - 0.2146) < 5e-5)
        #expect(abs(ErlangQueue.erlangC(servers: 11, offeredLoad: 10) - 0.6821) < 5e-5)
    }

    // The recurrence against the textbook sum C = (a^c/c!)(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)(c/(c−a))),
    // evaluated in log space for moderate c.
    @Test(arguments: [(5, 3.2), (20, 17.5), (60, 41.0), (120, 119.0)])
    func recurrenceMatchesTheClosedForm(c: Int, a: Double) {
        func logTerm(_ k: Int) -> Double { Double(k) * log(a) - lgamma(Double(k) + 1) }
        let last = logTerm(c) + log(Double(c) / (Double(c) - a))
        let terms = (0..<c).map(logTerm) + [last]
        let m = terms.max()!
        let sum = terms.reduce(0) { $0 + exp($1 - m) }
        let expected = exp(last - m) / sum
        let got = ErlangQueue.erlangC(servers: c, offeredLoad: a)
        #expect(abs(got - expected) < 1e-10 * max(1, expected), "c=\(c) a=\(a): \(got) vs \(expected)")
    }

    // Thousands of counters: a^c and c! overflow a Double long before c = 5000; the recurrence does not.
    @Test func largeCounterCountsStayFinite() {
        for (c, a) in [(2000, 1950.0), (5000, 4900.0), (10_000, 9000.0), (10_000, 9999.5)] {
            let pw = ErlangQueue.erlangC(servers: c, offeredLoad: a)
            #expect(pw.isFinite && pw >= 0 && pw <= 1, "c=\(c): \(pw)")
            let w = ErlangQueue.expectedWait(arrivalRate: a, serviceRate: 1, servers: c)
            let w1 = ErlangQueue.expectedWait(arrivalRate: a, serviceRate: 1, servers: c + 1)
            #expect(w.isFinite && w > 0 && w1 < w, "c=\(c)")
        }
        // ρ ≥ 1 is over capacity: an infinite wait.
        #expect(ErlangQueue.expectedWait(arrivalRate: 6, serviceRate: 2, servers: 3) == .infinity)
        #expect(ErlangQueue.expectedWait(arrivalRate: 0, serviceRate: 2, servers: 3) == 0)
        #expect(ErlangQueue.minimumStableServers(arrivalRate: 6, serviceRate: 2) == 4)
        #expect(ErlangQueue.minimumStableServers(arrivalRate: 5.9, serviceRate: 2) == 3)
    }
}
