#!/bin/sh
# End-to-end checks of the zkm command: exit statuses, --help, --json, and
# proof files.  TAP output; needs ZKM (path to the binary) and jq-free JSON
# checks with grep.
ZKM=${ZKM:-build/zkm}
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }
expect() { # expect STATUS DESCRIPTION CMD...
    want=$1; what=$2; shift 2
    "$@" >/tmp/zkm-cli-out.$$ 2>/tmp/zkm-cli-err.$$
    got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"; else no "$what (exit $got, wanted $want)"; fi
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" /tmp/zkm-cli-out.$$ /tmp/zkm-cli-err.$$' EXIT

expect 0 "zkm --help" "$ZKM" --help
expect 2 "zkm without a command" "$ZKM"
expect 2 "unknown command" "$ZKM" frobnicate
expect 0 "zkm demo --help" "$ZKM" demo --help
grep -q "usage: zkm demo" /tmp/zkm-cli-out.$$ && ok "demo --help prints usage" || no "demo --help prints usage"
expect 2 "demo with an unknown option" "$ZKM" demo --bogus
expect 2 "demo --size out of range" "$ZKM" demo --size 99
expect 2 "demo --size not a number" "$ZKM" demo --size 1x
expect 2 "demo --seed without a value" "$ZKM" demo --seed
expect 0 "demo --json --size 8 --out DIR" "$ZKM" demo --json --size 8 --out "$tmp"
grep -q '"accepted":true' /tmp/zkm-cli-out.$$ && ok "demo --json reports acceptance" || no "demo --json reports acceptance"
[ "$(wc -l </tmp/zkm-cli-out.$$)" -eq 1 ] && ok "demo --json prints one line" || no "demo --json prints one line"
[ -s "$tmp/dense.zkp" ] && [ -s "$tmp/random.zkp" ] && ok "proof files written" || no "proof files written"
head -c 8 "$tmp/dense.zkp" | grep -q ZKMPROOF && ok "proof file starts with the magic" || no "proof file starts with the magic"
[ -z "$(find "$tmp" -name '*.tmp-*')" ] && ok "no temporary files left" || no "no temporary files left"
expect 2 "demo --out to a missing directory" "$ZKM" demo --size 4 --out "$tmp/missing/dir"
[ ! -e "$tmp/missing" ] && ok "nothing created for a failed write" || no "nothing created for a failed write"
echo "1..$n"
exit $fail
