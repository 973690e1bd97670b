import Foundation
import Synchronization

/// Progress lines during a solve: which question (phase) is being solved, the elapsed time, the
/// best covered population found so far, the best proven bound and their gap.
///
/// Solvers call ``update(stage:covered:bound:)`` when a phase of the search ends (greedy, swaps,
/// Lagrangian, CBC); while a solve runs, a heartbeat repeats the last known figures every
/// ``heartbeatSeconds`` (CBC itself runs in another process and reports nothing until it ends).
/// Lines go to `sink` only — the CLI passes one that writes to stderr when it is a terminal — so
/// they never touch the outputs. Populations are the whole network's (baseline included).
public final class SolveProgress: Sendable {
    private struct State {
        var label = ""
        var stage = ""
        var covered: Double? = nil
        var bound: Double? = nil
        var offset = 0.0
        var started = DispatchTime.now().uptimeNanoseconds
        var timer: DispatchSourceTimer? = nil
    }

    private let sink: @Sendable (String) -> Void
    private let state = Mutex(State())
    /// Seconds between heartbeat lines while a solve runs.
    public let heartbeatSeconds: Double

    /// - Parameter sink: receives each line (without a newline).
    public init(heartbeatSeconds: Double = 5, sink: @escaping @Sendable (String) -> Void) {
        self.heartbeatSeconds = heartbeatSeconds
        self.sink = sink
    }

    /// Starts a question: `label` names it in every line (e.g. "phase 2/3, 20 sites"), `baseline`
    /// is added to the core populations solvers report.
    public func begin(_ label: String, baseline: Double) {
        let seconds = heartbeatSeconds
        state.withLock { s in
            s.timer?.cancel()
            s.label = label
            s.stage = "starting"
            s.covered = nil
            s.bound = nil
            s.offset = baseline
            s.started = DispatchTime.now().uptimeNanoseconds
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global(qos: .utility))
            timer.schedule(deadline: .now() + seconds, repeating: seconds)
            timer.setEventHandler { [weak self] in self?.emit(heartbeat: true) }
            timer.resume()
            s.timer = timer
        }
        emit(heartbeat: false)
    }

    /// A phase of the search ended with this best plan (core population, baseline excluded) and
    /// this bound (core population), either may be unknown.
    public func update(stage: String, covered: Double?, bound: Double?) {
        state.withLock { s in
            s.stage = stage
            if let covered { s.covered = max(s.covered ?? -.infinity, covered + s.offset) }
            if let bound { s.bound = min(s.bound ?? .infinity, bound + s.offset) }
        }
        emit(heartbeat: false)
    }

    /// Ends the question and stops the heartbeat.
    public func end() {
        state.withLock { s in
            s.timer?.cancel()
            s.timer = nil
        }
    }

    deinit { state.withLock { $0.timer?.cancel() } }

    private func emit(heartbeat: Bool) {
        let line = state.withLock { s -> String in
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - s.started) / 1e9
            var parts = ["\(s.label)", "\(s.stage)\(heartbeat ? " (running)" : "")",
                         "\(String(format: "%.1f", elapsed)) s"]
            if let c = s.covered { parts.append("best covered \(Self.people(c))") }
            if let b = s.bound { parts.append("bound \(Self.people(b))") }
            if let c = s.covered, let b = s.bound, b > 0 {
                parts.append("gap \(String(format: "%.3f", max(0, (b - c) / b) * 100)) %")
            }
            return parts.joined(separator: " · ")
        }
        sink(line)
    }

    static func people(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var out = ""
        for (k, ch) in digits.reversed().enumerated() {
            if k > 0 && k % 3 == 0 && ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}
