#!/bin/sh
# fronts.sh - the benchmark of the predictive policy's fronts (README,
# "The predictive policy"): each scenario below gets the same policies and
# [sweep] (hpa target 0.4..0.9 by 0.05 and predictive risk 0.1..100 by
# factors of 2, 11 points each, so that neither front is drawn from fewer
# points; aws_predictive target 0.4..0.9 by 0.1, the oracle), runs, and
# bench/fronts.py compares the predictive and the aws_predictive fronts
# with the HPA's. Usage: bench/fronts.sh [OUTDIR] (default build/fronts);
# SCENARIOS="nasa seasonal" limits the set (names from scenarios/, or paths
# of .ini files: bench/fronts_sports.ini, bench/fronts_social.ini and
# bench/fronts_serverless.ini are generated traces of three kinds the five
# do not cover); JOBS (default 2) runs at once; RISKS replaces the
# predictive policy's risk settings (a comma-separated list).
# About a minute of CPU for the five (72 s of wall time at -j 2 measured).
set -eu
out=${1:-build/fronts}
jobs=${JOBS:-2}
risks=${RISKS:-0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.3, 13, 25, 50, 100}
simrun=${SIMRUN:-bin/simrun}
root=$(pwd)
mkdir -p "$out"
for s in ${SCENARIOS:-nasa wikipedia seasonal flashcrowd onoff}; do
    # a name from scenarios/, or the path of a scenario file
    case $s in
    *.ini) src=$s; s=$(basename "$s" .ini) ;;
    *) src=scenarios/$s.ini ;;
    esac
    [ -f "$src" ] || { echo "fronts.sh: no $src" >&2; exit 2; }
    season=1d
    [ "$s" = wikipedia ] && season=1h
    ini=$out/$s.ini
    # the scenario without its policies and sweep, its trace path made absolute
    awk -v root="$root/$(dirname "$src")" '
        /^\[policy\./ || /^\[sweep\]/ { skip = 1; next }
        /^\[/ { skip = 0 }
        skip { next }
        /^file *=/ { sub(/= */, "= " root "/") }
        { print }' "$src" > "$ini"
    cat >> "$ini" <<EOT

[policy.hpa]
kind = hpa

[policy.predictive]
kind = predictive
season = $season

[policy.aws_predictive]
kind = aws_predictive
forecaster = holt_winters
season = $season

[policy.oracle]
kind = oracle

[sweep]
policy.hpa.target = 0.4:0.9:0.05
policy.predictive.risk = $risks
policy.aws_predictive.target = 0.4:0.9:0.1
EOT
    "$simrun" "$ini" -o "$out/$s.h5" --force --no-report -q -j "$jobs"
    echo "== $s: predictive against hpa"
    SIMRUN=$simrun python3 bench/fronts.py "$out/$s.h5" predictive hpa
    echo "== $s: aws_predictive against hpa"
    SIMRUN=$simrun python3 bench/fronts.py "$out/$s.h5" aws_predictive hpa
done
