#!/usr/bin/env bash
# Plants each fault of Documentation/testing.md in a COPY of the repository, runs the tests
# that must catch it, and reports CAUGHT or MISSED. Exits non-zero when any fault is missed,
# when a fault no longer applies (its line changed: update the table), or when the unplanted
# copy does not pass the same tests.
#
#   scripts/plant-faults.sh            # every fault
#   scripts/plant-faults.sh a c        # only faults a and c
#
# PLANT_FAULTS_FILTER=REGEX runs that filter for every fault instead of the table's (e.g. to show
# which faults older tests miss: PLANT_FAULTS_FILTER='CoverageSetsTests|SiteReachMatrixTests').
#
# The copy lives in $REACH_FAULTS_DIR (default: /tmp/reach-plant-faults); its .build is kept
# between runs, so only the first run builds from scratch. Each fault is planted, tested and
# then reverted by restoring the pristine file, so the next build is incremental.
set -u
cd "$(dirname "$0")/.."
repo=$(pwd)
copy=${REACH_FAULTS_DIR:-/tmp/reach-plant-faults}
swift=${SWIFT:-swift}

# id # file # sed expression (sed -E) # swift test --filter (a regular expression: A|B) # what it is
# (fields are separated by '#', which none of them contains)
faults=(
  "a#Sources/ReachGeo/Coverage/CoverageAnalysis.swift#s/m <= standard\.maxMinutes/m < standard.maxMinutes/#BoundaryCoverageTests#coverage report: within_time strict at max_minutes"
  "b#Sources/ReachGeo/Coverage/CoverageSets.swift#s/let inTime = useTime && m <= limitMinutes/let inTime = useTime \&\& m < limitMinutes/#BoundaryCoverageTests#planner pairs without roads: time strict at the limit"
  "c#Sources/ReachGeo/Reachability/SiteReachMatrix.swift#s/if total <= limitSeconds, total < \.infinity \{ found/if total < limitSeconds, total < .infinity { found/#BoundaryCoverageTests#coverage matrix: road time strict at the limit"
  "d#Sources/ReachGeo/Coverage/CoverageSets.swift#s/standard\.isCovered\(withinRadius: inRadius, withinTime: inTime\)/(inRadius \|\| inTime)/#BoundaryCoverageTests#planner pairs ignore the rule (both becomes either)"
  "d2#Sources/ReachGeo/Coverage/CoverageSets.swift#0,/standard\.isCovered\(withinRadius: inRadius, withinTime: inTime\)/s//(inRadius || inTime)/#BoundaryCoverageTests#planner pairs with roads ignore the rule (roads branch only)"
  "e#Sources/ReachGeo/Coverage/CoverageAnalysis.swift#s/d <= standard\.radiusMeters/d < standard.radiusMeters/#BoundaryCoverageTests#coverage report: within_radius strict at radius_m"
  "f#Sources/ReachGeo/Coverage/CoverageSets.swift#s/let inRadius = useRadius && d <= radius/let inRadius = useRadius \&\& d < radius/#BoundaryCoverageTests#planner pairs without roads: radius strict"
  "g#Sources/ReachGeo/Reachability/FastestIntakeSearch.swift#s/if total <= limitSeconds, total < \.infinity \{ out/if total < limitSeconds, total < .infinity { out/#FastestIntakeSearchTests|BoundaryCoverageTests#fastest intake (coverage report times): limit strict"
  "h#Sources/ReachGeo/Snapping/EdgeSnapper.swift#s/guard distance <= maxDistanceMeters else/guard distance < maxDistanceMeters * 0.99 else/#EdgeSnapperTests|BoundaryCoverageTests#snapping tolerance 1 % short of max_snap_m"
  "i#Sources/ReachPlanner/Staffing/ErlangQueue.swift#s/for k in 1\.\.\.c \{/for k in 1..<c {/#ErlangQueueTests#Erlang B recurrence one server short (Erlang C off by one)"
  "j#Sources/ReachPlanner/Solvers/LagrangianBound.swift#s/return Result\(bound: min\(bestBound, total\), bestChosen: bestChosen, bestCoverage: bestCoverage, iterations: iteration\)/return Result(bound: min(bestBound, total) * 0.999, bestChosen: bestChosen, bestCoverage: bestCoverage, iterations: iteration)/#SolverPropertyTests|HandSolvedTests#Lagrangian upper bound 0.1 % below its value (can fall below the optimum)"
  "k#Sources/ReachGeo/Coverage/CoverageSets.swift#s/else \{ m = max\(limitMinutes, meters\(g\) \* detour \/ metersPerMinute\) \}/else { m = meters(g) * detour \/ metersPerMinute }/#BoundaryCoverageTests#radius-only pair minutes may fall below the limit (tie-break)"
  "l#Sources/ReachGeo/Output/CoverageOutputs.swift#s/appendFixed\(o\.distanceMeters, decimals: 1,/appendFixed(o.distanceMeters, decimals: 2,/#GoldenOutputTests#residents.csv distance_m printed with one more decimal"
  "m#Sources/ReachGeo/Coverage/CoverageAnalysis.swift#s/minutes\[i\] = n\.distanceMeters \* detourFactor \/ metersPerMinute/minutes[i] = n.distanceMeters \/ detourFactor \/ metersPerMinute/#GoldenOutputTests#no-roads estimate divides by the detour factor instead of multiplying"
  "n#Sources/ReachGeo/Coverage/ServiceStandard.swift#s/case \.both: return withinRadius \&\& withinTime/case .both: return withinRadius || withinTime/#BoundaryCoverageTests#rule both decided as either everywhere (report and planner)"
)

wanted=("$@")
selected() {
  [ ${#wanted[@]} -eq 0 ] && return 0
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}

echo "copy: $copy"
mkdir -p "$copy"
# Refresh the copy from the working tree (tracked and untracked files, not ignored ones),
# keeping only its .build.
find "$copy" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar -c --null -T - -f - | tar -x -C "$copy" -f - || exit 2
cd "$copy"
# tar restores the files' old modification times, and the Swift driver recompiles only files newer
# than its last build: touch every file a fault plants, so none keeps an object built planted.
for f in "${faults[@]}"; do IFS='#' read -r id file rest <<< "$f"; touch "$file"; done

log=$copy/.plant-faults.log
: > "$log"
run_tests() {  # filter → status of `swift test --filter`; its output in $copy/.plant-faults.last
  "$swift" test --filter "$1" > "$copy/.plant-faults.last" 2>&1
  local status=$?
  cat "$copy/.plant-faults.last" >> "$log"
  return $status
}

# The unplanted copy must pass every filter used below (else CAUGHT would mean nothing).
filters=""
for f in "${faults[@]}"; do
  IFS='#' read -r id file expr filter what <<< "$f"
  filter=${PLANT_FAULTS_FILTER:-$filter}
  selected "$id" || continue
  filters="${filters:+$filters|}$filter"
done
echo "baseline: swift test --filter '$filters' (unplanted)"
if ! run_tests "$filters"; then
  echo "BASELINE FAILS: the unplanted copy does not pass; see $log"
  exit 2
fi

missed=0
for f in "${faults[@]}"; do
  IFS='#' read -r id file expr filter what <<< "$f"
  filter=${PLANT_FAULTS_FILTER:-$filter}
  selected "$id" || continue
  cp "$file" "$file.pristine"
  sed -E -i "$expr" "$file"
  if cmp -s "$file" "$file.pristine"; then
    printf '%-2s NOT APPLIED  %-60s (%s: pattern not found)\n' "$id" "$what" "$file"
    missed=$((missed + 1))
    cp "$file.pristine" "$file"; rm "$file.pristine"; touch "$file"
    continue
  fi
  echo "=== fault $id: $what" >> "$log"
  diff -u "$file.pristine" "$file" >> "$log"
  start=$(date +%s)
  if run_tests "$filter"; then
    result=MISSED; missed=$((missed + 1))
  elif ! grep -q "Compiling [A-Za-z]* $(basename "$file")" "$copy/.plant-faults.last"; then
    # The planted file must have been recompiled, else the run says nothing about this fault.
    result="NOT REBUILT"; missed=$((missed + 1))
  else
    # A build failure is not a catch: the planted code must compile.
    if grep -Eq '\.swift:[0-9]+:[0-9]+: error:' "$copy/.plant-faults.last" && ! grep -q '✘' "$copy/.plant-faults.last"; then
      result="BUILD FAILED"; missed=$((missed + 1))
    else
      result=CAUGHT
    fi
  fi
  # Restore with a new modification time (see above), so the next build recompiles it.
  cp "$file.pristine" "$file"; rm "$file.pristine"; touch "$file"
  printf '%-2s %-12s %-72s [%s, %ss]\n' "$id" "$result" "$what" "$filter" "$(( $(date +%s) - start ))"
done
# The copy must pass again once every fault is reverted (no planted object left behind).
if ! run_tests "$filters"; then
  echo "THE REVERTED COPY FAILS: a planted fault outlived its revert; see $log"
  exit 2
fi
echo "log: $log"
if [ $missed -gt 0 ]; then
  echo "$missed fault(s) not caught"
  exit 1
fi
echo "every planted fault was caught"
