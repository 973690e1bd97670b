internal import CZlib
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
/// decodes just the node blobs and keeps the positions of the nodes the kept ways reference.
/// Memory then follows the routable network, not the file: a country extract whose ways are
/// mostly buildings and landuse keeps only its road nodes. Node blobs inflated in pass 1 are
/// kept for pass 2 up to `retainedBytes` (256 MiB by default; beyond it they are inflated again).
/// Before either pass the blob framing of the whole file is checked, so a truncated file fails
/// fast with a clear message.
///
/// **Both passes run on all cores, deterministically.** Blobs are independent, so each worker
/// inflates and decodes whole blobs into flat per-blob results (way ids, references and
/// block-local tag sets; node hits); the results are merged in blob order on one thread, so the
/// extract — and any error, which is the one of the lowest blob — is the same for any number of
/// workers. No allocation per node or per tag: a block's string table is decoded only for the
/// tag keys used and the values of the keys the profile reads, and each distinct combination of
/// kept tags becomes one tag set. The node ids the kept ways reference go into a
/// ``NodeIdTable`` (open addressing) that numbers them, resolves the references and answers
/// "is this node needed" in pass 2.
///
/// Errors are ``InputError``s naming the file: a file cut short says
/// "truncated at byte N" (N = the file size) and names the blob it cut; corrupt or unsupported
/// content names the byte offset of its blob.
enum OSMPBFReader: OSMFileReader {
    /// Features of `HeaderBlock.required_features` this reader understands.
    static let supportedRequiredFeatures: Set<String> = ["OsmSchema-V0.6", "DenseNodes"]

    /// Inflated node blobs kept from pass 1 for pass 2, in bytes (in all).
    static let defaultRetainedBytes = 256 << 20

    /// One blob of the file: where it starts (for messages), its `Blob` message, its type.
    struct Blob: Sendable {
        var start: Int
        var range: Range<Int>
        var isHeader: Bool
    }

    static func read(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter) throws -> OSMExtract {
        try read(bytes: bytes, fileName: fileName, filter: filter, workers: Parallel.threadCount)
    }

    /// Reads with `workers` threads; the result does not depend on `workers` or `retainedBytes`.
    static func read(bytes: UnsafeRawBufferPointer, fileName: String, filter: OSMWayFilter, workers: Int,
                     retainedBytes: Int = defaultRetainedBytes) throws -> OSMExtract {
        let blobs = try frame(bytes, fileName: fileName)
        nonisolated(unsafe) let file = bytes
        let scratch = WorkerScratch(workers: workers)

        // Pass 1 (parallel): header, ways, node counts.
        let budget = ByteBudget(retainedBytes)
        let keyIndex = Dictionary(uniqueKeysWithValues: filter.keys.sorted().enumerated().map { ($1, $0) })
        var wayBlocks = [WayBlock](repeating: WayBlock(), count: blobs.count)
        wayBlocks.withUnsafeMutableBufferPointer { out in
            let results = DisjointWrites(out.baseAddress!, count: out.count)
            Parallel.forEachIndex(count: blobs.count, workers: workers) { b, worker in
                let blob = blobs[b]
                var result = WayBlock()
                do {
                    try withBlock(file, blob, fileName: fileName, scratch: &scratch.buffers[worker]) { block, inflated in
                        if blob.isHeader {
                            try checkHeaderBlock(block, blobStart: blob.start, fileName: fileName)
                            return
                        }
                        var decoder = WayDecoder(fileName: fileName, blobStart: blob.start, filter: filter, keyIndex: keyIndex)
                        try decoder.readPrimitiveBlock(block, into: &result)
                        if result.hasNodes, inflated, budget.take(block.count) { result.retained = Array(block) }
                    }
                } catch {
                    result.error = error
                }
                results[b] = result
            }
        }

        // Merge in blob order: the first error wins, as in a sequential read.
        var extract = OSMExtract(fileName: fileName)
        var nodeBlobs: [(blob: Blob, retained: [UInt8]?)] = []
        var totalRefs = 0
        for block in wayBlocks {
            if let error = block.error { throw error }
            totalRefs += block.refs.count
        }
        extract.wayIds.reserveCapacity(wayBlocks.reduce(0) { $0 + $1.wayIds.count })
        extract.wayTagSets.reserveCapacity(extract.wayIds.capacity)
        extract.wayRefStart.reserveCapacity(extract.wayIds.capacity + 1)
        extract.wayRefs.reserveCapacity(totalRefs)
        for b in wayBlocks.indices {
            let block = wayBlocks[b]
            extract.nodesRead += block.nodesRead
            extract.waysRead += block.waysRead
            if block.hasNodes { nodeBlobs.append((blobs[b], block.retained)) }
            let globalTagSet = zip(block.tagSets, block.tagSetKeys).map { extract.internTagSet($0, key: $1) }
            extract.wayIds.append(contentsOf: block.wayIds)
            for t in block.wayTagSets { extract.wayTagSets.append(globalTagSet[Int(t)]) }
            let base = extract.wayRefs.count
            for end in block.wayRefEnds { extract.wayRefStart.append(base + Int(end)) }
            extract.wayRefs.append(contentsOf: block.refs)
            wayBlocks[b] = WayBlock()  // free as we go
        }
        wayBlocks = []

        // The referenced node ids, numbered; the references resolved to their numbers.
        let (table, nodeIds, numbered) = NodeIdTable.numbering(of: extract.wayRefs, workers: workers)
        var refNodes = numbered
        // Pass 2 (parallel): the positions of the referenced nodes.
        let nodeBlobList = nodeBlobs
        var nodeBlocks = [NodeBlock](repeating: NodeBlock(), count: nodeBlobs.count)
        nodeBlocks.withUnsafeMutableBufferPointer { out in
            let results = DisjointWrites(out.baseAddress!, count: out.count)
            Parallel.forEachIndex(count: nodeBlobList.count, workers: workers) { b, worker in
                let (blob, retained) = nodeBlobList[b]
                var result = NodeBlock()
                do {
                    var decoder = NodeDecoder(fileName: fileName, blobStart: blob.start, needed: table)
                    if let retained {
                        try retained.withUnsafeBytes { block in
                            try wrapProtobufErrors(blob, fileName: fileName) { try decoder.readPrimitiveBlock(block, into: &result) }
                        }
                    } else {
                        try withBlock(file, blob, fileName: fileName, scratch: &scratch.buffers[worker]) { block, _ in
                            try decoder.readPrimitiveBlock(block, into: &result)
                        }
                    }
                } catch {
                    result.error = error
                }
                results[b] = result
            }
        }

        // Merge in blob order: a repeated node is an error, then the blob's own error.
        var positions = [LonLat](repeating: LonLat(lonDegrees: .nan, latDegrees: .nan), count: nodeIds.count)
        try positions.withUnsafeMutableBufferPointer { positions in
            for (b, block) in nodeBlocks.enumerated() {
                for (index, position) in zip(block.hitIndices, block.hitPositions) {
                    guard positions[Int(index)].lonDegrees.isNaN else {
                        throw InputError(file: fileName, "node id \(nodeIds[Int(index)]) appears more than once (blob at byte \(nodeBlobs[b].blob.start))")
                    }
                    positions[Int(index)] = position
                }
                if let error = block.error { throw error }
            }
        }
        nodeBlocks = []
        // References to nodes the file lacks resolve to -1.
        refNodes.withUnsafeMutableBufferPointer { refs in
            positions.withUnsafeBufferPointer { positions in
                for i in 0..<refs.count where positions[Int(refs[i])].lonDegrees.isNaN { refs[i] = -1 }
            }
        }
        extract.nodeIndex = table
        extract.nodeIds = nodeIds
        extract.nodePositions = positions
        extract.wayRefNodes = refNodes
        return extract
    }

    /// Checks the blob framing of the whole file and lists the header and data blobs.
    static func frame(_ bytes: UnsafeRawBufferPointer, fileName: String) throws -> [Blob] {
        let size = bytes.count
        guard size > 0 else { throw InputError(file: fileName, "the OSM file is empty") }
        var blobs: [Blob] = []
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
                blobs.append(Blob(start: blobStart, range: blobRange, isHeader: isHeader))
            }
        }

        return blobs
    }

    /// Decodes one blob (into `scratch` when compressed) and hands its block to `body`, with
    /// whether it was inflated; protobuf errors become InputErrors naming the blob.
    private static func withBlock(_ file: UnsafeRawBufferPointer, _ blob: Blob, fileName: String, scratch: inout [UInt8],
                                  _ body: (UnsafeRawBufferPointer, _ inflated: Bool) throws -> Void) throws {
        let payload = try blobPayload(file, range: blob.range, blobStart: blob.start, fileName: fileName, scratch: &scratch)
        try payload.withUnsafeBytesOrScratch(scratch: scratch, file: file) { block in
            try wrapProtobufErrors(blob, fileName: fileName) {
                if case .scratch = payload { try body(block, true) } else { try body(block, false) }
            }
        }
    }

    private static func wrapProtobufErrors(_ blob: Blob, fileName: String, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ProtobufError {
            throw InputError(file: fileName, "corrupt \(blob.isHeader ? "HeaderBlock" : "PrimitiveBlock") in the blob at byte \(blob.start): \(error.message)")
        }
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

    /// One inflation buffer per worker (each worker only touches its own).
    private final class WorkerScratch: @unchecked Sendable {
        let buffers: UnsafeMutablePointer<[UInt8]>
        let count: Int
        init(workers: Int) {
            count = max(1, workers)
            buffers = .allocate(capacity: count)
            buffers.initialize(repeating: [], count: count)
        }
        deinit {
            buffers.deinitialize(count: count)
            buffers.deallocate()
        }
    }

    /// Bytes left for retained node blobs (shared by the workers of pass 1).
    private final class ByteBudget: @unchecked Sendable {
        private let lock = NSLock()
        private var left: Int
        init(_ bytes: Int) { left = bytes }
        func take(_ bytes: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            guard bytes <= left else { return false }
            left -= bytes
            return true
        }
    }

    /// What pass 1 keeps of one blob.
    struct WayBlock {
        var error: (any Error)? = nil
        var hasNodes = false
        var nodesRead = 0
        var waysRead = 0
        /// Kept ways: ids, block-local tag set, end of their references in `refs`.
        var wayIds: [Int64] = []
        var wayTagSets: [Int32] = []
        var wayRefEnds: [Int32] = []
        var refs: [Int64] = []
        /// The block's distinct kept tag sets and their byte keys (`OSMExtract.tagSetKey`).
        var tagSets: [[String: String]] = []
        var tagSetKeys: [[UInt8]] = []
        /// The inflated block, when it holds nodes and the budget allowed.
        var retained: [UInt8]? = nil
    }

    /// What pass 2 finds in one blob: the needed nodes in file order, then the blob's error if any.
    struct NodeBlock {
        var error: (any Error)? = nil
        var hitIndices: [Int32] = []
        var hitPositions: [LonLat] = []
    }

    /// The fields of a `PrimitiveBlock`: stringtable = 1, primitivegroup = 2, granularity = 17,
    /// date_granularity = 18, lat_offset = 19, lon_offset = 20.
    struct BlockFields {
        var stringRanges: [Range<Int>] = []
        var groups: [Range<Int>] = []
        var coordinates: Coordinates

        init(_ block: UnsafeRawBufferPointer, blobStart: Int, fileName: String) throws {
            var reader = ProtobufReader(block, range: 0..<block.count)
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
            coordinates = Coordinates(granularity: granularity, latOffset: latOffset, lonOffset: lonOffset)
        }
    }

    struct Coordinates {
        let granularity: Int64, latOffset: Int64, lonOffset: Int64
        /// Degrees = nanodegrees / 1e9: one correctly rounded division, so a value written
        /// with 7 decimals gives the same `Double` as parsing that decimal text.
        @inline(__always)
        func position(lat: Int64, lon: Int64) -> LonLat {
            LonLat(lonDegrees: Double(lonOffset &+ granularity &* lon) / 1e9,
                   latDegrees: Double(latOffset &+ granularity &* lat) / 1e9)
        }
    }

    /// Pass 1 of one block: keeps the routable ways, counts the nodes.
    struct WayDecoder {
        let fileName: String
        let blobStart: Int
        let filter: OSMWayFilter
        /// Relevant tag key → its slot (keys sorted).
        let keyIndex: [String: Int]
        /// Per-way scratch.
        var keys: [UInt32] = [], values: [UInt32] = [], looseRefs: [Int64] = []

        init(fileName: String, blobStart: Int, filter: OSMWayFilter, keyIndex: [String: Int]) {
            self.fileName = fileName
            self.blobStart = blobStart
            self.filter = filter
            self.keyIndex = keyIndex
        }

        mutating func readPrimitiveBlock(_ block: UnsafeRawBufferPointer, into result: inout WayBlock) throws {
            let fields = try BlockFields(block, blobStart: blobStart, fileName: fileName)
            var strings = StringTable(reader: ProtobufReader(block, range: 0..<block.count), ranges: fields.stringRanges, keyIndex: keyIndex)
            for group in fields.groups {
                var g = ProtobufReader(block, range: group)
                while !g.isAtEnd {
                    let key = try g.fieldKey()
                    switch (key.number, key.wireType) {
                    case (1, 2):
                        _ = try g.lengthDelimited()
                        result.nodesRead += 1
                        result.hasNodes = true
                    case (2, 2):
                        result.nodesRead += try Self.denseNodeCount(try g.nested())
                        result.hasNodes = true
                    case (3, 2): try readWay(try g.nested(), &strings, into: &result)
                    default: try g.skip(wireType: key.wireType)  // relations = 4, changesets = 5
                    }
                }
            }
        }

        /// The number of ids in a DenseNodes message: one varint ends at each byte below 0x80.
        static func denseNodeCount(_ message: ProtobufReader) throws -> Int {
            var reader = message
            var count = 0
            while !reader.isAtEnd {
                let key = try reader.fieldKey()
                if key.number == 1 && key.wireType == 2 {
                    let range = try reader.lengthDelimited()
                    count += varintCount(ProtobufReader(base: reader.base, range: range))
                } else {
                    try reader.skip(wireType: key.wireType)
                }
            }
            return count
        }

        /// The number of varints in a packed field: one ends at each byte below 0x80.
        static func varintCount(_ packed: ProtobufReader) -> Int {
            var count = 0
            let bytes = UnsafeRawBufferPointer(start: packed.base + packed.position, count: packed.end - packed.position)
            for byte in bytes where byte < 0x80 { count += 1 }
            return count
        }

        /// Way: id = 1 (int64), keys = 2, vals = 3 (packed uint32 string indices), info = 4,
        /// refs = 8 (packed sint64, delta coded).
        mutating func readWay(_ message: ProtobufReader, _ strings: inout StringTable, into result: inout WayBlock) throws {
            var reader = message
            var id: Int64 = 0
            keys.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            looseRefs.removeAll(keepingCapacity: true)
            var refsReader: ProtobufReader? = nil
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
            result.waysRead += 1
            guard keys.count == values.count else {
                throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): way \(id) has \(keys.count) keys but \(values.count) values")
            }
            // The kept tags as value string indices by key slot (a later repeat of a key wins).
            strings.clearSlots()
            for (k, v) in zip(keys, values) {
                guard Int(k) < strings.count, Int(v) < strings.count else {
                    throw InputError(file: fileName, "corrupt PrimitiveBlock in the blob at byte \(blobStart): way \(id) refers to a string past the string table")
                }
                if let slot = strings.keySlot(Int(k)) { strings.set(slot: slot, key: k, value: v) }
            }
            let tagSet = strings.tagSet(filter: filter, into: &result)
            guard tagSet >= 0 else { return }
            var ref: Int64 = 0
            if var refsReader {
                while !refsReader.isAtEnd {
                    ref &+= try refsReader.signedVarint()
                    result.refs.append(ref)
                }
            }
            for delta in looseRefs {
                ref &+= delta
                result.refs.append(ref)
            }
            result.wayIds.append(id)
            result.wayTagSets.append(tagSet)
            result.wayRefEnds.append(Int32(result.refs.count))
        }
    }

    /// A block's string table: tag keys classified (relevant slot or not) and values decoded to
    /// `String` on first use; the block's distinct kept tag combinations, each with its
    /// `filter.keep` verdict.
    struct StringTable {
        let reader: ProtobufReader
        let ranges: [Range<Int>]
        let keyIndex: [String: Int]
        /// Per string: -2 not yet classified, -1 not a relevant key, else the key's slot.
        var keyClass: [Int16]
        var cache: [String?]
        /// The current way: the key and value string index per relevant slot (`UInt32.max`: absent).
        var slotKey: [UInt32]
        var slotValue: [UInt32]
        var touched: [Int] = []
        /// Combination (`slotValue`) → block-local tag set, or -1 when the filter drops it.
        var combinations: [[UInt32]: Int32] = [:]

        init(reader: ProtobufReader, ranges: [Range<Int>], keyIndex: [String: Int]) {
            self.reader = reader
            self.ranges = ranges
            self.keyIndex = keyIndex
            self.keyClass = Array(repeating: -2, count: ranges.count)
            self.cache = Array(repeating: nil, count: ranges.count)
            self.slotKey = Array(repeating: .max, count: keyIndex.count)
            self.slotValue = Array(repeating: .max, count: keyIndex.count)
        }

        var count: Int { ranges.count }

        mutating func string(_ index: Int) -> String {
            if let s = cache[index] { return s }
            let s = reader.string(ranges[index])
            cache[index] = s
            return s
        }

        /// The relevant-key slot of string `index` used as a key, nil when the profile ignores it.
        @inline(__always)
        mutating func keySlot(_ index: Int) -> Int? {
            var c = keyClass[index]
            if c == -2 {
                c = keyIndex[string(index)].map { Int16($0) } ?? -1
                keyClass[index] = c
            }
            return c >= 0 ? Int(c) : nil
        }

        mutating func clearSlots() {
            for slot in touched { slotKey[slot] = .max; slotValue[slot] = .max }
            touched.removeAll(keepingCapacity: true)
        }

        @inline(__always)
        mutating func set(slot: Int, key: UInt32, value: UInt32) {
            if slotValue[slot] == .max { touched.append(slot) }
            slotKey[slot] = key
            slotValue[slot] = value
        }

        /// The block-local tag set of the current way's slots, -1 when the filter drops it.
        mutating func tagSet(filter: OSMWayFilter, into result: inout WayBlock) -> Int32 {
            if let known = combinations[slotValue] { return known }
            var tags: [String: String] = [:]
            for slot in touched.sorted() { tags[string(Int(slotKey[slot]))] = string(Int(slotValue[slot])) }
            var index: Int32 = -1
            if filter.keep(tags) {
                index = Int32(result.tagSets.count)
                result.tagSetKeys.append(OSMExtract.tagSetKey(tags))
                result.tagSets.append(tags)
            }
            combinations[slotValue] = index
            return index
        }
    }

    /// Pass 2 of one block: the needed nodes.
    struct NodeDecoder {
        let fileName: String
        let blobStart: Int
        let needed: NodeIdTable

        mutating func readPrimitiveBlock(_ block: UnsafeRawBufferPointer, into result: inout NodeBlock) throws {
            let fields = try BlockFields(block, blobStart: blobStart, fileName: fileName)
            for group in fields.groups {
                var g = ProtobufReader(block, range: group)
                while !g.isAtEnd {
                    let key = try g.fieldKey()
                    switch (key.number, key.wireType) {
                    case (1, 2): try readNode(try g.nested(), fields.coordinates, into: &result)
                    case (2, 2): try readDenseNodes(try g.nested(), fields.coordinates, into: &result)
                    default: try g.skip(wireType: key.wireType)
                    }
                }
            }
        }

        @inline(__always)
        func add(id: Int64, _ position: LonLat, into result: inout NodeBlock) throws {
            guard let index = needed[id] else { return }
            guard position.isValid else {
                throw InputError(file: fileName, "node \(id) in the blob at byte \(blobStart) has an out-of-range position \(position)")
            }
            result.hitIndices.append(index)
            result.hitPositions.append(position)
        }

        /// Node: id = 1 (sint64), keys = 2, vals = 3, info = 4, lat = 8 (sint64), lon = 9 (sint64).
        func readNode(_ message: ProtobufReader, _ coordinates: Coordinates, into result: inout NodeBlock) throws {
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
            try add(id: id, coordinates.position(lat: lat, lon: lon), into: &result)
        }

        /// DenseNodes: id = 1, denseinfo = 5, lat = 8, lon = 9, keys_vals = 10; ids and
        /// coordinates are packed, zigzag and delta coded.
        func readDenseNodes(_ message: ProtobufReader, _ coordinates: Coordinates, into result: inout NodeBlock) throws {
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
                try add(id: id, coordinates.position(lat: lat, lon: lon), into: &result)
            }
        }
    }
}
