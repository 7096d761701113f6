#!/bin/sh
# Installs the system packages the tests need when they are absent (Debian/Ubuntu, as root or with sudo).
# tmux: the end-to-end tests drive the real terminal UI in it. git: everything Axum does.
# chromium: the browser-attack test (RELIABILITY.md) opens WebSockets from a real page, driven by playwright-core.
# prometheus: the Prometheus checks' end-to-end test runs a real one on loopback.
# openssh-server, rsync: remote environments deploy with ssh and rsync; their tests run real sshd "hosts" on loopback.
set -eu
missing=""
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v git >/dev/null 2>&1 || missing="$missing git"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v prometheus >/dev/null 2>&1 || missing="$missing prometheus"
[ -x /usr/sbin/sshd ] && command -v ssh >/dev/null 2>&1 || missing="$missing openssh-server openssh-client"
command -v rsync >/dev/null 2>&1 || missing="$missing rsync"
if [ -z "$missing" ]; then
  echo "system-deps: tmux, git, chromium, prometheus, openssh-server and rsync present"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: please install:$missing (no apt-get here)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "system-deps: installing$missing with apt-get"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
