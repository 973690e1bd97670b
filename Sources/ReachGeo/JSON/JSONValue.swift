import Foundation

/// A parsed JSON value that remembers the line it starts on, so that errors in scenario files,
/// profiles and GeoJSON can say `FILE:LINE`.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])

    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// A JSON value and its 1-based starting line.
public struct JSONNode: Sendable, Hashable {
    public var value: JSONValue
    public var line: Int
    /// For a number read by ``JSONParser``: its text as written (`1234`, `9007199254740993`),
    /// so that an id written as a number keeps every digit.
    public var numberText: String?

    public init(_ value: JSONValue, line: Int, numberText: String? = nil) {
        self.value = value
        self.line = line
        self.numberText = numberText
    }

    /// The member named `key` of an object, nil when absent or not an object.
    public subscript(key: String) -> JSONNode? {
        guard case .object(let members) = value else { return nil }
        return members.first(where: { $0.key == key })?.value
    }

    public var objectMembers: [JSONMember]? {
        if case .object(let m) = value { return m }
        return nil
    }
    public var arrayElements: [JSONNode]? {
        if case .array(let a) = value { return a }
        return nil
    }
    public var stringValue: String? {
        if case .string(let s) = value { return s }
        return nil
    }
    public var numberValue: Double? {
        if case .number(let d) = value { return d }
        return nil
    }
    public var boolValue: Bool? {
        if case .bool(let b) = value { return b }
        return nil
    }
    public var isNull: Bool {
        if case .null = value { return true }
        return false
    }
}

/// One `"key": value` member of an object, in file order.
public struct JSONMember: Sendable, Hashable {
    public var key: String
    public var keyLine: Int
    public var value: JSONNode
}

/// A strict RFC 8259 JSON parser over bytes that records line numbers. An object with the same
/// member name twice is an error (RFC 8259 leaves it open; Reach never guesses which one counts).
public struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0
    private var line = 1
    private let fileName: String

    /// Parses a whole document. Throws ``InputError`` with the line of the first problem.
    public static func parse(_ data: Data, fileName: String) throws -> JSONNode {
        var p = JSONParser(bytes: [UInt8](data), fileName: fileName)
        if p.bytes.isEmpty { throw InputError(file: fileName, "the file is empty") }
        if p.bytes.count >= 3, p.bytes[0] == 0xEF, p.bytes[1] == 0xBB, p.bytes[2] == 0xBF { p.i = 3 }
        p.skipSpace()
        if p.i >= p.bytes.count { throw InputError(file: fileName, "the file is empty") }
        let v = try p.parseValue(depth: 0)
        p.skipSpace()
        if p.i < p.bytes.count { throw p.error("unexpected text after the JSON value") }
        return v
    }

    /// Reads and parses a file.
    public static func parse(url: URL, displayName: String? = nil) throws -> JSONNode {
        let name = displayName ?? url.path
        let data: Data
        data = try InputFile.read(url, displayName: name)
        return try parse(data, fileName: name)
    }

    private init(bytes: [UInt8], fileName: String) {
        self.bytes = bytes
        self.fileName = fileName
    }

    private func error(_ message: String) -> InputError {
        InputError(file: fileName, line: line, message)
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> JSONNode {
        if depth > 512 { throw error("nesting is too deep") }
        skipSpace()
        guard i < bytes.count else { throw error("unexpected end of file (is the file truncated?)") }
        let startLine = line
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var members: [JSONMember] = []
            var keyLines: [String: Int] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return JSONNode(.object(members), line: startLine) }
            while true {
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of file inside an object (is the file truncated?)") }
                guard bytes[i] == UInt8(ascii: "\"") else { throw error("expected a member name in double quotes") }
                let keyLine = line
                let key = try parseString()
                // Duplicate names: a scan of the members for small objects (a feature's handful),
                // a dictionary once an object grows past 16 members.
                if members.count < 16 {
                    if let first = members.first(where: { $0.key == key }) {
                        throw InputError(file: fileName, line: keyLine,
                                         "duplicate member \(ErrorText.quoted(key)) in an object (first on line \(first.keyLine))")
                    }
                } else {
                    if keyLines.isEmpty { for m in members { keyLines[m.key] = m.keyLine } }
                    if let first = keyLines[key] {
                        throw InputError(file: fileName, line: keyLine,
                                         "duplicate member \(ErrorText.quoted(key)) in an object (first on line \(first))")
                    }
                    keyLines[key] = keyLine
                }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error(i < bytes.count ? "expected ':' after a member name" : "unexpected end of file (is the file truncated?)") }
                i += 1
                let v = try parseValue(depth: depth + 1)
                members.append(JSONMember(key: key, keyLine: keyLine, value: v))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of file inside an object (is the file truncated?)") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; break }
                throw error("expected ',' or '}' in an object")
            }
            return JSONNode(.object(members), line: startLine)
        case UInt8(ascii: "["):
            i += 1
            var elements: [JSONNode] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return JSONNode(.array(elements), line: startLine) }
            while true {
                elements.append(try parseValue(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw error("unexpected end of file inside an array (is the file truncated?)") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; break }
                throw error("expected ',' or ']' in an array")
            }
            return JSONNode(.array(elements), line: startLine)
        case UInt8(ascii: "\""):
            return JSONNode(.string(try parseString()), line: startLine)
        case UInt8(ascii: "t"):
            try expectWord("true"); return JSONNode(.bool(true), line: startLine)
        case UInt8(ascii: "f"):
            try expectWord("false"); return JSONNode(.bool(false), line: startLine)
        case UInt8(ascii: "n"):
            try expectWord("null"); return JSONNode(.null, line: startLine)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let (number, text) = try parseNumber()
            return JSONNode(.number(number), line: startLine, numberText: text)
        default:
            throw error("unexpected character \(ErrorText.quoted(String(decoding: bytes[i..<min(bytes.count, i + 4)], as: UTF8.self).prefix(1)))")
        }
    }

    private mutating func expectWord(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else {
            throw error("invalid literal (expected \(word))")
        }
        i += w.count
    }

    private mutating func parseNumber() throws -> (Double, String) {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits() -> Int { let s = i; while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }; return i - s }
        guard i < bytes.count else { throw error("invalid number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else if digits() == 0 { throw error("invalid number") }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") { i += 1; if digits() == 0 { throw error("invalid number") } }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { throw error("invalid number") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let d = Double(text), d.isFinite else { throw error("number \(ErrorText.echo(text)) is out of range") }
        return (d, text)
    }

    private mutating func parseString() throws -> String {
        let startLine = line
        i += 1 // opening quote
        // Fast path: a string without escapes becomes a String straight from the bytes.
        var j = i
        while j < bytes.count, bytes[j] != UInt8(ascii: "\""), bytes[j] != UInt8(ascii: "\\"), bytes[j] >= 0x20 { j += 1 }
        if j < bytes.count, bytes[j] == UInt8(ascii: "\"") {
            let s = bytes.withUnsafeBufferPointer { String(validating: UnsafeBufferPointer(rebasing: $0[i..<j]), as: UTF8.self) }
            guard let s else { throw error("the text is not valid UTF-8") }
            i = j + 1
            return s
        }
        var out: [UInt8] = []
        while true {
            guard i < bytes.count else {
                throw InputError(file: fileName, line: startLine, "unterminated string (is the file truncated?)")
            }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw error("control character inside a string") }
            if b == UInt8(ascii: "\\") {
                i += 1
                guard i < bytes.count else { throw error("unterminated string (is the file truncated?)") }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw error("unpaired surrogate in \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape in a string")
                }
                continue
            }
            out.append(b); i += 1
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw error("the text is not valid UTF-8") }
        return s
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]; i += 1
            v <<= 4
            switch c {
            case 0x30...0x39: v |= UInt32(c - 0x30)
            case 0x41...0x46: v |= UInt32(c - 0x41 + 10)
            case 0x61...0x66: v |= UInt32(c - 0x61 + 10)
            default: throw error("invalid \\u escape")
            }
        }
        return v
    }
}
