#!/bin/sh
# peers.sh - run the Python peers of make bench: the tools people use today
# (../shared/peers, see its README.md), so that run_bench can print ratios
# measured in the same run. (The C floor, peers/limit/mm1.c, is built and
# run by run_bench itself, alternating with its own DES runs.)
#
#   bench/peers.sh [PEERS_DIR [BUILD_DIR]]    (defaults ../shared/peers, build)
#
# Prints the peers' own "name value unit" lines; lines starting with '#'
# are notes. A missing folder or Python package is a note, never an error:
# the figures of that peer are simply absent. The peers' stderr goes to
# BUILD_DIR/bench_peers.log.
#
# Time budget: make bench must finish in five minutes on 2 shared cores.
# hw_statsmodels.py with --variants hw_fixinit,ses,snaive fits at every
# 60th origin in 2 to 4 minutes (the default hw variant takes over an hour
# and is not run), so it fits at every 180th (56 origins, the same figures
# per fit, about a minute); classic_lr.py runs with 40 timing repetitions
# and without its accuracy pass (about 20 s); SimPy with 200000 customers.
# BENCH_PEERS_QUICK=1 fits Holt-Winters at 17 origins (--origin-stride 600).
# BENCH_PYTHON replaces /usr/bin/python3.

PEERS=${1:-../shared/peers}
BUILD=${2:-build}
PY=${BENCH_PYTHON:-/usr/bin/python3}  # the peers need Debian's python3 packages
LOG="$BUILD/bench_peers.log"
mkdir -p "$BUILD"
: >"$LOG"

if [ ! -d "$PEERS" ]; then
    echo "# peers: $PEERS not found; no side-by-side figures (keep the shared folder beside the project as ../shared)"
    exit 0
fi

has_py() { # has_py MODULE...: all importable by /usr/bin/python3
    [ -x "$PY" ] || return 1
    for m in "$@"; do
        "$PY" -c "import $m" 2>/dev/null || return 1
    done
    return 0
}

now() { date +%s.%N; }

# run_peer LABEL MODULES -- COMMAND...
run_peer() {
    label=$1
    mods=$2
    shift 3
    # shellcheck disable=SC2086 # a list of modules, split on purpose
    if ! has_py $mods; then
        echo "# peers: $label skipped: python3 modules missing ($mods); run 'make bench-deps'"
        return
    fi
    echo "# peers: running $label: $*"
    t0=$(now)
    "$PY" "$@" 2>>"$LOG"
    rc=$?
    t1=$(now)
    echo "# peers: $label exit $rc, $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", b - a}') s"
}

STRIDE=180
[ "${BENCH_PEERS_QUICK:-0}" = 1 ] && STRIDE=600

run_peer zscore_pandas "numpy pandas" -- "$PEERS/zscore_pandas.py"
if has_py SimPy; then ENGINES=simpy2,heap; else ENGINES=heap; fi
if has_py simpy; then ENGINES=$ENGINES,simpy4; fi
run_peer mmc_simpy "numpy" -- "$PEERS/mmc_simpy.py" --customers 200000 --engines "$ENGINES"
run_peer classic_lr "numpy pandas sklearn" -- "$PEERS/classic_lr.py" --ns 100,1000 --reps 40 --no-accuracy
run_peer hw_statsmodels "numpy pandas statsmodels" -- \
    "$PEERS/hw_statsmodels.py" --variants hw_fixinit,ses,snaive --origin-stride "$STRIDE"

exit 0
