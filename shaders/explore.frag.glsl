#version 330 core
// The explorer's picture: raw float32 measures (row 0 = bottom, NaN = not
// computed yet) coloured through the live colour scale (viz.colour.scale). A
// measure's level is its interpolated rank among the knots of its side:
// converged (< 0) over [-1, -PALE_BAND], diverged (>= 0) over [PALE_BAND, 1], sign
// flipped so diverged lands on Spectral's red end. The probe readout has no
// sides (u_split false): its rank among all knots spans [-1, 1] unflipped.
// NaN is discarded so the clear colour shows through.
//
// Both sides' knots form one increasing array, searched once with a fixed
// number of steps and no early exit: on llvmpipe every search step costs
// milliseconds at 1280 x 720, and a branch per side would run both.
//
// KNOTS (per side, a power of two) and PALE_BAND are #defined from Python
// (viz.colour.scale.colour_defines), so they are written once.

#include "spectral.glsl"
#include "cells.glsl"

uniform sampler2D u_measures;  // R32F, rows x cols
uniform float u_knots[2 * KNOTS];  // converged side (< 0), then diverged side (>= 0); or all, in order
uniform bool u_split;

in vec2 v_unit;
out vec4 f_colour;

float knot_level(int j) {
    if (!u_split) {
        return -1.0 + 2.0 * float(j) / float(2 * KNOTS - 1);
    }
    float side = 1.0 - PALE_BAND;  // the width of each side's levels
    return j < KNOTS ? -1.0 + side * float(j) / float(KNOTS - 1)
                     : PALE_BAND + side * float(j - KNOTS) / float(KNOTS - 1);
}

// The display level of m (Spectral's input).
float level_of(float m) {
    int i = 0;  // how many knots are <= m (at most 2 KNOTS - 1)
    for (int step = KNOTS; step >= 1; step /= 2) {
        i += u_knots[i + step - 1] <= m ? step : 0;
    }
    int a = max(i - 1, 0);
    int b = min(a + 1, 2 * KNOTS - 1);
    if (u_split && a == KNOTS - 1) {  // between the sides: the inner end of m's own side
        return m < 0.0 ? PALE_BAND : -PALE_BAND;
    }
    float ka = u_knots[a];
    float kb = u_knots[b];
    float t = clamp(kb > ka ? (m - ka) / (kb - ka) : 1.0, 0.0, 1.0);
    float level = mix(knot_level(a), knot_level(b), t);
    return u_split ? -level : level;
}

void main() {
    ivec2 cell;
    if (!cell_at(v_unit, textureSize(u_measures, 0), cell)) {
        discard;
    }
    float m = texelFetch(u_measures, cell, 0).r;
    if (isnan(m)) {
        discard;
    }
    f_colour = vec4(spectral(level_of(m)), 1.0);
}
