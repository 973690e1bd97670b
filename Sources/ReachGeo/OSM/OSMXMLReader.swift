import Foundation

/// Reads OpenStreetMap XML (`.osm`) with a hand-written scanner over the file's bytes.
///
/// Foundation's `XMLParser` builds a `String` and a dictionary for every element and calls back
/// through Objective-C-style delegates; on the 13 MB Hanoi file that costs seconds. This scanner
/// walks the memory-mapped bytes once, looks only at `<node>`, `<way>`, `<nd>` and `<tag>`, and
/// turns into `String` only the tag keys and values the profile reads.
///
/// Handled: the XML declaration, comments, `<!DOCTYPE …>`, CDATA, attributes in either quote
/// style, the five named entities and numeric character references (`&#NNN;`, `&#xHH;`),
/// self-closing tags, metadata attributes (ignored), `<relation>` (skipped). Checked: the root
/// element is `<osm>`, end tags match start tags, every node has `id`, `lat`, `lon` in range, every
/// way and `<nd>` an id. Every error names the line (1-based).
///
/// Every node is kept in a compact id → position table (24 B + a 16 B hash slot or two per node)
/// because ways come after nodes in the file and a second scan of the text would cost as much
/// as the first; the table is a fraction of the (memory-mapped) XML text, ~130 B per node. Only
/// the routable ways are kept, with only ``TravelProfile/relevantTagKeys``. For large extracts
/// use PBF, whose reader keeps only the nodes of routable ways.
enum OSMXMLReader: OSMFileReader {
    static func read(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter) throws -> OSMExtract {
        var scanner = Scanner(bytes: bytes, fileName: fileName, filter: filter)
        try scanner.run()
        scanner.extract.finish()
        return scanner.extract
    }

    /// Element names this reader distinguishes.
    enum Element: Equatable {
        case osm, node, way, nd, tag, relation, other
    }

    struct Scanner {
        let bytes: UnsafeRawBufferPointer
        let count: Int
        let fileName: String
        let filter: OSMWayFilter
        let relevantKeys: Set<String>
        var extract: OSMExtract
        var position = 0
        /// Open elements: kind and the byte range of the name (to check end tags).
        var stack: [(element: Element, nameStart: Int, nameLength: Int)] = []
        var sawRoot = false
        // The way being read.
        var wayId: Int64 = 0
        var wayRefs: [Int64] = []
        var wayTags: [String: String] = [:]
        var wayStartPosition = 0

        init(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter) {
            self.bytes = bytes
            self.count = bytes.count
            self.fileName = fileName
            self.filter = filter
            self.relevantKeys = filter.keys
            self.extract = OSMExtract(fileName: fileName)
        }

        // MARK: errors and lines

        /// The 1-based line of byte `offset`.
        func line(at offset: Int) -> Int {
            var line = 1
            let end = min(offset, count)
            var i = 0
            while i < end {
                if bytes[i] == 0x0A { line += 1 }
                i += 1
            }
            return line
        }

        func error(at offset: Int, _ message: String) -> InputError {
            InputError(file: fileName, line: line(at: offset), message)
        }

        // MARK: scanning primitives

        /// The index of the first byte equal to `byte` at or after `from`, or nil.
        func find(_ byte: UInt8, from: Int) -> Int? {
            guard from < count else { return nil }
            guard let base = bytes.baseAddress, let hit = memchr(base + from, Int32(byte), count - from) else { return nil }
            return base.distance(to: UnsafeRawPointer(hit))
        }

        /// The index just after the first occurrence of `terminator` at or after `from`, or nil.
        func findEnd(of terminator: StaticString, from: Int) -> Int? {
            let t = UnsafeRawBufferPointer(start: terminator.utf8Start, count: terminator.utf8CodeUnitCount)
            var i = from
            while let hit = find(t[0], from: i) {
                if hit + t.count > count { return nil }
                var match = true
                for k in 1..<t.count where bytes[hit + k] != t[k] { match = false; break }
                if match { return hit + t.count }
                i = hit + 1
            }
            return nil
        }

        func hasPrefix(_ prefix: StaticString, at offset: Int) -> Bool {
            let n = prefix.utf8CodeUnitCount
            guard offset + n <= count else { return false }
            let p = prefix.utf8Start
            for k in 0..<n where bytes[offset + k] != p[k] { return false }
            return true
        }

        @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D }

        @inline(__always) static func isNameByte(_ b: UInt8) -> Bool {
            !(isSpace(b) || b == UInt8(ascii: "/") || b == UInt8(ascii: ">") || b == UInt8(ascii: "=")
              || b == UInt8(ascii: "<") || b == UInt8(ascii: "\"") || b == UInt8(ascii: "'"))
        }

        mutating func skipSpaces() {
            while position < count && Self.isSpace(bytes[position]) { position += 1 }
        }

        func nameEquals(_ start: Int, _ length: Int, _ name: StaticString) -> Bool {
            length == name.utf8CodeUnitCount && hasPrefix(name, at: start)
        }

        func element(nameStart: Int, length: Int) -> Element {
            switch length {
            case 2: return nameEquals(nameStart, length, "nd") ? .nd : .other
            case 3:
                if nameEquals(nameStart, length, "way") { return .way }
                if nameEquals(nameStart, length, "tag") { return .tag }
                if nameEquals(nameStart, length, "osm") { return .osm }
                return .other
            case 4: return nameEquals(nameStart, length, "node") ? .node : .other
            case 8: return nameEquals(nameStart, length, "relation") ? .relation : .other
            default: return .other
            }
        }

        func nameText(_ start: Int, _ length: Int) -> String {
            String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + length)]), as: UTF8.self)
        }

        // MARK: main loop

        mutating func run() throws {
            if count == 0 || (0..<count).allSatisfy({ Self.isSpace(bytes[$0]) }) {
                throw InputError(file: fileName, "the OSM file is empty")
            }
            while let lt = find(UInt8(ascii: "<"), from: position) {
                position = lt + 1
                guard position < count else { throw error(at: lt, "unexpected end of file after '<'") }
                let c = bytes[position]
                if c == UInt8(ascii: "?") {
                    guard let end = findEnd(of: "?>", from: position) else { throw error(at: lt, "unterminated <? … ?> declaration") }
                    position = end
                } else if c == UInt8(ascii: "!") {
                    if hasPrefix("!--", at: position) {
                        guard let end = findEnd(of: "-->", from: position + 3) else { throw error(at: lt, "unterminated comment") }
                        position = end
                    } else if hasPrefix("![CDATA[", at: position) {
                        guard let end = findEnd(of: "]]>", from: position) else { throw error(at: lt, "unterminated CDATA section") }
                        position = end
                    } else {
                        guard let end = find(UInt8(ascii: ">"), from: position) else { throw error(at: lt, "unterminated <! … > declaration") }
                        position = end + 1
                    }
                } else if c == UInt8(ascii: "/") {
                    try endTag(startingAt: lt)
                } else {
                    try startTag(startingAt: lt)
                }
            }
            if let open = stack.last {
                throw error(at: count, "unexpected end of file: <\(nameText(open.nameStart, open.nameLength))> is not closed")
            }
            if !sawRoot { throw InputError(file: fileName, "not an OSM XML file: no <osm> element") }
        }

        mutating func endTag(startingAt lt: Int) throws {
            position += 1
            let nameStart = position
            while position < count && Self.isNameByte(bytes[position]) { position += 1 }
            let length = position - nameStart
            skipSpaces()
            guard position < count, bytes[position] == UInt8(ascii: ">") else {
                throw error(at: lt, "malformed end tag")
            }
            position += 1
            guard let open = stack.popLast() else {
                throw error(at: lt, "end tag </\(nameText(nameStart, length))> without a start tag")
            }
            guard open.nameLength == length,
                  memcmp(bytes.baseAddress! + open.nameStart, bytes.baseAddress! + nameStart, length) == 0 else {
                throw error(at: lt, "end tag </\(nameText(nameStart, length))> does not match <\(nameText(open.nameStart, open.nameLength))>")
            }
            if open.element == .way { finishWay() }
        }

        mutating func startTag(startingAt lt: Int) throws {
            let nameStart = position
            while position < count && Self.isNameByte(bytes[position]) { position += 1 }
            let nameLength = position - nameStart
            guard nameLength > 0 else { throw error(at: lt, "malformed tag: '<' is not followed by a name") }
            let kind = element(nameStart: nameStart, length: nameLength)
            let parent = stack.last?.element
            if stack.isEmpty {
                guard kind == .osm, !sawRoot else {
                    throw error(at: lt, sawRoot ? "content after the </osm> root element"
                                : "not an OSM XML file: the root element is <\(nameText(nameStart, nameLength))>, not <osm>")
                }
                sawRoot = true
            }

            // Attributes of interest.
            var idValue: (Int, Int)? = nil, latValue: (Int, Int)? = nil, lonValue: (Int, Int)? = nil
            var refValue: (Int, Int)? = nil, kValue: (Int, Int)? = nil, vValue: (Int, Int)? = nil
            var selfClosing = false
            while true {
                skipSpaces()
                guard position < count else { throw error(at: lt, "unexpected end of file inside a tag") }
                let b = bytes[position]
                if b == UInt8(ascii: ">") { position += 1; break }
                if b == UInt8(ascii: "/") {
                    guard position + 1 < count, bytes[position + 1] == UInt8(ascii: ">") else {
                        throw error(at: position, "malformed tag: '/' not followed by '>'")
                    }
                    position += 2
                    selfClosing = true
                    break
                }
                let attributeStart = position
                while position < count && Self.isNameByte(bytes[position]) { position += 1 }
                let attributeLength = position - attributeStart
                guard attributeLength > 0 else { throw error(at: position, "malformed attribute in <\(nameText(nameStart, nameLength))>") }
                skipSpaces()
                guard position < count, bytes[position] == UInt8(ascii: "=") else {
                    throw error(at: position, "attribute \(nameText(attributeStart, attributeLength)) has no value")
                }
                position += 1
                skipSpaces()
                guard position < count, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "'") else {
                    throw error(at: position, "the value of attribute \(nameText(attributeStart, attributeLength)) is not quoted")
                }
                let quote = bytes[position]
                let valueStart = position + 1
                guard let valueEnd = find(quote, from: valueStart) else {
                    throw error(at: attributeStart, "unterminated value of attribute \(nameText(attributeStart, attributeLength))")
                }
                if let lessThan = find(UInt8(ascii: "<"), from: valueStart), lessThan < valueEnd {
                    throw error(at: lessThan, "'<' inside the value of attribute \(nameText(attributeStart, attributeLength))")
                }
                position = valueEnd + 1
                let value = (valueStart, valueEnd - valueStart)
                switch attributeLength {
                case 1:
                    if bytes[attributeStart] == UInt8(ascii: "k") { kValue = value } else if bytes[attributeStart] == UInt8(ascii: "v") { vValue = value }
                case 2:
                    if nameEquals(attributeStart, 2, "id") { idValue = value }
                case 3:
                    if nameEquals(attributeStart, 3, "lat") { latValue = value }
                    else if nameEquals(attributeStart, 3, "lon") { lonValue = value }
                    else if nameEquals(attributeStart, 3, "ref") { refValue = value }
                default: break
                }
            }

            switch kind {
            case .node where parent == .osm:
                guard let idValue else { throw error(at: lt, "<node> without an id") }
                let id = try integer(idValue, at: lt, what: "node id")
                guard let latValue, let lonValue else { throw error(at: lt, "node \(id) has no lat/lon") }
                let position = LonLat(lonDegrees: try degrees(lonValue, at: lt, what: "lon of node \(id)"),
                                      latDegrees: try degrees(latValue, at: lt, what: "lat of node \(id)"))
                guard position.isValid else { throw error(at: lt, "node \(id) has an out-of-range position \(position)") }
                guard extract.addNode(id: id, position: position) else { throw error(at: lt, "node id \(id) appears more than once") }
                extract.nodesRead += 1
            case .way where parent == .osm:
                guard let idValue else { throw error(at: lt, "<way> without an id") }
                wayId = try integer(idValue, at: lt, what: "way id")
                wayRefs.removeAll(keepingCapacity: true)
                wayTags.removeAll(keepingCapacity: true)
                wayStartPosition = lt
                extract.waysRead += 1
            case .nd where parent == .way:
                guard let refValue else { throw error(at: lt, "<nd> without a ref in way \(wayId)") }
                wayRefs.append(try integer(refValue, at: lt, what: "node reference"))
            case .tag where parent == .way:
                guard let kValue, let vValue else { throw error(at: lt, "<tag> without k or v in way \(wayId)") }
                let key = try text(kValue, at: lt)
                if relevantKeys.contains(key) {
                    wayTags[key] = try text(vValue, at: lt)
                } else if bytes[vValue.0..<(vValue.0 + vValue.1)].contains(UInt8(ascii: "&")) {
                    _ = try text(vValue, at: lt)  // Entities are checked even in values not kept.
                }
            default:
                break
            }

            if selfClosing {
                if kind == .way && parent == .osm { finishWay() }
                if stack.isEmpty { /* <osm/> */ }
            } else {
                stack.append((kind, nameStart, nameLength))
            }
        }

        mutating func finishWay() {
            if filter.keep(wayTags) { extract.appendWay(id: wayId, refs: wayRefs, tags: wayTags) }
        }

        // MARK: values

        /// Decodes entities in `text` as an attribute value (for tests).
        static func decodeForTest(_ text: String, profile: TravelProfile) throws -> String {
            let bytes = Array(text.utf8)
            return try bytes.withUnsafeBytes { buffer in
                let scanner = Scanner(bytes: buffer, fileName: "test", filter: OSMWayFilter(profile: profile))
                return try scanner.text((0, buffer.count), at: 0)
            }
        }

        func integer(_ value: (Int, Int), at offset: Int, what: String) throws -> Int64 {
            var i = value.0
            let end = value.0 + value.1
            var negative = false
            if i < end && bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
            guard i < end else { throw error(at: offset, "\(what) \(ErrorText.quoted(nameText(value.0, value.1))) is not an integer") }
            var result: Int64 = 0
            while i < end {
                let d = bytes[i] &- 0x30
                guard d < 10 else { throw error(at: offset, "\(what) \(ErrorText.quoted(nameText(value.0, value.1))) is not an integer") }
                let (m, o1) = result.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d))
                guard !o1 && !o2 else { throw error(at: offset, "\(what) \(ErrorText.quoted(nameText(value.0, value.1))) is too large") }
                result = s
                i += 1
            }
            return negative ? -result : result
        }

        /// Parses a decimal degree value. Plain decimals of at most 15 significant digits take the
        /// exact fast path `mantissa / 10^k` (one correctly rounded division, as PBF coordinates
        /// `nanodegrees / 1e9` do, so both formats give the same `Double`); anything else goes
        /// through ``DecimalNumber`` (no hex, inf or nan).
        func degrees(_ value: (Int, Int), at offset: Int, what: String) throws -> Double {
            var i = value.0
            let end = value.0 + value.1
            var negative = false
            if i < end && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                negative = bytes[i] == UInt8(ascii: "-"); i += 1
            }
            var mantissa: Int64 = 0
            var digits = 0, fractionDigits = 0
            var sawDot = false, simple = i < end
            while i < end {
                let b = bytes[i]
                if b == UInt8(ascii: ".") && !sawDot {
                    sawDot = true
                } else if b &- 0x30 < 10 {
                    mantissa = mantissa * 10 + Int64(b &- 0x30)
                    digits += 1
                    if sawDot { fractionDigits += 1 }
                    if digits > 15 { simple = false; break }
                } else {
                    simple = false; break
                }
                i += 1
            }
            if simple && digits > 0 {
                let magnitude = Double(mantissa) / Self.powersOfTen[fractionDigits]
                return negative ? -magnitude : magnitude
            }
            let text = nameText(value.0, value.1)
            guard let parsed = DecimalNumber.parse(text) else { throw error(at: offset, "\(what) \(ErrorText.quoted(text)) is not a decimal number") }
            return parsed
        }

        static let powersOfTen: [Double] = (0...15).map { k in (0..<k).reduce(1.0) { acc, _ in acc * 10 } }

        /// Attribute text with entities decoded.
        func text(_ value: (Int, Int), at offset: Int) throws -> String {
            let slice = UnsafeRawBufferPointer(rebasing: bytes[value.0..<(value.0 + value.1)])
            guard slice.contains(UInt8(ascii: "&")) else { return String(decoding: slice, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(slice.count)
            var i = 0
            while i < slice.count {
                let b = slice[i]
                guard b == UInt8(ascii: "&") else { out.append(b); i += 1; continue }
                guard let semicolon = slice[i...].firstIndex(of: UInt8(ascii: ";")), semicolon - i <= 12 else {
                    throw error(at: offset, "unterminated entity in \(ErrorText.quoted(String(decoding: slice, as: UTF8.self)))")
                }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: slice[(i + 1)..<semicolon]), as: UTF8.self)
                switch name {
                case "amp": out.append(UInt8(ascii: "&"))
                case "lt": out.append(UInt8(ascii: "<"))
                case "gt": out.append(UInt8(ascii: ">"))
                case "quot": out.append(UInt8(ascii: "\""))
                case "apos": out.append(UInt8(ascii: "'"))
                default:
                    var scalarValue: UInt32? = nil
                    if name.hasPrefix("#x") || name.hasPrefix("#X") {
                        scalarValue = UInt32(name.dropFirst(2), radix: 16)
                    } else if name.hasPrefix("#") {
                        scalarValue = UInt32(name.dropFirst(1), radix: 10)
                    }
                    guard let scalarValue, let scalar = Unicode.Scalar(scalarValue) else {
                        throw error(at: offset, "unknown entity &\(name);")
                    }
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                }
                i = semicolon + 1
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
