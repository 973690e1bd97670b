extension HTMLReport {
    /// The page's CSS: system fonts only (nothing to download), print-friendly, and layer
    /// toggles done with checkboxes (`#show-X:not(:checked) ~ .map-wrap .layer-X`).
    /// It contains no `<` or `&`, so the page stays well-formed XML.
    static let stylesheet = """
    :root { --ink: #1f1f1f; --muted: #5b5b5b; --line: #d9d9d9; --accent: #5e3c99; --warn: #fff4d6; --short: #fdeee4; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1320px; padding: 24px 28px 40px; color: var(--ink); background: #ffffff;
      font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
    h1 { font-size: 28px; margin: 0 0 4px; line-height: 1.2; }
    h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
    h3 { font-size: 16px; margin: 18px 0 8px; }
    h4 { font-size: 13px; margin: 14px 0 4px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
    .subtitle { margin: 0; font-size: 17px; color: var(--muted); }
    .standard { margin: 6px 0 0; color: var(--muted); }
    .warnings { background: var(--warn); border: 1px solid #e6c96b; border-radius: 6px; padding: 4px 16px; margin-top: 18px; }
    .warnings h2 { border: none; margin: 8px 0 0; font-size: 16px; }
    .warnings ul { margin: 6px 0 10px; padding-left: 20px; }
    .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; margin-top: 20px; }
    .figure { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fbfbfb; }
    .figure .value { font-size: 26px; font-weight: 700; font-variant-numeric: tabular-nums; }
    .figure .label { color: var(--muted); }
    .figure .note { font-size: 12px; color: var(--muted); margin-top: 2px; }
    .toggles { font-size: 13px; color: var(--muted); margin-bottom: 6px; }
    .toggles label { margin-right: 10px; }
    .map-wrap { display: flex; gap: 16px; align-items: flex-start; }
    svg.map { flex: 1 1 auto; min-width: 0; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; display: block; }
    .map-bg { fill: #f4f3ef; }
    .legend { flex: 0 0 260px; font-size: 13px; }
    .legend h3 { margin-top: 0; }
    .legend ul { list-style: none; margin: 0; padding: 0; }
    .legend li { margin: 3px 0; display: flex; align-items: center; gap: 6px; }
    .legend .n { margin-left: auto; color: var(--muted); font-variant-numeric: tabular-nums; }
    .small { font-size: 12px; color: var(--muted); margin: 2px 0 6px; }
    svg.sw { flex: 0 0 auto; vertical-align: middle; }
    #show-zones:not(:checked) ~ .map-wrap .layer-zones,
    #show-isochrones:not(:checked) ~ .map-wrap .layer-isochrones,
    #show-residents:not(:checked) ~ .map-wrap .layer-residents,
    #show-sites:not(:checked) ~ .map-wrap .layer-sites,
    #show-branches:not(:checked) ~ .map-wrap .layer-branches,
    #show-loads:not(:checked) ~ .map-wrap .layer-loads,
    #show-labels:not(:checked) ~ .map-wrap .layer-labels { display: none; }
    .zone-labels text { font-size: 9.5px; fill: #2b2b2b; paint-order: stroke; stroke: #ffffff; stroke-width: 2.6px; stroke-linejoin: round; }
    .branch-marker circle, .legend-branch circle { fill: var(--accent); stroke: #ffffff; stroke-width: 1.6; }
    .branch-marker text, .legend-branch text { fill: #ffffff; font-size: 9.5px; font-weight: 700; text-anchor: middle; }
    .scale-bar text, .north-arrow text { font-size: 11px; font-weight: 600; fill: #1a1a1a; }
    .attribution { font-size: 10px; fill: #444444; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
    .plan-grid { display: grid; grid-template-columns: minmax(0, 560px) minmax(0, 1fr); gap: 24px; align-items: start; }
    figure.chart { margin: 0; }
    figure.chart figcaption { font-size: 12px; color: var(--muted); }
    .chart-svg { width: 100%; height: auto; }
    .chart-svg text { font-size: 11px; fill: #333333; }
    .chart-svg .axis-title { font-size: 12px; font-weight: 600; }
    .chart-svg .end-label { font-weight: 700; fill: var(--accent); }
    .table-wrap { overflow-x: auto; }
    table { border-collapse: collapse; font-size: 13px; width: 100%; }
    th, td { padding: 4px 8px; border-bottom: 1px solid #eeeeee; text-align: left; vertical-align: middle; }
    thead th { position: sticky; top: 0; background: #ffffff; border-bottom: 2px solid var(--line); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    tfoot td { font-weight: 700; border-top: 2px solid var(--line); }
    tr.short td, tr.over td { background: var(--short); }
    tr.over td { font-weight: 600; }
    tr.beyond-target td { background: #fff8e8; }
    .busiest .table-wrap { max-height: 520px; overflow-y: auto; }
    td.share { white-space: nowrap; font-variant-numeric: tabular-nums; }
    .bar { display: inline-block; width: 90px; height: 9px; background: #eeeeee; border-radius: 2px; vertical-align: middle; overflow: hidden; }
    .bar span { display: block; height: 100%; }
    .badge { display: inline-block; min-width: 22px; padding: 1px 5px; border-radius: 11px; background: var(--accent); color: #ffffff; text-align: center; font-weight: 700; font-size: 12px; }
    .id { color: var(--muted); font-size: 12px; }
    .reasons table { width: auto; min-width: 60%; }
    .zones .table-wrap { max-height: 720px; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
    .plan .table-wrap { max-height: 460px; overflow-y: auto; }
    dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
    dt { font-weight: 600; }
    dd { margin: 0; }
    .sources li { margin: 3px 0; }
    .licence { color: var(--muted); font-size: 13px; }
    footer { margin-top: 36px; padding-top: 10px; border-top: 1px solid var(--line); font-size: 12px; color: var(--muted); }
    @media (max-width: 900px) { .map-wrap { flex-direction: column; } .legend { flex-basis: auto; } .plan-grid { grid-template-columns: 1fr; } }
    @media print { .toggles { display: none; } .zones .table-wrap, .plan .table-wrap { max-height: none; overflow: visible; } body { max-width: none; } }

    """
}
