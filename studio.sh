#!/usr/bin/env bash
# HEPGen Studio set-up, the whole of it:
#   ./studio.sh             install what is missing, build, start the app on the built-in demo
#   ./studio.sh test        install what is missing, build, run every test under a virtual display
#   ./studio.sh build       install what is missing and build only
#   ./studio.sh bench       also install the Python references, then run the benchmarks (tests/bench)
# Extra arguments after the mode go to the app (e.g. ./studio.sh run FILE --view hunt).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(
  cmake ninja-build g++ ccache pkg-config
  qt6-base-dev qt6-base-dev-tools qt6-qpa-plugins libqt6opengl6-dev libqt6svg6-dev
  libvtk9-dev libqcustomplot-dev
  libtorch-dev libopenblas0-pthread
  libhdf5-dev nlohmann-json3-dev libcli11-dev libfmt-dev libxgboost-dev
  xvfb xauth libgl1-mesa-dri fonts-dejavu-core libbenchmark-dev
)

# Only for benchmarks and for rewriting third-party test fixtures; never needed to build or test.
BENCH_PACKAGES=(python3-numpy python3-pandas python3-tables python3-h5py python3-torch)

install_missing() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "HEPGen Studio needs these Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  local jobs
  jobs=$(nproc)
  # Shared ccache across clones and worktrees: hits need paths relative to a common base.
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(dirname "$PWD")}"
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
  if [ ! -f build/build.ninja ]; then
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
  fi
  cmake --build build -j "$jobs"
}

mode="${1:-run}"
[ $# -gt 0 ] && shift
case "$mode" in
  run)
    install_missing "${PACKAGES[@]}"
    build
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "No display found: start ./studio.sh from a desktop session (or try: xvfb-run -a ./studio.sh run --screenshot shot.png)." >&2
      exit 1
    fi
    exec build/app/hepgen-studio "$@"
    ;;
  test)
    install_missing "${PACKAGES[@]}"
    build
    # One virtual X server for the whole suite; software OpenGL (llvmpipe) renders the 3D views.
    exec xvfb-run -a -s "-screen 0 1600x1000x24" \
      ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
    ;;
  build)
    install_missing "${PACKAGES[@]}"
    build
    ;;
  bench)
    install_missing "${PACKAGES[@]}" "${BENCH_PACKAGES[@]}"
    build
    cmake --build build -j "$(nproc)" --target bench_lhco_load bench_shower_sim bench_training bench_shower_generation \
      bench_scrubber bench_map
    /usr/bin/python3 tests/bench/lhco_load.py build
    build/tests/bench/bench_shower_sim
    build/tests/bench/bench_shower_generation
    xvfb-run -a -s "-screen 0 1600x1000x24" build/tests/bench/bench_scrubber
    /usr/bin/python3 tests/bench/training_vs_pytorch.py build
    /usr/bin/python3 tests/bench/hunt_cathode.py build
    /usr/bin/python3 tests/bench/map_vs_pytorch.py build
    ;;
  *)
    echo "usage: ./studio.sh [run [FILE] [--view V]] | test | build | bench" >&2
    exit 2
    ;;
esac
