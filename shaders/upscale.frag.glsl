#version 330 core
// Stretch an already coloured picture over the viewport, nearest texel: the
// explorer colours a half-size picture while the view moves, then scales it.

uniform sampler2D u_image;

in vec2 v_unit;
out vec4 f_colour;

void main() {
    f_colour = texture(u_image, v_unit);
}
