// Spectral colouring, binned exactly as viz.colour.equalise.lut_index does it.
// Included by the fragment stages (GLSL has no #include; viz.display.shaders splices it).
//
// lut_index computes floor((level + 1) / 2 * 256) in float64. For a float32
// level that equals floor(128 * level) + 128, and 128 * level is exact in
// float32 too (a power-of-two scale), so the GPU picks the same row, bit for
// bit. One exception: float64 rounds 1 + level up to exactly 1 for
// -2^-54 <= level < 0, so lut_index gives those row N/2, not N/2 - 1; TINY
// reproduces that. (Elsewhere 1 + level is either exact or rounds without
// crossing a bin edge.) The table is to_rgb8's own bytes (see
// viz.display.programs.spectral_table_rgb8).

uniform sampler2D u_lut;  // N x 1 RGB8 Spectral table, N a power of two

const float TINY = 5.551115123125783e-17;  // 2^-54

vec3 spectral(float level) {
    int size = textureSize(u_lut, 0).x;
    int half_size = size / 2;
    float rounded = (level < 0.0 && level >= -TINY) ? 0.0 : clamp(level, -1.0, 1.0);
    int row = int(floor(rounded * float(half_size))) + half_size;
    return texelFetch(u_lut, ivec2(clamp(row, 0, size - 1), 0), 0).rgb;
}
