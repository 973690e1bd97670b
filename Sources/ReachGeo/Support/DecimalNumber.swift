/// Strict decimal numbers for every number read from a text field (CSV cells, `.asc` header
/// values, OSM attributes, CLI lists).
///
/// `Double(String)` and `strtod` also accept hexadecimal (`0x1A`, `0x1p3`), `inf`, `infinity`,
/// `nan`, and stop at a NUL byte (so `"12\0junk"` reads as 12). Reach accepts only
/// `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` with nothing before or after
/// (callers trim spaces first where a format allows them), and only finite results.
public enum DecimalNumber {
    /// The value of `text` when it is a decimal number as above and finite, else nil.
    public static func parse(_ text: some StringProtocol) -> Double? {
        let utf8 = Array(text.utf8)
        guard isDecimal(utf8) else { return nil }
        guard let v = Double(String(decoding: utf8, as: UTF8.self)), v.isFinite else { return nil }
        return v
    }

    /// True when the bytes are exactly one decimal number (see the type's documentation).
    public static func isDecimal(_ b: some Collection<UInt8>) -> Bool {
        var i = b.startIndex
        func digits() -> Int {
            var n = 0
            while i != b.endIndex, b[i] >= 0x30, b[i] <= 0x39 { i = b.index(after: i); n += 1 }
            return n
        }
        if i != b.endIndex, b[i] == 0x2B || b[i] == 0x2D { i = b.index(after: i) }
        var mantissaDigits = digits()
        if i != b.endIndex, b[i] == 0x2E { i = b.index(after: i); mantissaDigits += digits() }
        guard mantissaDigits > 0 else { return false }
        if i != b.endIndex, b[i] == 0x65 || b[i] == 0x45 {
            i = b.index(after: i)
            if i != b.endIndex, b[i] == 0x2B || b[i] == 0x2D { i = b.index(after: i) }
            guard digits() > 0 else { return false }
        }
        return i == b.endIndex
    }
}
