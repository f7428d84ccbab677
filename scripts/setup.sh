#!/usr/bin/env bash
# Set up nnfractal on a fresh Debian/Ubuntu machine: system libraries for
# OpenGL (Mesa, EGL), Xvfb and xdotool for the window tests, then a virtual
# environment in .venv with the package (editable, so shaders/ is found) and
# its test extras. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libgl1 libegl1 libegl-mesa0 libgl1-mesa-dri libglx-mesa0 xvfb xauth xdotool)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'

# Build the float64 kernels that `explore` (quick preset on a CPU, n=8) and `render` (paper preset, n=16)
# use into Taichi's offline cache, so the first picture loads a kernel rather than builds one. A kernel
# already cached loads in seconds, so running this again costs little.
echo "setup: building the kernels for the quick (n=8) and paper (n=16) presets into Taichi's cache" \
     "(a minute or two the first time, seconds once cached)..."
prebuild=$(mktemp -d)
trap 'rm -rf "$prebuild"' EXIT
for preset in quick paper; do
    .venv/bin/nnfractal render --preset "$preset" --res 8 --out "$prebuild/$preset.npy" --quiet >/dev/null
done
echo "setup: kernels ready"
