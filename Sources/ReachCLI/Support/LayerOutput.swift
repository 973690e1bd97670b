import ArgumentParser
import Foundation
import ReachGeo
import ReachPlanner

/// `--format-out`: how the map layers of a run are written.
enum LayerFormat: String, ExpressibleByArgument, CaseIterable {
    /// One GeoJSON file per layer (the default): uncovered.geojson, sites.geojson, zones.geojson,
    /// and for plans plan.geojson, branches.geojson, newly_covered.geojson.
    case geojson
    /// One GeoPackage, `reach.gpkg`, with the layers residents, uncovered, zones, sites, and for
    /// plans branches and newly_covered.
    case gpkg
}

/// The layer files of a coverage or plan run beside the CSV and JSON files.
enum LayerOutput {
    static let geoPackageName = "reach.gpkg"

    /// The files this step may write (reserved before any work).
    /// `newlyCovered: false` for plans without a newly-covered layer (`plan --capacitated`).
    static func files(_ format: LayerFormat, plan: Bool, newlyCovered: Bool = true) -> [String] {
        switch format {
        case .geojson: return ["zones.csv", "zones.geojson"] + (plan ? ["branches.geojson"] + (newlyCovered ? ["newly_covered.geojson"] : []) : [])
        case .gpkg: return ["zones.csv", geoPackageName]
        }
    }

    /// Stages `sites.csv`, then ``add(_:_:format:prepared:evaluation:sitesGeoJSON:planGeoJSON:)``
    /// (sites.geojson only with GeoJSON layers).
    static func addSiteAndLayerFiles(_ batch: OutputBatch, _ dir: URL, format: LayerFormat, prepared: PreparedScenario,
                                     evaluation: CoverageEvaluation, staffing: StaffingEvaluation, planGeoJSON: String?,
                                     newlyCovered: Bool = true) throws {
        let sites = try StaffingText.addSiteFiles(batch, dir, prepared: prepared, staffing: staffing, geoJSON: format == .geojson)
        try add(batch, dir, format: format, prepared: prepared, evaluation: evaluation, sitesGeoJSON: sites, planGeoJSON: planGeoJSON,
                newlyCovered: newlyCovered)
    }

    /// Stages `zones.csv` and, by `format`, the GeoJSON layer files or `reach.gpkg`.
    /// `sitesGeoJSON` and `planGeoJSON` are the texts of sites.geojson and plan.geojson.
    static func add(_ batch: OutputBatch, _ dir: URL, format: LayerFormat, prepared: PreparedScenario,
                    evaluation: CoverageEvaluation, sitesGeoJSON: String, planGeoJSON: String?, newlyCovered: Bool = true) throws {
        let zoneRows = OutputLayers.zoneRows(residents: prepared.residents, evaluation: evaluation, zones: prepared.loaded.zones)
        try batch.add(OutputLayers.zonesCSV(zoneRows), as: dir.appendingPathComponent("zones.csv"))
        switch format {
        case .geojson:
            try batch.add(OutputLayers.zonesGeoJSON(zoneRows), as: dir.appendingPathComponent("zones.geojson"))
            if let planGeoJSON {
                try batch.add(OutputLayers.split(geoJSON: planGeoJSON, kind: "branch", name: "branches"),
                              as: dir.appendingPathComponent("branches.geojson"))
                if newlyCovered {
                    try batch.add(OutputLayers.split(geoJSON: planGeoJSON, kind: "newly_covered_resident", name: "newly_covered"),
                                  as: dir.appendingPathComponent("newly_covered.geojson"))
                }
            }
        case .gpkg:
            var layers = [
                OutputLayers.residentsLayer(name: "residents", residents: prepared.residents, evaluation: evaluation, sites: prepared.sites),
                OutputLayers.residentsLayer(name: "uncovered", residents: prepared.residents, evaluation: evaluation, sites: prepared.sites,
                                            onlyUncovered: true),
            ]
            if prepared.loaded.zones != nil { layers.append(OutputLayers.zonesLayer(zoneRows)) }
            layers.append(try OutputLayers.layer(fromGeoJSON: sitesGeoJSON, name: "sites", fileName: "sites"))
            if let planGeoJSON {
                layers.append(try OutputLayers.layer(fromGeoJSON: planGeoJSON, name: "branches", fileName: "plan",
                                                     where: { $0.property("kind")?.stringValue == "branch" }, dropping: ["kind"]))
                if newlyCovered {
                    layers.append(try OutputLayers.layer(fromGeoJSON: planGeoJSON, name: "newly_covered", fileName: "plan",
                                                         where: { $0.property("kind")?.stringValue == "newly_covered_resident" }, dropping: ["kind"]))
                }
            }
            let url = dir.appendingPathComponent(geoPackageName)
            try batch.add(try OutputLayers.geoPackage(layers, displayName: url.path), as: url)
        }
    }
}
