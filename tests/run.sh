#!/bin/sh
# Run every test binary given on the command line.  Each one prints TAP
# ("ok N - name" / "not ok N - name"); a binary that crashes or exits non-zero
# without reporting a failure counts as one failed test.  Ends with the line
#   TOTAL: N passed, N failed
# and exits non-zero if anything failed.
passed=0
failed=0
export CMOCKA_MESSAGE_OUTPUT=TAP
for t in "$@"; do
    name=$(basename "$t")
    echo "# --- $name"
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | grep -c '^ok ')
    f=$(printf '%s\n' "$out" | grep -c '^not ok ')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $name exited with status $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "TOTAL: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
