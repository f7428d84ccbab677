#version 330 core
// One frame of the paper's zoom video: keyframes k, k+1, k+2 scaled about the
// fixed centre, finer keyframes on top, k+2 fading in with u_fade (= alpha).
// A keyframe's middle may sit a fraction of a sample off the centre (lattice
// keyframes), so each layer is shifted to put the centre where it really is.
// Each layer texture (RG32F) holds the keyframe's measures equalised against
// reference k (r) and reference k+1 (g), precomputed in float64 on the CPU;
// the colour blends them as (1 - s) * r + s * g with s = u_blend. Missing
// samples (NaN) and points outside a layer let the layer below show; where
// no layer has a sample the frame shows u_missing.

#include "spectral.glsl"
#include "cells.glsl"

uniform sampler2D u_layer0;  // keyframe k
uniform sampler2D u_layer1;  // keyframe k + 1
uniform sampler2D u_layer2;  // keyframe k + 2
uniform vec2 u_scale[3];     // fraction of each layer's texture the frame spans, about the centre
uniform vec2 u_shift[3];     // where the centre lies in each layer's texture, from its middle (texture units)
uniform float u_blend;
uniform float u_fade;
uniform vec3 u_missing;

in vec2 v_unit;
out vec4 f_colour;

bool layer_colour(sampler2D layer, vec2 scale, vec2 shift, out vec3 colour) {
    ivec2 cell;
    if (!cell_at(0.5 + (v_unit - 0.5) * scale + shift, textureSize(layer, 0), cell)) {
        return false;
    }
    vec2 pair = texelFetch(layer, cell, 0).rg;
    if (isnan(pair.r) || isnan(pair.g)) {
        return false;
    }
    colour = spectral((1.0 - u_blend) * pair.r + u_blend * pair.g);
    return true;
}

void main() {
    vec3 colour = u_missing;
    vec3 layer;
    if (layer_colour(u_layer0, u_scale[0], u_shift[0], layer)) {
        colour = layer;
    }
    if (layer_colour(u_layer1, u_scale[1], u_shift[1], layer)) {
        colour = layer;
    }
    if (layer_colour(u_layer2, u_scale[2], u_shift[2], layer)) {
        colour = (1.0 - u_fade) * colour + u_fade * layer;
    }
    f_colour = vec4(colour, 1.0);
}
