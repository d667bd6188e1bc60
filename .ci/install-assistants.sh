#!/bin/sh
# Installs the real coding-assistant CLIs the assistant tests drive (Codex, Claude Code) into the
# project-local tools/assistants/node_modules (gitignored), and busybox-static for the minimal
# rootfs the namespace-entry tests build. Versions are pinned in tools/assistants/package*.json.
set -eu
cd "$(dirname "$0")/.."
(cd tools/assistants && npm ci --no-audit --no-fund)
if ! [ -x /bin/busybox ] || ! dpkg -s busybox-static >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 install -y busybox-static
  else
    sudo apt-get -o DPkg::Lock::Timeout=600 install -y busybox-static
  fi
fi
tools/assistants/node_modules/.bin/codex --version
tools/assistants/node_modules/.bin/claude --version
