#!/bin/sh
# The main job until `axum demo` exists: a scratch model repository, a real daemon, `axum status`, stop.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
axum="$here/bin/axum"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/axum-demo-XXXXXX")
repo="$scratch/model-repo"
cleanup() {
  "$axum" daemon stop --repo "$repo" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

mkdir -p "$repo/model"
cd "$repo"
git init -q -b main
git config user.email demo@axum.local
git config user.name "Axum demo"
cat > axum.yml <<'YAML'
version: 1
environments:
  dev:        { branch: develop }
  staging:    { branch: staging }
  production: { branch: main, approval: manual }
stages:
  - name: test
    steps:
      - { name: unit, run: "node -e 'process.exit(0)'", timeout: 1m }
artifacts: [model/**]
YAML
echo '{"weights":[0.4,-1.2],"bias":0.1}' > model/weights.json
git add -A && git commit -q -m "v1: first model"

echo "== axum daemon start"
"$axum" daemon start
echo "== axum status"
"$axum" status
echo "== axum daemon status --json"
"$axum" daemon status --json
echo "== axum daemon stop"
"$axum" daemon stop
