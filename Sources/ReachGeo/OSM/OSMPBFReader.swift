import CZlib
import Foundation

/// Reads OpenStreetMap PBF (`.osm.pbf`) files as Geofabrik and BBBike ship them.
///
/// Format (wiki.openstreetmap.org/wiki/PBF_Format): a sequence of
/// `[4-byte big-endian length][BlobHeader][Blob]`; the first blob is an `OSMHeader`
/// (`HeaderBlock`), the rest `OSMData` (`PrimitiveBlock`s). Blobs are raw or zlib-compressed
/// (other compressions are reported as unsupported). A `PrimitiveBlock` holds a string table,
/// `granularity` and `lat_offset`/`lon_offset`, and groups of plain `Node`s, `DenseNodes`
/// (delta-coded ids and coordinates), `Way`s (delta-coded refs) and relations (skipped).
///
/// **Two passes, keeping only the needed nodes.** PBF writers put nodes before ways, so the
/// positions of the nodes a way needs have gone by when the way is read. Pass 1 reads every
/// blob, keeps the routable ways and only counts nodes (noting which blobs hold nodes); pass 2
/// re-inflates just the node blobs and keeps the positions of the nodes the kept ways reference.
/// Memory then follows the routable network, not the file: a country extract whose ways are
/// mostly buildings and landuse keeps only its road nodes. The price is inflating the node
/// blobs twice; zlib is ~3 % of the build time on the Hanoi file (perf), so the second pass
/// costs little, while a one-pass table of every node (24 B + a dictionary entry per node)
/// grows with the whole file — 142,832 nodes for Liechtenstein where 32,469 are road nodes.
/// Before either pass the blob framing of the whole file is checked, so a truncated file fails
/// fast with a clear message.
///
/// Errors are ``InputError``s naming the file: a file cut short says
/// "truncated at byte N" (N = the file size) and names the blob it cut; corrupt or unsupported
/// content names the byte offset of its blob.
enum OSMPBFReader: OSMFileReader {
    /// Features of `HeaderBlock.required_features` this reader understands.
    static let supportedRequiredFeatures: Set<String> = ["OsmSchema-V0.6", "DenseNodes"]

    static func read(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter) throws -> OSMExtract {
        let size = bytes.count
        guard size > 0 else { throw InputError(file: fileName, "the OSM file is empty") }
        var state = BlockState(fileName: fileName, filter: filter)
        var blobs: [(start: Int, range: Range<Int>, isHeader: Bool)] = []
        var offset = 0
        while offset < size {
            let blobStart = offset
            guard size - offset >= 4 else {
                throw InputError(file: fileName, "truncated at byte \(size): the blob at byte \(blobStart) has an incomplete length prefix")
            }
            let headerLength = Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            offset += 4
            guard headerLength > 0, headerLength <= 64 * 1024 else {
                throw InputError(file: fileName, "not an OSM PBF file or corrupt: blob header length \(headerLength) at byte \(blobStart) (must be 1…65536)")
            }
            guard size - offset >= headerLength else {
                throw InputError(file: fileName, "truncated at byte \(size): the blob header at byte \(blobStart) needs \(headerLength) bytes")
            }
            // BlobHeader: type = 1 (string), indexdata = 2, datasize = 3 (int32).
            var typeRange: Range<Int>? = nil
            var dataSize = -1
            do {
                var header = ProtobufReader(bytes, range: offset..<(offset + headerLength))
                while !header.isAtEnd {
                    let key = try header.fieldKey()
                    switch (key.number, key.wireType) {
                    case (1, 2): typeRange = try header.lengthDelimited()
                    case (3, 0): dataSize = Int(truncatingIfNeeded: try header.varint())
                    default: try header.skip(wireType: key.wireType)
                    }
                }
            } catch {
                throw InputError(file: fileName, "not an OSM PBF file or corrupt: bad blob header at byte \(blobStart) (\(error.message))")
            }
            offset += headerLength
            guard let typeRange, dataSize >= 0, dataSize <= 32 * 1024 * 1024 else {
                throw InputError(file: fileName, "not an OSM PBF file or corrupt: blob header at byte \(blobStart) lacks a type or a valid datasize")
            }
            guard size - offset >= dataSize else {
                throw InputError(file: fileName, "truncated at byte \(size): the blob at byte \(blobStart) needs \(dataSize) more bytes after its header, \(size - offset) remain")
            }
            let blobRange = offset..<(offset + dataSize)
            offset += dataSize
            let typeReader = ProtobufReader(bytes, range: 0..<size)
            let isHeader = typeReader.bytes(typeRange, equal: "OSMHeader")
            if blobs.isEmpty && !isHeader {
                throw InputError(file: fileName, "not an OSM PBF file: the first blob is \(ErrorText.quoted(typeReader.string(typeRange))), not OSMHeader")
            }
            // Unknown blob types are skipped, as the format says.
            if isHeader || typeReader.bytes(typeRange, equal: "OSMData") {
                blobs.append((blobStart, blobRange, isHeader))
            }
        }

        var inflated: [UInt8] = []
        /// Inflates one blob and hands its block to `body`; protobuf errors become InputErrors.
        func withBlock(_ blob: (start: Int, range: Range<Int>, isHeader: Bool), _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            let payload = try blobPayload(bytes, range: blob.range, blobStart: blob.start, fileName: fileName, scratch: &inflated)
            try payload.withUnsafeBytesOrScratch(scratch: inflated, file: bytes) { block in
                do {
                    try body(block)
                } catch let error as ProtobufError {
                    throw InputError(file: fileName, "corrupt \(blob.isHeader ? "HeaderBlock" : "PrimitiveBlock") in the blob at byte \(blob.start): \(error.message)")
                }
            }
        }

        // Pass 1: header, ways, node counts.
        var nodeBlobs: [(start: Int, range: Range<Int>, isHeader: Bool)] = []
        for blob in blobs {
            try withBlock(blob) { block in
                if blob.isHeader {
                    try checkHeaderBlock(block, blobStart: blob.start, fileName: fileName)
                } else if try state.readPrimitiveBlock(block, blobStart: blob.start, pass: .ways) {
                    nodeBlobs.append(blob)
                }
            }
        }
        // Pass 2: positions of the referenced nodes only.
        var needed = Set<Int64>(minimumCapacity: state.extract.ways.reduce(0) { $0 + $1.nodeIds.count })
        for way in state.extract.ways { needed.formUnion(way.nodeIds) }
        state.neededNodes = needed
        state.extract.nodeIndex.reserveCapacity(needed.count)
        state.extract.nodePositions.reserveCapacity(needed.count)
        for blob in nodeBlobs {
            try withBlock(blob) { block in
                _ = try state.readPrimitiveBlock(block, blobStart: blob.start, pass: .nodes)
            }
        }
        return state.extract
    }

    /// Where a blob's decoded bytes are: a range of the file (raw) or the scratch buffer (inflated).
    private enum Payload {
        case file(Range<Int>)
        case scratch(Int)

        func withUnsafeBytesOrScratch(scratch: [UInt8], file: UnsafeRawBufferPointer,
                                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
            switch self {
            case .file(let range): try body(UnsafeRawBufferPointer(rebasing: file[range]))
            case .scratch(let count): try scratch.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
        }
    }

    /// Decodes a `Blob`: raw = 1, raw_size = 2, zlib_data = 3, lzma = 4, bzip2 = 5, lz4 = 6, zstd = 7.
    private static func blobPayload(_ bytes: UnsafeRawBufferPointer, range: Range<Int>, blobStart: Int, fileName: String,
                                    scratch: inout [UInt8]) throws -> Payload {
        var raw: Range<Int>? = nil, zlib: Range<Int>? = nil
        var rawSize = -1
        var otherCompression: String? = nil
        do {
            var blob = ProtobufReader(bytes, range: range)
            while !blob.isAtEnd {
                let key = try blob.fieldKey()
                switch (key.number, key.wireType) {
                case (1, 2): raw = try blob.lengthDelimited()
                case (2, 0): rawSize = Int(truncatingIfNeeded: try blob.varint())
                case (3, 2): zlib = try blob.lengthDelimited()
                case (4, 2): otherCompression = "lzma"; try blob.skip(wireType: 2)
                case (5, 2): otherCompression = "bzip2"; try blob.skip(wireType: 2)
                case (6, 2): otherCompression = "lz4"; try blob.skip(wireType: 2)
                case (7, 2): otherCompression = "zstd"; try blob.skip(wireType: 2)
                default: try blob.skip(wireType: key.wireType)
                }
            }
        } catch {
            throw InputError(file: fileName, "corrupt blob at byte \(blobStart): \(error.message)")
        }
        if let raw { return .file(raw) }
        if let zlib {
            guard rawSize >= 0, rawSize <= 32 * 1024 * 1024 else {
                throw InputError(file: fileName, "corrupt blob at byte \(blobStart): missing or invalid raw_size \(rawSize)")
            }
            if scratch.count < rawSize { scratch = [UInt8](repeating: 0, count: rawSize) }
            var destinationLength = uLongf(rawSize)
            let status = scratch.withUnsafeMutableBytes { destination in
                uncompress(destination.baseAddress!.assumingMemoryBound(to: Bytef.self), &destinationLength,
                           bytes.baseAddress!.advanced(by: zlib.lowerBound).assumingMemoryBound(to: Bytef.self),
                           uLong(zlib.count))
            }
            guard status == Z_OK, Int(destinationLength) == rawSize else {
                let reason = status == Z_OK ? "inflated to \(destinationLength) bytes, raw_size says \(rawSize)"
                    : "zlib error \(status)\(status == Z_DATA_ERROR ? " (corrupt data)" : status == Z_BUF_ERROR ? " (data longer than raw_size or cut short)" : "")"
                throw InputError(file: fileName, "corrupt blob at byte \(blobStart): \(reason)")
            }
            return .scratch(rawSize)
        }
        if let otherCompression {
            throw InputError(file: fileName, "unsupported compression \(otherCompression) in the blob at byte \(blobStart) (only raw and zlib are supported)")
        }
        throw InputError(file: fileName, "corrupt blob at byte \(blobStart): no data")
    }

    /// Checks `HeaderBlock.required_features` (field 4).
    private static func checkHeaderBlock(_ block: UnsafeRawBufferPointer, blobStart: Int, fileName: String) throws {
        var reader = ProtobufReader(block, range: 0..<block.count)
        while !reader.isAtEnd {
            let key = try reader.fieldKey()
            if key.number == 4 && key.wireType == 2 {
                let feature = reader.string(try reader.lengthDelimited())
                guard supportedRequiredFeatures.contains(feature) else {
                    throw InputError(file: fileName, "unsupported required feature \(ErrorText.quoted(feature)) in the OSMHeader at byte \(blobStart) (supported: \(supportedRequiredFeatures.sorted().joined(separator: ", ")))")
                }
            } else {
                try reader.skip(wireType: key.wireType)
            }
        }
    }

    /// Decoding state across blocks: the extract being filled.
    private struct BlockState {
        var extract: OSMExtract
        let fileName: String
        let filter: OSMWayFilter
        let relevantKeys: Set<String>
        /// Pass 2 keeps only these nodes.
        var neededNodes: Set<Int64> = []

        enum Pass { case ways, nodes }

        init(fileName: String, filter: OSMWayFilter) {
            self.fileName = fileName
            self.filter = filter
            self.relevantKeys = filter.keys
            self.extract = OSMExtract(fileName: fileName)
        }

        /// PrimitiveBlock: stringtable = 1, primitivegroup = 2, granularity = 17,
        /// date_granularity = 18, lat_offset = 19, lon_offset = 20.
        ///
        /// Pass `.ways` keeps routable ways and counts nodes; pass `.nodes` keeps the needed nodes.
        /// - Returns: true when the block holds nodes.
        mutating func readPrimitiveBlock(_ block: UnsafeRawBufferPointer, blobStart: Int, pass: Pass) throws -> Bool {
            var reader = ProtobufReader(block, range: 0..<block.count)
            var stringRanges: [Range<Int>] = []
            var groups: [Range<Int>] = []
            var granularity: Int64 = 100, latOffset: Int64 = 0, lonOffset: Int64 = 0
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                switch (key.number, key.wireType) {
                case (1, 2):
                    var table = try reader.nested()
                    while !table.isAtEnd {
                        let k = try table.fieldKey()
                        if k.number == 1 && k.wireType == 2 { stringRanges.append(try table.lengthDelimited()) } else { try table.skip(wireType: k.wireType) }
                    }
                case (2, 2): groups.append(try reader.lengthDelimited())
                case (17, 0): granularity = Int64(truncatingIfNeeded: try reader.varint())
                case (19, 0): latOffset = Int64(bitPattern: try reader.varint())
                case (20, 0): lonOffset = Int64(bitPattern: try reader.varint())
                default: try reader.skip(wireType: key.wireType)
                }
            }
            guard granularity > 0 else {
                throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): granularity \(granularity)")
            }
            var strings = StringTable(reader: reader, ranges: stringRanges)
            let coordinates = Coordinates(granularity: granularity, latOffset: latOffset, lonOffset: lonOffset)
            var hasNodes = false
            for group in groups {
                var g = ProtobufReader(base: reader.base, range: group)
                while !g.isAtEnd {
                    let key = try g.fieldKey()
                    switch (key.number, key.wireType, pass) {
                    case (1, 2, .nodes): try readNode(try g.nested(), coordinates, blobStart: blobStart)
                    case (2, 2, .nodes): try readDenseNodes(try g.nested(), coordinates, blobStart: blobStart)
                    case (1, 2, .ways):
                        _ = try g.lengthDelimited()
                        extract.nodesRead += 1
                        hasNodes = true
                    case (2, 2, .ways):
                        extract.nodesRead += try Self.denseNodeCount(try g.nested())
                        hasNodes = true
                    case (3, 2, .ways): try readWay(try g.nested(), &strings, blobStart: blobStart)
                    default: try g.skip(wireType: key.wireType)  // relations = 4, changesets = 5
                    }
                }
            }
            return hasNodes
        }

        /// The number of varints in a packed field: one ends at each byte below 0x80.
        static func varintCount(_ packed: ProtobufReader) -> Int {
            var count = 0
            for i in packed.position..<packed.end where packed.base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { count += 1 }
            return count
        }

        /// The number of ids in a DenseNodes message: one varint ends at each byte below 0x80.
        static func denseNodeCount(_ message: ProtobufReader) throws -> Int {
            var reader = message
            var count = 0
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                if key.number == 1 && key.wireType == 2 {
                    let range = try reader.lengthDelimited()
                    for i in range where reader.base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { count += 1 }
                } else {
                    try reader.skip(wireType: key.wireType)
                }
            }
            return count
        }

        struct Coordinates {
            let granularity: Int64, latOffset: Int64, lonOffset: Int64
            /// Degrees = nanodegrees / 1e9: one correctly rounded division, so a value written
            /// with 7 decimals gives the same `Double` as parsing that decimal text.
            func position(lat: Int64, lon: Int64) -> LonLat {
                LonLat(lonDegrees: Double(lonOffset &+ granularity &* lon) / 1e9,
                       latDegrees: Double(latOffset &+ granularity &* lat) / 1e9)
            }
        }

        mutating func add(id: Int64, _ position: LonLat, blobStart: Int) throws {
            guard neededNodes.contains(id) else { return }
            guard position.isValid else {
                throw InputError(file: fileName, "node \(id) in the blob at byte \(blobStart) has an out-of-range position \(position)")
            }
            guard extract.addNode(id: id, position: position) else {
                throw InputError(file: fileName, "node id \(id) appears more than once (blob at byte \(blobStart))")
            }
        }

        /// Node: id = 1 (sint64), keys = 2, vals = 3, info = 4, lat = 8 (sint64), lon = 9 (sint64).
        mutating func readNode(_ message: ProtobufReader, _ coordinates: Coordinates, blobStart: Int) throws {
            var reader = message
            var id: Int64? = nil, lat: Int64? = nil, lon: Int64? = nil
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                switch (key.number, key.wireType) {
                case (1, 0): id = try reader.signedVarint()
                case (8, 0): lat = try reader.signedVarint()
                case (9, 0): lon = try reader.signedVarint()
                default: try reader.skip(wireType: key.wireType)
                }
            }
            guard let id, let lat, let lon else {
                throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): a node lacks its id, lat or lon")
            }
            try add(id: id, coordinates.position(lat: lat, lon: lon), blobStart: blobStart)
        }

        /// DenseNodes: id = 1, denseinfo = 5, lat = 8, lon = 9, keys_vals = 10; ids and
        /// coordinates are packed, zigzag and delta coded.
        mutating func readDenseNodes(_ message: ProtobufReader, _ coordinates: Coordinates, blobStart: Int) throws {
            var reader = message
            var ids: ProtobufReader? = nil, lats: ProtobufReader? = nil, lons: ProtobufReader? = nil
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                switch (key.number, key.wireType) {
                case (1, 2): ids = try reader.nested()
                case (8, 2): lats = try reader.nested()
                case (9, 2): lons = try reader.nested()
                default: try reader.skip(wireType: key.wireType)
                }
            }
            guard var ids else { return }
            guard var lats, var lons else {
                throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): DenseNodes without lat/lon")
            }
            var id: Int64 = 0, lat: Int64 = 0, lon: Int64 = 0
            while !ids.isAtEnd {
                guard !lats.isAtEnd, !lons.isAtEnd else {
                    throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): DenseNodes has fewer coordinates than ids")
                }
                id &+= try ids.signedVarint()
                lat &+= try lats.signedVarint()
                lon &+= try lons.signedVarint()
                try add(id: id, coordinates.position(lat: lat, lon: lon), blobStart: blobStart)
            }
        }

        /// Way: id = 1 (int64), keys = 2, vals = 3 (packed uint32 string indices), info = 4,
        /// refs = 8 (packed sint64, delta coded).
        mutating func readWay(_ message: ProtobufReader, _ strings: inout StringTable, blobStart: Int) throws {
            var reader = message
            var id: Int64 = 0
            var keys: [UInt32] = [], values: [UInt32] = []
            var refsReader: ProtobufReader? = nil
            var looseRefs: [Int64] = []
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                switch (key.number, key.wireType) {
                case (1, 0): id = Int64(bitPattern: try reader.varint())
                case (2, 2):
                    var packed = try reader.nested()
                    while !packed.isAtEnd { keys.append(UInt32(truncatingIfNeeded: try packed.varint())) }
                case (2, 0): keys.append(UInt32(truncatingIfNeeded: try reader.varint()))
                case (3, 2):
                    var packed = try reader.nested()
                    while !packed.isAtEnd { values.append(UInt32(truncatingIfNeeded: try packed.varint())) }
                case (3, 0): values.append(UInt32(truncatingIfNeeded: try reader.varint()))
                case (8, 2): refsReader = try reader.nested()
                case (8, 0): looseRefs.append(try reader.signedVarint())
                default: try reader.skip(wireType: key.wireType)
                }
            }
            extract.waysRead += 1
            guard keys.count == values.count else {
                throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): way \(id) has \(keys.count) keys but \(values.count) values")
            }
            var tags: [String: String] = [:]
            for (k, v) in zip(keys, values) {
                guard let key = strings.string(Int(k)), let value = strings.string(Int(v)) else {
                    throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): way \(id) refers to a string past the string table")
                }
                if relevantKeys.contains(key) { tags[key] = value }
            }
            guard filter.keep(tags) else { return }
            // A fresh array of exactly the way's size: reusing one buffer across ways would make
            // every stored way keep the largest capacity seen so far.
            var refs: [Int64] = []
            refs.reserveCapacity((refsReader.map { Self.varintCount($0) } ?? 0) + looseRefs.count)
            var ref: Int64 = 0
            if var refsReader {
                while !refsReader.isAtEnd {
                    ref &+= try refsReader.signedVarint()
                    refs.append(ref)
                }
            }
            for delta in looseRefs {
                ref &+= delta
                refs.append(ref)
            }
            extract.ways.append(OSMWay(id: id, nodeIds: refs, tags: tags))
        }
    }

    /// A block's string table, decoded to `String` on first use.
    private struct StringTable {
        let reader: ProtobufReader
        let ranges: [Range<Int>]
        var cache: [String?]

        init(reader: ProtobufReader, ranges: [Range<Int>]) {
            self.reader = reader
            self.ranges = ranges
            self.cache = Array(repeating: nil, count: ranges.count)
        }

        mutating func string(_ index: Int) -> String? {
            guard index >= 0, index < ranges.count else { return nil }
            if let s = cache[index] { return s }
            let s = reader.string(ranges[index])
            cache[index] = s
            return s
        }
    }
}
