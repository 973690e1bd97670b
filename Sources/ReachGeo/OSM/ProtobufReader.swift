/// A minimal protocol-buffers wire-format reader over a byte range (no generated code).
///
/// Enough for the OSM PBF schema (`fileformat.proto`, `osmformat.proto`): varints, zigzag
/// `sint64`, length-delimited fields and packed repeated numbers; groups (wire types 3 and 4)
/// are rejected. Every read checks the bounds and throws ``ProtobufError`` instead of trapping.
struct ProtobufReader {
    let base: UnsafeRawPointer
    private(set) var position: Int
    let end: Int

    /// Reads `bytes[range]`.
    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        self.base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    init(base: UnsafeRawPointer, range: Range<Int>) {
        self.base = base
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    /// The next varint (up to 10 bytes).
    @inline(__always)
    mutating func varint() throws(ProtobufError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw ProtobufError("truncated varint", at: position) }
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw ProtobufError("varint longer than 10 bytes", at: position) }
        }
    }

    /// A zigzag-encoded `sint64`.
    @inline(__always)
    mutating func signedVarint() throws(ProtobufError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// The next field key: (field number, wire type).
    @inline(__always)
    mutating func fieldKey() throws(ProtobufError) -> (number: Int, wireType: Int) {
        let key = try varint()
        let number = key >> 3
        guard number > 0, number <= 536_870_911 else { throw ProtobufError("invalid field number \(number)", at: position) }
        return (Int(number), Int(key & 7))
    }

    /// The byte range of a length-delimited field's payload (the position moves past it).
    mutating func lengthDelimited() throws(ProtobufError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw ProtobufError("length-delimited field of \(length) bytes runs past its container", at: position)
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A nested reader over a length-delimited field.
    mutating func nested() throws(ProtobufError) -> ProtobufReader {
        ProtobufReader(base: base, range: try lengthDelimited())
    }

    /// Skips a field's value of `wireType`.
    mutating func skip(wireType: Int) throws(ProtobufError) {
        switch wireType {
        case 0: _ = try varint()
        case 1:
            guard end - position >= 8 else { throw ProtobufError("truncated 64-bit field", at: position) }
            position += 8
        case 2: _ = try lengthDelimited()
        case 5:
            guard end - position >= 4 else { throw ProtobufError("truncated 32-bit field", at: position) }
            position += 4
        default: throw ProtobufError("unsupported wire type \(wireType)", at: position)
        }
    }

    /// The payload bytes decoded as UTF-8 (invalid sequences become U+FFFD).
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count), as: UTF8.self)
    }

    /// True when `range` holds exactly the UTF-8 bytes of `text`.
    func bytes(_ range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        return memcmp(base + range.lowerBound, text.utf8Start, range.count) == 0
    }
}

/// A malformed protocol-buffers message; `offset` is relative to the buffer being read.
struct ProtobufError: Error {
    var message: String
    var offset: Int
    init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
