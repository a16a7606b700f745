#!/bin/sh
# End-to-end runs of the zkm command on the models of lang/examples, as a user
# runs them: for every example, check, run --seed 1, prove --seed 1 and
# verify --seed 1 exit 0 and their --json objects have the documented keys
# (zkm.1, "JSON OUTPUT") and agree with each other; then tampering on LeNet-5:
# flipped, truncated and emptied proof files, other weights, another input,
# another bit-width, a changed model file; weights from files (a directory of
# .npy files, a safetensors file) against the same weights seeded; failed
# writes of the proof file.
#
# TAP output ("ok N - ..." / "not ok N - ..."), counted by tests/run.sh.
# Needs ZKM (the binary; default build/zkm).  python3 (the standard library
# only) parses the JSON and writes .npy and safetensors files; without it the
# JSON is checked with grep and the weight-file tests are skipped, saying so.
ZKM=${ZKM:-build/zkm}
root=$(cd "$(dirname "$0")/.." && pwd)
case $ZKM in /*) ;; */*) ZKM=$(pwd)/$ZKM ;; esac
. "$root/tests/tap.sh"
# refused DESCRIPTION CMD...: exit 1 or 2 (a refusal), never a crash (>= 128)
refused() {
    what=$1; shift
    "$@" >"$out" 2>"$err"
    got=$?
    if sanitized; then
        no "$what (a sanitizer report: $(grep -Em1 "Sanitizer|runtime error" "$err"))"
    elif [ "$got" -eq 1 ] || [ "$got" -eq 2 ]; then ok "$what (exit $got)"
    else no "$what (exit $got, wanted 1 or 2)"; fi
}
now() { date +%s.%N 2>/dev/null || date +%s; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
t_start=$(now)

if python3 -c 'import json, struct, hashlib' >/dev/null 2>&1; then py=1; else py=0; fi

# ------------------------------------------------------------ JSON checks
# jkeys FILE KIND: FILE is one line holding one JSON object whose keys are
# exactly those zkm.1 documents for KIND.
cat >"$tmp/j.py" <<'EOF'
import json, sys
KEYS = {
    "check": {"model", "nodes", "params", "macs"},
    "run": {"model", "output", "values", "argmax"},
    "commit": {"model", "bits", "commitment", "key", "threads", "commit_s", "zkc_bytes",
               "tables", "values"},
    "prove": {"model", "proof", "mode", "threads", "prove_s", "witness_s", "proof_s",
              "commit_s", "proof_bytes", "argument_bytes", "commit_bytes", "advice_bytes",
              "output_bytes", "input_bytes", "output", "nodes"},
    "verify": {"model", "proof", "mode", "threads", "accepted", "verify_s", "weights_eval_s",
               "input_eval_s", "advice_eval_s", "commit_s", "proof_bytes", "output"},
    "reject": {"model", "proof", "mode", "threads", "accepted", "reason", "verify_s",
               "weights_eval_s", "input_eval_s", "advice_eval_s", "commit_s", "proof_bytes"},
}
cmd, path = sys.argv[1], sys.argv[2]
text = open(path).read()
assert text.count("\n") == 1 and text.endswith("\n"), "not exactly one line"
o = json.loads(text)
if cmd == "keys":
    want = KEYS[sys.argv[3]]
    assert set(o) == want, "keys %s, want %s" % (sorted(o), sorted(want))
    for k, v in o.items():
        if k.endswith("_s"):
            assert isinstance(v, (int, float)) and v >= 0, (k, v)
        if k.endswith("_bytes") or k in ("params", "macs", "argmax", "threads", "tables") or \
                (sys.argv[3] == "commit" and k == "values"):
            assert isinstance(v, int) and v >= 0, (k, v)
        if k == "output":
            assert isinstance(v, list) and v and all(isinstance(x, int) for x in v), (k, v)
    if sys.argv[3] == "prove":  # per node: the time proving its layers, within proof_s
        assert all(set(x) == {"node", "prove_s"} and x["prove_s"] >= 0 for x in o["nodes"])
        assert 0 < sum(x["prove_s"] for x in o["nodes"]) <= o["proof_s"], o["nodes"]
else:  # get KEY: the value as compact JSON
    print(json.dumps(o[sys.argv[3]], separators=(",", ":")))
EOF
jkeys() { # jkeys FILE KIND
    if [ $py -eq 1 ]; then
        python3 "$tmp/j.py" keys "$1" "$2" 2>"$tmp/jerr" && return 0
        tail -1 "$tmp/jerr"
        return 1
    fi
    [ "$(wc -l <"$1")" -eq 1 ] || { echo "not one line"; return 1; }
    case $2 in
    check) ks="model nodes params macs" ;;
    run) ks="model output values argmax" ;;
    commit) ks="model bits commitment key threads commit_s zkc_bytes tables values" ;;
    prove) ks="model proof mode threads prove_s witness_s proof_s commit_s proof_bytes argument_bytes commit_bytes advice_bytes output_bytes input_bytes output nodes" ;;
    verify) ks="model proof mode threads accepted verify_s weights_eval_s input_eval_s advice_eval_s commit_s proof_bytes output" ;;
    reject) ks="model proof mode threads accepted reason verify_s weights_eval_s input_eval_s advice_eval_s commit_s proof_bytes" ;;
    esac
    for k in $ks; do grep -q "\"$k\":" "$1" || { echo "no key $k"; return 1; }; done
    return 0
}
jget() { # jget FILE KEY: the value, compact (grep fallback: arrays and scalars)
    if [ $py -eq 1 ]; then
        python3 "$tmp/j.py" get "$1" "$2"
    else
        sed -n "s/.*\"$2\":\(\[[^]]*\]\|[^,}]*\).*/\1/p" "$1"
    fi
}

# ------------------------------------------------ every example, honestly
for f in "$root"/lang/examples/*.zkm; do
    b=$(basename "$f" .zkm)
    t0=$(now)
    expect 0 "$b: check" "$ZKM" check "$f"
    expect 0 "$b: check --json" "$ZKM" check "$f" --json
    r=$(jkeys "$out" check) && ok "$b: check --json keys" || no "$b: check --json keys: $r"
    model=$(jget "$out" model)
    [ "$model" = "\"$b\"" ] && ok "$b: the model is named $b" || no "$b: the model is named $b (got $model)"
    # the output node's frac, from the last node's format
    frac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["nodes"][-1]["format"].split(".")[1])' \
        "$out" 2>/dev/null)

    expect 0 "$b: run --seed 1" "$ZKM" run "$f" --seed 1
    grep -q "^argmax " "$out" && ok "$b: run prints the argmax" || no "$b: run prints the argmax"
    expect 0 "$b: run --seed 1 --json" "$ZKM" run "$f" --seed 1 --json
    r=$(jkeys "$out" run) && ok "$b: run --json keys" || no "$b: run --json keys: $r"
    run_out=$(jget "$out" output)
    if [ $py -eq 1 ] && [ -n "$frac" ]; then
        python3 -c '
import json, sys
o = json.load(open(sys.argv[1])); f = int(sys.argv[2])
q, v = o["output"], o["values"]
assert len(q) == len(v), "lengths"
assert all(x * 2.0 ** -f == y for x, y in zip(q, v)), "values are not output * 2^-frac"
assert o["argmax"] == q.index(max(q)), "argmax is not the first largest"
' "$out" "$frac" 2>"$tmp/jerr" && ok "$b: run --json values = output * 2^-$frac, argmax the first largest" ||
            no "$b: run --json values and argmax: $(tail -1 "$tmp/jerr")"
    fi

    zkp=$tmp/$b.zkp
    expect 0 "$b: prove --seed 1 --json" "$ZKM" prove "$f" --seed 1 -o "$zkp" --json
    r=$(jkeys "$out" prove) && ok "$b: prove --json keys" || no "$b: prove --json keys: $r"
    [ "$(jget "$out" proof)" = "\"$zkp\"" ] && ok "$b: prove --json names the proof file" ||
        no "$b: prove --json names the proof file"
    size=$(wc -c <"$zkp" 2>/dev/null || echo 0)
    [ "$(jget "$out" proof_bytes)" = "$((size))" ] && [ "$size" -gt 0 ] &&
        ok "$b: proof_bytes is the file's size ($((size)))" || no "$b: proof_bytes is the file's size"
    [ "$(jget "$out" output)" = "$run_out" ] && ok "$b: prove proves run's output" ||
        no "$b: prove proves run's output ($(jget "$out" output) vs $run_out)"
    prove_s=$(jget "$out" prove_s)
    [ -z "$(find "$tmp" -name '*.tmp-*')" ] && ok "$b: no temporary file left" || no "$b: no temporary file left"

    expect 0 "$b: verify --seed 1 --json" "$ZKM" verify "$f" "$zkp" --seed 1 --json
    r=$(jkeys "$out" verify) && ok "$b: verify --json keys" || no "$b: verify --json keys: $r"
    [ "$(jget "$out" accepted)" = true ] && ok "$b: verify --json accepted" || no "$b: verify --json accepted"
    [ "$(jget "$out" output)" = "$run_out" ] && ok "$b: verify returns run's output" ||
        no "$b: verify returns run's output"
    [ "$(jget "$out" proof_bytes)" = "$((size))" ] && ok "$b: verify --json proof_bytes" ||
        no "$b: verify --json proof_bytes"
    echo "# $b: check, run, prove (${prove_s:-?} s), verify ($(jget "$out" verify_s) s): $(elapsed "$t0") s"
done

# ------------------------------------------------ tampering, on LeNet-5
L=$root/lang/examples/lenet5.zkm
P=$tmp/lenet5.zkp
len=$(wc -c <"$P")
len=$((len))
expect 0 "lenet5: verify (the report)" "$ZKM" verify "$L" "$P" --seed 1
grep -q "^output " "$out" && ok "lenet5: verify prints the proven output" || no "lenet5: verify prints the proven output"
expect 0 "lenet5: verify --input-seed 1 (the input proven on)" "$ZKM" verify "$L" "$P" --seed 1 --input-seed 1

# flip FILE OFFSET OUT: OUT is FILE with byte OFFSET xor 0x41
flip() {
    v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    head -c "$2" "$1" >"$3"
    printf "\\$(printf %o $((v ^ 65)))" >>"$3"
    tail -c +$(($2 + 2)) "$1" >>"$3"
}
bad=$tmp/bad.zkp
for at in 0 5 12 44 300 900 $((len / 3)) $((len / 2)) $((len * 3 / 4)) $((len - 40)) $((len - 1)); do
    flip "$P" $at "$bad"
    if cmp -s "$P" "$bad" || [ "$(wc -c <"$bad")" -ne "$len" ]; then
        no "lenet5: byte $at flipped (the flip did not happen)"
        continue
    fi
    expect 1 "lenet5: byte $at flipped: rejected" "$ZKM" verify "$L" "$bad" --seed 1
    grep -q "^zkm verify: .*rejected: ." "$err" && ok "lenet5: byte $at flipped: the reason on stderr" ||
        no "lenet5: byte $at flipped: the reason on stderr"
done
flip "$P" $((len / 2)) "$bad"
expect 1 "lenet5: flipped proof, --json" "$ZKM" verify "$L" "$bad" --seed 1 --json
r=$(jkeys "$out" reject) && ok "lenet5: rejected --json keys (reason, no output)" || no "lenet5: rejected --json keys: $r"
[ "$(jget "$out" accepted)" = false ] && ok "lenet5: rejected --json says accepted false" ||
    no "lenet5: rejected --json says accepted false"

expect 1 "lenet5: verify with other weights (--seed 2)" "$ZKM" verify "$L" "$P" --seed 2
expect 1 "lenet5: verify with another input (--input-seed 2)" "$ZKM" verify "$L" "$P" --seed 1 --input-seed 2
grep -q "the proof is for another input" "$err" && ok "lenet5: says the proof is for another input" ||
    no "lenet5: says the proof is for another input ($(cat "$err"))"
expect 1 "lenet5: verify at another bit-width (--bits 12)" "$ZKM" verify "$L" "$P" --seed 1 --bits 12

# a copy of the model with one layer changed (still checks)
sed 's/fc2 = dense(fc1, 84) |> relu/fc2 = dense(fc1, 84)/' "$L" >"$tmp/lenet5_norelu.zkm"
sed 's/dense(fc1, 84)/dense(fc1, 83)/' "$L" >"$tmp/lenet5_83.zkm"
sed 's/relu |> maxpool(window=2)$/relu |> avgpool(window=2)/' "$L" >"$tmp/lenet5_avg.zkm"
for v in norelu 83 avg; do
    m=$tmp/lenet5_$v.zkm
    if cmp -s "$L" "$m"; then
        no "lenet5_$v: the edit changed nothing"
        continue
    fi
    expect 0 "lenet5_$v: the changed model checks" "$ZKM" check "$m"
    expect 1 "lenet5_$v: the proof is rejected for it" "$ZKM" verify "$m" "$P" --seed 1
done

# truncations: exit 1 (or 2), never a crash; an empty file; a file with a
# byte too many
for l in 0 1 3 4 7 8 12 40 43 44 52 53 100 836 837 844 845 900 $((len / 2)) $((len - 33)) $((len - 32)) $((len - 2)) $((len - 1)); do
    head -c "$l" "$P" >"$bad"
    refused "lenet5: proof cut to $l bytes" "$ZKM" verify "$L" "$bad" --seed 1
done
{ cat "$P"; printf '\0'; } >"$bad"
refused "lenet5: proof with a byte appended" "$ZKM" verify "$L" "$bad" --seed 1
refused "lenet5: a missing proof file" "$ZKM" verify "$L" "$tmp/none.zkp" --seed 1
refused "lenet5: a directory as the proof" "$ZKM" verify "$L" "$tmp" --seed 1
refused "lenet5: the model file as the proof" "$ZKM" verify "$L" "$L" --seed 1

# failed writes: exit 2, no file, no temporary file; an old proof survives a
# failed prove
expect 2 "prove -o into a missing directory" "$ZKM" prove "$L" --seed 1 -o "$tmp/missing/p.zkp"
[ ! -e "$tmp/missing" ] && ok "nothing created for it" || no "nothing created for it"
: >"$tmp/plain"
expect 2 "prove -o under a regular file" "$ZKM" prove "$L" --seed 1 -o "$tmp/plain/p.zkp"
[ -f "$tmp/plain" ] && [ ! -s "$tmp/plain" ] && ok "the file is untouched" || no "the file is untouched"
mkdir "$tmp/adir"
expect 2 "prove -o onto a directory" "$ZKM" prove "$L" --seed 1 -o "$tmp/adir"
[ -d "$tmp/adir" ] && [ -z "$(ls -A "$tmp/adir")" ] && ok "the directory is untouched" || no "the directory is untouched"
[ -z "$(find "$tmp" -name '*.tmp-*')" ] && ok "no temporary files left after failed writes" ||
    no "no temporary files left after failed writes: $(find "$tmp" -name '*.tmp-*')"
grep -q "^zkm prove: " "$err" && [ ! -s "$out" ] && ok "prove says why on stderr, nothing on stdout" ||
    no "prove says why on stderr, nothing on stdout"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    expect 2 "prove -o into a read-only directory" "$ZKM" prove "$L" --seed 1 -o "$tmp/ro/p.zkp"
    [ -z "$(ls -A "$tmp/ro")" ] && ok "nothing written there" || no "nothing written there"
    chmod 755 "$tmp/ro"
else
    echo "# skip: prove into a read-only directory: running as root, permissions do not stop writes"
fi
cp "$P" "$tmp/keep.zkp"
expect 2 "prove with an input file that does not exist" "$ZKM" prove "$L" --seed 1 --input "$tmp/none.npy" -o "$tmp/keep.zkp"
cmp -s "$P" "$tmp/keep.zkp" && ok "the old proof file is intact" || no "the old proof file is intact"

# ------------------------------------------------ proof modes, on the MLP
# committed weights (zkm commit, prove --commitment, verify with only the
# .zkc), a private input, the advice in the clear, threads; malformed and
# mismatched commitments and keys.
t0=$(now)
M=$root/lang/examples/mlp.zkm
C=$tmp/mlp.zkc
size_of() { s=$(wc -c <"$1" 2>/dev/null || echo 0); echo $((s)); }
expect 0 "mlp: run --seed 1 --json" "$ZKM" run "$M" --seed 1 --json
mlp_out=$(jget "$out" output)
expect 0 "mlp: commit --seed 1 -o mlp.zkc --json" "$ZKM" commit "$M" --seed 1 -o "$C" --json
r=$(jkeys "$out" commit) && ok "mlp: commit --json keys" || no "mlp: commit --json keys: $r"
[ "$(jget "$out" key)" = "\"$C.key\"" ] && [ -s "$C.key" ] && ok "mlp: the key goes to MODEL.zkc.key" ||
    no "mlp: the key goes to MODEL.zkc.key"
[ "$(stat -c %a "$C.key" 2>/dev/null)" = 600 ] && ok "mlp: the key file is mode 0600" ||
    no "mlp: the key file is mode 0600 (got $(stat -c %a "$C.key" 2>/dev/null))"
zlen=$(size_of "$C")
[ "$(jget "$out" zkc_bytes)" = "$zlen" ] && [ "$zlen" -gt 0 ] && ok "mlp: zkc_bytes is the file's size ($zlen)" ||
    no "mlp: zkc_bytes is the file's size"
[ "$(jget "$out" tables)" = 4 ] && [ "$(jget "$out" values)" -ge 101770 ] &&
    ok "mlp: 4 tables, every parameter committed" || no "mlp: 4 tables, every parameter committed"
head -c 4 "$C" | grep -q ZKMC && ok "mlp: the .zkc starts with ZKMC" || no "mlp: the .zkc starts with ZKMC"
expect 0 "mlp: commit --seed 2 --key FILE --threads 1 (the report)" "$ZKM" commit "$M" --seed 2 \
    -o "$tmp/mlp2.zkc" --key "$tmp/mlp2.key" --threads 1
grep -q "^model mlp at 8 bits: model commitment written to $tmp/mlp2.zkc" "$out" && [ -s "$tmp/mlp2.key" ] &&
    [ ! -e "$tmp/mlp2.zkc.key" ] && ok "mlp: commit --key writes the key there, reports" ||
    no "mlp: commit --key writes the key there, reports"
expect 0 "lenet5: commit --seed 1" "$ZKM" commit "$L" --seed 1 -o "$tmp/lenet5.zkc"

# committed weights: the verifier has only the .zkc
CP=$tmp/mlp_c.zkp
expect 0 "mlp: prove --commitment --json" "$ZKM" prove "$M" --seed 1 --commitment "$C" -o "$CP" --json
r=$(jkeys "$out" prove) && ok "mlp: prove --commitment --json keys" || no "mlp: prove --commitment --json keys: $r"
[ "$(jget "$out" mode)" = '"committed"' ] && [ "$(jget "$out" commit_bytes)" -gt 0 ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: committed mode, commitments sent, run's output" ||
    no "mlp: committed mode, commitments sent, run's output"
expect 0 "mlp: verify with only the .zkc (no weights)" "$ZKM" verify "$M" "$CP" --commitment "$C" --json
r=$(jkeys "$out" verify) && ok "mlp: verify --commitment --json keys" || no "mlp: verify --commitment --json keys: $r"
[ "$(jget "$out" accepted)" = true ] && [ "$(jget "$out" mode)" = '"committed"' ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: accepted, committed mode, run's output" ||
    no "mlp: accepted, committed mode, run's output"
expect 0 "mlp: verify --commitment (the report)" "$ZKM" verify "$M" "$CP" --commitment "$C"
grep -q "ACCEPTED" "$out" && grep -q "weights committed in $C" "$out" && ok "mlp: the report names the .zkc" ||
    no "mlp: the report names the .zkc"
expect 1 "mlp: verify against the .zkc of other weights (seed 2)" "$ZKM" verify "$M" "$CP" --commitment "$tmp/mlp2.zkc"
grep -q "rejected: ." "$err" && ok "mlp: the reason on stderr" || no "mlp: the reason on stderr"
expect 1 "mlp: verify against LeNet-5's .zkc (another circuit)" "$ZKM" verify "$M" "$CP" --commitment "$tmp/lenet5.zkc" --json
[ "$(jget "$out" accepted)" = false ] && grep -q "another model" "$out" &&
    ok "mlp: rejected: the commitment is for another model" || no "mlp: rejected: the commitment is for another model"
expect 2 "mlp: verify a committed proof with --seed" "$ZKM" verify "$M" "$CP" --seed 1
grep -q "^zkm verify: .*committed weights: give --commitment" "$err" && [ ! -s "$out" ] &&
    ok "mlp: says the proof needs --commitment" || no "mlp: says the proof needs --commitment ($(cat "$err"))"
expect 2 "mlp: verify a public-weights proof with --commitment" "$ZKM" verify "$M" "$tmp/mlp.zkp" --commitment "$C"
grep -q "public weights: give --weights FILE or --seed N" "$err" && ok "mlp: says the proof needs the weights" ||
    no "mlp: says the proof needs the weights"
expect 2 "mlp: verify with --seed and --commitment" "$ZKM" verify "$M" "$CP" --seed 1 --commitment "$C"
clen=$(size_of "$CP")
for at in 40 $((clen / 3)) $((clen / 2)) $((clen - 600)) $((clen - 100)); do
    flip "$CP" $at "$bad"
    expect 1 "mlp: committed proof, byte $at flipped: rejected" "$ZKM" verify "$M" "$bad" --commitment "$C"
done

# the prover's mistakes: exit 2, no proof written
expect 2 "mlp: prove other weights against the commitment" "$ZKM" prove "$M" --seed 2 --commitment "$C" -o "$tmp/no.zkp"
grep -q "other weights" "$err" && ok "mlp: says the key is for other weights" || no "mlp: says the key is for other weights"
expect 2 "mlp: prove with the key of other weights" "$ZKM" prove "$M" --seed 1 --commitment "$C" --key "$tmp/mlp2.key" -o "$tmp/no.zkp"
expect 0 "mlp: commit the same weights again" "$ZKM" commit "$M" --seed 1 -o "$tmp/again.zkc" --threads 1
expect 2 "mlp: prove with the key of another commit run" "$ZKM" prove "$M" --seed 1 --commitment "$C" --key "$tmp/again.zkc.key" -o "$tmp/no.zkp"
grep -q "another model commitment" "$err" && ok "mlp: says the key is another commitment's" ||
    no "mlp: says the key is another commitment's"
expect 2 "mlp: prove against LeNet-5's commitment" "$ZKM" prove "$M" --seed 1 --commitment "$tmp/lenet5.zkc" -o "$tmp/no.zkp"
cp "$C" "$tmp/nokey.zkc"
expect 2 "mlp: prove with a .zkc without its key" "$ZKM" prove "$M" --seed 1 --commitment "$tmp/nokey.zkc" -o "$tmp/no.zkp"
grep -q -- "--key FILE" "$err" && ok "mlp: says where the key was looked for" || no "mlp: says where the key was looked for"
head -c 50 "$C.key" >"$tmp/short.key"
expect 2 "mlp: prove with a truncated key" "$ZKM" prove "$M" --seed 1 --commitment "$C" --key "$tmp/short.key" -o "$tmp/no.zkp"
expect 2 "mlp: prove --key without --commitment" "$ZKM" prove "$M" --seed 1 --key "$C.key" -o "$tmp/no.zkp"
[ ! -e "$tmp/no.zkp" ] && ok "mlp: no proof written by a failed prove" || no "mlp: no proof written by a failed prove"

# malformed commitments: exit 2 (never a crash) for verify and prove
zbad=$tmp/bad.zkc
for l in 0 1 3 4 8 40 47 48 63 64 100 $((zlen / 2)) $((zlen - 64)) $((zlen - 1)); do
    head -c "$l" "$C" >"$zbad"
    expect 2 "mlp: .zkc cut to $l bytes" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
done
{ cat "$C"; printf '\0'; } >"$zbad"
expect 2 "mlp: .zkc with a byte appended" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
grep -q "trailing" "$err" && ok "mlp: says the .zkc has trailing bytes" || no "mlp: says the .zkc has trailing bytes"
flip "$C" 0 "$zbad"
expect 2 "mlp: .zkc with a bad magic" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
flip "$C" 4 "$zbad"
expect 2 "mlp: .zkc of another version" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
for at in 64 100 $((zlen / 2)) $((zlen - 1)); do
    flip "$C" $at "$zbad"
    expect 2 "mlp: .zkc, byte $at of a point flipped" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
    grep -q "not a curve point" "$err" && ok "mlp: says byte $at's point is not on the curve" ||
        no "mlp: says byte $at's point is not on the curve ($(tail -1 "$err"))"
done
flip "$C" 44 "$zbad"
expect 2 "mlp: .zkc with a wrong table count" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
{ head -c 48 "$C"; head -c $((zlen - 48)) "$P"; } >"$zbad"
expect 2 "mlp: .zkc header, then garbage" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
head -c "$zlen" "$P" >"$zbad"
expect 2 "mlp: garbage as the .zkc (a proof file)" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
expect 2 "mlp: a missing .zkc" "$ZKM" verify "$M" "$CP" --commitment "$tmp/none.zkc"
expect 2 "mlp: a directory as the .zkc" "$ZKM" verify "$M" "$CP" --commitment "$tmp"
{ head -c 64 "$C"; tail -c +129 "$C" | head -c 64; tail -c +65 "$C" | head -c 64; tail -c +193 "$C"; } >"$zbad"
if [ "$(size_of "$zbad")" -eq "$zlen" ] && ! cmp -s "$C" "$zbad"; then
    expect 1 "mlp: .zkc with two points swapped: rejected" "$ZKM" verify "$M" "$CP" --commitment "$zbad"
else
    no "mlp: .zkc with two points swapped (the swap did not happen)"
fi
flip "$C" 100 "$zbad"
expect 2 "mlp: prove against a malformed .zkc" "$ZKM" prove "$M" --seed 1 --commitment "$zbad" --key "$C.key" -o "$tmp/no.zkp"

# a private input: the proof shows only the output
PP=$tmp/mlp_p.zkp
expect 0 "mlp: prove --private-input --json" "$ZKM" prove "$M" --seed 1 --private-input -o "$PP" --json
r=$(jkeys "$out" prove) && ok "mlp: prove --private-input --json keys" || no "mlp: prove --private-input --json keys: $r"
[ "$(jget "$out" mode)" = '"public+private-input"' ] && [ "$(jget "$out" input_bytes)" = 0 ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: private input: input_bytes 0, run's output" ||
    no "mlp: private input: input_bytes 0, run's output"
if [ $py -eq 1 ]; then
    # the public proof holds the input's 784 one-byte values after its 57-byte header
    python3 -c '
import sys
pub, priv = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
x = pub[57:57 + 784]
assert len(set(x)) > 8, "the input block was not found"
assert x not in priv, "the input is in the proof"
' "$tmp/mlp.zkp" "$PP" 2>"$tmp/pyerr" && ok "mlp: the private proof does not hold the input" ||
        no "mlp: the private proof does not hold the input: $(tail -1 "$tmp/pyerr")"
fi
expect 0 "mlp: verify the private-input proof" "$ZKM" verify "$M" "$PP" --seed 1 --json
[ "$(jget "$out" accepted)" = true ] && [ "$(jget "$out" output)" = "$mlp_out" ] &&
    ok "mlp: private input: accepted, run's output" || no "mlp: private input: accepted, run's output"
expect 2 "mlp: verify --input-seed of a private-input proof" "$ZKM" verify "$M" "$PP" --seed 1 --input-seed 1
grep -q "private-input" "$err" && ok "mlp: says the input is private" || no "mlp: says the input is private"
plen=$(size_of "$PP")
for at in 60 $((plen / 2)) $((plen - 100)); do
    flip "$PP" $at "$bad"
    expect 1 "mlp: private-input proof, byte $at flipped: rejected" "$ZKM" verify "$M" "$bad" --seed 1
done
expect 1 "mlp: private-input proof with other weights" "$ZKM" verify "$M" "$PP" --seed 2

# zero knowledge: committed weights, private input, --zk: only the output shows
ZP=$tmp/mlp_z.zkp
expect 0 "mlp: prove --zk --commitment --private-input --json" "$ZKM" prove "$M" --seed 1 \
    --commitment "$C" --private-input --zk -o "$ZP" --json
[ "$(jget "$out" mode)" = '"committed+private-input+zk"' ] && [ "$(jget "$out" input_bytes)" = 0 ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: zk: mode, no input, run's output" ||
    no "mlp: zk: mode, no input, run's output"
expect 0 "mlp: verify the zk proof with only the .zkc" "$ZKM" verify "$M" "$ZP" --commitment "$C" --json
[ "$(jget "$out" accepted)" = true ] && [ "$(jget "$out" mode)" = '"committed+private-input+zk"' ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: zk: accepted, run's output" ||
    no "mlp: zk: accepted, run's output"
expect 0 "mlp: prove --zk again (same statement)" "$ZKM" prove "$M" --seed 1 \
    --commitment "$C" --private-input --zk -o "$tmp/mlp_z2.zkp"
expect 0 "mlp: prove --zk another statement (other weights and input)" "$ZKM" prove "$M" \
    --seed 2 --input-seed 2 --commitment "$tmp/mlp2.zkc" --key "$tmp/mlp2.key" \
    --private-input --zk -o "$tmp/mlp_z3.zkp"
if [ $py -eq 1 ]; then
    # after the header and the output, no 32-byte element of one proof is in
    # the other, but for the format's own bytes (section headers), which are
    # also in the proof of the other statement at the same place
    python3 -c '
import sys
a, b, c = (open(f, "rb").read() for f in sys.argv[1:4])
assert len(a) == len(b) == len(c) and a != b
ca = {a[i:i + 32] for i in range(0, len(a) - 32)}
tail = range(len(b) // 8, len(b) - 32, 32)
rep = sum(b[i:i + 32] in ca and b[i:i + 32] != c[i:i + 32] for i in tail)
assert rep == 0, "%d elements repeat" % rep
' "$ZP" "$tmp/mlp_z2.zkp" "$tmp/mlp_z3.zkp" 2>"$tmp/pyerr" &&
        ok "mlp: zk: two proofs of one statement share no element" ||
        no "mlp: zk: two proofs of one statement share no element: $(tail -1 "$tmp/pyerr")"
fi
expect 1 "mlp: zk proof against the .zkc of other weights" "$ZKM" verify "$M" "$ZP" --commitment "$tmp/mlp2.zkc"
expect 1 "mlp: zk proof against LeNet-5's .zkc" "$ZKM" verify "$M" "$ZP" --commitment "$tmp/lenet5.zkc"
zplen=$(size_of "$ZP")
for at in 60 100 $((zplen / 4)) $((zplen / 2)) $((zplen * 3 / 4)) $((zplen - 200)) $((zplen - 40)); do
    flip "$ZP" $at "$bad"
    expect 1 "mlp: zk proof, byte $at flipped: rejected" "$ZKM" verify "$M" "$bad" --commitment "$C"
done
expect 2 "mlp: prove --zk --advice clear" "$ZKM" prove "$M" --seed 1 --zk --advice clear -o "$tmp/no.zkp"
grep -q "zero knowledge needs the advice committed" "$err" && [ ! -e "$tmp/no.zkp" ] &&
    ok "mlp: says zero knowledge needs the advice committed" ||
    no "mlp: says zero knowledge needs the advice committed"
expect 0 "mlp: prove --zk with public weights and input" "$ZKM" prove "$M" --seed 1 --zk -o "$tmp/mlp_zp.zkp"
expect 0 "mlp: verify it" "$ZKM" verify "$M" "$tmp/mlp_zp.zkp" --seed 1
expect 1 "mlp: verify it with other weights" "$ZKM" verify "$M" "$tmp/mlp_zp.zkp" --seed 2
expect 1 "mlp: verify it with another input" "$ZKM" verify "$M" "$tmp/mlp_zp.zkp" --seed 1 --input-seed 7
if [ $py -eq 1 ]; then
    # a changed output (the first output value + 1, still a canonical element)
    # and a changed public input value: both rejected
    python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
o = 48 + 8 + 48 + 12          # .zkp header, GKR length, GKR header, output section header
b[o] ^= 1
open(sys.argv[2], "wb").write(b)
b = bytearray(open(sys.argv[3], "rb").read())
b[57 + 10] ^= 1               # an input value of the public-input proof
open(sys.argv[4], "wb").write(b)
' "$ZP" "$bad" "$tmp/mlp_zp.zkp" "$tmp/bad_in.zkp"
    expect 1 "mlp: zk proof with a changed output" "$ZKM" verify "$M" "$bad" --commitment "$C"
    expect 1 "mlp: zk proof with a changed public input" "$ZKM" verify "$M" "$tmp/bad_in.zkp" --seed 1
fi

# range checks by lookup: their own model commitment; verify follows the proof
LC=$tmp/mlp_lk.zkc
LP=$tmp/mlp_lk.zkp
expect 0 "mlp: commit --range lookup --limb 4" "$ZKM" commit "$M" --seed 1 --range lookup --limb 4 -o "$LC"
expect 0 "mlp: prove --range lookup --limb 4 --zk --commitment --private-input --json" "$ZKM" prove \
    "$M" --seed 1 --range lookup --limb 4 --commitment "$LC" --private-input --zk -o "$LP" --json
[ "$(jget "$out" mode)" = '"committed+private-input+zk+lookup4"' ] &&
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: lookup: mode +lookup4, run's output" ||
    no "mlp: lookup: mode +lookup4, run's output"
expect 0 "mlp: verify the lookup proof" "$ZKM" verify "$M" "$LP" --commitment "$LC" --json
[ "$(jget "$out" accepted)" = true ] && [ "$(jget "$out" mode)" = '"committed+private-input+zk+lookup4"' ] &&
    ok "mlp: lookup: accepted in its mode" || no "mlp: lookup: accepted in its mode"
expect 1 "mlp: lookup proof against the bits .zkc" "$ZKM" verify "$M" "$LP" --commitment "$C"
expect 2 "mlp: prove --range lookup against the bits .zkc" "$ZKM" prove "$M" --seed 1 --range lookup \
    --limb 4 --commitment "$C" -o "$tmp/no.zkp"
[ ! -e "$tmp/no.zkp" ] && ok "mlp: no proof file written" || no "mlp: no proof file written"
lplen=$(size_of "$LP")
for at in 60 $((lplen / 3)) $((lplen * 2 / 3)) $((lplen - 40)); do
    flip "$LP" $at "$bad"
    expect 1 "mlp: lookup proof, byte $at flipped: rejected" "$ZKM" verify "$M" "$bad" --commitment "$LC"
done
if [ $py -eq 1 ]; then
    # the mode word's limb changed from 4 to 5: another circuit, rejected
    python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read())
assert b[41] == 4
b[41] = 5
open(sys.argv[2], "wb").write(b)
' "$LP" "$bad"
    expect 1 "mlp: lookup proof claiming limb 5" "$ZKM" verify "$M" "$bad" --commitment "$LC"
fi
expect 0 "mlp: prove --range lookup (public weights, limb 8)" "$ZKM" prove "$M" --seed 1 --range lookup \
    -o "$tmp/mlp_lk8.zkp"
expect 0 "mlp: verify it" "$ZKM" verify "$M" "$tmp/mlp_lk8.zkp" --seed 1
expect 1 "mlp: verify it with other weights" "$ZKM" verify "$M" "$tmp/mlp_lk8.zkp" --seed 2
expect 2 "mlp: --limb without --range lookup" "$ZKM" prove "$M" --seed 1 --limb 4 -o "$tmp/no.zkp"
expect 2 "mlp: --range lookup --limb 1" "$ZKM" prove "$M" --seed 1 --range lookup --limb 1 -o "$tmp/no.zkp"
expect 2 "mlp: --range lookup --limb 21" "$ZKM" compile "$M" --range lookup --limb 21
expect 2 "mlp: --range abacus" "$ZKM" compile "$M" --range abacus
grep -q "expected 'bits' or 'lookup'" "$err" && ok "mlp: names the --range choices" ||
    no "mlp: names the --range choices"
expect 0 "mlp: compile --range lookup --json" "$ZKM" compile "$M" --range lookup --json

# the advice in the clear (the earlier format), threads, every flag at once
expect 0 "mlp: prove --advice clear --json" "$ZKM" prove "$M" --seed 1 --advice clear -o "$tmp/mlp_a.zkp" --json
[ "$(jget "$out" mode)" = '"public+clear-advice"' ] && [ "$(jget "$out" advice_bytes)" -gt 0 ] &&
    [ "$(jget "$out" commit_bytes)" = 0 ] && ok "mlp: clear advice: advice_bytes > 0, no commitments" ||
    no "mlp: clear advice: advice_bytes > 0, no commitments"
expect 0 "mlp: verify the clear-advice proof" "$ZKM" verify "$M" "$tmp/mlp_a.zkp" --seed 1
expect 2 "mlp: prove --advice bogus" "$ZKM" prove "$M" --seed 1 --advice bogus -o "$tmp/no.zkp"
for th in 1 2; do
    expect 0 "mlp: prove --threads $th (committed, private input, clear advice)" "$ZKM" prove "$M" --seed 1 \
        --commitment "$C" --private-input --advice clear --threads $th -o "$tmp/mlp_t$th.zkp" --json
    [ "$(jget "$out" threads)" = $th ] && [ "$(jget "$out" mode)" = '"committed+private-input+clear-advice"' ] &&
        ok "mlp: --threads $th reported, every flag in the mode" || no "mlp: --threads $th reported, every flag in the mode"
    expect 0 "mlp: verify --threads $((3 - th)) the --threads $th proof" "$ZKM" verify "$M" "$tmp/mlp_t$th.zkp" \
        --commitment "$C" --threads $((3 - th)) --json
    [ "$(jget "$out" output)" = "$mlp_out" ] && ok "mlp: --threads $th: run's output" || no "mlp: --threads $th: run's output"
done
expect 2 "mlp: prove --threads 0" "$ZKM" prove "$M" --seed 1 --threads 0 -o "$tmp/no.zkp"
expect 2 "mlp: verify --threads x" "$ZKM" verify "$M" "$CP" --commitment "$C" --threads x

# commit's failed writes: neither file, no temporary file
expect 2 "commit -o into a missing directory" "$ZKM" commit "$M" --seed 1 -o "$tmp/missing/m.zkc"
[ ! -e "$tmp/missing" ] && ok "nothing created for it" || no "nothing created for it"
expect 2 "commit --key into a missing directory" "$ZKM" commit "$M" --seed 1 -o "$tmp/k.zkc" --key "$tmp/missing/k"
[ ! -e "$tmp/k.zkc" ] && ok "no .zkc written without its key" || no "no .zkc written without its key"
expect 2 "commit -o onto a directory" "$ZKM" commit "$M" --seed 1 -o "$tmp/adir"
[ ! -e "$tmp/adir.key" ] && ok "no key written without its .zkc" || no "no key written without its .zkc"
expect 2 "commit with the key and the .zkc the same file" "$ZKM" commit "$M" --seed 1 -o "$tmp/k.zkc" --key "$tmp/k.zkc"
[ -z "$(find "$tmp" -name '*.tmp-*')" ] && ok "no temporary files left by commit" ||
    no "no temporary files left by commit: $(find "$tmp" -name '*.tmp-*')"
echo "# proof modes: $(elapsed "$t0") s"

# ------------------------------------------------ weights and inputs from files
# gen.py REPORT SEED DIR: the tensors zkm listed as missing in REPORT
# ("  NAME: missing (expected [d, ...])"), seeded as zkm seeds them
# (lang/tensors.h: zkm_rng's stream, libsodium's ChaCha20 keyed by BLAKE2b;
# batchnorm as layers/quant.c), written as DIR/NAME.npy (float64) and
# DIR.safetensors.  gen.py input SEED NAME DIMS... FILE: a seeded input.
cat >"$tmp/gen.py" <<'EOF'
import hashlib, json, math, os, re, struct, sys

M32 = 0xffffffff

def chacha_blocks(key, nonce, n):
    k = list(struct.unpack("<8I", key)); nw = list(struct.unpack("<3I", nonce))
    out = []
    for ctr in range(n):
        s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574] + k + [ctr] + nw
        x = s[:]
        for _ in range(10):
            for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14), (3, 7, 11, 15),
                               (0, 5, 10, 15), (1, 6, 11, 12), (2, 7, 8, 13), (3, 4, 9, 14)):
                xa, xb, xc, xd = x[a], x[b], x[c], x[d]
                xa = (xa + xb) & M32; xd ^= xa; xd = ((xd << 16) | (xd >> 16)) & M32
                xc = (xc + xd) & M32; xb ^= xc; xb = ((xb << 12) | (xb >> 20)) & M32
                xa = (xa + xb) & M32; xd ^= xa; xd = ((xd << 8) | (xd >> 24)) & M32
                xc = (xc + xd) & M32; xb ^= xc; xb = ((xb << 7) | (xb >> 25)) & M32
                x[a], x[b], x[c], x[d] = xa, xb, xc, xd
        out.append(struct.pack("<16I", *[(x[i] + s[i]) & M32 for i in range(16)]))
    return b"".join(out)

def u64s(seed, domain, count):
    h = hashlib.blake2b(digest_size=32)
    h.update(b"zkm/rng/v1"); h.update(struct.pack("<Q", seed)); h.update(domain.encode())
    key = h.digest()
    vals, block = [], 0
    while len(vals) < count:
        s = hashlib.blake2b(struct.pack("<Q", block), digest_size=32, key=key).digest()
        vals.extend(struct.unpack("<128Q", chacha_blocks(s, b"LibsodiumDRG", 16)))
        block += 1
    return vals[:count]

def random_tensor(name, shape, fan_in, seed, kind):
    count = 1
    for d in shape:
        count *= d
    b = 1.0 / math.sqrt(fan_in)
    out = []
    for x in u64s(seed, "zkm/tensor/v1/%s:%s" % (kind, name), count):
        u = (x >> 11) * 2.0 ** -53
        out.append(u if kind == "input" else (2.0 * u - 1.0) * b)
    return out

def npy(shape, vals):
    sh = "(%s)" % ("%d," % shape[0] if len(shape) == 1 else ", ".join(map(str, shape)))
    hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }" % sh
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() + \
        struct.pack("<%dd" % len(vals), *vals)

if sys.argv[1] == "input":
    seed, name, dims, path = int(sys.argv[2]), sys.argv[3], [int(d) for d in sys.argv[4:-1]], sys.argv[-1]
    open(path, "wb").write(npy(dims, random_tensor(name, dims, 1, seed, "input")))
    sys.exit(0)

report, seed, outdir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
want = {}
for line in open(report):
    m = re.match(r"\s+(\S+): missing \(expected \[([0-9, ]*)\]\)", line)
    if m:
        want[m.group(1)] = [int(d) for d in m.group(2).split(",") if d.strip()]
assert want, "no missing tensors listed in " + report
os.makedirs(outdir)
header, data = {}, []
offset = 0
for name, shape in want.items():
    prefix, role = name.rsplit(".", 1)
    if prefix + ".running_mean" in want:  # batchnorm: fan-in 16, values in [-1/4, 1/4)
        vals = random_tensor(name, shape, 16, seed, "weight")
        if role == "weight":
            vals = [1 + v for v in vals]
        elif role == "running_var":
            vals = [1 + abs(v) for v in vals]
    else:  # dense, conv2d: the weight's fan-in, for the bias too
        fan = 1
        for d in want[prefix + ".weight"][1:]:
            fan *= d
        vals = random_tensor(name, shape, fan, seed, "weight")
    open(os.path.join(outdir, name + ".npy"), "wb").write(npy(shape, vals))
    raw = struct.pack("<%dd" % len(vals), *vals)
    header[name] = {"dtype": "F64", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
    offset += len(raw)
    data.append(raw)
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * (-len(h) % 8)
with open(outdir + ".safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"".join(data))
EOF
if [ $py -eq 0 ]; then
    echo "# skip: weight and input files not tested: no python3 to write .npy and safetensors files"
else
    for b in lenet5 resnet_small; do
        f=$root/lang/examples/$b.zkm
        t0=$(now)
        # a directory holding one tensor of no use makes zkm list every tensor it wants
        mkdir "$tmp/probe_$b"
        python3 -c '
import struct, sys
h = "{\x27descr\x27: \x27<f8\x27, \x27fortran_order\x27: False, \x27shape\x27: (1,), }"
h += " " * (63 - (10 + len(h)) % 64) + "\n"
open(sys.argv[1], "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + struct.pack("<d", 0.5))
' "$tmp/probe_$b/nothing.npy"
        expect 2 "$b: run with weights that match nothing" "$ZKM" run "$f" --weights "$tmp/probe_$b"
        grep -q "nothing: unexpected tensor" "$err" && ok "$b: names the unexpected tensor" ||
            no "$b: names the unexpected tensor"
        if ! python3 "$tmp/gen.py" "$err" 1 "$tmp/w_$b" 2>"$tmp/pyerr"; then
            no "$b: writing the seeded weights as files: $(tail -1 "$tmp/pyerr")"
            continue
        fi
        expect 0 "$b: run --seed 1 --json" "$ZKM" run "$f" --seed 1 --json
        seeded=$(jget "$out" output)
        expect 0 "$b: run --weights DIR (.npy files)" "$ZKM" run "$f" --weights "$tmp/w_$b" --json
        [ "$(jget "$out" output)" = "$seeded" ] && ok "$b: .npy weights give the seeded output" ||
            no "$b: .npy weights give the seeded output ($(jget "$out" output) vs $seeded)"
        expect 0 "$b: run --weights FILE.safetensors" "$ZKM" run "$f" --weights "$tmp/w_$b.safetensors" --json
        [ "$(jget "$out" output)" = "$seeded" ] && ok "$b: safetensors weights give the seeded output" ||
            no "$b: safetensors weights give the seeded output ($(jget "$out" output) vs $seeded)"
        # the float reference sees the same real weights
        "$ZKM" run "$f" --seed 1 --float --json >"$tmp/f1" 2>/dev/null
        "$ZKM" run "$f" --weights "$tmp/w_$b.safetensors" --float --json >"$tmp/f2" 2>/dev/null
        [ -s "$tmp/f1" ] && [ "$(jget "$tmp/f1" reference)" = "$(jget "$tmp/f2" reference)" ] &&
            ok "$b: run --float: the same reference from the file" || no "$b: run --float: the same reference from the file"
        # a proof made from the files verifies with the seed, and the other way
        expect 0 "$b: prove --weights DIR" "$ZKM" prove "$f" --weights "$tmp/w_$b" -o "$tmp/wf_$b.zkp"
        expect 0 "$b: verify it with --seed 1" "$ZKM" verify "$f" "$tmp/wf_$b.zkp" --seed 1
        expect 0 "$b: verify it with --weights FILE.safetensors" "$ZKM" verify "$f" "$tmp/wf_$b.zkp" \
            --weights "$tmp/w_$b.safetensors"
        # one tensor missing from the directory
        gone=$(ls "$tmp/w_$b" | sed -n 3p)
        gone=${gone%.npy}
        mkdir "$tmp/w_${b}_less"
        cp "$tmp/w_$b"/*.npy "$tmp/w_${b}_less/"
        rm "$tmp/w_${b}_less/$gone.npy"
        expect 2 "$b: run with $gone.npy missing" "$ZKM" run "$f" --weights "$tmp/w_${b}_less"
        grep -q "$gone: missing" "$err" && [ ! -s "$out" ] && ok "$b: the message names $gone" ||
            no "$b: the message names $gone ($(head -2 "$err"))"
        expect 2 "$b: verify with $gone.npy missing" "$ZKM" verify "$f" "$tmp/wf_$b.zkp" --weights "$tmp/w_${b}_less"
        grep -q "$gone: missing" "$err" && ok "$b: verify names $gone" || no "$b: verify names $gone"
        expect 2 "$b: prove with $gone.npy missing" "$ZKM" prove "$f" --weights "$tmp/w_${b}_less" -o "$tmp/less.zkp"
        [ ! -e "$tmp/less.zkp" ] && ok "$b: no proof written without $gone" || no "$b: no proof written without $gone"
        echo "# $b: weight files: $(elapsed "$t0") s"
    done
    # the input as a file (the batch dimension of one accepted)
    python3 "$tmp/gen.py" input 1 x 1 1 28 28 "$tmp/x1.npy" &&
        python3 "$tmp/gen.py" input 2 x 1 28 28 "$tmp/x2.npy" &&
        ok "seeded inputs written as .npy" || no "seeded inputs written as .npy"
    expect 0 "lenet5: run --input x.npy (seed 1, shape [1, 1, 28, 28])" "$ZKM" run "$L" --seed 1 --input "$tmp/x1.npy" --json
    a=$(jget "$out" output)
    expect 0 "lenet5: run --input-seed 1" "$ZKM" run "$L" --seed 1 --input-seed 1 --json
    [ "$a" = "$(jget "$out" output)" ] && ok "lenet5: the input file gives the seeded output" ||
        no "lenet5: the input file gives the seeded output"
    expect 0 "lenet5: verify --input x.npy (the input proven on)" "$ZKM" verify "$L" "$P" --seed 1 --input "$tmp/x1.npy"
    expect 1 "lenet5: verify --input of another input" "$ZKM" verify "$L" "$P" --seed 1 --input "$tmp/x2.npy"
    grep -q "the proof is for another input" "$err" && ok "lenet5: says the proof is for another input" ||
        no "lenet5: says the proof is for another input"
fi

echo "# test_e2e: $(elapsed "$t_start") s"
echo "1..$n"
exit $fail
