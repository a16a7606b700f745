#!/bin/sh
# Run every test binary given on the command line.  Each one prints TAP
# ("ok N - name" / "not ok N - name", a plan "1..N", "# skip ..." lines).
# Counted as failures as well: a program that exits non-zero without
# reporting a failure, one whose results do not add up to its plan (it
# stopped early), and one that runs past 15 minutes.  Ends with the line
#   TOTAL: N passed, N failed
# (and the number of skipped checks, if any), and exits non-zero if anything
# failed.
passed=0
failed=0
skipped=0
export CMOCKA_MESSAGE_OUTPUT=TAP
for t in "$@"; do
    name=$(basename "$t")
    echo "# --- $name"
    out=$(timeout 900 "$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    s=$(printf '%s\n' "$out" | grep -c '^# skip')
    plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' | tail -n 1)
    if [ -z "$plan" ] || [ $((p + f)) -ne "$plan" ]; then
        echo "not ok - $name: ${plan:-no} plan, $((p + f)) results"
        f=$((f + 1))
    elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    skipped=$((skipped + s))
done
if [ "$skipped" -gt 0 ]; then
    echo "# $skipped checks skipped (see the '# skip' lines above)"
fi
echo "TOTAL: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
