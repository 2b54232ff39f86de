#!/usr/bin/env python3
"""fronts.py - compare two policies' cost-versus-violation fronts.

    python3 bench/fronts.py RESULTS.h5 [MORE.h5 ...] [A [B]] [--cost COLUMN]

Reads the summary of each results file through `simrun show --csv` (no
Python HDF5 needed). The runs of a policy are those named A or A.pNNN (the
points of a [sweep]); A defaults to predictive, B to hpa. Each policy's
front is its Pareto set in (violation seconds, cost), cost_infra by default
(the SLO penalty is a function of the violation seconds, so cost_total would
count them twice; --cost cost_total compares totals). Between two points a
front is the straight line joining them (running each point's policy for
part of the time reaches it).

Printed, for every point of A's front:
  - the cost ratio A / B at equal violation (B's front read at A's
    violation seconds; "-" where B's front does not reach them);
  - the violation ratio A / B at equal cost (B's front read at A's cost);
then the same two ratios over the range both fronts cover (min, median
and max over the points of either front inside it), and A's cost at the
oracle's violation seconds against the oracle's cost (the run of kind
oracle), if A's front reaches them.
Exit status 0; 2 for a bad command line or a file simrun cannot read.
"""
import csv
import io
import os
import subprocess
import sys


def load(files, simrun):
    rows = []
    for f in files:
        p = subprocess.run([simrun, "show", f, "--csv"], capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
            sys.exit(2)
        rows += [r for r in csv.DictReader(io.StringIO(p.stdout)) if r.get("kind")]
    return rows


def points(rows, name, cost):
    return [(float(r["slo_violation_s"]), float(r[cost]), r["run"]) for r in rows
            if r["run"] == name or r["run"].startswith(name + ".")]


def pareto(pts):
    """Points no other point beats on both axes, by increasing violation."""
    front, best = [], float("inf")
    for v, c, n in sorted(pts, key=lambda q: (q[0], q[1])):
        if c < best:
            front.append((v, c, n))
            best = c
    return front


def read(front, x, xi, yi):
    """The front's y at x (axis xi), on the line between two points; None
    outside the front's range."""
    s = sorted(front, key=lambda q: q[xi])
    if not s or x < s[0][xi] or x > s[-1][xi]:
        return None
    for a, b in zip(s, s[1:]):
        if a[xi] <= x <= b[xi]:
            if b[xi] == a[xi]:
                return min(a[yi], b[yi])
            t = (x - a[xi]) / (b[xi] - a[xi])
            return a[yi] + t * (b[yi] - a[yi])
    return s[-1][yi]


def summary(fa, fb, a, b):
    """The fronts as curves on their common range: at every point of
    either front inside it, the ratio of A's front to B's."""
    for name, xi, yi in (("cost at equal violation", 0, 1), ("violation at equal cost", 1, 0)):
        xs = sorted({q[xi] for q in fa + fb})
        rs = []
        for x in xs:
            ya, yb = read(fa, x, xi, yi), read(fb, x, xi, yi)
            if ya is not None and yb is not None and yb > 0:
                rs.append((ya / yb, x))
        if not rs:
            print("%s: the fronts share no range" % name)
            continue
        rs.sort()
        print("%s, %s / %s over %.4g..%.4g: min %.3f (at %.4g), median %.3f, max %.3f (at %.4g)"
              % (name, a, b, min(x for _, x in rs), max(x for _, x in rs), rs[0][0],
                 rs[0][1], rs[len(rs) // 2][0], rs[-1][0], rs[-1][1]))


def main(argv):
    cost = "cost_infra"
    args = []
    it = iter(argv)
    for a in it:
        if a == "--cost":
            cost = next(it, None)
            if cost is None:
                sys.exit("fronts.py: --cost needs a column name")
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    files = [a for a in args if a.endswith(".h5")]
    names = [a for a in args if not a.endswith(".h5")]
    if not files or len(names) > 2:
        sys.stderr.write("usage: fronts.py RESULTS.h5 [MORE.h5 ...] [A [B]] [--cost COLUMN]\n")
        return 2
    a = names[0] if names else "predictive"
    b = names[1] if len(names) > 1 else "hpa"
    simrun = os.environ.get("SIMRUN", "bin/simrun")
    rows = load(files, simrun)
    if rows and cost not in rows[0]:
        sys.stderr.write("fronts.py: no column %s\n" % cost)
        return 2
    fa, fb = pareto(points(rows, a, cost)), pareto(points(rows, b, cost))
    if not fa or not fb:
        sys.stderr.write("fronts.py: no runs named %s\n" % (a if not fa else b))
        return 2
    for name, fr in ((a, fa), (b, fb)):
        print("%s front (violation s, %s): %s" % (name, cost, "  ".join(
            "%.0f %.2f" % (v, c) for v, c, _ in fr)))
    print("%-22s %10s %10s %18s %18s" % ("point of " + a, "viol s", cost, "cost vs " + b,
                                          "violation vs " + b))
    for v, c, n in fa:
        cb = read(fb, v, 0, 1)
        vb = read(fb, c, 1, 0)
        if vb is None:
            vr = "-"
        elif vb > 0:
            vr = "%.3f" % (v / vb)
        else:
            vr = "0 vs 0" if v == 0 else "%.0f s vs 0" % v
        print("%-22s %10.0f %10.2f %18s %18s" % (n, v, c, "%.3f" % (c / cb) if cb else "-", vr))
    summary(fa, fb, a, b)
    orc = [(float(r["slo_violation_s"]), float(r[cost])) for r in rows if r["kind"] == "oracle"]
    if orc:
        vo, co = orc[0]
        ca = read(fa, vo, 0, 1)
        if ca is None and vo > fa[-1][0]:
            ca = fa[-1][1]  # past the front's end: its cheapest point does as well
        if ca is None:
            print("oracle: %.0f s at %.2f; %s's front does not reach %.0f s (least %.0f s at "
                  "%.2f, %.3fx the oracle's cost)" % (vo, co, a, vo, fa[0][0], fa[0][1],
                                                     fa[0][1] / co))
        else:
            print("oracle: %.0f s at %.2f; %s at %.0f s: %.2f (%.3fx)" % (vo, co, a, vo, ca,
                                                                          ca / co))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
