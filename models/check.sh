#!/usr/bin/env bash
# Verifies the SPIN model of the cross-service protocol (models/cross-service.pml):
#  1. the real model: no invalid end state or failed assertion, the safety claim 'safe', and the
#     liveness claim 'holds_end' (every hold ends): each must report "errors: 0". No fairness flag (-f):
#     every process of the model is finite (its loops consume bounded messages), so there is no cycle
#     to be unfair about, and pan -f does not extend a deadlocked end state by stuttering, which hides
#     a hold that never ends (the NEVER_EXPIRE_ALONE variant passes with -f and fails without it);
#     and the HEURISTIC outcome (a refused confirm after expiring alone) must be reachable;
#  2. every broken variant must FAIL its claim (a model that cannot fail proves nothing): the safety
#     claim for the protocol's rules, the liveness claim for a participant that never expires alone.
# Exits non-zero, naming the check, on any other outcome. Needs spin and gcc.
# MODEL_BRANCHES=3 verifies three participant services instead of two (up to 11M states, over 1 GB, minutes).
set -Eeuo pipefail
cd "$(dirname "$0")"

model=cross-service.pml
branches=${MODEL_BRANCHES:-2}
broken_variants=(PER_TRANSACTION_QUESTION NO_FENCE)

for tool in spin gcc; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "models/check.sh: '$tool' is not installed; install it (Debian: apt-get install -y $tool) and run again" >&2
    exit 2
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$model" "$work/"
cd "$work"

reproduce="reproduce: cd models && spin -a $model && gcc -o pan pan.c && ./pan -a -N <claim> && spin -t -p -g $model"
fail() { printf '\nMODEL CHECK FAILED: %s\n' "$*" >&2; exit 1; }

# builds pan for the given -D options (spin -a, then gcc with the given extra C flags)
build() {
  local cflags=$1; shift
  rm -f pan pan.* ./*.trail
  spin -a -DN="$branches" "$@" "$model" >spin.out 2>&1 || { cat spin.out >&2; fail "spin -a $* $model"; }
  # shellcheck disable=SC2086
  gcc -O2 -DNFAIR=3 $cflags -o pan pan.c 2>gcc.out || { cat gcc.out >&2; fail "gcc for $*"; }
}

# runs pan with the given options; prints its summary lines; sets $errors
errors=0
run() {
  local what=$1; shift
  local out
  out=$(./pan -w22 -m100000 "$@" 2>&1) || true
  printf '%s\n' "$out" >pan.out
  if grep -q 'max search depth too small' pan.out; then
    fail "$what: the search depth (-m) was too small, the result is incomplete"
  fi
  if ! grep -q 'errors: [0-9]' pan.out; then
    cat pan.out >&2
    fail "$what: pan did not report a result"
  fi
  errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out)
  printf '%-60s %s | %s\n' "$what" "$(grep 'errors:' pan.out)" "$(grep -m1 'states, stored' pan.out | sed 's/^ *//')"
}

# prints the end state of the error trail: what the broken variant did wrong
explain() {
  spin -t -g -DN="$branches" "$@" "$model" >replay.out 2>&1 || true
  local final
  final=$(grep -E '^\s+(bar|listed|dec|refused|cancelRefused|alone|confirmRuns|cancelRuns)(\[[0-9]\])? = ' replay.out \
    | tail -n 40 | sed 's/^\s*//' | tr '\n' ' ') || true
  printf '    error trail ends with: %s\n' "$final"
}

echo "== the cross-service model ($branches branches): must verify"
build "-DNOCLAIM"
run "assertions and end states (no claim)"
[ "$errors" = 0 ] || { explain; fail "the real model has an assertion violation or an invalid end state ($reproduce)"; }
build ""
run "safety: ltl safe" -a -N safe
[ "$errors" = 0 ] || { explain; fail "the real model violates the safety claim 'safe' ($reproduce)"; }
run "liveness: ltl holds_end (acceptance cycles)" -a -N holds_end
[ "$errors" = 0 ] || { explain; fail "the real model violates the liveness claim 'holds_end' ($reproduce)"; }
run "reachability: ltl never_heuristic (must find HEURISTIC)" -a -N never_heuristic
[ "$errors" != 0 ] || fail "HEURISTIC is unreachable: the model no longer lets a coordinator become unreachable"

echo "== broken variants: each must FAIL the safety claim"
for variant in "${broken_variants[@]}"; do
  build "" "-D$variant"
  run "broken -D$variant: ltl safe" -a -N safe
  if [ "$errors" = 0 ]; then
    fail "the broken variant -D$variant PASSES the safety claim: the model no longer catches that rule"
  fi
  explain "-D$variant"
done

echo "== broken variant: must FAIL the liveness claim"
build "" "-DNEVER_EXPIRE_ALONE"
run "broken -DNEVER_EXPIRE_ALONE: ltl holds_end" -a -N holds_end
if [ "$errors" = 0 ]; then
  fail "the broken variant -DNEVER_EXPIRE_ALONE PASSES the liveness claim: 'holds_end' no longer catches a hold that never ends"
fi
explain "-DNEVER_EXPIRE_ALONE"

echo "== model check passed"
