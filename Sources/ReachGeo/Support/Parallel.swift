import Dispatch
import Foundation

/// A raw buffer that parallel chunks write to at disjoint indices.
///
/// - Important: only sound when every index is written by at most one task; the helpers in
///   ``Parallel`` guarantee that by giving each task its own contiguous range.
public struct DisjointWrites<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public let count: Int
    public init(_ base: UnsafeMutablePointer<Element>, count: Int) {
        self.base = base
        self.count = count
    }
    @inlinable public subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// Parallel loops over index ranges on the machine's cores.
public enum Parallel {
    /// Worker threads used: `REACH_THREADS` when set, else the active processor count.
    public static var threadCount: Int {
        if let s = ProcessInfo.processInfo.environment["REACH_THREADS"], let n = Int(s), n > 0 { return n }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Splits `0..<count` into contiguous chunks and runs `body(range)` for each, in parallel.
    /// Chunks are at least `minimumChunk` long. `body` must only write to indices in its range.
    public static func forEachChunk(count: Int, minimumChunk: Int = 1024, _ body: @Sendable (Range<Int>) -> Void) {
        if count == 0 { return }
        let threads = threadCount
        let chunks = max(1, min(threads * 4, (count + minimumChunk - 1) / minimumChunk))
        if chunks == 1 { body(0..<count); return }
        let size = (count + chunks - 1) / chunks
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let lo = c * size, hi = min(count, lo + size)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Maps `0..<count` to an array in parallel, each chunk writing its own range.
    public static func map<T>(count: Int, minimumChunk: Int = 1024, initial: T, _ transform: @Sendable (Int) -> T) -> [T] {
        var out = [T](repeating: initial, count: count)
        out.withUnsafeMutableBufferPointer { buf in
            let w = DisjointWrites(buf.baseAddress!, count: count)
            forEachChunk(count: count, minimumChunk: minimumChunk) { range in
                for i in range { w[i] = transform(i) }
            }
        }
        return out
    }

    /// Like ``forEachChunk(count:minimumChunk:_:)`` but each chunk may throw; the error of the
    /// lowest failing chunk is rethrown (deterministic).
    public static func forEachChunkThrowing(count: Int, minimumChunk: Int = 1024, _ body: @Sendable (Range<Int>) throws -> Void) throws {
        if count == 0 { return }
        let threads = threadCount
        let chunks = max(1, min(threads * 4, (count + minimumChunk - 1) / minimumChunk))
        let size = (count + chunks - 1) / chunks
        var errors = [(any Error)?](repeating: nil, count: chunks)
        errors.withUnsafeMutableBufferPointer { buf in
            let w = DisjointWrites(buf.baseAddress!, count: chunks)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * size, hi = min(count, lo + size)
                if lo < hi {
                    do { try body(lo..<hi) } catch { w[c] = error }
                }
            }
        }
        if let e = errors.compactMap({ $0 }).first { throw e }
    }
}
