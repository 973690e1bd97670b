internal import CGdal
import Foundation

/// The one place where Reach talks to GDAL/OGR: read the features of a vector layer (points or
/// polygons, reprojected to WGS 84 longitude/latitude), read band 1 of a raster as an
/// ``AsciiGrid``, and write typed vector layers (GeoPackage). The rest of the code never sees a
/// GDAL handle.
///
/// GDAL never prints: every call runs under an error handler that collects GDAL's messages, and a
/// failure becomes an ``InputError`` (`FILE[:LAYER:FEATURE]: what`) or ``OutputError``.
public enum GDALDataset {
    // MARK: - Types seen by the rest of Reach

    /// A vector geometry in WGS 84 degrees, longitude first.
    public enum Geometry: Sendable, Hashable {
        case point(LonLat)
        /// Polygons, each `[outer, hole, …]`, rings closed.
        case polygons([[[LonLat]]])
        /// Any other geometry type (its OGR name), kept so that readers can say what they found.
        case other(String)
    }

    /// One feature: 1-based index in its layer, its attributes as text (numbers in their shortest
    /// round-trip form, lower-case names), and its geometry.
    public struct Feature: Sendable {
        public var index: Int
        public var values: [String: String]
        public var geometry: Geometry?
    }

    /// A layer as read.
    public struct Layer: Sendable {
        /// `FILE:LAYER`, the prefix of every message about this layer's features.
        public var displayName: String
        public var layerName: String
        /// The attribute names in file order (lower-case).
        public var fieldNames: [String]
        public var features: [Feature]
        /// The layer's CRS as GDAL names it (nil: none declared, read as WGS 84).
        public var sourceCRS: String?
    }

    /// True for the vector formats that go through GDAL (CSV and GeoJSON keep Reach's own readers).
    public static func isVectorFile(_ url: URL) -> Bool {
        let ext = url.pathExtension.lowercased()
        return ["gpkg", "shp", "fgb", "sqlite", "gml", "kml", "tab", "mif", "gdb", "zip"].contains(ext)
            || url.path.lowercased().hasSuffix(".shp.zip")
    }

    /// True for the raster formats that go through GDAL (GeoTIFF and friends; `.asc` keeps its reader).
    public static func isRasterFile(_ url: URL) -> Bool {
        ["tif", "tiff", "vrt", "img", "nc"].contains(url.pathExtension.lowercased())
    }

    // MARK: - Set-up and errors

    private static let registered: Bool = {
        CPLSetConfigOption("OSR_DEFAULT_AXIS_MAPPING_STRATEGY", "TRADITIONAL_GIS_ORDER")
        // Deterministic GeoPackage output: no wall-clock timestamps in gpkg_contents / metadata.
        CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z")
        CPLSetConfigOption("CPL_LOG", nil)
        CPLSetConfigOption("CPL_DEBUG", "OFF")
        GDALAllRegister()
        return true
    }()

    /// Collects GDAL's messages for one call (pushed as a thread-local handler).
    final class ErrorCollector {
        var messages: [String] = []
        var text: String {
            let unique = messages.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return unique.isEmpty ? "GDAL reported no reason" : unique.joined(separator: "; ")
        }
    }

    /// Runs `body` with GDAL's messages collected (none reach stderr).
    static func withCollectedErrors<T>(_ body: (ErrorCollector) throws -> T) rethrows -> T {
        _ = registered
        let collector = ErrorCollector()
        let handler: CPLErrorHandler = { level, _, message in
            guard level.rawValue >= CE_Warning.rawValue, let ud = CPLGetErrorHandlerUserData() else { return }
            let c = Unmanaged<ErrorCollector>.fromOpaque(ud).takeUnretainedValue()
            let text = message.map { String(cString: $0) } ?? ""
            c.messages.append(ErrorText.echo(text.replacingOccurrences(of: "\n", with: " ")))
        }
        CPLPushErrorHandlerEx(handler, Unmanaged.passUnretained(collector).toOpaque())
        defer { CPLPopErrorHandler(); withExtendedLifetime(collector) {} }
        return try body(collector)
    }

    // MARK: - Vector reading

    /// Reads a vector layer: `layer` by name, else the only (or first) layer. Coordinates are
    /// reprojected from the layer's CRS to WGS 84 (longitude first) through PROJ.
    /// `fields`, when given, limits the attributes read to those names (lower-case; the others are
    /// skipped by OGR itself, `OGR_L_SetIgnoredFields`), which is what makes a million features fast.
    public static func readLayer(url: URL, displayName: String, layer wanted: String? = nil, fields: Set<String>? = nil) throws -> Layer {
        var features: [Feature] = []
        let info = try scanLayer(url: url, displayName: displayName, layer: wanted, fields: fields,
                                 reserve: { features.reserveCapacity($0) },
                                 each: { features.append(Feature(index: $0, values: $1, geometry: $2)) })
        if let wkt = info.sourceWKT {
            let projector = try makeProjector(wkt: wkt, info: info)
            try reproject(&features, with: projector, display: info.displayName)
        }
        return Layer(displayName: info.displayName, layerName: info.layerName, fieldNames: info.fieldNames,
                     features: features, sourceCRS: info.sourceCRS)
    }

    /// What ``scanLayer(url:displayName:layer:fields:rename:reserve:each:)`` learnt of a layer.
    struct LayerInfo {
        var displayName: String
        var layerName: String
        var fieldNames: [String]
        var sourceCRS: String?
        /// The layer's CRS as WKT when it is not WGS 84 (the caller reprojects what it kept).
        var sourceWKT: String?
    }

    static func makeProjector(wkt: String, info: LayerInfo) throws -> Projector {
        do { return try Projector(from: wkt, to: "EPSG:4326") } catch {
            throw InputError(file: info.displayName, "cannot reproject the layer's CRS \(info.sourceCRS ?? "?") to WGS 84: \(error)")
        }
    }

    /// Streams the features of a layer: `each(featureNumber, values, geometry)` in file order,
    /// values as text under the lower-case field names (after `rename`, which gets `FILE:LAYER` and
    /// the field names before the first feature and maps a field name to the name the caller wants), geometry in the layer's own CRS (see `LayerInfo.sourceWKT`).
    /// Only `fields` are read (GDAL skips the others); `reserve` gets the feature count first.
    static func scanLayer(url: URL, displayName: String, layer wanted: String?, fields: Set<String>?,
                          rename: (_ display: String, _ fieldNames: [String]) throws -> [String: String] = { _, _ in [:] },
                          reserve: (Int) -> Void = { _ in },
                          each: (Int, [String: String], Geometry?) throws -> Void) throws -> LayerInfo {
        if let reason = ErrorText.unreadableReason(path: url.path) {
            throw InputError(file: displayName, "cannot read the file: \(reason)")
        }
        if url.pathExtension.lowercased() == "shp" {
            for ext in ["shx", "dbf"] {
                let base = url.deletingPathExtension()
                let present = [ext, ext.uppercased()].contains { FileManager.default.fileExists(atPath: base.appendingPathExtension($0).path) }
                if !present {
                    throw InputError(file: displayName, "the Shapefile's .\(ext) file (\(base.lastPathComponent).\(ext)) is missing: a Shapefile is the .shp, .shx and .dbf files together")
                }
            }
        }
        return try withCollectedErrors { errors in
            let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
            guard let ds = GDALOpenEx(url.path, flags, nil, nil, nil) else {
                throw InputError(file: displayName, "GDAL cannot open it as a vector file: \(errors.text)")
            }
            defer { GDALClose(ds) }
            let count = Int(GDALDatasetGetLayerCount(ds))
            guard count > 0 else { throw InputError(file: displayName, "the file has no vector layer") }
            var names: [String] = []
            for i in 0..<count {
                if let l = GDALDatasetGetLayer(ds, Int32(i)) { names.append(String(cString: OGR_L_GetName(l))) }
            }
            let layerHandle: OGRLayerH
            if let wanted {
                guard let l = GDALDatasetGetLayerByName(ds, wanted) else {
                    throw InputError(file: displayName, "no layer \(ErrorText.quoted(wanted)) (the file has: \(ErrorText.echo(names.joined(separator: ", "))))")
                }
                layerHandle = l
            } else {
                guard let l = GDALDatasetGetLayer(ds, 0) else { throw InputError(file: displayName, "GDAL cannot read layer 1: \(errors.text)") }
                layerHandle = l
            }
            let layerName = String(cString: OGR_L_GetName(layerHandle))
            let display = "\(displayName):\(layerName)"
            let defn = OGR_L_GetLayerDefn(layerHandle)
            let fieldCount = Int(OGR_FD_GetFieldCount(defn))
            var fieldNames: [String] = []
            var fieldTypes: [OGRFieldType] = []
            var ignored: [String] = ["OGR_STYLE"]
            var readField: [Int] = []
            for k in 0..<fieldCount {
                let f = OGR_FD_GetFieldDefn(defn, Int32(k))
                let original = String(cString: OGR_Fld_GetNameRef(f))
                let name = original.lowercased()
                fieldNames.append(name)
                fieldTypes.append(OGR_Fld_GetType(f))
                if let fields, !fields.contains(name) { ignored.append(original) } else { readField.append(k) }
            }
            _ = withConstCStrings(ignored) { OGR_L_SetIgnoredFields(layerHandle, UnsafeMutablePointer(mutating: $0)) }
            let readNames = readField.map { fieldNames[$0] }
            let readTypes = readField.map { fieldTypes[$0] }
            var crsName: String? = nil
            var sourceWKT: String? = nil
            if let srs = OGR_L_GetSpatialRef(layerHandle) {
                crsName = Self.crsName(srs)
                if !Self.isWGS84(srs) {
                    var wkt: UnsafeMutablePointer<CChar>? = nil
                    let options = ["FORMAT=WKT2_2019"]
                    try withConstCStrings(options) { opts in
                        guard OSRExportToWktEx(srs, &wkt, opts) == OGRERR_NONE, let w = wkt else {
                            throw InputError(file: display, "GDAL cannot describe the layer's CRS: \(errors.text)")
                        }
                        defer { VSIFree(w) }
                        sourceWKT = String(cString: w)
                    }
                }
            }
            let renamed = try rename(display, fieldNames)
            let keys = readNames.map { renamed[$0] ?? $0 }
            let total = OGR_L_GetFeatureCount(layerHandle, 0)
            if total > 0 { reserve(Int(min(total, 50_000_000))) }
            OGR_L_ResetReading(layerHandle)
            var index = 0
            while true {
                errors.messages.removeAll(keepingCapacity: true)
                guard let f = OGR_L_GetNextFeature(layerHandle) else {
                    if !errors.messages.isEmpty && CPLGetLastErrorType().rawValue >= CE_Failure.rawValue {
                        throw InputError(file: display, line: index + 1, "GDAL cannot read the feature: \(errors.text)")
                    }
                    break
                }
                defer { OGR_F_Destroy(f) }
                index += 1
                var values: [String: String] = [:]
                values.reserveCapacity(readField.count)
                for (j, k32) in readField.enumerated() {
                    let k = Int32(k32)
                    guard OGR_F_IsFieldSetAndNotNull(f, k) != 0 else { continue }
                    let t = readTypes[j]
                    if t == OFTReal {
                        values[keys[j]] = shortest(OGR_F_GetFieldAsDouble(f, k))
                    } else if t == OFTInteger || t == OFTInteger64 {
                        values[keys[j]] = String(OGR_F_GetFieldAsInteger64(f, k))
                    } else {
                        values[keys[j]] = String(cString: OGR_F_GetFieldAsString(f, k))
                    }
                }
                var geometry: Geometry? = nil
                if let g = OGR_F_GetGeometryRef(f), OGR_G_IsEmpty(g) == 0 {
                    geometry = Self.geometry(g)
                }
                try each(index, values, geometry)
            }
            return LayerInfo(displayName: display, layerName: layerName, fieldNames: fieldNames, sourceCRS: crsName, sourceWKT: sourceWKT)
        }
    }

    /// A number as Swift prints it: the shortest text that reads back to the same double.
    static func shortest(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func crsName(_ srs: OGRSpatialReferenceH) -> String {
        if let auth = OSRGetAuthorityName(srs, nil), let code = OSRGetAuthorityCode(srs, nil) {
            return "\(String(cString: auth)):\(String(cString: code))"
        }
        if let name = OSRGetName(srs) { return String(cString: name) }
        return "an unnamed CRS"
    }

    static func isWGS84(_ srs: OGRSpatialReferenceH) -> Bool {
        guard OSRIsGeographic(srs) != 0 else { return false }
        let wgs = OSRNewSpatialReference(nil)
        defer { OSRDestroySpatialReference(wgs) }
        OSRSetWellKnownGeogCS(wgs, "WGS84")
        let options = ["IGNORE_DATA_AXIS_TO_SRS_AXIS_MAPPING=YES", "CRITERION=EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS"]
        return withConstCStrings(options) { OSRIsSameEx(srs, wgs, $0) != 0 }
    }

    static func withCStrings<T>(_ strings: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) throws -> T) rethrows -> T {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }

    static func withConstCStrings<T>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) throws -> T) rethrows -> T {
        try withCStrings(strings) { p in
            try p.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: strings.count + 1) { try body($0) }
        }
    }

    /// Reprojects every geometry of `features` in one PROJ call.
    static func reproject(_ features: inout [Feature], with projector: borrowing Projector, display: String) throws {
        var xs: [Double] = [], ys: [Double] = []
        for f in features {
            switch f.geometry {
            case .point(let p)?: xs.append(p.lonDegrees); ys.append(p.latDegrees)
            case .polygons(let polys)?:
                for poly in polys { for ring in poly { for p in ring { xs.append(p.lonDegrees); ys.append(p.latDegrees) } } }
            default: break
            }
        }
        do { try projector.transformInPlace(xs: &xs, ys: &ys) } catch {
            throw InputError(file: display, "cannot reproject the geometries to WGS 84: \(error)")
        }
        var k = 0
        func next() -> LonLat { defer { k += 1 }; return LonLat(lonDegrees: xs[k], latDegrees: ys[k]) }
        for i in features.indices {
            switch features[i].geometry {
            case .point?: features[i].geometry = .point(next())
            case .polygons(let polys)?:
                features[i].geometry = .polygons(polys.map { $0.map { $0.map { _ in next() } } })
            default: break
            }
        }
    }

    static func geometry(_ g: OGRGeometryH) -> Geometry {
        let type = OGR_GT_Flatten(OGR_G_GetGeometryType(g))
        func ring(_ r: OGRGeometryH) -> [LonLat] {
            let n = Int(OGR_G_GetPointCount(r))
            var out = (0..<n).map { LonLat(lonDegrees: OGR_G_GetX(r, Int32($0)), latDegrees: OGR_G_GetY(r, Int32($0))) }
            if let f = out.first, out.last != f { out.append(f) }
            return out
        }
        func polygon(_ p: OGRGeometryH) -> [[LonLat]] {
            (0..<Int(OGR_G_GetGeometryCount(p))).map { ring(OGR_G_GetGeometryRef(p, Int32($0))) }
        }
        if type == wkbPoint { return .point(LonLat(lonDegrees: OGR_G_GetX(g, 0), latDegrees: OGR_G_GetY(g, 0))) }
        if type == wkbPolygon { return .polygons([polygon(g)]) }
        if type == wkbMultiPolygon {
            return .polygons((0..<Int(OGR_G_GetGeometryCount(g))).map { polygon(OGR_G_GetGeometryRef(g, Int32($0))) })
        }
        return .other(String(cString: OGR_G_GetGeometryName(g)))
    }

    // MARK: - Raster reading

    /// Reads band 1 of a raster (GeoTIFF, WorldPop's `.tif`) as the same ``AsciiGrid`` value the
    /// `.asc` reader gives: cells > 0 kept, nodata and zeros counted, negative values an error.
    /// A raster in any other CRS (a UTM WorldPop export, say) or rotated is first warped to
    /// WGS 84 degrees in memory with GDAL's `sum` resampling, which moves counts by overlap and
    /// keeps the total (``AsciiGrid/reprojectedFrom`` names the source CRS).
    public static func readGrid(url: URL, displayName: String) throws -> AsciiGrid {
        if let reason = ErrorText.unreadableReason(path: url.path) {
            throw InputError(file: displayName, "cannot read the file: \(reason)")
        }
        return try withCollectedErrors { errors in
            let flags = UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
            guard let opened = GDALOpenEx(url.path, flags, nil, nil, nil) else {
                throw InputError(file: displayName, "GDAL cannot open it as a raster: \(errors.text)")
            }
            defer { GDALClose(opened) }
            var gt0 = [Double](repeating: 0, count: 6)
            guard GDALGetRasterCount(opened) >= 1 else { throw InputError(file: displayName, "the raster has no band") }
            guard GDALGetGeoTransform(opened, &gt0) == CE_None, let srs0 = GDALGetSpatialRef(opened) else {
                throw InputError(file: displayName, "the raster has no georeferencing (no geotransform or no CRS); Reach needs to know where its cells are — assign one with gdal_edit.py -a_srs EPSG:… -a_ullr …")
            }
            // A raster in another CRS, or rotated, is warped to WGS 84 degrees in memory with GDAL's
            // `sum` resampling: each target cell receives the overlap-weighted sum of the source
            // cells, so population counts are moved, not interpolated, and the total is kept.
            var reprojectedFrom: String? = nil
            var warped: GDALDatasetH? = nil
            defer { if let warped { GDALClose(warped) } }
            if !isWGS84(srs0) || gt0[2] != 0 || gt0[4] != 0 || gt0[1] <= 0 || gt0[5] >= 0 {
                reprojectedFrom = crsName(srs0)
                let args = ["-of", "MEM", "-t_srs", "EPSG:4326", "-r", "sum", "-dstnodata", "-9999"]
                let options = withCStrings(args) { GDALWarpAppOptionsNew($0, nil) }
                defer { GDALWarpAppOptionsFree(options) }
                var usageError: Int32 = 0
                var sources: [GDALDatasetH?] = [opened]
                warped = sources.withUnsafeMutableBufferPointer { GDALWarp("", nil, 1, $0.baseAddress, options, &usageError) }
                guard warped != nil else {
                    throw InputError(file: displayName, "GDAL cannot reproject the raster from \(reprojectedFrom ?? "?") to WGS 84: \(errors.text)")
                }
            }
            let ds = warped ?? opened
            let nx = Int(GDALGetRasterXSize(ds)), ny = Int(GDALGetRasterYSize(ds))
            guard nx > 0, ny > 0, GDALGetRasterCount(ds) >= 1, let band = GDALGetRasterBand(ds, 1) else {
                throw InputError(file: displayName, "the raster has no band")
            }
            var gt = [Double](repeating: 0, count: 6)
            let hasTransform = GDALGetGeoTransform(ds, &gt) == CE_None
            guard hasTransform, gt[2] == 0, gt[4] == 0, gt[1] > 0, gt[5] < 0 else {
                throw InputError(file: displayName, "the raster is rotated or not north-up after reprojection (geotransform \(gt.map { "\($0)" }.joined(separator: ", ")))")
            }
            var hasNodata: Int32 = 0
            let nodataValue = GDALGetRasterNoDataValue(band, &hasNodata)
            let nodata: Double? = hasNodata != 0 ? nodataValue : nil
            var cells: [AsciiGrid.Cell] = []
            var nodataCount = 0, zeroCount = 0
            var row = [Double](repeating: 0, count: nx)
            for r in 0..<ny {
                let err = row.withUnsafeMutableBytes { buf in
                    GDALRasterIO(band, GF_Read, 0, Int32(r), Int32(nx), 1, buf.baseAddress, Int32(nx), 1, GDT_Float64, 0, 0)
                }
                guard err == CE_None else {
                    throw InputError(file: displayName, line: r + 1, "GDAL cannot read raster row \(r): \(errors.text)")
                }
                for c in 0..<nx {
                    let v = row[c]
                    if let nodata, v == nodata || (nodata.isNaN && v.isNaN) { nodataCount += 1; continue }
                    guard v.isFinite else {
                        throw InputError(file: displayName, line: r + 1, "cell row \(r), column \(c) is \(v), not a finite population")
                    }
                    if v == 0 { zeroCount += 1; continue }
                    guard v > 0 else {
                        throw InputError(file: displayName, line: r + 1, "cell row \(r), column \(c) has a negative population \(v) that is not the nodata value")
                    }
                    cells.append(AsciiGrid.Cell(row: Int32(r), column: Int32(c), population: v))
                }
            }
            let west = gt[0], north = gt[3], width = gt[1], height = -gt[5]
            let south = north - Double(ny) * height
            guard west >= -180 - 1e-9, west + Double(nx) * width <= 180 + 1e-9, south >= -90 - 1e-9, north <= 90 + 1e-9 else {
                throw InputError(file: displayName, "the grid (west \(west), south \(south), \(nx)×\(ny) cells) does not lie within longitude −180…180 / latitude −90…90")
            }
            return AsciiGrid(fileName: displayName, columnCount: nx, rowCount: ny, westEdgeDegrees: west,
                             southEdgeDegrees: south, cellWidthDegrees: width, cellHeightDegrees: height,
                             nodataValue: nodata, cells: cells, nodataCellCount: nodataCount, zeroCellCount: zeroCount,
                             firstDataLine: 1, reprojectedFrom: reprojectedFrom)
        }
    }

    // MARK: - Vector writing

    /// A column's type in a written layer.
    public enum FieldType: Sendable {
        case integer, real, string, boolean
    }

    /// A cell of a written layer.
    public enum Value: Sendable, Hashable {
        case integer(Int64), real(Double), string(String), boolean(Bool), null
    }

    public enum GeometryKind: Sendable {
        case point, multiPolygon
    }

    /// A layer to write: its name, geometry kind, columns and features (values in column order).
    public struct OutputLayer: Sendable {
        public var name: String
        public var geometry: GeometryKind
        public var fields: [(name: String, type: FieldType)]
        public var features: [(geometry: Geometry?, values: [Value])]

        public init(name: String, geometry: GeometryKind, fields: [(name: String, type: FieldType)],
                    features: [(geometry: Geometry?, values: [Value])] = []) {
            self.name = name
            self.geometry = geometry
            self.fields = fields
            self.features = features
        }

        /// Drops string columns that are null in every feature (analysts' tools show them as noise).
        public func droppingAllNullStringColumns() -> OutputLayer {
            let keep = fields.indices.filter { k in
                fields[k].type != .string || features.contains { $0.values[k] != .null }
            }
            var copy = self
            copy.fields = keep.map { fields[$0] }
            copy.features = features.map { f in (f.geometry, keep.map { f.values[$0] }) }
            return copy
        }
    }

    /// Writes `layers` into a new GeoPackage at `path` (which must not exist: write to a temporary
    /// path and let ``OutputBatch`` rename it). Each layer is written in one transaction.
    /// Timestamps are pinned (`OGR_CURRENT_DATE`), so identical layers give identical bytes.
    public static func writeGeoPackage(path: String, layers: [OutputLayer]) throws {
        try withCollectedErrors { errors in
            guard let driver = GDALGetDriverByName("GPKG") else {
                throw OutputError(path: path, "GDAL has no GeoPackage driver")
            }
            // A private temporary file: no need to sync each page to disk (the batch commits the result).
            CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF")
            CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", "OFF")
            defer {
                CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", nil)
                CPLSetThreadLocalConfigOption("OGR_SQLITE_JOURNAL", nil)
            }
            guard let ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, nil) else {
                throw OutputError(path: path, "GDAL cannot create the GeoPackage: \(errors.text)")
            }
            var closed = false
            defer { if !closed { GDALClose(ds) } }
            let wgs = OSRNewSpatialReference(nil)
            defer { OSRDestroySpatialReference(wgs) }
            OSRImportFromEPSG(wgs, 4326)
            OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER)
            for layer in layers {
                let gtype = layer.geometry == .point ? wkbPoint : wkbMultiPolygon
                let created: OGRLayerH? = withCStrings(["SPATIAL_INDEX=NO"]) { opts in
                    GDALDatasetCreateLayer(ds, layer.name, wgs, gtype, opts)
                }
                guard let l = created else {
                    throw OutputError(path: path, "GDAL cannot create the layer \(layer.name): \(errors.text)")
                }
                for field in layer.fields {
                    let type: OGRFieldType
                    switch field.type {
                    case .integer, .boolean: type = OFTInteger64
                    case .real: type = OFTReal
                    case .string: type = OFTString
                    }
                    let fd = OGR_Fld_Create(field.name, field.type == .boolean ? OFTInteger : type)
                    if field.type == .boolean { OGR_Fld_SetSubType(fd, OFSTBoolean) }
                    defer { OGR_Fld_Destroy(fd) }
                    guard OGR_L_CreateField(l, fd, 1) == OGRERR_NONE else {
                        throw OutputError(path: path, "GDAL cannot create the field \(layer.name).\(field.name): \(errors.text)")
                    }
                }
                guard OGR_L_StartTransaction(l) == OGRERR_NONE else {
                    throw OutputError(path: path, "GDAL cannot start a transaction: \(errors.text)")
                }
                let defn = OGR_L_GetLayerDefn(l)
                let f = OGR_F_Create(defn)
                defer { OGR_F_Destroy(f) }
                for feature in layer.features {
                    OGR_F_SetFID(f, Int64(OGRNullFID))
                    for (k, v) in feature.values.enumerated() {
                        switch v {
                        case .integer(let i): OGR_F_SetFieldInteger64(f, Int32(k), i)
                        case .real(let d):
                            if d.isFinite { OGR_F_SetFieldDouble(f, Int32(k), d) } else { OGR_F_SetFieldNull(f, Int32(k)) }
                        case .string(let s): OGR_F_SetFieldString(f, Int32(k), s)
                        case .boolean(let b): OGR_F_SetFieldInteger(f, Int32(k), b ? 1 : 0)
                        case .null: OGR_F_SetFieldNull(f, Int32(k))
                        }
                    }
                    if let g = feature.geometry, let og = makeGeometry(g) {
                        OGR_F_SetGeometryDirectly(f, og)
                    } else {
                        OGR_F_SetGeometryDirectly(f, nil)
                    }
                    guard OGR_L_CreateFeature(l, f) == OGRERR_NONE else {
                        throw OutputError(path: path, "GDAL cannot write a feature of \(layer.name): \(errors.text)")
                    }
                }
                guard OGR_L_CommitTransaction(l) == OGRERR_NONE else {
                    throw OutputError(path: path, "GDAL cannot commit the layer \(layer.name): \(errors.text)")
                }
            }
            closed = true
            CPLErrorReset()
            GDALClose(ds)
            if CPLGetLastErrorType().rawValue >= CE_Failure.rawValue {
                throw OutputError(path: path, "GDAL cannot finish the GeoPackage: \(errors.text)")
            }
        }
    }

    static func makeGeometry(_ g: Geometry) -> OGRGeometryH? {
        switch g {
        case .point(let p):
            let og = OGR_G_CreateGeometry(wkbPoint)
            OGR_G_SetPoint_2D(og, 0, p.lonDegrees, p.latDegrees)
            return og
        case .polygons(let polys):
            let mp = OGR_G_CreateGeometry(wkbMultiPolygon)
            for poly in polys {
                let pg = OGR_G_CreateGeometry(wkbPolygon)
                for ring in poly {
                    let r = OGR_G_CreateGeometry(wkbLinearRing)
                    for p in ring { OGR_G_AddPoint_2D(r, p.lonDegrees, p.latDegrees) }
                    OGR_G_AddGeometryDirectly(pg, r)
                }
                OGR_G_AddGeometryDirectly(mp, pg)
            }
            return mp
        case .other:
            return nil
        }
    }
}

extension GDALDataset {
    /// The union of polygons (each `[outer, hole, …]`), through GDAL's GEOS binding
    /// (`OGR_G_UnionCascaded`): the area covered by any of them, as polygons with outer rings
    /// counter-clockwise and holes clockwise (RFC 7946).
    public static func union(_ polygons: [[[LonLat]]]) throws -> [[[LonLat]]] {
        guard !polygons.isEmpty else { return [] }
        return try withCollectedErrors { errors in
            guard let collection = makeGeometry(.polygons(polygons)) else { return [] }
            defer { OGR_G_DestroyGeometry(collection) }
            guard let united = OGR_G_UnionCascaded(collection) else {
                throw InputError(file: "isochrones", "GDAL/GEOS cannot unite the polygons: \(errors.text)")
            }
            defer { OGR_G_DestroyGeometry(united) }
            let type = OGR_GT_Flatten(OGR_G_GetGeometryType(united))
            var parts: [[[LonLat]]] = []
            if case .polygons(let p) = geometry(united) { parts = p }
            else if type == wkbGeometryCollection {
                for k in 0..<Int(OGR_G_GetGeometryCount(united)) {
                    if case .polygons(let p) = geometry(OGR_G_GetGeometryRef(united, Int32(k))) { parts += p }
                }
            }
            return parts.map { poly in
                poly.enumerated().map { k, ring in
                    let ccw = signedArea(ring) > 0
                    return (k == 0) == ccw ? ring : ring.reversed()
                }
            }
        }
    }

    /// Twice the signed shoelace area of a ring in degrees (positive: counter-clockwise).
    static func signedArea(_ ring: [LonLat]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var s = 0.0
        for i in 0..<(ring.count - 1) {
            s += ring[i].lonDegrees * ring[i + 1].latDegrees - ring[i + 1].lonDegrees * ring[i].latDegrees
        }
        return s
    }
}
