# TAP helpers for the shell tests (sourced): ok and no count checks ("ok N -
# ..." / "not ok N - ...", tests/run.sh adds them up; no sets fail=1 for the
# script's exit status), a scratch directory $tmp removed on exit, and
#   expect STATUS DESCRIPTION CMD...  run CMD (stdout in $out, stderr in
#                                     $err): ok if it exits STATUS and no
#                                     sanitizer reported (make check SAN=1)
#   has FILE TEXT DESCRIPTION        ok if FILE holds TEXT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
tmp=$(mktemp -d)
out=$tmp/stdout
err=$tmp/stderr
trap 'rm -rf "$tmp"' EXIT
# A sanitizer's report exits 1 like a rejection: look for it.
sanitized() { grep -Eq "ERROR: (Address|Leak|Memory)Sanitizer|runtime error: " "$err"; }
expect() {
    want=$1; what=$2; shift 2
    "$@" >"$out" 2>"$err"
    got=$?
    if sanitized; then
        no "$what (a sanitizer report: $(grep -Em1 "Sanitizer|runtime error" "$err"))"
    elif [ "$got" -eq "$want" ]; then ok "$what"
    else no "$what (exit $got, wanted $want: $(tail -1 "$err"))"; fi
}
has() {
    if grep -q -- "$2" "$1"; then ok "$3"; else no "$3 ('$2' not in $1)"; fi
}
