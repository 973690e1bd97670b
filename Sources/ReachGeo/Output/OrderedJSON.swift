/// A JSON value with object members in a fixed order, written deterministically (for
/// `summary.json`, `plan.json` and the `--format json` output).
public indirect enum OrderedJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number written with at most `decimals` decimals (trailing zeros dropped).
    case number(Double, decimals: Int)
    case integer(Int)
    case string(String)
    case array([OrderedJSON])
    case object([Member])

    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: OrderedJSON
        public init(_ key: String, _ value: OrderedJSON) { self.key = key; self.value = value }
    }

    /// A population or other count: an integer when whole, else 3 decimals.
    public static func count(_ v: Double) -> OrderedJSON { .number(v, decimals: 3) }
    /// A share in 0…1 with 6 decimals.
    public static func share(_ v: Double) -> OrderedJSON { .number(v, decimals: 6) }

    /// Pretty text with two-space indentation and a final newline.
    public func text() -> String {
        var out = ""
        write(to: &out, indent: 0)
        out += "\n"
        return out
    }

    func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let d, let decimals): out += d.isFinite ? DecimalText.fixed(d, decimals: decimals) : "null"
        case .integer(let i): out += String(i)
        case .string(let s): out += GeoJSONWriter.jsonString(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            let simple = items.allSatisfy { if case .object = $0 { return false }; if case .array = $0 { return false }; return true }
            if simple {
                out += "["
                for (k, v) in items.enumerated() { if k > 0 { out += ", " }; v.write(to: &out, indent: indent) }
                out += "]"
                return
            }
            out += "[\n"
            for (k, v) in items.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                v.write(to: &out, indent: indent + 1)
                out += k + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (k, m) in members.enumerated() {
                out += String(repeating: "  ", count: indent + 1)
                out += GeoJSONWriter.jsonString(m.key)
                out += ": "
                m.value.write(to: &out, indent: indent + 1)
                out += k + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: indent) + "}"
        }
    }

}
