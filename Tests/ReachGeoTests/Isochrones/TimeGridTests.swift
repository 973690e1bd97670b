import Testing
import ReachGeo
import TestSupport

@Suite("Time grid rasterisation")
struct TimeGridTests {
    @Test("one sample: connector time by hand, capped by the snap distance")
    func oneSample() {
        // Sample at (0, 0) with 100 s, connector 2 m/s, cap 100 m, cell 10 m.
        // Node at distance 30 m → 100 + 30/2 = 115 s; at 100 m → 150 s; beyond 100 m → unreached.
        let grid = TimeGrid.rasterize(samples: [TimeSample(position: PlanarPoint(xMeters: 0, yMeters: 0), seconds: 100)],
                                      cellMeters: 10, connectorMetersPerSecond: 2, maxConnectorMeters: 100)
        func value(_ x: Double, _ y: Double) -> Double {
            let c = Int(((x - grid.origin.xMeters) / grid.cellMeters).rounded())
            let r = Int(((y - grid.origin.yMeters) / grid.cellMeters).rounded())
            return grid[c, r]
        }
        #expect(abs(value(30, 0) - 115) < 1e-9)
        #expect(abs(value(0, -100) - 150) < 1e-9)
        #expect(abs(value(30, 40) - 125) < 1e-9) // 3-4-5 triangle: 50 m
        #expect(value(80, 80) == .infinity)       // 113 m > 100 m
        // The border of the grid is unreached (two cells of padding beyond the cap).
        #expect((0..<grid.columns).allSatisfy { grid[$0, 0] == .infinity && grid[$0, grid.rows - 1] == .infinity })
    }

    @Test("the nearest sample decides, even when a farther one is faster")
    func nearestDecides() {
        // A slow road (500 s) at x = 0 and a fast one (0 s) at x = 100: a node at x = 40 snaps to
        // the slow road: 500 + 40/1 = 540 s, not 0 + 60 = 60 s (INTERFACE.md rule 5, nearest edge).
        let samples = [TimeSample(position: PlanarPoint(xMeters: 0, yMeters: 0), seconds: 500),
                       TimeSample(position: PlanarPoint(xMeters: 100, yMeters: 0), seconds: 0)]
        let grid = TimeGrid.rasterize(samples: samples, cellMeters: 10, connectorMetersPerSecond: 1, maxConnectorMeters: 1000)
        let c = Int(((40 - grid.origin.xMeters) / 10).rounded()), r = Int(((0 - grid.origin.yMeters) / 10).rounded())
        #expect(abs(grid[c, r] - 540) < 1e-9)
    }

    @Test("random samples: node values equal a brute-force nearest-sample oracle", arguments: [UInt64(11), 12, 13])
    func bruteForce(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var samples: [TimeSample] = []
        for _ in 0..<60 {
            let x = Double(rng.next() % 2000), y = Double(rng.next() % 1500)
            let s = Double(rng.next() % 600)
            samples.append(TimeSample(position: PlanarPoint(xMeters: x, yMeters: y), seconds: s))
        }
        let cap = 300.0, speed = 2.5
        let grid = TimeGrid.rasterize(samples: samples, cellMeters: 20, connectorMetersPerSecond: speed, maxConnectorMeters: cap)
        var mismatches = 0, nodes = 0
        for r in 0..<grid.rows {
            for c in 0..<grid.columns {
                let p = grid.position(column: Double(c), row: Double(r))
                // Oracle: nearest sample (ties to the faster), within the cap.
                var best = Double.infinity, bestSeconds = Double.infinity
                for s in samples {
                    let d = p.planarDistanceMeters(to: s.position)
                    if d < best || (d == best && s.seconds < bestSeconds) { best = d; bestSeconds = s.seconds }
                }
                let expected = best <= cap ? bestSeconds + best / speed : .infinity
                nodes += 1
                if expected.isFinite != grid[c, r].isFinite || (expected.isFinite && abs(expected - grid[c, r]) > 1e-6) {
                    mismatches += 1
                }
            }
        }
        // Vector propagation is exact except in rare configurations: allow 0.5 % of nodes.
        #expect(Double(mismatches) <= 0.005 * Double(nodes), "seed \(seed): \(mismatches) of \(nodes) nodes differ")
    }

    @Test("a grid that would exceed maxNodes gets larger cells")
    func cappedNodes() {
        let samples = [TimeSample(position: PlanarPoint(xMeters: 0, yMeters: 0), seconds: 0),
                       TimeSample(position: PlanarPoint(xMeters: 10_000, yMeters: 10_000), seconds: 0)]
        let grid = TimeGrid.rasterize(samples: samples, cellMeters: 10, connectorMetersPerSecond: 1, maxConnectorMeters: 50,
                                      maxNodes: 10_000)
        #expect(grid.columns * grid.rows <= 10_000)
        #expect(grid.cellMeters > 100)
    }
}
