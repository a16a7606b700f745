# Proof size against bit-width: a panel per model (columns) and proof mode
# (rows), a line per range strategy.
if (!exists("src")) src = "experiments"
load src."/common.gpi"
nm = words(models)
nr = words(modes)
eval out("proof_size", 420 * nm + 40, 320 * nr + 60)
set multiplot layout nr, nm title "zkm prove: proof size against bit-width" font ",13"
eval bits_axis
set xrange [bmin - 1:bmax + 1]
set yrange [0:*]
# head room for the legend, top left
set offsets 0, 0, graph 0.22, 0
set key top left
set xlabel "bit-width (bits)"
set ylabel "proof size (kB)"
do for [md in modes] {
    do for [m in models] {
        set title sprintf("%s, %s", m, md)
        cmd = ""
        do for [ri=1:words(ranges)] {
            r = word(ranges, ri)
            if (has(series, m."|".md."|".r)) {
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("summary using (is('%s','%s','%s') ? column('bits') : NaN):(column('proof_bytes') / 1000) with linespoints lt %d title '%s'", m, md, r, ri, "range ".r)
            }
        }
        if (cmd eq "") {
            set label 1 "no runs" at graph 0.5, 0.5 center
            plot [0:1][0:1] NaN
            unset label 1
        } else {
            eval "plot ".cmd
        }
    }
}
unset multiplot
