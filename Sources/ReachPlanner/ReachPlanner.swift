// The ReachPlanner module: see ReachPlanner.docc.
