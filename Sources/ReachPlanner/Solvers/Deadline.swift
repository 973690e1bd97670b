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

/// Wall-clock seconds per phase, as notes for the solver report ("swap 0.41 s").
struct PhaseClock {
    private var last = DispatchTime.now().uptimeNanoseconds
    private(set) var notes: [String] = []

    mutating func lap(_ phase: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        notes.append("\(phase) \(String(format: "%.3f", Double(now - last) / 1e9)) s")
        last = now
    }

    mutating func note(_ text: String) { notes.append(text) }
}
