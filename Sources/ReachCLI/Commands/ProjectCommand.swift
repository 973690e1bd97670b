import ArgumentParser
import Foundation
import ReachGeo

/// `reach project --from CRS --to CRS`: transforms "x y" lines from stdin to stdout, like cs2cs.
struct ProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project",
        abstract: "Transform coordinates between two CRSs (stdin: \"x y\" per line; stdout likewise).",
        discussion: "CRSs are anything PROJ accepts (EPSG:4326, EPSG:32648, EPSG:3405, a PROJ string). Geographic CRSs are longitude first.")

    @Option(help: "Source CRS.") var from: String
    @Option(help: "Target CRS.") var to: String
    @Option(help: "Maximum decimals in the output (trailing zeros dropped).") var decimals: Int = 9

    func run() throws {
        guard (0...9).contains(decimals) else { throw UsageError("--decimals must be 0…9") }
        let projector: Projector
        do { projector = try Projector(from: from, to: to) } catch {
            throw InputError(file: "--from \(from) --to \(to)", error.message)
        }
        var lineNumber = 0
        var output = ""
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { output += line + "\n"; continue }
            let parts = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })
            guard parts.count >= 2, let x = DecimalNumber.parse(parts[0]), let y = DecimalNumber.parse(parts[1]) else {
                throw InputError(file: "<stdin>", line: lineNumber, "expected two decimal numbers \"x y\", found \(ErrorText.quoted(trimmed))")
            }
            let r: (x: Double, y: Double)
            do { r = try projector.transform(x: x, y: y) } catch {
                throw InputError(file: "<stdin>", line: lineNumber, "cannot transform (\(x), \(y)): \(error.message)")
            }
            output += DecimalText.fixed(r.x, decimals: decimals) + " " + DecimalText.fixed(r.y, decimals: decimals)
            if parts.count > 2 { output += " " + parts[2...].joined(separator: " ") }
            output += "\n"
        }
        try StandardOutput.write(output)
    }
}
