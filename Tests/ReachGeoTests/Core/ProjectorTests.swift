import Testing
import ReachGeo

@Suite struct ProjectorTests {
    // Expected values from PROJ 9.1.1's own tool on this machine:
    //   printf "105.8542 21.0285\n105.0 21.0\n106.5 20.0\n" | cs2cs -d 6 OGC:CRS84 EPSG:32648
    //   588761.587340 2325539.252354 / 500000.000000 2322147.638355 / 656921.667127 2212183.963680
    @Test(arguments: [
        (105.8542, 21.0285, 588761.587340, 2325539.252354),
        (105.0, 21.0, 500000.000000, 2322147.638355),
        (106.5, 20.0, 656921.667127, 2212183.963680),
    ])
    func utm48NorthMatchesCs2cs(lon: Double, lat: Double, x: Double, y: Double) throws {
        let p = try Projector(from: "EPSG:4326", to: "EPSG:32648")
        let q = try p.forward(LonLat(lonDegrees: lon, latDegrees: lat))
        #expect(abs(q.xMeters - x) < 0.001)
        #expect(abs(q.yMeters - y) < 0.001)
    }

    // printf "105.8542 21.0285\n" | cs2cs -d 6 OGC:CRS84 EPSG:3405   →  588565.363784 2325647.338302
    @Test func vn2000Utm48MatchesCs2cs() throws {
        let p = try Projector(from: "OGC:CRS84", to: "EPSG:3405")
        let q = try p.forward(LonLat(lonDegrees: 105.8542, latDegrees: 21.0285))
        #expect(abs(q.xMeters - 588565.363784) < 0.001)
        #expect(abs(q.yMeters - 2325647.338302) < 0.001)
    }

    // STYLE.md's known answer: lon 15°, lat 0° → UTM 33N (500000, 0); cs2cs agrees.
    @Test func utm33AtCentralMeridian() throws {
        let p = try ProjectionSpec(from: "EPSG:4326", to: "EPSG:32633").makeProjector()
        let q = try p.forward(LonLat(lonDegrees: 15, latDegrees: 0))
        #expect(abs(q.xMeters - 500_000) < 0.001)
        #expect(abs(q.yMeters) < 0.001)
    }

    @Test func batchEqualsSinglePointsAndRoundTrips() throws {
        var rng = SplitMix64(seed: 42)
        let points = (0..<500).map { _ in
            LonLat(lonDegrees: 105.3 + Double(rng.next() % 10_000) / 10_000 * 0.8,
                   latDegrees: 20.6 + Double(rng.next() % 10_000) / 10_000 * 0.8)
        }
        let p = try ProjectionSpec.utm(containing: points[0]).makeProjector()
        let batch = try p.forward(points)
        for (k, pt) in points.enumerated() {
            let single = try p.forward(pt)
            #expect(single == batch[k])
        }
        let back = try p.inverse(batch)
        for (a, b) in zip(points, back) {
            #expect(abs(a.lonDegrees - b.lonDegrees) < 1e-9 && abs(a.latDegrees - b.latDegrees) < 1e-9, "seed 42: \(a) → \(b)")
        }
    }

    @Test func badCRSCarriesPROJsMessage() {
        do {
            _ = try Projector(from: "EPSG:4326", to: "EPSG:999999")
            Issue.record("expected an error")
        } catch {
            #expect(error.stage == .create)
            // PROJ logs "crs not found" for an unknown code (cs2cs prints "proj_create: crs not found");
            // proj_context_errno_string alone would say only "Unknown error (code 4096)".
            #expect(error.message.contains("crs not found"), "\(error.message)")
            #expect(!error.message.contains("Unknown error"))
        }
    }

    @Test func nonFiniteOutputIsReported() throws {
        let p = try Projector(from: "EPSG:4326", to: "EPSG:32648")
        var xs = [105.8, 400.0], ys = [21.0, 95.0]
        #expect(throws: ProjectionError.self) { try p.transformInPlace(xs: &xs, ys: &ys) }
    }

    @Test func utmZoneChoice() {
        #expect(ProjectionSpec.utmCRS(containing: LonLat(lonDegrees: 105.85, latDegrees: 21.03)) == "EPSG:32648")
        #expect(ProjectionSpec.utmCRS(containing: LonLat(lonDegrees: 9.52, latDegrees: 47.14)) == "EPSG:32632")
        #expect(ProjectionSpec.utmCRS(containing: LonLat(lonDegrees: -58.4, latDegrees: -34.6)) == "EPSG:32721")
    }
}

@Suite struct GeodesicTests {
    // geod +ellps=WGS84 -f "%.10f" <<< "21.0285 105.8542 45 5000"  →  21.0604294937 105.8882189061
    @Test func directMatchesGeod() {
        let p = Geodesic.direct(from: LonLat(lonDegrees: 105.8542, latDegrees: 21.0285), azimuthDegrees: 45, distanceMeters: 5000)
        #expect(abs(p.latDegrees - 21.0604294937) < 1e-9)
        #expect(abs(p.lonDegrees - 105.8882189061) < 1e-9)
        // …and back: the inverse gives 5000 m again.
        #expect(abs(Geodesic.distanceMeters(LonLat(lonDegrees: 105.8542, latDegrees: 21.0285), p) - 5000) < 1e-6)
    }

    // geod +ellps=WGS84 -I -f "%.6f" <<< "21.0285 105.8542 21.0400 105.9000"  →  4928.080 m
    @Test func inverseMatchesGeod() {
        let d = Geodesic.distanceMeters(LonLat(lonDegrees: 105.8542, latDegrees: 21.0285), LonLat(lonDegrees: 105.9, latDegrees: 21.04))
        #expect(abs(d - 4928.080) < 0.001)
    }

    // Published pair: GeographicLib's documented GeodSolve example (JFK → LHR on WGS 84),
    // `GeodSolve -i <<< "40.6 -73.8 51.6 -0.5"` → s12 = 5551759.400 m (geod -I agrees here).
    @Test func publishedPair() {
        let d = Geodesic.distanceMeters(LonLat(lonDegrees: -73.8, latDegrees: 40.6), LonLat(lonDegrees: -0.5, latDegrees: 51.6))
        #expect(abs(d - 5_551_759.400) < 0.001)
    }
}
