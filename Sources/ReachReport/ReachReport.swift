// The ReachReport module: self-contained HTML map reports.
