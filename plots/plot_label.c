/* plot_label.c - where the names of runs go on the cost-latency chart.
 * Five policies within 26 ms of each other and a line at the SLO leave no
 * room for labels pushed blindly to the right of their points; so each
 * label tries a list of spots around its point and takes the first one
 * that overlaps no label placed before it, no point, no reference line
 * (the SLO, the oracle's bound) and stays inside the frame. Far spots get
 * a leader line back to the point. Greedy in the caller's order (the
 * answer first, the Pareto front next), so the labels that matter most
 * get the best spots. Positions are pixels of the panel, measured from its
 * bottom-left corner: the chart's margins are fixed, so pixels are known.
 * Cost: for each of n labels, up to K spots, each checked against the
 * labels placed, the n points and the lines: O(K n^2), n <= ~30. */
#include "plot_int.h"

#include <math.h>

int plot_lbl_overlap(const plot_lbl *a, const plot_lbl *b)
{
    return a->lx < b->lx + b->w && b->lx < a->lx + a->w && a->ly < b->ly + b->h &&
           b->ly < a->ly + a->h;
}

typedef struct scene {
    const plot_lbl *l;
    int n;
    double W, H, mark;
    const double *vx, *hy;
    int nv, nh;
} scene;

/* 1 when label i at its current spot is clear of everything. */
static int clear(const scene *S, const plot_lbl *c, int i)
{
    const double gap = 2;
    if (c->lx < gap || c->ly < gap || c->lx + c->w > S->W - gap || c->ly + c->h > S->H - gap)
        return 0;
    for (int j = 0; j < S->n; j++) {
        const plot_lbl *o = &S->l[j];
        if (j != i && o->placed && plot_lbl_overlap(c, o))
            return 0;
        /* every point, its own included: a label never covers a marker */
        double h = S->mark / 2;
        if (o->fixed)
            continue;
        if (c->lx < o->px + h && o->px - h < c->lx + c->w && c->ly < o->py + h &&
            o->py - h < c->ly + c->h)
            return 0;
    }
    for (int k = 0; k < S->nv; k++)
        if (S->vx[k] > c->lx - gap && S->vx[k] < c->lx + c->w + gap)
            return 0;
    for (int k = 0; k < S->nh; k++)
        if (S->hy[k] > c->ly - gap && S->hy[k] < c->ly + c->h + gap)
            return 0;
    return 1;
}

/* Try spot k (0..) for label c: 1 when it exists. Spots 0-3 touch the
 * point; beyond, steps of one line up and down, right then left. */
static int spot(plot_lbl *c, int k, double mark)
{
    double off = mark / 2 + 3, cy = c->py - c->h / 2;
    switch (k) {
    case 0: c->lx = c->px + off; c->ly = cy; return 1;
    case 1: c->lx = c->px - off - c->w; c->ly = cy; return 1;
    case 2: c->lx = c->px - c->w / 2; c->ly = c->py + off; return 1;
    case 3: c->lx = c->px - c->w / 2; c->ly = c->py - off - c->h; return 1;
    default: break;
    }
    k -= 4;
    int step = k / 4 + 1, side = k % 4; /* up-right, down-right, up-left, down-left */
    if (step > 12)
        return 0;
    double dy = step * (c->h + 2) * (side % 2 == 0 ? 1 : -1);
    c->lx = side < 2 ? c->px + off : c->px - off - c->w;
    c->ly = cy + dy;
    return 1;
}

int plot_labels_place(plot_lbl *l, int n, double W, double H, double mark, const double *vx,
                      int nv, const double *hy, int nh)
{
    scene S = {l, n, W, H, mark, vx, hy, nv, nh};
    int placed = 0;
    for (int i = 0; i < n; i++) {
        l[i].placed = l[i].fixed;
        l[i].leader = 0;
    }
    for (int i = 0; i < n; i++) {
        plot_lbl *c = &l[i];
        if (c->fixed || !isfinite(c->px) || !isfinite(c->py))
            continue;
        for (int k = 0; spot(c, k, mark); k++)
            if (clear(&S, c, i)) {
                c->placed = 1;
                c->leader = k >= 4;
                placed++;
                break;
            }
    }
    return placed;
}
