#version 330 core
// A finished frame laid over the screen with opacity u_alpha (blending on):
// the demo's cross-fade from one flight to the next.

uniform sampler2D u_frame;
uniform float u_alpha;

in vec2 v_unit;
out vec4 f_colour;

void main() {
    f_colour = vec4(texture(u_frame, v_unit).rgb, u_alpha);
}
