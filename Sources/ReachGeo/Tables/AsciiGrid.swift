import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A population grid read from an ESRI ASCII grid (`.asc`), as WorldPop and many statistics
/// agencies publish them.
///
/// The file is a header of `key value` lines — `ncols`, `nrows`, `xllcorner` or `xllcenter`,
/// `yllcorner` or `yllcenter`, `cellsize` (or `dx` and `dy`), optionally `NODATA_value`; keys
/// are case-insensitive and may come in any order — followed by `nrows` lines of `ncols`
/// numbers each, the northernmost row first. Coordinates are WGS 84 degrees (Reach does not
/// reproject grids).
///
/// Only the cells with a population above zero are kept (sparse), so a large, mostly empty
/// national grid costs memory in proportion to its inhabited cells. Every cell with
/// population > 0 becomes a ``Resident`` at the cell centre with id `r{row}c{col}` (0-based,
/// row 0 at the top), the cell ids of WorldPop's own tables. Cells equal to `NODATA_value` are
/// skipped; zero cells are skipped; a negative value that is not nodata is an error.
public struct AsciiGrid: Sendable, Hashable {
    /// One inhabited cell: 0-based row (from the top), 0-based column, population.
    public struct Cell: Sendable, Hashable {
        public var row: Int32
        public var column: Int32
        public var population: Double
    }

    /// The file name used in error messages and provenance.
    public var fileName: String
    public var columnCount: Int
    public var rowCount: Int
    /// Longitude of the western edge of the grid (degrees).
    public var westEdgeDegrees: Double
    /// Latitude of the southern edge of the grid (degrees).
    public var southEdgeDegrees: Double
    /// Cell width and height (degrees).
    public var cellWidthDegrees: Double
    public var cellHeightDegrees: Double
    /// The nodata marker, if the header declares one.
    public var nodataValue: Double?
    /// Cells with a population above zero, in file order (row by row from the top).
    public var cells: [Cell]
    /// Counts of the cells that were skipped.
    public var nodataCellCount: Int
    public var zeroCellCount: Int
    /// The 1-based line of the first data row (row 0); row `r` is on line `firstDataLine + r`.
    public var firstDataLine: Int
    /// The raster's own CRS when it was not WGS 84 degrees (or not north-up) and was reprojected
    /// on reading (``GDALDataset/readGrid(url:displayName:)``); nil when read as it is.
    public var reprojectedFrom: String? = nil

    /// The note a run prints when the grid was reprojected on reading, nil otherwise.
    public var reprojectionWarning: Warning? {
        reprojectedFrom.map { Warning("\(fileName): the grid is in \($0); reprojected to WGS 84 degrees with GDAL's sum resampling (counts moved by overlap, total \(DecimalText.population(totalPopulation)))") }
    }

    /// The total population of the inhabited cells.
    public var totalPopulation: Double { cells.reduce(0) { $0 + $1.population } }

    /// The centre of cell (`row`, `column`): row 0 is the northernmost row.
    public func cellCentre(row: Int, column: Int) -> LonLat {
        LonLat(lonDegrees: westEdgeDegrees + (Double(column) + 0.5) * cellWidthDegrees,
               latDegrees: southEdgeDegrees + (Double(rowCount - row) - 0.5) * cellHeightDegrees)
    }

    /// The residents of the grid: one per cell with population > 0, in file order, with id
    /// `r{row}c{col}`, position at the cell centre, and `sourceLine` the line of its row.
    /// - Complexity: O(inhabited cells).
    public func residents() -> [Resident] {
        cells.map { c in
            Resident(id: Self.cellID(row: Int(c.row), column: Int(c.column)),
                     position: cellCentre(row: Int(c.row), column: Int(c.column)),
                     population: c.population, zone: nil,
                     sourceLine: firstDataLine + Int(c.row))
        }
    }

    /// `r{row}c{column}`, written digit by digit (no formatting machinery: this runs once per cell).
    static func cellID(row: Int, column: Int) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            var n = 0
            func put(_ value: Int) {
                var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
                var count = 0, v = value
                withUnsafeMutableBytes(of: &digits) { d in
                    repeat { d[count] = UInt8(0x30 + v % 10); v /= 10; count += 1 } while v > 0
                    for k in stride(from: count - 1, through: 0, by: -1) { buffer[n] = d[k]; n += 1 }
                }
            }
            buffer[n] = 0x72; n += 1 // r
            put(row)
            buffer[n] = 0x63; n += 1 // c
            put(column)
            return n
        }
    }

    /// Reads and validates an ESRI ASCII grid.
    ///
    /// Throws ``InputError`` with the file and line for: a missing, duplicate, unknown or
    /// malformed header key; a non-positive size; a row with too few or too many values; too
    /// few or too many rows; a value that is not a finite number; a negative value that is not
    /// the nodata marker; a grid that does not lie within longitude −180…180 / latitude −90…90.
    /// - Complexity: O(file size); the bytes are scanned once, numbers parsed with `strtod`.
    /// A GeoTIFF (or any GDAL raster: `.tif`, `.tiff`, `.vrt`, `.img`) is read through
    /// ``GDALDataset/readGrid(url:displayName:)`` into the same value.
    public static func read(from url: URL, displayName: String? = nil) throws -> AsciiGrid {
        let name = displayName ?? url.relativePath
        if GDALDataset.isRasterFile(url) { return try GDALDataset.readGrid(url: url, displayName: name) }
        var data: Data
        data = try InputFile.read(url, displayName: name)
        data.append(0) // a NUL terminator so that strtod never reads past the buffer
        return try data.withUnsafeBytes { raw in
            try parse(raw.bindMemory(to: UInt8.self), fileName: name)
        }
    }

    /// Parses grid text (for tests and in-memory data).
    public static func parse(_ text: String, fileName: String) throws -> AsciiGrid {
        var bytes = Array(text.utf8)
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { try parse($0, fileName: fileName) }
    }

    /// Parses a NUL-terminated byte buffer (the NUL is not part of the text).
    static func parse(_ buffer: UnsafeBufferPointer<UInt8>, fileName: String) throws -> AsciiGrid {
        let end = buffer.count - 1 // the NUL terminator
        guard let base = buffer.baseAddress, end >= 0 else {
            throw InputError(file: fileName, "the file is empty")
        }
        var i = 0
        var line = 1

        @inline(__always) func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

        // --- Header -------------------------------------------------------------------------
        var header: [String: (value: Double, text: String, line: Int)] = [:]
        var firstDataLine = 0
        headerLoop: while i < end {
            // Skip leading spaces of the line.
            while i < end, isSpace(buffer[i]) { i += 1 }
            if i < end, buffer[i] == 0x0A { i += 1; line += 1; continue } // blank line
            if i >= end { break }
            let first = buffer[i]
            let isLetter = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
            if !isLetter { firstDataLine = line; break headerLoop }
            // key
            let keyStart = i
            while i < end, !isSpace(buffer[i]), buffer[i] != 0x0A { i += 1 }
            let key = String(decoding: UnsafeBufferPointer(rebasing: buffer[keyStart..<i]), as: UTF8.self).lowercased()
            while i < end, isSpace(buffer[i]) { i += 1 }
            let valueStart = i
            while i < end, !isSpace(buffer[i]), buffer[i] != 0x0A { i += 1 }
            let valueEnd = i
            while i < end, isSpace(buffer[i]) { i += 1 }
            let valueText = String(decoding: UnsafeBufferPointer(rebasing: buffer[valueStart..<valueEnd]), as: UTF8.self)
            if i < end, buffer[i] != 0x0A {
                throw InputError(file: fileName, line: line, "header line must be `key value`; found more after \(ErrorText.quoted(valueText))")
            }
            let known = ["ncols", "nrows", "xllcorner", "xllcenter", "yllcorner", "yllcenter", "cellsize", "dx", "dy", "nodata_value"]
            guard known.contains(key) else {
                throw InputError(file: fileName, line: line, "unknown header key \(ErrorText.quoted(key)) (expected ncols, nrows, xllcorner|xllcenter, yllcorner|yllcenter, cellsize or dx/dy, NODATA_value)")
            }
            guard valueStart < valueEnd else {
                throw InputError(file: fileName, line: line, "header key \(key) has no value")
            }
            guard let value = number(base, valueStart, valueEnd) else {
                throw InputError(file: fileName, line: line, "header value of \(key) is not a decimal number: \(ErrorText.quoted(valueText))")
            }
            if let previous = header[key] {
                throw InputError(file: fileName, line: line, "duplicate header key \(key) (first on line \(previous.line))")
            }
            header[key] = (value, valueText, line)
            if i < end { i += 1; line += 1 } // the newline
        }
        if firstDataLine == 0 { firstDataLine = line }

        func required(_ key: String) throws -> (value: Double, text: String, line: Int) {
            guard let v = header[key] else {
                throw InputError(file: fileName, line: firstDataLine, "missing header key \(key)")
            }
            return v
        }
        func positiveInteger(_ key: String) throws -> Int {
            let v = try required(key)
            guard v.value > 0, v.value == v.value.rounded(), v.value < 1e9 else {
                throw InputError(file: fileName, line: v.line, "\(key) must be a positive whole number, found \(v.text)")
            }
            return Int(v.value)
        }
        func either(_ a: String, _ b: String) throws -> (key: String, value: Double) {
            switch (header[a], header[b]) {
            case let (x?, nil): return (a, x.value)
            case let (nil, y?): return (b, y.value)
            case (nil, nil): throw InputError(file: fileName, line: firstDataLine, "missing header key \(a) or \(b)")
            case let (_, y?): throw InputError(file: fileName, line: y.line, "header has both \(a) and \(b); give one")
            }
        }
        let columnCount = try positiveInteger("ncols")
        let rowCount = try positiveInteger("nrows")
        let (xKey, xValue) = try either("xllcorner", "xllcenter")
        let (yKey, yValue) = try either("yllcorner", "yllcenter")
        var cellWidth: Double, cellHeight: Double
        if let cs = header["cellsize"] {
            if let d = header["dx"] ?? header["dy"] {
                throw InputError(file: fileName, line: d.line, "header has both cellsize and dx/dy; give one")
            }
            guard cs.value > 0, cs.value.isFinite else {
                throw InputError(file: fileName, line: cs.line, "cellsize must be positive, found \(cs.text)")
            }
            cellWidth = cs.value; cellHeight = cs.value
        } else {
            guard let dx = header["dx"], let dy = header["dy"] else {
                throw InputError(file: fileName, line: firstDataLine, "missing header key cellsize (or both dx and dy)")
            }
            for d in [("dx", dx), ("dy", dy)] where !(d.1.value > 0 && d.1.value.isFinite) {
                throw InputError(file: fileName, line: d.1.line, "\(d.0) must be positive, found \(d.1.text)")
            }
            cellWidth = dx.value; cellHeight = dy.value
        }
        let west = xKey == "xllcenter" ? xValue - cellWidth / 2 : xValue
        let south = yKey == "yllcenter" ? yValue - cellHeight / 2 : yValue
        let east = west + Double(columnCount) * cellWidth
        let north = south + Double(rowCount) * cellHeight
        guard west >= -180.0000001, east <= 180.0000001, south >= -90.0000001, north <= 90.0000001 else {
            throw InputError(file: fileName, line: header[xKey]?.line ?? firstDataLine,
                             "the grid (lon \(west)…\(east), lat \(south)…\(north)) is not in WGS 84 degrees; reproject it to EPSG:4326")
        }
        let nodata = header["nodata_value"]?.value
        let nodataText = header["nodata_value"].map { Array($0.text.utf8) }

        // --- Data rows ----------------------------------------------------------------------
        var cells: [Cell] = []
        var nodataCount = 0, zeroCount = 0
        var total = 0.0
        var row = 0
        while i < end {
            // Skip leading blanks; a blank line is skipped.
            while i < end, isSpace(buffer[i]) { i += 1 }
            if i >= end { break }
            if buffer[i] == 0x0A { i += 1; line += 1; continue }
            if row >= rowCount {
                throw InputError(file: fileName, line: line, "too many rows: the header says nrows \(rowCount)")
            }
            var column = 0
            while i < end, buffer[i] != 0x0A {
                let start = i
                while i < end, !isSpace(buffer[i]), buffer[i] != 0x0A { i += 1 }
                let tokenEnd = i
                while i < end, isSpace(buffer[i]) { i += 1 }
                if column >= columnCount {
                    throw InputError(file: fileName, line: line, "row \(row) has more than ncols \(columnCount) values")
                }
                // Fast path: the token is the nodata text itself.
                if let nd = nodataText, nd.count == tokenEnd - start,
                   memcmp(base + start, nd, nd.count) == 0 {
                    nodataCount += 1
                } else {
                    guard let v = number(base, start, tokenEnd) else {
                        let token = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<tokenEnd]), as: UTF8.self)
                        throw InputError(file: fileName, line: line, "row \(row), column \(column): not a decimal number: \(ErrorText.quoted(token))")
                    }
                    if let nodata, v == nodata {
                        nodataCount += 1
                    } else if v > 0 {
                        let token = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<tokenEnd]), as: UTF8.self)
                        if let problem = ValueRanges.populationProblem(v, text: token) {
                            throw InputError(file: fileName, line: line, "row \(row), column \(column): \(problem)")
                        }
                        total += v
                        if let problem = ValueRanges.totalPopulationProblem(total) {
                            throw InputError(file: fileName, line: line, "row \(row), column \(column): \(problem)")
                        }
                        cells.append(Cell(row: Int32(row), column: Int32(column), population: v))
                    } else if v == 0 {
                        zeroCount += 1
                    } else {
                        throw InputError(file: fileName, line: line, "row \(row), column \(column): negative population \(v) (and not the NODATA_value)")
                    }
                }
                column += 1
            }
            if column != columnCount {
                throw InputError(file: fileName, line: line, "row \(row) has \(column) values, expected ncols \(columnCount)")
            }
            row += 1
            if i < end { i += 1; line += 1 }
        }
        if row < rowCount {
            throw InputError(file: fileName, line: line, "too few rows: found \(row), the header says nrows \(rowCount) (is the file truncated?)")
        }
        return AsciiGrid(fileName: fileName, columnCount: columnCount, rowCount: rowCount,
                         westEdgeDegrees: west, southEdgeDegrees: south,
                         cellWidthDegrees: cellWidth, cellHeightDegrees: cellHeight,
                         nodataValue: nodata, cells: cells, nodataCellCount: nodataCount,
                         zeroCellCount: zeroCount, firstDataLine: firstDataLine)
    }

    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    /// Parses the token `base[start..<end]` as a finite decimal number, or nil. The byte at
    /// `end` must be whitespace, a newline or NUL (strtod stops there).
    @inline(__always)
    private static func number(_ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard start < end else { return nil }
        // Fast path (Clinger): [-+]digits[.digits] with at most 15 significant digits is an
        // exact integer over an exact power of ten, so one IEEE division rounds correctly —
        // the same result as strtod.
        var k = start
        var negative = false
        if base[k] == 0x2D { negative = true; k += 1 } else if base[k] == 0x2B { k += 1 }
        var mantissa: UInt64 = 0
        var digits = 0, fractionDigits = 0
        var seenPoint = false, fastPath = k < end
        while k < end {
            let b = base[k]
            if b >= 0x30 && b <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(b &- 0x30)
                digits += 1
                if seenPoint { fractionDigits += 1 }
            } else if b == 0x2E && !seenPoint {
                seenPoint = true
            } else { fastPath = false; break }
            k += 1
        }
        if fastPath && digits > 0 && digits <= 15 {
            let v = fractionDigits == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fractionDigits]
            return negative ? -v : v
        }
        // Reject what strtod accepts but a grid must not hold: hex, inf, nan.
        let c = base[start]
        let isNumberStart = (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E
        guard isNumberStart else { return nil }
        let token = UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self)
        var stop: UnsafeMutablePointer<CChar>? = nil
        let v = strtod(token, &stop)
        let consumed = stop.map { UnsafeRawPointer($0) - UnsafeRawPointer(token) } ?? 0
        guard consumed == end - start, v.isFinite else { return nil }
        // "0x1p3" and the like start with a digit: refuse any letter other than an exponent.
        for k in start..<end {
            let b = base[k] | 0x20
            if b >= 0x61 && b <= 0x7A && b != 0x65 { return nil }
        }
        return v
    }
}
