/// Strongly connected components of a directed graph in CSR form (Tarjan's algorithm, iterative).
///
/// Used by ``RoadGraphBuilder`` to mark snap targets: an edge is a snap target only when both its
/// ends lie in a component of at least `min_component_nodes` vertices, so a snapped point can
/// both leave and be reached.
public enum StronglyConnectedComponents {
    /// The component of each vertex and each component's size.
    ///
    /// Components are numbered in the order Tarjan's algorithm completes them, starting the
    /// depth-first searches at vertex 0, 1, 2, … and following arcs in CSR order, so the numbering
    /// is deterministic (a component is numbered before any component that can reach it).
    /// The search keeps an explicit stack (no recursion), so long chains of vertices cannot
    /// overflow the call stack.
    /// - Parameters:
    ///   - offsets: CSR offsets, `vertexCount + 1` entries; the arcs of `v` are
    ///     `heads[offsets[v]..<offsets[v+1]]`.
    ///   - heads: the head vertex of each arc.
    /// - Complexity: O(V + E) time, O(V) extra memory.
    public static func compute(vertexCount: Int, offsets: [Int32], heads: [Int32]) -> (componentOfVertex: [Int32], componentSizes: [Int32]) {
        precondition(offsets.count == vertexCount + 1, "CSR offsets must have vertexCount + 1 entries")
        let unvisited: Int32 = -1
        var index = [Int32](repeating: unvisited, count: vertexCount)
        var low = [Int32](repeating: 0, count: vertexCount)
        var onStack = [Bool](repeating: false, count: vertexCount)
        var component = [Int32](repeating: -1, count: vertexCount)
        var sizes: [Int32] = []
        var tarjanStack: [Int32] = []
        // Each frame: the vertex and the next arc position to explore.
        var callStack: [(vertex: Int32, nextArc: Int32)] = []
        var counter: Int32 = 0

        for root in 0..<vertexCount where index[root] == unvisited {
            index[root] = counter; low[root] = counter; counter += 1
            tarjanStack.append(Int32(root)); onStack[root] = true
            callStack.append((Int32(root), offsets[root]))
            while let frame = callStack.last {
                let v = Int(frame.vertex)
                if frame.nextArc < offsets[v + 1] {
                    callStack[callStack.count - 1].nextArc = frame.nextArc + 1
                    let w = Int(heads[Int(frame.nextArc)])
                    if index[w] == unvisited {
                        index[w] = counter; low[w] = counter; counter += 1
                        tarjanStack.append(Int32(w)); onStack[w] = true
                        callStack.append((Int32(w), offsets[w]))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    callStack.removeLast()
                    if low[v] == index[v] {
                        let id = Int32(sizes.count)
                        var size: Int32 = 0
                        while true {
                            let w = Int(tarjanStack.removeLast())
                            onStack[w] = false
                            component[w] = id
                            size += 1
                            if w == v { break }
                        }
                        sizes.append(size)
                    }
                    if let parent = callStack.last {
                        let p = Int(parent.vertex)
                        low[p] = min(low[p], low[v])
                    }
                }
            }
        }
        return (component, sizes)
    }
}
