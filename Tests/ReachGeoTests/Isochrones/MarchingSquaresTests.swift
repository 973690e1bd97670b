import Testing
import ReachGeo
import TestSupport

/// A grid drawn as text, north row first: `#` = 0 s, `.` = 2 s, `~` = unreached, 1 m cells,
/// origin (0, 0), `secondsPerCell` 2 (the virtual border behaves like a `.` node). With
/// threshold 1 s every crossing sits mid-edge.
func drawnGrid(_ rows: [String], secondsPerCell: Double = 2) -> TimeGrid {
    let height = rows.count, width = rows[0].count
    var values = [Double](repeating: .infinity, count: width * height)
    for (k, line) in rows.enumerated() {
        let row = height - 1 - k
        for (column, ch) in line.enumerated() {
            values[row * width + column] = ch == "#" ? 0 : (ch == "." ? 2 : .infinity)
        }
    }
    return TimeGrid(origin: PlanarPoint(xMeters: 0, yMeters: 0), cellMeters: 1, columns: width, rows: height,
                    seconds: values, secondsPerCell: secondsPerCell)
}

/// Points from (x, y) pairs.
func pts(_ xy: [(Double, Double)]) -> [PlanarPoint] { xy.map { PlanarPoint(xMeters: $0.0, yMeters: $0.1) } }

/// A closed ring rotated to start at its smallest (x, then y) vertex, closing position dropped,
/// so that rings can be compared whatever vertex the tracer started from.
func canonical(_ ring: [PlanarPoint]) -> [PlanarPoint] {
    var open = Array(ring.dropLast())
    let start = open.indices.min { (open[$0].xMeters, open[$0].yMeters) < (open[$1].xMeters, open[$1].yMeters) }!
    open = Array(open[start...] + open[..<start])
    return open.map { PlanarPoint(xMeters: ($0.xMeters * 1e9).rounded() / 1e9, yMeters: ($0.yMeters * 1e9).rounded() / 1e9) }
}

@Suite("Marching squares on drawn grids")
struct MarchingSquaresTests {
    @Test("a single reached node gives a counter-clockwise diamond")
    func singleNode() {
        // Expected (crossings mid-edge towards the virtual outside border):
        //            (0,0.5)
        //   (-0.5,0)    #    (0.5,0)
        //            (0,-0.5)
        // counter-clockwise from the west point: W → S → E → N.
        let polygons = MarchingSquares.polygons(in: drawnGrid(["#"]), thresholdSeconds: 1)
        #expect(polygons.count == 1)
        #expect(canonical(polygons[0].outer) == pts([(-0.5, 0), (0, -0.5), (0.5, 0), (0, 0.5)]))
        #expect(polygons[0].holes.isEmpty)
        #expect(PolygonValidity.check(planar: polygons).isEmpty)
    }

    @Test("a ring of reached nodes gives an outer ring and a clockwise hole")
    func ringWithHole() {
        //   ###        outer: 12 crossings half a cell outside the block, corners cut;
        //   #.#        hole: a diamond around (1,1), clockwise (W → N → E → S).
        //   ###
        let polygons = MarchingSquares.polygons(in: drawnGrid(["###", "#.#", "###"]), thresholdSeconds: 1)
        #expect(polygons.count == 1)
        #expect(canonical(polygons[0].outer) == pts([
            (-0.5, 0), (0, -0.5), (1, -0.5), (2, -0.5), (2.5, 0), (2.5, 1), (2.5, 2),
            (2, 2.5), (1, 2.5), (0, 2.5), (-0.5, 2), (-0.5, 1),
        ]))
        #expect(polygons[0].holes.count == 1)
        #expect(canonical(polygons[0].holes[0]) == pts([(0.5, 1), (1, 1.5), (1.5, 1), (1, 0.5)]))
        #expect(PolygonValidity.check(planar: polygons).isEmpty)
    }

    @Test("two separate pockets stay two polygons")
    func twoPockets() {
        //   #..#   → two diamonds of half a cell around (0,0) and (3,0), scan order kept on equal areas.
        let polygons = MarchingSquares.polygons(in: drawnGrid(["#..#"]), thresholdSeconds: 1)
        #expect(polygons.count == 2)
        #expect(canonical(polygons[0].outer) == pts([(-0.5, 0), (0, -0.5), (0.5, 0), (0, 0.5)]))
        #expect(canonical(polygons[1].outer) == pts([(2.5, 0), (3, -0.5), (3.5, 0), (3, 0.5)]))
        #expect(PolygonValidity.check(planar: polygons).isEmpty)
    }

    @Test("a saddle joins when the cell mean is within the threshold, else separates")
    func saddle() {
        //   .#     the central cell has bl and tr reached (0 s), br and tl not (2 s): mean 1 s.
        //   #.
        // Threshold 1 s (mean ≤ threshold) → joined: one hexagon-like ring running through the cell,
        //   W(-0.5,0) → S(0,-0.5) → (0.5,0) → (1,0.5) → E(1.5,1) → N(1,1.5) → (0.5,1) → (0,0.5).
        let joined = MarchingSquares.polygons(in: drawnGrid([".#", "#."]), thresholdSeconds: 1)
        #expect(joined.count == 1)
        #expect(canonical(joined[0].outer) == pts([(-0.5, 0), (0, -0.5), (0.5, 0), (1, 0.5), (1.5, 1), (1, 1.5), (0.5, 1), (0, 0.5)]))
        // Threshold 0.9 s (mean 1 > 0.9) → separate: two diamonds of 0.45 cell ((0.9 − 0) / (2 − 0) = 0.45).
        let separate = MarchingSquares.polygons(in: drawnGrid([".#", "#."]), thresholdSeconds: 0.9)
        // (Equal areas: the order is not part of the claim, so compare in x order.)
        let diamonds = separate.map { canonical($0.outer) }.sorted { $0[0].xMeters < $1[0].xMeters }
        #expect(diamonds == [pts([(-0.45, 0), (0, -0.45), (0.45, 0), (0, 0.45)]), pts([(0.55, 1), (1, 0.55), (1.45, 1), (1, 1.45)])])
        #expect(PolygonValidity.check(planar: joined + separate).isEmpty == false) // overlapping on purpose: two bands
        #expect(PolygonValidity.check(planar: joined).isEmpty)
        #expect(PolygonValidity.check(planar: separate).isEmpty)
    }

    @Test("the other saddle orientation and an island inside a hole")
    func otherSaddleAndIsland() {
        //   #.      br and tl reached; threshold 0.9 separates them (mean 1 s).
        //   .#
        let separate = MarchingSquares.polygons(in: drawnGrid(["#.", ".#"]), thresholdSeconds: 0.9)
        #expect(separate.count == 2)
        #expect(PolygonValidity.check(planar: separate).isEmpty)
        //   #####
        //   #...#    the centre node is an island inside the hole: two polygons, the outer
        //   #.#.#    block with one hole, and the diamond around (2,2).
        //   #...#
        //   #####
        let nested = MarchingSquares.polygons(in: drawnGrid(["#####", "#...#", "#.#.#", "#...#", "#####"]), thresholdSeconds: 1)
        #expect(nested.count == 2)
        #expect(nested[0].holes.count == 1)
        #expect(canonical(nested[1].outer) == pts([(1.5, 2), (2, 1.5), (2.5, 2), (2, 2.5)]))
        #expect(nested[1].holes.isEmpty)
        #expect(PolygonValidity.check(planar: nested).isEmpty)
    }

    @Test("bounds are inclusive; towards an unreached node the fraction uses secondsPerCell")
    func inclusiveAndUnreached() {
        // One node at exactly the threshold is inside; its crossing fraction (1−1)/… = 0 is
        // clamped to the 0.05 margin: a diamond of 0.05.
        var grid = drawnGrid(["#"], secondsPerCell: 1)
        grid.seconds[0] = 1
        let atThreshold = MarchingSquares.polygons(in: grid, thresholdSeconds: 1)
        #expect(atThreshold.count == 1)
        #expect(canonical(atThreshold[0].outer) == pts([(-0.05, 0), (0, -0.05), (0.05, 0), (0, 0.05)]))
        // Value 0.3 s, threshold 0.5 s, 1 s per cell towards the unreached border: (0.5−0.3)/1 = 0.2.
        grid.seconds[0] = 0.3
        let interpolated = MarchingSquares.polygons(in: grid, thresholdSeconds: 0.5)
        #expect(canonical(interpolated[0].outer) == pts([(-0.2, 0), (0, -0.2), (0.2, 0), (0, 0.2)]))
        // Above the threshold: nothing.
        #expect(MarchingSquares.polygons(in: grid, thresholdSeconds: 0.29).isEmpty)
    }

    @Test("random grids: valid polygons that contain exactly the reached nodes", arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomGrids(seed: UInt64) {
        // Oracle: a node is inside the band iff its value ≤ threshold; crossings never reach a
        // node (margin 0.05), so point-in-MultiPolygon of each node must agree.
        var rng = SplitMix64(seed: seed)
        let columns = 24, rows = 17
        var values: [Double] = []
        for _ in 0..<(columns * rows) {
            let r = Double(rng.next() % 1000) / 100 // 0 … 9.99 s
            values.append(r > 9 ? .infinity : r)
        }
        let grid = TimeGrid(origin: PlanarPoint(xMeters: 500, yMeters: -300), cellMeters: 7, columns: columns, rows: rows,
                            seconds: values, secondsPerCell: 3)
        for threshold in [2.0, 4.5, 7.0] {
            let polygons = MarchingSquares.polygons(in: grid, thresholdSeconds: threshold)
            let findings = PolygonValidity.check(planar: polygons)
            #expect(findings.isEmpty, "seed \(seed) threshold \(threshold): \(findings.prefix(3))")
            for row in 0..<rows {
                for column in 0..<columns {
                    let p = grid.position(column: Double(column), row: Double(row))
                    let inside = polygons.contains { poly in
                        PlanarGeometry.contains(ring: poly.outer, point: p)
                            && !poly.holes.contains { PlanarGeometry.contains(ring: $0, point: p) }
                    }
                    #expect(inside == (grid[column, row] <= threshold), "seed \(seed) node (\(column), \(row))")
                }
            }
        }
    }
}
