# Drift against cost: for each proof mode a panel, x the median prove time
# and y the relative L2 error at the output (both log scales); a line per
# model and range strategy through its bit-widths (those of the first range
# strategy labelled).  Down and to
# the left is better: the chart shows what each bit of precision costs.
if (!exists("src")) src = "experiments"
load src."/common.gpi"
nmd = words(modes)
eval out("drift_cost", 520 * nmd + 300, 500)
# the panels on the left, one legend on the right for all of them
right = (520.0 * nmd + 20) / (520 * nmd + 300)
set multiplot layout 1, nmd margins 100.0 / (520 * nmd + 300), right - 0.02, 0.13, 0.86 spacing 0.07 title "Drift against prover cost: each point a bit-width (labelled)" font ",13"
set logscale xy
set format y "%.0e"
set xlabel "prove time (s, log scale)"
set ylabel "relative L2 error at the output (log scale)"
do for [mi=1:nmd] {
    md = word(modes, mi)
    if (mi == nmd) { set key at screen right + 0.01, 0.84 left top Left reverse } else { unset key }
    set title sprintf("mode %s", md)
    cmd = ""
    k = 0
    do for [m in models] {
        do for [ri=1:words(ranges)] {
            r = word(ranges, ri)
            if (has(series, m."|".md."|".r) && has(drift_models, m)) {
                k = k + 1
                sel = sprintf("is('%s','%s','%s')", m, md, r)
                cmd = cmd.(cmd eq "" ? "" : ", ").sprintf("summary using (%s ? column('prove_s') : NaN):'drift_rel_l2' with linespoints lt %d dt %d title '%s, range %s'", sel, (k - 1) / words(ranges) % 10 + 1, ri, m, r)
                if (ri == 1) {
                    cmd = cmd.sprintf(", summary using (%s ? column('prove_s') : NaN):'drift_rel_l2':(strcol('bits')) with labels offset char 0.9, char 0.6 font ',9' tc lt %d notitle", sel, (k - 1) / words(ranges) % 10 + 1)
                }
            }
        }
    }
    if (cmd eq "") {
        unset logscale xy
        set label 1 "no runs with drift" at graph 0.5, 0.5 center
        plot [0:1][0:1] NaN
        unset label 1
        set logscale xy
    } else {
        eval "plot ".cmd
    }
}
unset multiplot
