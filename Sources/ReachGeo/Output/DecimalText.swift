/// Deterministic, locale-free decimal formatting for outputs (CSV, JSON, GeoJSON).
///
/// `fixed(x, decimals:)` rounds half away from zero at the given decimals and drops trailing
/// zeros (`12.50` → `12.5`, `3.0` → `3`); `-0` is written `0`. Identical inputs always give
/// identical text, which is what makes outputs byte-identical across runs.
public enum DecimalText {
    private static let powers: [Double] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    public static func fixed(_ value: Double, decimals: Int) -> String {
        precondition(decimals >= 0 && decimals <= 9)
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity") }
        let scale = powers[decimals]
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        if scaled >= 9.0e18 { return String(value) }
        var units = UInt64(scaled)
        if units == 0 { return "0" }
        var fraction = [UInt8]()
        var d = decimals
        // Drop trailing zeros of the fraction.
        var intPart = units
        if decimals > 0 {
            let divisor = UInt64(scale)
            intPart = units / divisor
            var frac = units % divisor
            while d > 0 && frac % 10 == 0 { frac /= 10; d -= 1 }
            if d > 0 {
                fraction = Array(repeating: UInt8(ascii: "0"), count: d)
                var k = d - 1
                while frac > 0 { fraction[k] = UInt8(ascii: "0") + UInt8(frac % 10); frac /= 10; k -= 1 }
            }
            units = intPart
        }
        var text = value < 0 ? "-" : ""
        text += String(intPart)
        if !fraction.isEmpty {
            text += "."
            text += String(decoding: fraction, as: UTF8.self)
        }
        return text
    }

    /// A population count: whole numbers without decimals, otherwise up to 3 decimals.
    public static func population(_ value: Double) -> String { fixed(value, decimals: 3) }

    /// A coordinate in degrees with 7 decimals at most (RFC 7946 practice; ≈1 cm).
    public static func degrees(_ value: Double) -> String { fixed(value, decimals: 7) }
}
