#!/usr/bin/env bash
# Debian packages the desktop app needs to build and to be tested in a real window; installed
# only when missing, so a warm machine skips this.
set -euo pipefail
pkgs=(libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
      libayatana-appindicator3-dev librsvg2-dev pkg-config xvfb xauth webkit2gtk-driver
      imagemagick x11-utils dbus-x11 python3-venv xdotool openssh-server openssh-client)
need=()
for p in "${pkgs[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "Installing ${need[*]}..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "Installing tauri-driver..."
  cargo install tauri-driver --locked --version 2.1.0 >/dev/null
fi
