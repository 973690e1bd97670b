import Foundation

/// One CSV record: its fields and the 1-based line on which it starts.
public struct CSVRecord: Sendable {
    public var fields: [String]
    public var line: Int
}

/// An RFC 4180 CSV reader: comma-separated, double-quote quoting with `""` escapes, fields that
/// span lines, CRLF or LF line ends, an optional UTF-8 byte-order mark. Works on bytes.
public enum CSVReader {
    /// Reads a whole file. Throws ``InputError`` for an unreadable or non-UTF-8 file, a stray quote,
    /// or an unterminated quoted field (a truncated file).
    public static func read(url: URL, displayName: String? = nil) throws -> [CSVRecord] {
        let name = displayName ?? url.path
        let data: Data
        data = try InputFile.read(url, displayName: name)
        return try parse(data, fileName: name)
    }

    /// Parses CSV bytes. Blank lines are skipped (a blank line is not a record).
    public static func parse(_ data: Data, fileName: String) throws -> [CSVRecord] {
        try data.withUnsafeBytes { raw -> [CSVRecord] in
            let bytes = raw.bindMemory(to: UInt8.self)
            return try parse(bytes, fileName: fileName)
        }
    }

    /// Files at least this large are parsed on every core when they hold no quote character.
    static let parallelMinimumBytes = 1 << 22

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, fileName: String) throws -> [CSVRecord] {
        let threads = Parallel.threadCount
        guard threads > 1, bytes.count >= parallelMinimumBytes, let base = bytes.baseAddress,
              memchr(base, 0x22, bytes.count) == nil else {
            return try parseRecords(bytes, fileName: fileName)
        }
        // Without quotes no record spans a line end, so the file splits at line ends into
        // pieces parsed independently; each piece counts its lines from 1 and is shifted by
        // the line ends before it. A piece that fails is parsed again in one piece, whose error
        // then names the right line.
        var starts = [0]
        for k in 1..<threads {
            var i = bytes.count * k / threads
            while i < bytes.count, bytes[i] != 0x0A { i += 1 }
            if i < bytes.count, i + 1 > starts.last! { starts.append(i + 1) }
        }
        starts.append(bytes.count)
        let pieces = starts.count - 1
        let shared = UnsafeSendableBuffer(bytes), bounds = starts
        let results = Parallel.map(count: pieces, minimumChunk: 1, initial: nil as (records: [CSVRecord], lineEnds: Int)?) { c in
            let slice = UnsafeBufferPointer(rebasing: shared.base[bounds[c]..<bounds[c + 1]])
            guard let records = try? parseRecords(slice, fileName: fileName, skipBOM: c == 0) else { return nil }
            // Line ends as the parser counts them: LF, CRLF, and a CR on its own.
            var ends = 0
            for j in slice.indices where slice[j] == 0x0A || (slice[j] == 0x0D && (j + 1 == slice.endIndex || slice[j + 1] != 0x0A)) {
                ends += 1
            }
            return (records, ends)
        }
        guard results.allSatisfy({ $0 != nil }) else { return try parseRecords(bytes, fileName: fileName) }
        var records: [CSVRecord] = []
        records.reserveCapacity(results.reduce(0) { $0 + $1!.records.count })
        var shift = 0
        for r in results {
            for var rec in r!.records { rec.line += shift; records.append(rec) }
            shift += r!.lineEnds
        }
        return records
    }

    static func parseRecords(_ bytes: UnsafeBufferPointer<UInt8>, fileName: String, skipBOM: Bool = true) throws -> [CSVRecord] {
        var records: [CSVRecord] = []
        let n = bytes.count
        var i = 0
        if skipBOM, n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
        var line = 1
        var fields: [String] = []
        var recordLine = 1
        var fieldBytes: [UInt8] = []
        fieldBytes.reserveCapacity(64)

        /// Control bytes (other than tab, and line ends inside quotes) mean a binary file or a
        /// broken export: refused, so that no NUL or terminal escape reaches an output or a message.
        func checkText(_ field: some Collection<UInt8>, line: Int, quoted: Bool) throws {
            for b in field where (b < 0x20 && b != 0x09 && !(quoted && (b == 0x0A || b == 0x0D))) || b == 0x7F {
                throw InputError(file: fileName, line: line,
                                 "field \(fields.count + 1) holds the control byte 0x\(String(b, radix: 16, uppercase: true).count == 1 ? "0" : "")\(String(b, radix: 16, uppercase: true)) (a binary file, or not a text CSV table?)")
            }
        }

        func makeString(_ start: Int, _ end: Int) throws -> String {
            let slice = UnsafeBufferPointer(rebasing: bytes[start..<end])
            try checkText(slice, line: line, quoted: false)
            guard let s = String(validating: slice, as: UTF8.self) else {
                throw InputError(file: fileName, line: line, "the text is not valid UTF-8")
            }
            return s
        }

        while i < n {
            // Start of a record.
            recordLine = line
            fields.removeAll(keepingCapacity: true)
            var endOfRecord = false
            // Skip a blank line.
            if bytes[i] == 0x0A { line += 1; i += 1; continue }
            if bytes[i] == 0x0D, i + 1 < n, bytes[i + 1] == 0x0A { line += 1; i += 2; continue }
            while !endOfRecord {
                if i < n, bytes[i] == 0x22 { // quoted field
                    let quoteLine = line
                    i += 1
                    fieldBytes.removeAll(keepingCapacity: true)
                    var closed = false
                    while i < n {
                        let b = bytes[i]
                        if b == 0x22 {
                            if i + 1 < n, bytes[i + 1] == 0x22 { fieldBytes.append(0x22); i += 2; continue }
                            i += 1; closed = true; break
                        }
                        if b == 0x0A { line += 1 }
                        fieldBytes.append(b); i += 1
                    }
                    if !closed {
                        throw InputError(file: fileName, line: quoteLine, "unterminated quoted field (is the file truncated?)")
                    }
                    try checkText(fieldBytes, line: quoteLine, quoted: true)
                    guard let s = String(validating: fieldBytes, as: UTF8.self) else {
                        throw InputError(file: fileName, line: quoteLine, "the text is not valid UTF-8")
                    }
                    fields.append(s)
                    // After a closing quote: comma, line end or end of file.
                    if i >= n { endOfRecord = true }
                    else if bytes[i] == 0x2C { i += 1; if i >= n { fields.append(""); endOfRecord = true } }
                    else if bytes[i] == 0x0A { i += 1; line += 1; endOfRecord = true }
                    else if bytes[i] == 0x0D, i + 1 < n, bytes[i + 1] == 0x0A { i += 2; line += 1; endOfRecord = true }
                    else {
                        throw InputError(file: fileName, line: line, "unexpected character after a closing quote (a quote inside a field must be doubled)")
                    }
                } else {
                    let start = i
                    while i < n {
                        let b = bytes[i]
                        if b == 0x2C || b == 0x0A || b == 0x0D { break }
                        if b == 0x22 {
                            throw InputError(file: fileName, line: line, "a quote inside an unquoted field (quote the whole field)")
                        }
                        i += 1
                    }
                    fields.append(try makeString(start, i))
                    if i >= n { endOfRecord = true }
                    else if bytes[i] == 0x2C { i += 1; if i >= n { fields.append(""); endOfRecord = true } }
                    else if bytes[i] == 0x0A { i += 1; line += 1; endOfRecord = true }
                    else if bytes[i] == 0x0D {
                        if i + 1 < n, bytes[i + 1] == 0x0A { i += 2 } else { i += 1 }
                        line += 1; endOfRecord = true
                    }
                }
            }
            records.append(CSVRecord(fields: fields, line: recordLine))
        }
        return records
    }
}

/// CSV output with RFC 4180 quoting.
public enum CSVWriter {
    /// The field as CSV: quoted when it holds a comma, quote, CR or LF.
    @inlinable
    public static func escape(_ field: String) -> String {
        if field.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
            return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return field
    }
}
