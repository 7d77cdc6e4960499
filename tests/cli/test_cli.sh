#!/usr/bin/env bash
# The `qip` subcommand: solves shared instances to their certified optima and
# answers every malformed file with exit status 2 and one line naming the problem.
# usage: tests/cli/test_cli.sh PATH/TO/groupinference-cli
set -uo pipefail
cli=$1
here=$(cd "$(dirname "$0")/../.." && pwd)
instances=$here/Tests/Fixtures/qip-instances
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "test_cli: $*"; failures=$((failures + 1)); }

# Solved instances: JSON shape, sorted selection, objective = certified optimum.
for name in real_M16_K4_s0 real_M32_K4_s0 lam0_M64_K32_s0 real_M64_K8_s0; do
  for solver in auto heuristic exact; do
    out=$("$cli" qip "$instances/$name.json" --solver $solver --time-limit 30) || { fail "$name $solver exit $?"; continue; }
    python3 - "$instances/$name.json" "$out" "$solver" <<'PY' || fail "$name $solver: $out"
import json, sys
inst = json.load(open(sys.argv[1])); out = json.loads(sys.argv[2]); solver = sys.argv[3]
assert set(out) >= {"selection", "objective", "status", "gap", "seconds"}, out
sel = out["selection"]
assert sel == sorted(sel) and len(set(sel)) == inst["K"], sel
u, b, lam = inst["unary"], inst["binary"], inst["lambda"]
f = sum(u[i] for i in sel) + lam * sum(b[i][j] for a, i in enumerate(sel) for j in sel[a + 1:])
assert abs(f - out["objective"]) <= 1e-9 * max(1, abs(f)), (f, out["objective"])
assert out["status"] in ("optimal", "time_limit", "gap_limit", "heuristic")
if out["status"] == "optimal":
    assert out["gap"] == 0
if solver == "exact":
    assert out["status"] == "optimal", out
if inst["proven"]:
    assert abs(out["objective"] - inst["optimum"]) <= 1e-9 * abs(inst["optimum"]), out
PY
  done
done

# Malformed input: exit 2, exactly one line on stderr containing the expected words.
base=$instances/real_M16_K4_s0.json
mutate() { python3 -c "import json,sys; d=json.load(open('$base')); $1; sys.stdout.write(json.dumps(d))" > "$tmp/bad.json"; }
expect_bad() { # words, then arguments
  local words=$1; shift
  "$cli" "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
  [ $rc -eq 2 ] || { fail "'$*' exited $rc, wanted 2 ($(cat "$tmp/err"))"; return; }
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "'$*' wrote $(wc -l < "$tmp/err") lines to stderr"
  grep -q -- "$words" "$tmp/err" || fail "'$*': stderr '$(cat "$tmp/err")' lacks '$words'"
  [ ! -s "$tmp/out" ] || fail "'$*' wrote to stdout"
}
mutate 'del d["unary"]';                   expect_bad "missing field 'unary'" qip "$tmp/bad.json"
mutate 'del d["K"]';                       expect_bad "missing field 'K'" qip "$tmp/bad.json"
mutate 'd["unary"].pop()';                 expect_bad "unary has 15 values" qip "$tmp/bad.json"
mutate 'd["binary"].pop()';                expect_bad "binary has 15 rows" qip "$tmp/bad.json"
mutate 'd["binary"][3].append(0.5)';       expect_bad "binary\[3\] has 17 values" qip "$tmp/bad.json"
mutate 'd["binary"][2][5] += 0.1';         expect_bad "not symmetric" qip "$tmp/bad.json"
mutate 'd["binary"][4][4] = 0.3';          expect_bad "diagonal" qip "$tmp/bad.json"
mutate 'd["K"] = 17';                      expect_bad "K = 17" qip "$tmp/bad.json"
mutate 'd["K"] = 0';                       expect_bad "K = 0" qip "$tmp/bad.json"
mutate 'd["K"] = 2.5';                     expect_bad "K = 2.5 must be a whole number" qip "$tmp/bad.json"
mutate 'd["M"] = "sixteen"';               expect_bad "'M'" qip "$tmp/bad.json"
mutate 'd["lambda"] = None';               expect_bad "'lambda'" qip "$tmp/bad.json"
mutate 'd["unary"][3] = "x"';              expect_bad "unary" qip "$tmp/bad.json"
sed '0,/0\.[0-9]*/s//1e999/' "$base" > "$tmp/inf.json";  expect_bad "beyond float64" qip "$tmp/inf.json"
mutate 'd["unary"][2] = float("nan")';     expect_bad "unary\[2\] = nan is not finite" qip "$tmp/bad.json"
mutate 'd["binary"][1][2] = d["binary"][2][1] = float("inf")'; expect_bad "binary\[1\]\[2\] = inf is not finite" qip "$tmp/bad.json"
mutate 'd["lambda"] = float("-inf")';      expect_bad "lambda = -inf" qip "$tmp/bad.json"
printf '{"M": 2, ' > "$tmp/cut.json";      expect_bad "not valid JSON" qip "$tmp/cut.json"
printf '[1, 2]' > "$tmp/array.json";       expect_bad "wrong type" qip "$tmp/array.json"
: > "$tmp/empty.json";                     expect_bad "not valid JSON" qip "$tmp/empty.json"
expect_bad "cannot read" qip "$tmp/does-not-exist.json"
expect_bad "usage" nonsense
expect_bad "no instance file" qip
expect_bad "--solver fast" qip "$base" --solver fast
expect_bad "expected a number" qip "$base" --time-limit soon
expect_bad "time_limit" qip "$base" --time-limit -1
expect_bad "mip_gap" qip "$base" --gap 2
expect_bad "needs a value" qip "$base" --gap

# Help: exit 0 with the usage on stdout, with or without the subcommand.
for args in "--help" "-h" "qip --help"; do
  out=$("$cli" $args 2>/dev/null) && case "$out" in usage:*) ;; *) fail "'$args' printed '$out'";; esac \
    || fail "'$args' exited $?"
done

if [ $failures -gt 0 ]; then echo "test_cli: $failures failures"; exit 1; fi
echo "test_cli: all CLI checks passed"
