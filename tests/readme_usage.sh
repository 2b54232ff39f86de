#!/usr/bin/env bash
# readme_usage.sh - run the README's Usage commands in order, as a new user
# would after `make run`, in a fresh copy of the tracked files (so that no
# results/ or reports/ of this checkout help or get in the way). Each
# command must exit 0; the first that does not is printed with its output.
# Usage: tests/readme_usage.sh [SIMRUN]   (default bin/simrun, built)
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
simrun="$(cd "$root" && realpath "${1:-bin/simrun}")"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/readme_usage.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
# the tracked files (a fresh clone), or the folders the commands read
if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$tmp")
else
    (cd "$root" && cp -r --parents scenarios traces tests/quality tests/data README.md "$tmp")
fi
mkdir -p "$tmp/bin" && ln -s "$simrun" "$tmp/bin/simrun"
cd "$tmp" || exit 1
# the lines of the first ```sh block after "## Usage"
mapfile -t cmds < <(awk '/^## Usage/{u=1} u&&/^```sh/{b=1;next} b&&/^```/{exit} b' README.md)
[ "${#cmds[@]}" -ge 5 ] || { echo "readme_usage: no Usage block found in README.md"; exit 1; }
run() {
    local out rc
    out="$(bash -o pipefail -c "$1" 2>&1 </dev/null)"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        printf 'readme_usage: FAILED (exit %s): %s\n%s\n' "$rc" "$1" "$out" | head -40
        exit 1
    fi
}
run "bin/simrun --force scenarios/spike.ini -q"   # what `make run` runs
for c in "${cmds[@]}"; do
    run "$c"
done
echo "readme_usage: ${#cmds[@]} Usage commands ran in order"
