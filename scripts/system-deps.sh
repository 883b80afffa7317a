#!/usr/bin/env bash
# Debian packages the portal and its tests need: gettext (compiled messages),
# Chromium and its driver (end-to-end tests), a CJK font (screenshots, PDFs),
# wrk (the web benchmark).
set -euo pipefail
packages=(gettext chromium chromium-driver fonts-noto-cjk wrk)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them with: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
