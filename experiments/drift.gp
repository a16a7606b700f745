# Quantization drift against bit-width (zkm drift at each bit-width, the
# circuit's fixed-point values against the MPFR reference on the float
# weights, at the output): the relative L2 error on a log scale, and the
# top-1 agreement with the reference (with labelled data also the accuracy,
# dashed, against the reference's accuracy, dotted).  A line per model.
if (!exists("src")) src = "experiments"
load src."/common.gpi"
eval out("drift", 1300, 480)
# one series per model (drift depends only on the model and the bit-width)
array pick[words(models)]
do for [mi=1:words(models)] {
    pick[mi] = ""
    do for [s in series] { if (pick[mi] eq "" && strstrt(s, word(models, mi)."|") == 1) { pick[mi] = s } }
}
# two panels on the left, the second one's legend on the right
set multiplot layout 1, 2 margins 0.08, 0.76, 0.12, 0.86 spacing 0.08 title "zkm drift: the circuit's output against the MPFR reference" font ",13"
eval bits_axis
set xrange [bmin - 1:bmax + 1]
set xlabel "bit-width (bits)"

set title "relative L2 error at the output"
set ylabel "relative L2 error (log scale)"
set logscale y
set format y "%.0e"
set key top right
cmd = ""
do for [mi=1:words(models)] {
    m = word(models, mi)
    if (has(drift_models, m) && pick[mi] ne "") {
        cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("summary using (is('%s','%s','%s') ? column('bits') : NaN):'drift_rel_l2' with linespoints lt %d title '%s'", m, part(pick[mi], 2), part(pick[mi], 3), mi, m)
    }
}
if (cmd eq "") { set label 1 "no drift measured" at graph 0.5, 0.5 center; unset logscale y; plot [0:1][0:1] NaN; unset label 1 } else { eval "plot ".cmd }

set title "top-1 agreement with the reference; accuracy"
unset logscale y
set format y "%g"
set ylabel "inputs (%)"
set yrange [0:105]
set key at screen 0.775, 0.80 left top Left reverse
cmd = ""
do for [mi=1:words(models)] {
    m = word(models, mi)
    if (has(drift_models, m) && pick[mi] ne "") {
        sel = sprintf("is('%s','%s','%s')", m, part(pick[mi], 2), part(pick[mi], 3))
        cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("summary using (%s ? column('bits') : NaN):(100 * column('drift_top1')) with linespoints lt %d title '%s top-1'", sel, mi, m)
        if (has(accuracy_models, m)) {
            cmd = cmd.sprintf(", summary using (%s ? column('bits') : NaN):(100 * column('drift_accuracy')) with linespoints lt %d dt 2 pt 6 title '%s accuracy'", sel, mi, m)
            cmd = cmd.sprintf(", summary using (%s ? column('bits') : NaN):(100 * column('ref_accuracy')) with lines lt %d dt 3 lw 1 title '%s accuracy, reference'", sel, mi, m)
        }
    }
}
if (cmd eq "") { set label 1 "no drift measured" at graph 0.5, 0.5 center; plot [0:1][0:1] NaN; unset label 1 } else { eval "plot ".cmd }
unset multiplot
