internal import CProj

/// Collects PROJ's log messages for one context. PROJ reports the real reason a CRS is bad
/// only through the log callback (`proj_context_errno_string` says "Unknown error (code 4096)"),
/// so each context gets its own collector, cleared before every call that may fail.
final class ProjLogCollector {
    var messages: [String] = []
    func take() -> String? {
        defer { messages.removeAll() }
        let useful = messages.filter { !$0.isEmpty }
        return useful.isEmpty ? nil : useful.joined(separator: "; ")
    }
}

private let projLogCallback: PJ_LOG_FUNCTION = { userData, level, message in
    guard let userData, let message else { return }
    let collector = Unmanaged<ProjLogCollector>.fromOpaque(userData).takeUnretainedValue()
    if level <= Int32(PJ_LOG_ERROR.rawValue) {
        collector.messages.append(String(cString: message))
    }
}

/// The recipe for a ``Projector``: two CRS strings. `Sendable`, so it is what crosses task
/// boundaries; each task calls ``makeProjector()`` and keeps its projector for a chunk of points.
public struct ProjectionSpec: Sendable, Hashable, CustomStringConvertible {
    public var sourceCRS: String
    public var targetCRS: String

    public init(from sourceCRS: String, to targetCRS: String) {
        self.sourceCRS = sourceCRS
        self.targetCRS = targetCRS
    }

    /// WGS 84 longitude/latitude to the UTM zone (WGS 84 datum) containing `point`.
    public static func utm(containing point: LonLat) -> ProjectionSpec {
        ProjectionSpec(from: "OGC:CRS84", to: utmCRS(containing: point))
    }

    /// `EPSG:326zz` (north) or `EPSG:327zz` (south) for the UTM zone containing `point`.
    public static func utmCRS(containing point: LonLat) -> String {
        var zone = Int(((point.lonDegrees + 180) / 6).rounded(.down)) + 1
        zone = min(max(zone, 1), 60)
        let base = point.latDegrees >= 0 ? 32600 : 32700
        return "EPSG:\(base + zone)"
    }

    public func makeProjector() throws(ProjectionError) -> Projector {
        try Projector(from: sourceCRS, to: targetCRS)
    }

    public var description: String { "from \(sourceCRS) to \(targetCRS)" }
}

/// One PROJ context and one transformation between two CRSs, always longitude-first for
/// geographic CRSs (`proj_normalize_for_visualization`).
///
/// - Important: not thread-safe and deliberately not `Sendable`: PROJ crashes when a `PJ` is
///   used from two threads. Make one per task from a ``ProjectionSpec``.
public struct Projector: ~Copyable {
    private let context: OpaquePointer
    private let operation: OpaquePointer
    private let log: ProjLogCollector
    public let spec: ProjectionSpec

    /// Builds the transformation (`proj_context_create`, `proj_create_crs_to_crs`,
    /// `proj_normalize_for_visualization`).
    /// - Throws: ``ProjectionError`` with PROJ's message when a CRS is unknown.
    public init(from source: String, to target: String) throws(ProjectionError) {
        let spec = ProjectionSpec(from: source, to: target)
        guard let ctx = proj_context_create() else {
            throw ProjectionError(stage: .context, code: 0, message: "proj_context_create failed", subject: spec.description)
        }
        let log = ProjLogCollector()
        proj_log_level(ctx, PJ_LOG_ERROR)
        proj_log_func(ctx, Unmanaged.passUnretained(log).toOpaque(), projLogCallback)
        guard let raw = proj_create_crs_to_crs(ctx, source, target, nil) else {
            let error = Projector.error(ctx, log, .create, spec.description)
            proj_context_destroy(ctx)
            throw error
        }
        guard let normalized = proj_normalize_for_visualization(ctx, raw) else {
            let error = Projector.error(ctx, log, .normalize, spec.description)
            proj_destroy(raw)
            proj_context_destroy(ctx)
            throw error
        }
        proj_destroy(raw)
        self.context = ctx
        self.operation = normalized
        self.log = log
        self.spec = spec
        withExtendedLifetime(log) {}
    }

    deinit {
        proj_destroy(operation)
        proj_context_destroy(context)
        withExtendedLifetime(log) {}
    }

    private static func error(_ ctx: OpaquePointer, _ log: ProjLogCollector, _ stage: ProjectionError.Stage, _ subject: String) -> ProjectionError {
        let code = proj_context_errno(ctx)
        var message = log.take() ?? ""
        if message.isEmpty, let s = proj_context_errno_string(ctx, code) { message = String(cString: s) }
        if message.isEmpty { message = "unknown PROJ error" }
        return ProjectionError(stage: stage, code: code, message: message, subject: subject)
    }

    /// Transforms one coordinate pair (`proj_trans`, forward direction).
    public func transform(x: Double, y: Double) throws(ProjectionError) -> (x: Double, y: Double) {
        try trans(x: x, y: y, direction: PJ_FWD)
    }

    /// Transforms one coordinate pair backwards (`proj_trans`, inverse direction).
    public func inverseTransform(x: Double, y: Double) throws(ProjectionError) -> (x: Double, y: Double) {
        try trans(x: x, y: y, direction: PJ_INV)
    }

    private func trans(x: Double, y: Double, direction: PJ_DIRECTION) throws(ProjectionError) -> (x: Double, y: Double) {
        _ = log.take()
        proj_errno_reset(operation)
        let out = proj_trans(operation, direction, proj_coord(x, y, 0, 0))
        let ox = out.xy.x, oy = out.xy.y
        guard ox.isFinite, oy.isFinite, ox != Double.greatestFiniteMagnitude else {
            var e = Projector.error(context, log, .transform, "(\(x), \(y))")
            if e.message == "unknown PROJ error" { e.message = "the point is outside the domain of the transformation" }
            throw e
        }
        return (ox, oy)
    }

    /// Forward: source lon/lat degrees to the target's metres.
    public func forward(_ p: LonLat) throws(ProjectionError) -> PlanarPoint {
        let r = try transform(x: p.lonDegrees, y: p.latDegrees)
        return PlanarPoint(xMeters: r.x, yMeters: r.y)
    }

    /// Inverse: target metres back to source lon/lat degrees.
    public func inverse(_ p: PlanarPoint) throws(ProjectionError) -> LonLat {
        let r = try inverseTransform(x: p.xMeters, y: p.yMeters)
        return LonLat(lonDegrees: r.x, latDegrees: r.y)
    }

    /// Transforms many points in place with one `proj_trans_generic` call; every output is
    /// checked, because PROJ can report a full count while one point came back as `inf`.
    /// - Throws: ``ProjectionError`` naming the index of the first point that failed.
    public func transformInPlace(xs: inout [Double], ys: inout [Double], inverse: Bool = false) throws(ProjectionError) {
        precondition(xs.count == ys.count)
        let n = xs.count
        if n == 0 { return }
        _ = log.take()
        proj_errno_reset(operation)
        let stride = MemoryLayout<Double>.stride
        let op = operation
        xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                _ = proj_trans_generic(op, inverse ? PJ_INV : PJ_FWD,
                                       xb.baseAddress, stride, n,
                                       yb.baseAddress, stride, n,
                                       nil, 0, 0, nil, 0, 0)
            }
        }
        for i in 0..<n where !(xs[i].isFinite && ys[i].isFinite) || xs[i] == .greatestFiniteMagnitude {
            var e = Projector.error(context, log, .transform, "point #\(i + 1)")
            if e.message == "unknown PROJ error" { e.message = "the point is outside the domain of the transformation" }
            throw e
        }
    }

    /// Projects many lon/lat points to planar metres (batch `proj_trans_generic`).
    public func forward(_ points: [LonLat]) throws(ProjectionError) -> [PlanarPoint] {
        var xs = points.map(\.lonDegrees), ys = points.map(\.latDegrees)
        try transformInPlace(xs: &xs, ys: &ys)
        var out = [PlanarPoint](); out.reserveCapacity(points.count)
        for i in 0..<points.count { out.append(PlanarPoint(xMeters: xs[i], yMeters: ys[i])) }
        return out
    }

    /// Unprojects many planar points to lon/lat (batch `proj_trans_generic`, inverse).
    public func inverse(_ points: [PlanarPoint]) throws(ProjectionError) -> [LonLat] {
        var xs = points.map(\.xMeters), ys = points.map(\.yMeters)
        try transformInPlace(xs: &xs, ys: &ys, inverse: true)
        var out = [LonLat](); out.reserveCapacity(points.count)
        for i in 0..<points.count { out.append(LonLat(lonDegrees: xs[i], latDegrees: ys[i])) }
        return out
    }
}
