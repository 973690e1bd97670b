#!/usr/bin/env bash
# Installs the system libraries Reach links against (Debian/Ubuntu). Safe to run twice.
set -euo pipefail
packages=(libproj-dev proj-data zlib1g-dev coinor-libcbc-dev libgdal-dev gdal-bin pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi
