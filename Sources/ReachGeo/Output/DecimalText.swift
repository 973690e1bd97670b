/// Deterministic, locale-free decimal formatting for outputs (CSV, JSON, GeoJSON).
///
/// `fixed(x, decimals:)` rounds half away from zero at the given decimals and drops trailing
/// zeros (`12.50` → `12.5`, `3.0` → `3`); `-0` is written `0`. Identical inputs always give
/// identical text, which is what makes outputs byte-identical across runs.
public enum DecimalText {
    public static func fixed(_ value: Double, decimals: Int) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        appendFixed(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``fixed(_:decimals:)``'s text as UTF-8 bytes (no intermediate `String`: the fast
    /// path of the CSV writers).
    @inlinable
    public static func appendFixed(_ value: Double, decimals: Int, to out: inout [UInt8]) {
        precondition(decimals >= 0 && decimals <= 9)
        guard value.isFinite else {
            out.append(contentsOf: Array((value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity")).utf8))
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        if scaled >= 9.0e18 { out.append(contentsOf: Array(String(value).utf8)); return }
        let units = UInt64(scaled)
        if units == 0 { out.append(UInt8(ascii: "0")); return }
        let divisor = UInt64(scale)
        let intPart = units / divisor
        var frac = units % divisor
        var d = decimals
        while d > 0 && frac % 10 == 0 { frac /= 10; d -= 1 }
        if value < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(intPart, to: &out)
        if d > 0 {
            out.append(UInt8(ascii: "."))
            let start = out.count
            for _ in 0..<d { out.append(UInt8(ascii: "0")) }
            var k = start + d - 1
            while frac > 0 { out[k] = UInt8(ascii: "0") + UInt8(frac % 10); frac /= 10; k -= 1 }
        }
    }

    @inlinable
    static func appendDigits(_ value: UInt64, to out: inout [UInt8]) {
        if value == 0 { out.append(UInt8(ascii: "0")); return }
        var v = value
        let start = out.count
        while v > 0 { out.append(UInt8(ascii: "0") + UInt8(v % 10)); v /= 10 }
        out[start...].reverse()
    }

    /// A population count: whole numbers without decimals, otherwise up to 3 decimals.
    public static func population(_ value: Double) -> String { fixed(value, decimals: 3) }

    /// A coordinate in degrees with 7 decimals at most (RFC 7946 practice; ≈1 cm).
    public static func degrees(_ value: Double) -> String { fixed(value, decimals: 7) }
}
