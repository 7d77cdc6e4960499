#!/bin/bash
# Instructions a scorer callback costs beyond the host's function, counted by
# callgrind (deterministic, where the ns of prune_c_bench move with the
# machine's load): a session whose 64 scorers are callbacks against the same
# session with the values pushed before each step, 200 steps each.
#
#   overhead = (Ir inside gi_run, callbacks - Ir inside gi_step, pushed
#               - Ir of the host functions) / (64 x 200)
#
# The push calls are outside gi_step, so (as in prune_c_bench callbacks) the
# overhead includes checking the values the callback wrote and an
# embedding's 1/norm, which a push does in gi_push_*.
# Needs valgrind (apt-get install valgrind) and build/prune_c_bench (make bench).
# Run: bench/c/callback_instructions.sh [path/to/prune_c_bench]
set -euo pipefail
bench=${1:-build/prune_c_bench}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ir() { # total Ir of a callgrind file
    callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
host_ir() { # inclusive Ir of the host function $2 (its memcpy included)
    callgrind_annotate --threshold=100 --inclusive=yes "$1" 2>/dev/null |
        awk -v f="$2" '$0 ~ ("[ :]" f "( |$)") { gsub(",", "", $1); print $1; found = 1 } END { if (!found) print 0 }' |
        sed -n 1p
}
echo "Instructions per scorer callback beyond the host's function (callgrind; 64 scorers x 200 steps)"
printf '%-10s %4s %4s %14s %10s %8s %10s\n' kind n dim "callbacks Ir" "pushed Ir" "host Ir" overhead
for shape in "16 8" "4 1"; do
    set -- $shape
    for kind in unary embedding pairwise; do
        valgrind --tool=callgrind --toggle-collect=gi_run --callgrind-out-file="$out/cb" \
            "$bench" session "$kind" "$1" "$2" callbacks > /dev/null 2>&1
        valgrind --tool=callgrind --toggle-collect=gi_step --callgrind-out-file="$out/push" \
            "$bench" session "$kind" "$1" "$2" pushed > /dev/null 2>&1
        cb=$(ir "$out/cb") push=$(ir "$out/push") host=$(host_ir "$out/cb" "${kind}_fn")
        calls=$((64 * 200))
        printf '%-10s %4s %4s %14d %10d %8d %10d\n' "$kind" "$1" "$2" $((cb / calls)) $((push / calls)) \
            $((host / calls)) $(((cb - push - host) / calls))
    done
done
