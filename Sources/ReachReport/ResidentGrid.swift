import ReachGeo

/// Residents aggregated to square map cells, for maps with too many points to draw one by one.
///
/// Cells are squares of `cellSizeMeters` on the map's local projection (``MapFrame``), aligned
/// on the projection centre. Each cell sums the population and the covered population of the
/// residents whose position falls in it.
struct ResidentGrid: Sendable {
    struct Cell: Sendable, Equatable {
        /// Column and row (row grows southwards, as pixel y does).
        var column: Int
        var row: Int
        var population: Double
        var coveredPopulation: Double
        var residents: Int

        var coveredShare: Double { population > 0 ? coveredPopulation / population : 1 }
    }

    let cellSizeMeters: Double
    let cellSizePx: Double
    /// Cells holding at least one resident, sorted by row then column (deterministic order).
    let cells: [Cell]

    /// Round cell sizes to choose from, in metres.
    static let roundSizesMeters: [Double] = [50, 100, 200, 250, 500, 1000, 2000, 2500, 5000,
                                             10_000, 20_000, 25_000, 50_000, 100_000, 200_000,
                                             500_000, 1_000_000]

    /// The smallest round cell size that keeps the map at most `maxCellsAcross` cells wide
    /// and high.
    static func cellSizeMeters(frame: MapFrame, maxCellsAcross: Double) -> Double {
        let metersPerPx = frame.metersPerPixel(atY: frame.y0)
        let spanMeters = max(frame.widthPx, frame.heightPx) * metersPerPx
        for size in roundSizesMeters where spanMeters / size <= maxCellsAcross { return size }
        return roundSizesMeters[roundSizesMeters.count - 1]
    }

    /// Aggregates `residents` on `frame` into cells of `cellSizeMeters`.
    /// - Complexity: O(n log n) for n residents (a hash map, then sorting the occupied cells).
    init(residents: [ReportResident], frame: MapFrame, cellSizeMeters: Double) {
        self.cellSizeMeters = cellSizeMeters
        let cellPx = cellSizeMeters / frame.metersPerPixel(atY: frame.y0)
        self.cellSizePx = cellPx
        var index: [Int64: Int] = [:]
        var cells: [Cell] = []
        for r in residents where r.population.isFinite && r.population > 0 && r.position.isValid {
            // Checked conversions: a position the frame cannot place (a non-finite or huge
            // offset) is left out of the grid instead of trapping.
            let columnValue = ((frame.x(r.position) - frame.x0) / cellPx).rounded(.down)
            let rowValue = ((frame.y(r.position) - frame.y0) / cellPx).rounded(.down)
            guard let column = Int(exactly: columnValue), let row = Int(exactly: rowValue),
                  abs(column) < 1 << 30, abs(row) < 1 << 30 else { continue }
            let key = Int64(row) << 32 | Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: column)))
            if let i = index[key] {
                cells[i].population += r.population
                if r.covered { cells[i].coveredPopulation += r.population }
                cells[i].residents += 1
            } else {
                index[key] = cells.count
                cells.append(Cell(column: column, row: row, population: r.population,
                                  coveredPopulation: r.covered ? r.population : 0, residents: 1))
            }
        }
        cells.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        self.cells = cells
    }

    /// The pixel rectangle of a cell on `frame`.
    func rect(_ cell: Cell, frame: MapFrame) -> (x: Double, y: Double, size: Double) {
        (frame.x0 + Double(cell.column) * cellSizePx, frame.y0 + Double(cell.row) * cellSizePx, cellSizePx)
    }
}
