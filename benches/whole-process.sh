#!/bin/sh
# Whole-process figures for BENCHMARKS.md: `audit` on generated cluster dumps next to
# parse-only of the same file, with peak RSS, and `convert` of the shared PSP corpus with every
# target. Release build; one run each. Throughput is the dump's size over the process's CPU time
# (user + system), which a shared machine disturbs far less than wall time; wall seconds are shown
# beside it.
#
#   benches/whole-process.sh                 # 10k, 100k and 1M pods
#   PODS="10000" benches/whole-process.sh    # quicker
#   PODS="" benches/whole-process.sh         # convert only
#
# Dumps are kubectl-style JSON Lists (pretty-printed); the 1M-pod dump is one compact JSON
# document per object (`gen-dump --docs`), which keeps it near 2 GB instead of 5 GB of disk.
set -eu
cd "$(dirname "$0")/.."
PODS="${PODS-10000 100000 1000000}"
WORK="${WORK:-${TMPDIR:-/tmp}/podsec-bench}"
SHARED="${PODSEC_SHARED:-../shared}"
TARGET="${CARGO_TARGET_DIR:-target}"
mkdir -p "$WORK"
cargo build --release --quiet --bin podsec-migrate --example gen-dump --example parse-only
BIN="$TARGET/release/podsec-migrate"
GEN="$TARGET/release/examples/gen-dump"
PARSE="$TARGET/release/examples/parse-only"

# Runs a command with its output discarded; prints "cpu-seconds peak-KiB wall-seconds".
measure() {
    /usr/bin/time -f "%U %S %M %e" "$@" >/dev/null 2>"$WORK/time" || true
    tail -n 1 "$WORK/time" | awk '{ printf "%.2f %s %s\n", $1 + $2, $3, $4 }'
}

# MB/s of a file of $1 bytes read in $2 seconds.
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / (s > 0 ? s : 0.001) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

echo "| dump | size | serde_json, validate only | serde_json, into Value | loader parse-only | audit --level restricted | peak RSS | audit --plan auto | peak RSS |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $PODS; do
    for format in json yaml; do
        if [ "$format" = yaml ] && [ "$n" -gt 100000 ]; then continue; fi
        layout=""
        [ "$n" -ge 1000000 ] && layout="--docs"
        dump="$WORK/dump-$n.$format"
        "$GEN" --pods "$n" --format "$format" $layout >"$dump"
        bytes=$(wc -c <"$dump")
        serde="-"; value="-"
        if [ "$format" = json ]; then
            set -- $(measure "$PARSE" serde "$dump"); serde="$(rate "$bytes" "$1") MB/s"
            set -- $(measure "$PARSE" value "$dump"); value="$(rate "$bytes" "$1") MB/s"
        fi
        set -- $(measure "$PARSE" load "$dump"); load="$(rate "$bytes" "$1") MB/s"
        set -- $(measure "$BIN" audit --level restricted "$dump"); level="$(rate "$bytes" "$1") MB/s ($3 s wall)"; level_rss="$(mib "$2") MiB"
        set -- $(measure "$BIN" audit --plan auto --format json "$dump"); plan="$(rate "$bytes" "$1") MB/s ($3 s wall)"; rss="$(mib "$2") MiB"
        echo "| $n pods, $format ${layout:-List} | $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB", b / 1e6 }') | $serde | $value | $load | $level | $level_rss | $plan | $rss |"
        rm -f "$dump"
    done
done

if [ -d "$SHARED/corpus/psp" ]; then
    # The corpus once (54 PSPs) and twice over (108 PSPs, the second copy renamed), so the
    # figure for a 100-PSP cluster is measured, not extrapolated.
    rm -rf "$WORK/corpus-twice"
    mkdir -p "$WORK/corpus-twice"
    cp -r "$SHARED/corpus/psp" "$WORK/corpus-twice/a"
    cp -r "$SHARED/corpus/psp" "$WORK/corpus-twice/b"
    echo
    for input in "$SHARED/corpus/psp" "$WORK/corpus-twice"; do
        best=""; wall=""
        for _ in 1 2 3 4 5; do
            rm -rf "$WORK/convert-out"
            set -- $(measure "$BIN" convert "$input" --rename-duplicates --out "$WORK/convert-out")
            best=$(awk -v a="$best" -v b="$1" 'BEGIN { print (a == "" || b < a) ? b : a }')
            wall=$(awk -v a="$wall" -v b="$3" 'BEGIN { print (a == "" || b < a) ? b : a }')
        done
        echo "convert $input (every target), whole process: best of 5 $(awk -v s="$best" 'BEGIN { printf "%.0f ms", s * 1000 }') CPU, $(awk -v s="$wall" 'BEGIN { printf "%.0f ms", s * 1000 }') wall, peak RSS $(mib "$2") MiB"
    done
else
    echo "SKIPPED convert: no $SHARED/corpus/psp (set PODSEC_SHARED)"
fi
