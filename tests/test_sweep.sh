#!/bin/sh
# zkm sweep through the binary: a tiny spec (the shapes MLP, two
# bit-widths) gives the expected rows; run again it adds none; a torn last
# line is cut and the point re-run; a sweep killed (SIGKILL) after its first
# row and restarted has each row exactly once; the --emit-jobs commands run
# with sh into two directories merge to the same keys, also from a
# directory whose path holds a space and a quote (and one holding ';' is
# refused); bad specs, options and directories are exit status 2 with a
# message and nothing written; a failing point is exit status 1, no row and
# a line in failures.csv, a point whose child or worker is killed too; a
# point's child inherits no descriptor of the sweep's own; `lookup` and
# `lookup:8` are one key, also against an older zkm's rows; a cached result
# that is no JSON object is refused, not written as a row of empty columns;
# the charts render (when gnuplot is installed).  TAP output; needs ZKM
# (path to the binary); run from the repository's root.
ZKM=${ZKM:-build/zkm}
. "$(dirname "$0")/tap.sh"
zkm_abs=$(cd "$(dirname "$ZKM")" && pwd -P)/$(basename "$ZKM")
check() { # check DESCRIPTION COMMAND...: ok if the command succeeds
    what=$1
    shift
    if "$@"; then ok "$what"; else no "$what"; fi
}
# the rows of a results.csv (header left out), their keys, sorted
keys() { tail -n +2 "$1" | cut -d, -f1-5 | sort; }
# every row has as many fields as the header
well_formed() {
    awk -F, 'NR == 1 { n = NF } NF != n { bad = 1 } END { exit bad }' "$1" &&
        [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]
}

mlp=experiments/models/shapes_mlp.zkm
mlpw=experiments/models/shapes_mlp.safetensors
spec() { # spec FILE BITS [REPS]: the shapes MLP at those bit-widths
    printf '%s\n' "# a test sweep" "model = $mlp weights=$mlpw  # trained" "bits = $2" \
        "reps = ${3:-1}" "drift_inputs = 2" "threads = 1" >"$1"
}

# ----------------------------------------------------------- usage errors
expect 0 "sweep --help" "$ZKM" sweep --help
has "$out" "usage: zkm sweep SPEC --out DIR" "sweep --help prints the usage"
for o in --jobs --emit-jobs --point --merge --summary; do
    has "$out" "\\$o" "sweep --help documents $o"
done
spec "$tmp/s.sweep" "6,8"
expect 2 "sweep without --out" "$ZKM" sweep "$tmp/s.sweep"
has "$err" "missing --out DIR" "sweep without --out says so"
expect 2 "sweep without a spec" "$ZKM" sweep --out "$tmp/d"
expect 2 "sweep --jobs 0" "$ZKM" sweep "$tmp/s.sweep" --out "$tmp/d" --jobs 0
expect 2 "sweep with an unknown option" "$ZKM" sweep "$tmp/s.sweep" --out "$tmp/d" --fast
expect 2 "sweep with a missing spec" "$ZKM" sweep "$tmp/none.sweep" --out "$tmp/d"
expect 2 "sweep with two specs" "$ZKM" sweep "$tmp/s.sweep" "$tmp/s.sweep" --out "$tmp/d"
expect 2 "sweep SPEC and --merge" "$ZKM" sweep "$tmp/s.sweep" --merge "$tmp/a" --out "$tmp/d"
expect 2 "sweep --point with a malformed point" "$ZKM" sweep --point 'name=a;bits=8' --out "$tmp/d"
has "$err" "no model=PATH" "sweep --point names what is missing"
touch "$tmp/file"
expect 2 "sweep --out onto a file" "$ZKM" sweep "$tmp/s.sweep" --out "$tmp/file/d"
has "$err" "cannot create or write the directory" "sweep names the bad --out"
[ ! -e "$tmp/d" ] && ok "nothing created by bad usage" || no "nothing created by bad usage"

# bad specs: exit 2, FILE:LINE and the reason, nothing created
bad_spec() { # bad_spec DESCRIPTION MESSAGE LINE...
    what=$1; msg=$2; shift 2
    printf '%s\n' "$@" >"$tmp/bad.sweep"
    expect 2 "bad spec: $what" "$ZKM" sweep "$tmp/bad.sweep" --out "$tmp/d"
    has "$err" "$msg" "bad spec: $what: the message names it"
}
m="model = $mlp weights=$mlpw"
bad_spec "an unknown key" "bad.sweep:3: unknown key 'bitz'" "$m" "bits = 8" "bitz = 8"
bad_spec "no '='" "bad.sweep:2: expected 'key = value'" "$m" "bits 8"
bad_spec "bits 33" "bad.sweep:2: bits: '4..33': expected bit-widths from 2 to 32" "$m" "bits = 4..33"
bad_spec "bits 8..4" "bits: '8..4'" "$m" "bits = 8..4"
bad_spec "an unknown range" "bad.sweep:3: range: 'lookups'" "$m" "bits = 8" "range = lookups"
bad_spec "an unknown mode" "mode: 'secret'" "$m" "bits = 8" "mode = secret"
bad_spec "zk with the advice in the clear" "zk needs the advice committed" "$m" "bits = 8" \
    "mode = committed+clear-advice+zk"
bad_spec "reps 0" "reps: '0'" "$m" "bits = 8" "reps = 0"
bad_spec "absurd reps" "reps: '1000000'" "$m" "bits = 8" "reps = 1000000"
bad_spec "a key twice" "bad.sweep:3: bits: given twice" "$m" "bits = 8" "bits = 6"
bad_spec "lookup and lookup:8 (one circuit)" "bad.sweep:3: range: 'lookup:8' listed twice" "$m" \
    "bits = 8" "range = lookup, lookup:8"
bad_spec "a model without weights" "give the weights" "model = $mlp" "bits = 8"
bad_spec "a model name twice" "already used on line 1" "$m" "$m" "bits = 8"
bad_spec "no bits" "no bits line" "$m"
bad_spec "a missing model file" "bad.sweep:1: model $tmp/none.zkm" "model = $tmp/none.zkm seed=1" "bits = 8"
bad_spec "a missing weights file" "weights $tmp/w.st" "model = $mlp weights=$tmp/w.st" "bits = 8"
bad_spec "a missing data set file" "bad.sweep:1: dataset $tmp/ds.st: No such file" \
    "model = $mlp weights=$mlpw dataset=$tmp/ds.st" "bits = 8"
[ ! -e "$tmp/d" ] && ok "nothing created for a bad spec" || no "nothing created for a bad spec"

# ------------------------------------------------------------------ a run
d1=$tmp/d1
expect 0 "sweep (2 points)" "$ZKM" sweep "$tmp/s.sweep" --out "$d1"
has "$err" "2 points: 2 run, 0 done before, 0 failed" "sweep's summary line"
head -n 1 "$d1/results.csv" | grep -q '^model,bits,range,mode,rep,prove_s,' &&
    ok "results.csv header" || no "results.csv header"
printf '%s\n' "shapes_mlp,6,bits,public,1" "shapes_mlp,8,bits,public,1" >"$tmp/want"
keys "$d1/results.csv" >"$tmp/got"
check "results.csv: one row per point" cmp -s "$tmp/want" "$tmp/got"
check "results.csv: rows as wide as the header" well_formed "$d1/results.csv"
# the values: positive times, sizes and memory, the circuit and the drift
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         !($c["prove_s"] > 0 && $c["verify_s"] > 0 && $c["proof_bytes"] > 1000 &&
           $c["peak_rss_bytes"] > 1000000 && $c["layers"] > 0 && $c["ops"] > 0 &&
           $c["drift_inputs"] == 2 && $c["drift_rel_l2"] > 0 && $c["threads"] == 1 &&
           $c["cores"] >= 1 && $c["commit"] != "" && $c["timestamp"] ~ /^20..-..-..T/) { bad = 1 }
         END { exit bad }' "$d1/results.csv" && ok "results.csv: the values are filled in" ||
    no "results.csv: the values are filled in"
tail -n +2 "$d1/nodes.csv" | cut -d, -f1-6 | sort -u >"$tmp/nodes"
grep -q '^shapes_mlp,8,bits,public,1,fc1/dense$' "$tmp/nodes" && ok "nodes.csv: a row per node" ||
    no "nodes.csv: a row per node"
check "nodes.csv: rows as wide as the header" well_formed "$d1/nodes.csv"
[ "$(wc -l <"$d1/summary.csv")" -eq 3 ] && ok "summary.csv: a row per configuration" ||
    no "summary.csv: a row per configuration"
has "$d1/summary.gpi" 'models = "shapes_mlp"' "summary.gpi names the model"
[ -z "$(ls -A "$d1/tmp")" ] && ok "nothing left in tmp/" || no "nothing left in tmp/"

expect 0 "sweep again" "$ZKM" sweep "$tmp/s.sweep" --out "$d1"
has "$err" "2 points: 0 run, 2 done before" "sweep again runs nothing"
keys "$d1/results.csv" >"$tmp/got"
check "sweep again: no row twice" cmp -s "$tmp/want" "$tmp/got"

# a torn last line (a crash in the middle of a row) is cut off
printf 'shapes_mlp,10,bits,pub' >>"$d1/results.csv"
spec "$tmp/s3.sweep" "6,8,10"
expect 0 "sweep after a torn line" "$ZKM" sweep "$tmp/s3.sweep" --out "$d1"
has "$err" "3 points: 1 run, 2 done before" "sweep after a torn line runs the missing point"
echo "shapes_mlp,10,bits,public,1" >>"$tmp/want"
sort -o "$tmp/want" "$tmp/want"
keys "$d1/results.csv" >"$tmp/got"
check "after a torn line: each row once" cmp -s "$tmp/want" "$tmp/got"
check "after a torn line: the file is well formed" well_formed "$d1/results.csv"
[ "$(grep -c '^model,' "$d1/results.csv")" -eq 1 ] && ok "the header is written once" ||
    no "the header is written once"

# another header: refused, not appended to
printf 'a,b\n1,2\n' >"$tmp/other.csv"
mkdir -p "$tmp/d9" && cp "$tmp/other.csv" "$tmp/d9/results.csv"
expect 2 "sweep into a results.csv with another header" "$ZKM" sweep "$tmp/s.sweep" --out "$tmp/d9"
has "$err" "not the header" "sweep names the foreign header"
check "a foreign results.csv is left alone" cmp -s "$tmp/other.csv" "$tmp/d9/results.csv"

# two sweeps of one spec at once into one directory: each row once
d4=$tmp/d4
spec "$tmp/c.sweep" "4,6,8,10" 2
"$ZKM" sweep "$tmp/c.sweep" --out "$d4" >/dev/null 2>"$tmp/c1" &
c1=$!
"$ZKM" sweep "$tmp/c.sweep" --out "$d4" >/dev/null 2>"$tmp/c2" &
c2=$!
wait "$c1"
s1=$?
wait "$c2"
s2=$?
[ "$s1" -eq 0 ] && [ "$s2" -eq 0 ] && ok "two sweeps at once succeed" ||
    { no "two sweeps at once succeed ($s1, $s2)"; cat "$tmp/c1" "$tmp/c2"; }
[ "$(keys "$d4/results.csv" | wc -l)" -eq 8 ] && [ -z "$(keys "$d4/results.csv" | uniq -d)" ] &&
    ok "two sweeps at once: each of the 8 rows once" ||
    no "two sweeps at once: each of the 8 rows once ($(keys "$d4/results.csv" | wc -l) rows)"
check "two sweeps at once: well formed" well_formed "$d4/results.csv"
[ -z "$(tail -n +2 "$d4/nodes.csv" | cut -d, -f1-6 | sort | uniq -d)" ] &&
    ok "two sweeps at once: each node row once" || no "two sweeps at once: each node row once"

# ------------------------------------------------------ killed, restarted
spec "$tmp/k.sweep" "4,6,8,10,12,16" 2
d2=$tmp/d2
"$ZKM" sweep "$tmp/k.sweep" --out "$d2" --jobs 2 >/dev/null 2>"$tmp/kerr" &
pid=$!
i=0
while [ "$i" -lt 1200 ] && [ "$(cat "$d2/results.csv" 2>/dev/null | wc -l)" -lt 2 ]; do
    sleep 0.05
    i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rows=$(($(wc -l <"$d2/results.csv") - 1))
[ "$rows" -ge 1 ] && ok "the killed sweep wrote a row first ($rows)" || no "the killed sweep wrote a row first"
# its workers died with it (PR_SET_PDEATHSIG): none still runs a point
# (once the kernel has torn them down: wait up to 10 s on a loaded machine)
i=0
while [ "$i" -lt 100 ] && ps -eo stat=,args= | grep -v '^Z' | grep -v grep | grep -q -- "$d2"; do
    sleep 0.1
    i=$((i + 1))
done
if ps -eo stat=,args= | grep -v '^Z' | grep -v grep | grep -q -- "$d2"; then
    no "no worker outlives the killed sweep"
    ps -eo pid,stat,args | grep -- "$d2"
else
    ok "no worker outlives the killed sweep"
fi
expect 0 "the restarted sweep" "$ZKM" sweep "$tmp/k.sweep" --out "$d2"
has "$err" "12 points: " "the restarted sweep's summary line"
grep -q "12 points: 0 run" "$err" && echo "# skip: the sweep finished before it was killed"
[ "$(keys "$d2/results.csv" | wc -l)" -eq 12 ] && ok "after the restart: 12 rows" ||
    no "after the restart: 12 rows ($(keys "$d2/results.csv" | wc -l))"
[ -z "$(keys "$d2/results.csv" | uniq -d)" ] && ok "after the restart: each row once" ||
    no "after the restart: each row once"
check "after the restart: well formed" well_formed "$d2/results.csv"
[ -z "$(tail -n +2 "$d2/nodes.csv" | cut -d, -f1-6 | sort | uniq -d)" ] &&
    ok "after the restart: each node row once" || no "after the restart: each node row once"

# -------------------------------------------------- --emit-jobs and merge
expect 0 "sweep --emit-jobs" "$ZKM" sweep "$tmp/s3.sweep" --emit-jobs --out "$tmp/e1"
cp "$out" "$tmp/jobs"
[ "$(wc -l <"$tmp/jobs")" -eq 3 ] && ok "--emit-jobs: a command per point" ||
    no "--emit-jobs: a command per point"
grep -q -- "sweep --point 'name=shapes_mlp;model=/" "$tmp/jobs" &&
    ok "--emit-jobs: points with absolute paths" || no "--emit-jobs: points with absolute paths"
[ ! -e "$tmp/e1" ] && ok "--emit-jobs runs nothing" || no "--emit-jobs runs nothing"
# from another directory, as a cluster would: the first job into e1, the
# others into e2 (one directory per host), then merged
(cd / && sed -n 1p "$tmp/jobs" | sh) && ok "an emitted job runs" || no "an emitted job runs"
(cd / && sed -n '2,$p' "$tmp/jobs" | sed "s|'$tmp/e1'|'$tmp/e2'|" | sh) &&
    ok "the other emitted jobs run" || no "the other emitted jobs run"
expect 0 "sweep --merge" "$ZKM" sweep --merge "$tmp/e1" "$tmp/e2" --out "$tmp/e3"
has "$err" "merged 3 rows" "sweep --merge says what it merged"
keys "$tmp/e3/results.csv" >"$tmp/got"
check "merged: the sequential sweep's keys" cmp -s "$tmp/want" "$tmp/got"
expect 0 "sweep --merge again" "$ZKM" sweep --merge "$tmp/e2" "$tmp/e1" --out "$tmp/e3"
keys "$tmp/e3/results.csv" >"$tmp/got"
check "merged twice: still one row per key" cmp -s "$tmp/want" "$tmp/got"
[ "$(tail -n +2 "$tmp/e3/nodes.csv" | cut -d, -f1-5 | sort -u | wc -l)" -eq 3 ] &&
    ok "merged: the node rows of every run" || no "merged: the node rows of every run"
[ -z "$(tail -n +2 "$tmp/e3/nodes.csv" | cut -d, -f1-6 | sort | uniq -d)" ] &&
    ok "merged: each node row once" || no "merged: each node row once"
expect 2 "sweep --merge of a foreign results.csv" "$ZKM" sweep --merge "$tmp/d9" --out "$tmp/e3"
expect 2 "sweep --merge of a missing directory" "$ZKM" sweep --merge "$tmp/nowhere" --out "$tmp/e3"

# ------------------------------------------------------ a failing point
spec "$tmp/f.sweep" "2,8"
expect 1 "sweep with a failing point" "$ZKM" sweep "$tmp/f.sweep" --out "$tmp/f"
has "$err" "point shapes_mlp,2,bits,public,1: zkm compile failed (exit 2)" "the failure is named"
has "$err" "1 failed" "the summary line counts it"
has "$tmp/f/failures.csv" ",shapes_mlp,2,bits,public,1,compile,2," "failures.csv records it"
keys "$tmp/f/results.csv" >"$tmp/got"
[ "$(cat "$tmp/got")" = "shapes_mlp,8,bits,public,1" ] && ok "no row for the failed point" ||
    no "no row for the failed point"

# ------------------------------------- --emit-jobs: spaces, quotes and ';'
# from a directory whose path holds a space and a quote, with a directory
# named like the data set "shapes" there (still the generated data set)
wd="$tmp/a b'c"
mkdir -p "$wd/shapes"
cp "$mlp" "$mlpw" "$wd/"
printf '%s\n' "model = shapes_mlp.zkm weights=shapes_mlp.safetensors dataset=shapes input_sample=0" \
    "bits = 8" "drift_inputs = 2" "threads = 1" >"$wd/q.sweep"
expect 0 "--emit-jobs from a path with a space and a quote" \
    sh -c 'cd "$1" && exec "$2" sweep q.sweep --emit-jobs --out "out dir"' sh "$wd" "$zkm_abs"
cp "$out" "$tmp/qjobs"
grep -q ";dataset=shapes;" "$tmp/qjobs" && ok "--emit-jobs: the data set 'shapes' stays a name" ||
    no "--emit-jobs: the data set 'shapes' stays a name ($(cat "$tmp/qjobs"))"
expect 0 "the job with spaces and quotes in its paths runs" sh -c 'cd / && sh "$1"' sh "$tmp/qjobs"
[ "$(keys "$wd/out dir/results.csv")" = "shapes_mlp,8,bits,public,1" ] &&
    ok "the job wrote its row into 'out dir'" || no "the job wrote its row into 'out dir'"
mkdir "$tmp/x;y"
cp "$wd/q.sweep" "$mlp" "$mlpw" "$tmp/x;y/"
expect 2 "--emit-jobs with a ';' in an absolute path" \
    sh -c 'cd "$1" && exec "$2" sweep q.sweep --emit-jobs --out o' sh "$tmp/x;y" "$zkm_abs"
has "$err" "a point cannot carry a path with ';'" "--emit-jobs names the path it cannot carry"
[ ! -s "$out" ] && ok "--emit-jobs prints nothing then" || no "--emit-jobs prints nothing then"

# input_sample=K far out: sample K alone (not K + 1 samples to take the last)
printf '%s\n' "model = $mlp weights=$mlpw dataset=shapes input_sample=1099511627776" "bits = 8" \
    "drift_inputs = 0" "threads = 1" >"$tmp/far.sweep"
expect 0 "sweep with input_sample=2^40" "$ZKM" sweep "$tmp/far.sweep" --out "$tmp/far"

# SIGCHLD ignored by whoever started zkm (inherited across exec): the sweep
# and its workers still wait for their children
if command -v python3 >/dev/null 2>&1; then
    expect 0 "sweep started with SIGCHLD ignored" python3 -c 'import os, signal, sys
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
os.execv(sys.argv[1], sys.argv[1:])' "$ZKM" sweep "$tmp/far.sweep" --out "$tmp/chld"
else
    echo "# skip: no python3 to start zkm with SIGCHLD ignored"
fi

# ------------------------------------------ lookup and lookup:8, one key
printf '%s\n' "model = $mlp weights=$mlpw" "bits = 8" "range = lookup" "drift_inputs = 2" \
    "threads = 1" >"$tmp/l.sweep"
expect 0 "sweep with range = lookup" "$ZKM" sweep "$tmp/l.sweep" --out "$tmp/lk"
[ "$(keys "$tmp/lk/results.csv")" = "shapes_mlp,8,lookup:8,public,1" ] &&
    ok "range = lookup: the key says lookup:8" ||
    no "range = lookup: the key says lookup:8 ($(keys "$tmp/lk/results.csv"))"
# the rows as an older zkm wrote them, then the spec spelling the limb
sed -i 's/,lookup:8,/,lookup,/' "$tmp/lk/results.csv" "$tmp/lk/nodes.csv"
sed 's/^range = lookup$/range = lookup:8/' "$tmp/l.sweep" >"$tmp/l8.sweep"
expect 0 "sweep with range = lookup:8 over rows of lookup" "$ZKM" sweep "$tmp/l8.sweep" --out "$tmp/lk"
has "$err" "1 point: 0 run, 1 done before" "lookup:8 is the point an older 'lookup' row holds"
[ "$(tail -n +2 "$tmp/lk/summary.csv" | cut -d, -f1-5)" = "shapes_mlp,8,lookup:8,public,1" ] &&
    ok "summary.csv: old and new spellings, one series" ||
    no "summary.csv: old and new spellings, one series ($(cat "$tmp/lk/summary.csv"))"

# -------------------------- a cached result that is JSON but no object
mkdir "$tmp/cc"
cp -r "$d1/cache" "$tmp/cc/"
for f in "$tmp/cc/cache"/compile-*.json; do echo '[]' >"$f"; done
expect 2 "a cached compile result that is no JSON object" "$ZKM" sweep "$tmp/s.sweep" --out "$tmp/cc"
has "$err" "not a JSON object (delete it to compute it again)" "the cached result is named"
[ -z "$(keys "$tmp/cc/results.csv")" ] && ok "no row of empty columns from it" ||
    no "no row of empty columns from it"

# ---------------------------------------------- descriptors and signals
# A model file that is a FIFO holds each point's first child (zkm compile)
# in open() until someone writes to it: its descriptors can be looked at,
# and it or its worker killed, deterministically.
fifo=$tmp/fifo.zkm
mkfifo "$fifo"
printf '%s\n' "model = $fifo seed=1" "bits = 8" "reps = 2" "drift_inputs = 0" >"$tmp/fifo.sweep"
"$ZKM" sweep "$tmp/fifo.sweep" --out "$tmp/ff" >/dev/null 2>"$tmp/fferr" &
sw=$!
compile_pid() { # compile_pid [NOT]: the zkm compile blocked on the FIFO, other than NOT
    i=0
    while [ "$i" -lt 400 ]; do
        p=$(ps -eo pid=,args= | awk -v f="$fifo" -v not="${1:-0}" \
            '$3 == "compile" && $4 == f && $1 != not { print $1; exit }')
        [ -n "$p" ] && echo "$p" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
if cp1=$(compile_pid); then
    # those the sweep was given and 0-2, none of its or its worker's own
    # (/dev/null, a lock, a log)
    ls "/proc/$sw/fd" >"$tmp/fd_sweep"
    ls "/proc/$cp1/fd" >"$tmp/fd_child"
    leaked=$(grep -vxF -f "$tmp/fd_sweep" "$tmp/fd_child" | while read -r f; do
        printf '%s ' "$f:$(readlink "/proc/$cp1/fd/$f")"; done)
    [ -z "$leaked" ] && ok "a point's child inherits no descriptor of the sweep's own" ||
        no "a point's child inherits no descriptor of the sweep's own (it has $leaked)"
    kill -9 "$cp1"
    if cp2=$(compile_pid "$cp1"); then
        kill -9 "$(ps -o ppid= -p "$cp2" | tr -d ' ')"
    else
        no "the second point's child runs"
    fi
else
    no "a point's first child runs"
fi
wait "$sw"
st=$?
[ "$st" -eq 1 ] && ok "a sweep whose points were killed exits 1" ||
    { no "a sweep whose points were killed exits 1 (exit $st)"; kill -9 "$sw" 2>/dev/null; }
has "$tmp/fferr" "point fifo,8,bits,public,1: zkm compile failed (killed by signal 9" \
    "a child killed by a signal is named as such"
has "$tmp/ff/failures.csv" ",fifo,8,bits,public,1,compile,137," "failures.csv records the child"
has "$tmp/fferr" "point fifo,8,bits,public,2: the worker was killed by signal 9" \
    "a worker killed by a signal is reported"
has "$tmp/ff/failures.csv" ",fifo,8,bits,public,2,worker,137,the worker was killed by signal 9" \
    "failures.csv records the killed worker"
i=0
while [ "$i" -lt 100 ] && ps -eo stat=,args= | grep -v '^Z' | grep -v grep | grep -q -- "$fifo"; do
    sleep 0.1
    i=$((i + 1))
done
ps -eo stat=,args= | grep -v '^Z' | grep -v grep | grep -q -- "$fifo" &&
    no "no child outlives its killed worker" || ok "no child outlives its killed worker"

# ----------------------------------------------------------------- charts
expect 0 "sweep --summary" "$ZKM" sweep --summary --out "$d2"
if command -v gnuplot >/dev/null 2>&1; then
    for gp in experiments/*.gp; do
        for fmt in png svg; do
            gnuplot -e "dir='$d2'; fmt='$fmt'" "$gp" >"$out" 2>"$err" &&
                ok "$(basename "$gp") renders $fmt" || { no "$(basename "$gp") renders $fmt"; cat "$err"; }
        done
    done
    for f in prove_time proof_size drift drift_cost layers_public; do
        for fmt in png svg; do
            [ -s "$d2/$f.$fmt" ] && ok "$f.$fmt is not empty" || no "$f.$fmt is not empty"
        done
    done
    [ "$(head -c 4 "$d2/prove_time.png" | od -An -c | tr -d ' ')" = '211PNG' ] &&
        ok "prove_time.png is a PNG" || no "prove_time.png is a PNG"
    grep -q '<svg' "$d2/drift.svg" && ok "drift.svg is an SVG" || no "drift.svg is an SVG"
else
    echo "# skip: gnuplot is not installed: the charts are not rendered"
fi

echo "1..$n"
exit $fail
