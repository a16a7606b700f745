#!/bin/sh
# zkm drift through the binary: usage errors (exit 2, a message, nothing
# written), the table, --json, --csv (written whole or not at all).  TAP
# output; needs ZKM (path to the binary); run from the repository root.
ZKM=${ZKM:-build/zkm}
. "$(dirname "$0")/tap.sh"

mlp=experiments/models/shapes_mlp.zkm
mlpw=experiments/models/shapes_mlp.safetensors
cnnw=experiments/models/shapes_cnn.safetensors

expect 0 "drift --help" "$ZKM" drift --help
has "$out" "usage: zkm drift" "drift --help prints the usage"
has "$out" "\-\-csv FILE" "drift --help lists --csv"
expect 2 "drift without a model" "$ZKM" drift --seed 1
expect 2 "drift without weights" "$ZKM" drift "$mlp"
has "$err" "missing the weights" "drift without weights says so"
expect 2 "drift with --weights and --seed" "$ZKM" drift "$mlp" --weights "$mlpw" --seed 1
expect 2 "drift --bits 1" "$ZKM" drift "$mlp" --seed 1 --bits 1
has "$err" "bit-widths from 2 to 32" "drift --bits 1 explains the list"
expect 2 "drift --bits 8..4" "$ZKM" drift "$mlp" --seed 1 --bits 8..4
expect 2 "drift --bits 33" "$ZKM" drift "$mlp" --seed 1 --bits 4,33
expect 2 "drift --bits 4,,8" "$ZKM" drift "$mlp" --seed 1 --bits 4,,8
expect 2 "drift --bits x" "$ZKM" drift "$mlp" --seed 1 --bits x
expect 2 "drift --prec 10" "$ZKM" drift "$mlp" --seed 1 --prec 10
expect 2 "drift --inputs 0" "$ZKM" drift "$mlp" --seed 1 --inputs 0
expect 2 "drift --formats f12" "$ZKM" drift "$mlp" --seed 1 --formats f12
has "$err" "unknown format 'f12'" "drift --formats names the unknown format"
expect 2 "drift --bits none --formats none" "$ZKM" drift "$mlp" --seed 1 --bits none --formats none
expect 2 "drift --dataset and --input-seed" "$ZKM" drift "$mlp" --seed 1 --dataset shapes --input-seed 2
expect 2 "drift with an unknown option" "$ZKM" drift "$mlp" --seed 1 --bogus
expect 2 "drift with a missing dataset file" "$ZKM" drift "$mlp" --seed 1 --dataset "$tmp/none.safetensors"
expect 2 "drift --dataset shapes:valid" "$ZKM" drift "$mlp" --seed 1 --dataset shapes:valid
expect 2 "drift: a data set of another shape" "$ZKM" drift lang/examples/mlp.zkm --seed 1 --dataset shapes
has "$err" "samples of 256 values" "drift names the data set's sample size"
expect 2 "drift: another model's weights" "$ZKM" drift "$mlp" --weights "$cnnw"
has "$err" "fc1.weight: missing" "drift lists the missing tensors"
expect 2 "drift --bits 2 (a negative frac)" "$ZKM" drift "$mlp" --seed 1 --bits 2,8
has "$err" "cannot be built at --bits 2" "drift names the bit-width it cannot build"
expect 2 "drift --csv into a missing directory" "$ZKM" drift "$mlp" --weights "$mlpw" --inputs 1 --csv "$tmp/no/d.csv"
[ ! -s "$out" ] && [ ! -e "$tmp/no" ] && ok "nothing printed or created for a bad --csv" ||
    no "nothing printed or created for a bad --csv"

# a run: the trained MLP on five test samples, two bit-widths, every format
expect 0 "drift (table)" "$ZKM" drift "$mlp" --weights "$mlpw" --dataset shapes --inputs 5 --bits 6,8 --csv "$tmp/d.csv"
has "$out" "5 inputs from shapes, labelled (4 classes)" "drift says where the inputs come from"
has "$out" "reference: MPFR 256 bits" "drift names the reference"
for r in float64 float32 bfloat16 float16 fp8-e4m3 fp8-e5m2 "q6 (q6.2)" "q8 (q8.4)"; do
    has "$out" "^  $r " "drift's output table has a row $r"
done
has "$out" "activation rounding" "drift splits the fixed-point drift"
has "$out" "^  fc1/dense  *dense " "drift's per-layer table has the dense layer"
[ -z "$(find "$tmp" -name '*.tmp*')" ] && ok "no temporary file left" || no "no temporary file left"
# 6 formats + 3 comparisons per bit-width, 5 nodes each, and the header
[ "$(wc -l <"$tmp/d.csv")" -eq $(((6 + 2 * 3) * 5 + 1)) ] && ok "drift --csv: one row per comparison and node" ||
    no "drift --csv: one row per comparison and node ($(wc -l <"$tmp/d.csv") lines)"
head -n 1 "$tmp/d.csv" | grep -q '^model,inputs,prec,evaluation,kind,bits,against,node,name,op,is_output,entries,' &&
    ok "drift --csv header" || no "drift --csv header"
grep -q '^shapes_mlp,5,256,q8,fixed,8,mpfr-256,4,"fc2",dense,1,20,0,' "$tmp/d.csv" &&
    ok "drift --csv: the output row of q8" || no "drift --csv: the output row of q8"

expect 0 "drift --json" "$ZKM" drift "$mlp" --weights "$mlpw" --dataset shapes --inputs 3 --bits 4..6 --formats bf16,e4m3 --prec 128 --json
[ "$(wc -l <"$out")" -eq 1 ] && ok "drift --json prints one line" || no "drift --json prints one line"
for k in '"evaluations":' '"comparisons":' '"prec":128' '"labelled":3' '"name":"q5"' '"kind":"fixed"' \
    '"format":"bfloat16"' '"against":"q4-ref"' '"dataset":"shapes"'; do
    has "$out" "$k" "drift --json has $k"
done
grep -q '"name":"float32"' "$out" && no "drift --formats bf16,e4m3 leaves float32 out" ||
    ok "drift --formats bf16,e4m3 leaves float32 out"

# seeded weights and inputs, no labels
expect 0 "drift --seed, seeded inputs" "$ZKM" drift lang/examples/mlp.zkm --seed 1 --input-seed 7 --inputs 2 --bits 12 --formats f32
has "$out" "2 seeded inputs (--input-seed 7..8), no labels" "drift says the inputs are seeded"
grep -q "accuracy [0-9]" "$out" && no "no accuracy without labels" || ok "no accuracy without labels"

echo "1..$n"
exit $fail
