#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows progress of long work on stderr, only when stderr is a terminal.
/// Results never go through it. Thread-safe: it only writes whole lines with `fputs`.
public struct ProgressReporter: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Enabled when stderr is a TTY.
    public static let terminal = ProgressReporter(enabled: isatty(2) == 1)
    public static let silent = ProgressReporter(enabled: false)

    /// Prints `reach: <stage>` on stderr.
    public func stage(_ text: String) {
        guard enabled else { return }
        writeToStderr("reach: \(text)\n")
    }

}

/// Writes a warning line `warning: …` on stderr.
public func printWarningToStderr(_ text: String) {
    writeToStderr("warning: \(ErrorText.oneLine(text))\n")
}

/// Writes text to file descriptor 2 in one `write` call (whole lines do not interleave).
public func writeToStderr(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
            if n <= 0 { break }
            offset += n
        }
    }
}
