import Foundation

extension String {
    /// The text without leading and trailing spaces and tabs (Foundation's `.whitespaces`, the
    /// Unicode space separators included). The common case — a value that neither starts nor
    /// ends with a space — returns without touching Foundation, which a million-row table feels.
    public func trimmingWhitespace() -> String {
        guard let first = utf8.first, let last = utf8.last else { return "" }
        @inline(__always) func plain(_ b: UInt8) -> Bool { b < 0x80 && b != 0x20 && b != 0x09 }
        if plain(first) && plain(last) { return self }
        return trimmingCharacters(in: .whitespaces)
    }
}

extension Substring {
    /// ``Swift/String/trimmingWhitespace()`` of a slice.
    public func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}
