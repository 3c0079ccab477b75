# Shared by scripts/demo and scripts/test: install what is missing, configure
# and build with meson. Source it; it defines functions only.
#
# SPDX-License-Identifier: Apache-2.0

EMZA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian packages the library and its tools need to build and run.
EMZA_BUILD_PACKAGES=(gcc libc6-dev pkg-config meson ninja-build openssl libssl-dev libxml2-dev
                     libjansson-dev python3)
# PKCS#11 (smart cards, tokens): p11-kit's pkcs11.h only; modules are loaded with dlopen.
EMZA_BUILD_PACKAGES+=(libp11-kit-dev)
# ASiC containers (lib/asic*.c): libzip reads and writes them in memory.
EMZA_BUILD_PACKAGES+=(libzip-dev)
# Extra packages the test suite needs: unit tests, fuzzing, independent peers.
EMZA_TEST_PACKAGES=(libcmocka-dev clang libclang-rt-14-dev g++ binutils xmlsec1 libxmlsec1-dev)
# The bindings' tests: a venv that installs bindings/python offline, and a JDK for the JNI glue.
EMZA_TEST_PACKAGES+=(python3-venv python3-setuptools python3-wheel openjdk-17-jdk-headless)
# SoftHSM2 stands in for a smart card (tests/fixtures/make-token.sh; softhsm2-util imports keys).
EMZA_TEST_PACKAGES+=(softhsm2)

emza_log() { printf 'emza: %s\n' "$*" >&2; }

# Installs the named Debian packages that are not installed yet (apt-get, as root).
emza_install_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    emza_log "missing packages: ${missing[*]}"
    emza_log "install them with: sudo apt-get install ${missing[*]}"
    return 1
  fi
  emza_log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# emza_build DIR [meson options...]: configures DIR once (reconfigures when
# options changed) and builds it.
# Quiet on success; on failure the last lines of the log say why.
emza_build() {
  local dir=$1; shift
  mkdir -p "$dir"
  local log="$dir/emza-build.log"
  local setup=(meson setup "$dir" "$EMZA_ROOT" "$@")
  [ -f "$dir/build.ninja" ] && setup=(meson setup --reconfigure "$dir" "$EMZA_ROOT" "$@")
  if ! "${setup[@]}" >"$log" 2>&1 || ! ninja -C "$dir" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    emza_log "build of $dir failed (full log: $log)"
    return 1
  fi
}
