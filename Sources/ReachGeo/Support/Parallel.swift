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

extension Parallel {
    /// Runs `body(index, worker)` for every index of `0..<count` on `workers` threads
    /// (`worker` is in `0..<workers`); indices are handed out in increasing order as threads
    /// become free, so uneven items (PBF blobs) balance. A worker runs one `body` at a time, so
    /// per-worker scratch indexed by `worker` needs no lock. With one worker, the indices run in
    /// order on the calling thread.
    public static func forEachIndex(count: Int, workers: Int, _ body: @Sendable (_ index: Int, _ worker: Int) -> Void) {
        let threads = max(1, min(workers, count))
        if threads == 1 {
            for i in 0..<count { body(i, 0) }
            return
        }
        let dispenser = IndexDispenser(count: count)
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            while let i = dispenser.next() { body(i, worker) }
        }
    }
}

/// Hands out 0, 1, 2, … below a bound to several threads (a lock per item: for coarse items).
final class IndexDispenser: @unchecked Sendable {
    private let lock = NSLock()
    private var nextIndex = 0
    private let count: Int
    init(count: Int) { self.count = count }
    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard nextIndex < count else { return nil }
        nextIndex += 1
        return nextIndex - 1
    }
}
