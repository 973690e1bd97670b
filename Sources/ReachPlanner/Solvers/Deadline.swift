import Foundation

/// A wall-clock deadline measured on the monotonic clock.
struct Deadline: Sendable {
    let endNanoseconds: UInt64

    init(seconds: Double) {
        let now = DispatchTime.now().uptimeNanoseconds
        let span = seconds.isFinite && seconds > 0 ? UInt64(min(seconds, 1e9) * 1e9) : (seconds <= 0 ? 0 : UInt64.max / 4)
        endNanoseconds = now &+ span
    }

    var hasPassed: Bool { DispatchTime.now().uptimeNanoseconds >= endNanoseconds }

    /// Seconds left (0 when passed).
    var remainingSeconds: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= endNanoseconds ? 0 : Double(endNanoseconds - now) / 1e9
    }
}

/// Seconds elapsed since `start` on the monotonic clock.
func secondsSince(_ start: UInt64) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// Wall-clock seconds per phase, for the solver report (kept apart from the deterministic notes).
struct PhaseClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var phases: [PhaseTiming] = []

    mutating func lap(_ phase: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        phases.append(PhaseTiming(phase: phase, seconds: Double(now - last) / 1e9))
        last = now
    }
}

/// How long one phase of a solve took (wall clock).
public struct PhaseTiming: Sendable, Hashable, Codable {
    public var phase: String
    public var seconds: Double

    public init(phase: String, seconds: Double) {
        self.phase = phase
        self.seconds = seconds
    }
}
