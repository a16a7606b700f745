# Where the prover's time goes, per model node: for each proof mode one
# chart (layers_MODE), a column per model, stacked bars over the bit-widths
# (a row per range strategy).  Each box is the median time zkm prove spent
# on the circuit layers a node lowers to; "the rest", in grey on top, is
# the rest of the median prove time: the commitments and their opening,
# the witness, and layers no node owns (a lookup's shared table and
# fraction sums).  The lower row of each pair leaves the rest out, to show
# the layers themselves (in ms).
if (!exists("src")) src = "experiments"
load src."/common.gpi"
nm = words(models)
set style fill solid 0.9 border lc rgb "white"
set xrange [0.4:words(bits) + 0.6]
set xtics ()
do for [i=1:words(bits)] { set xtics add (word(bits, i) i) }
set xlabel "bit-width (bits)"
set yrange [0:*]
set key outside right top vertical samplen 1.5
nranges = words(ranges)
bw = 0.35
do for [md in modes] {
    eval out("layers_".md, 520 * nm + 40, 2 * 300 * nranges + 60)
    set multiplot layout 2 * nranges, nm title sprintf("zkm prove: time per model node (median of the runs), mode %s", md) font ",13"
    do for [ri=1:nranges] {
        r = word(ranges, ri)
        do for [zoom=0:1] {
            do for [mi=1:nm] {
                m = word(models, mi)
                set title sprintf("%s, range %s%s", m, r, zoom ? ": the circuit layers" : "")
                set ylabel zoom ? "prove time in the layers (ms)" : "prove time (s)"
                scale = zoom ? 1000 : 1
                nodes_m = nodes[mi]
                cmd = ""
                if (has(bars, m."|".md."|".r)) {
                    do for [ni=1:words(nodes_m)] {
                        nd = word(nodes_m, ni)
                        if (!(zoom && nd eq "(other)")) {
                            cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("nodes_csv using (x = is('%s','%s','%s') && strcol('node') eq '%s' ? bit_index(column('bits')) : NaN):(x == x ? scale * (column('lo') + column('hi')) / 2 : NaN):(x - %g):(x + %g):(x == x ? scale * column('lo') : NaN):(x == x ? scale * column('hi') : NaN) with boxxyerror lt %d title '%s'", m, md, r, nd, bw, bw, nd eq "(other)" ? 11 : (ni - 1) % 10 + 1, nd eq "(other)" ? "the rest" : nd)
                        }
                    }
                }
                if (cmd eq "") {
                    set label 1 "no per-node times" at graph 0.5, 0.5 center
                    plot [0:1][0:1] NaN
                    unset label 1
                } else {
                    eval "plot ".cmd
                }
            }
        }
    }
    unset multiplot
}
