#version 330 core
// One triangle that covers the whole viewport, built from gl_VertexID so that
// no vertex buffer is needed. v_unit runs from (0, 0) at the viewport's
// bottom-left corner to (1, 1) at its top-right.

out vec2 v_unit;

void main() {
    vec2 corner = vec2((gl_VertexID << 1) & 2, gl_VertexID & 2);  // (0,0) (2,0) (0,2)
    v_unit = corner;
    gl_Position = vec4(corner * 2.0 - 1.0, 0.0, 1.0);
}
