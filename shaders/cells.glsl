// Nearest-sample lookup: texture coordinate (0..1 over the whole texture) to
// the cell that holds it, so each sample is drawn as a cell centred on its
// sample point. False when the point lies outside the texture.

bool cell_at(vec2 uv, ivec2 size, out ivec2 cell) {
    vec2 scaled = floor(uv * vec2(size));
    cell = ivec2(scaled);
    return all(greaterThanEqual(scaled, vec2(0.0))) && all(lessThan(scaled, vec2(size)));
}
