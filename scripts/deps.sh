#!/bin/sh
# Check the Debian packages zkm needs; as root, install the missing ones.
# Usage: scripts/deps.sh            check, install if root
#        scripts/deps.sh --list     print the package list
set -eu

# python3 (standard library only) writes the .npy and safetensors files the
# end-to-end tests load; gnuplot-nox renders the charts of make experiments.
PKGS="gcc make libc6-dev flex bison libgmp-dev libmpfr-dev libsodium-dev libjansson-dev libcmocka-dev python3 gnuplot-nox"

if [ "${1:-}" = "--list" ]; then
    echo "$PKGS"
    exit 0
fi

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "zkm: missing Debian packages:$missing" >&2
    echo "zkm: install them with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi

echo "zkm: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
