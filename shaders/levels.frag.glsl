#version 330 core
// Colour a texture of equalised levels (row 0 = bottom) with the Spectral
// table. u_view is the rectangle of texture coordinates that fills the
// viewport (left, bottom, right, top): (0, 0, 1, 1) shows the texture 1:1 on
// a viewport of its size; a smaller rectangle zooms in on samples already
// computed. Missing samples (NaN) and points outside the texture are
// discarded, so whatever was drawn before (a clear to grey, or a coarser
// level) shows through.

#include "spectral.glsl"
#include "cells.glsl"

uniform sampler2D u_levels;  // R32F
uniform vec4 u_view;

in vec2 v_unit;
out vec4 f_colour;

void main() {
    ivec2 cell;
    if (!cell_at(mix(u_view.xy, u_view.zw, v_unit), textureSize(u_levels, 0), cell)) {
        discard;
    }
    float level = texelFetch(u_levels, cell, 0).r;
    if (isnan(level)) {
        discard;
    }
    f_colour = vec4(spectral(level), 1.0);
}
