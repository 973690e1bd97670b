/// Number and text formatting for reports: fixed, locale-independent and deterministic.
///
/// Foundation's formatters follow the machine's locale and ICU version; a report must give the
/// same bytes everywhere, so these functions format digits by hand: `,` groups thousands and
/// `.` is the decimal point, as in English-language planning documents.
public enum ReportFormat {
    /// `value` rounded to `decimals` places (half away from zero), without grouping:
    /// `fixed(1.25, decimals: 1)` is `"1.3"`, `fixed(-0.04, decimals: 1)` is `"0.0"`.
    /// Non-finite values print as `"—"`.
    public static func fixed(_ value: Double, decimals: Int) -> String {
        digits(value, decimals: max(0, min(decimals, 9)), grouping: false)
    }

    /// `value` rounded to an integer with thousands separators: `1234567.4` → `"1,234,567"`.
    public static func grouped(_ value: Double) -> String {
        digits(value, decimals: 0, grouping: true)
    }

    /// `value` with `decimals` places and thousands separators: `12345.678, 1` → `"12,345.7"`.
    public static func grouped(_ value: Double, decimals: Int) -> String {
        digits(value, decimals: max(0, min(decimals, 9)), grouping: true)
    }

    /// A share 0…1 as a percentage with `decimals` places: `0.87654` → `"87.7 %"`.
    ///
    /// A share strictly below 1 that would round to 100 prints as `">99.9 %"` and a share
    /// strictly above 0 that would round to 0 as `"<0.1 %"` (for 1 decimal), so "fully
    /// covered" and "nobody covered" are never claimed by rounding.
    public static func percent(_ share: Double, decimals: Int = 1) -> String {
        guard share.isFinite else { return "—" }
        let d = max(0, min(decimals, 6))
        var scale = 1.0
        for _ in 0..<d { scale *= 10 }
        let rounded = (share * 100 * scale).rounded() / scale
        if share < 1, rounded >= 100 {
            return ">" + fixed(100 - 1 / scale, decimals: d) + " %"
        }
        if share > 0, rounded <= 0 {
            return "<" + fixed(1 / scale, decimals: d) + " %"
        }
        return fixed(share * 100, decimals: d) + " %"
    }

    /// A distance for people: `"850 m"`, `"1.5 km"`, `"5 km"`, `"12 km"`.
    public static func distance(meters: Double) -> String {
        guard meters.isFinite else { return "—" }
        if abs(meters) < 1000 { return grouped(meters) + " m" }
        let km = meters / 1000
        if abs(km) < 10, (km * 10).rounded() != (km.rounded() * 10) {
            return fixed(km, decimals: 1) + " km"
        }
        return grouped(km) + " km"
    }

    /// Minutes for people: `"30 min"`, `"7.5 min"`.
    public static func minutes(_ minutes: Double) -> String {
        guard minutes.isFinite else { return "—" }
        if minutes == minutes.rounded() { return grouped(minutes) + " min" }
        return fixed(minutes, decimals: 1) + " min"
    }

    /// Digits of `value` with `decimals` places, optionally grouped by thousands.
    static func digits(_ value: Double, decimals: Int, grouping: Bool) -> String {
        guard value.isFinite else { return "—" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        // Beyond 2^53 doubles are no longer integers we can split exactly; fall back.
        guard scaled < 9.0e15 else { return String(value) }
        let n = UInt64(scaled)
        let unit = UInt64(scale)
        let integerPart = n / unit
        let fractionPart = n % unit
        var integerText = String(integerPart)
        if grouping, integerText.count > 3 {
            var grouped = ""
            grouped.reserveCapacity(integerText.count + integerText.count / 3)
            for (i, ch) in integerText.enumerated() {
                if i > 0, (integerText.count - i) % 3 == 0 { grouped.append(",") }
                grouped.append(ch)
            }
            integerText = grouped
        }
        var text = (value < 0 && n > 0) ? "-" + integerText : integerText
        if decimals > 0 {
            var fraction = String(fractionPart)
            while fraction.count < decimals { fraction = "0" + fraction }
            text += "." + fraction
        }
        return text
    }
}

/// Escaping of text for HTML and XML.
public enum HTMLEscaping {
    /// `text` with `& < > " '` escaped, safe in element content and in quoted attributes.
    /// Characters that XML 1.0 forbids (C0 controls other than tab, newline and carriage
    /// return, lone surrogates cannot occur in Swift strings) are replaced by U+FFFD so the
    /// page stays well-formed.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
