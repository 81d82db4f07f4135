#!/usr/bin/env bash
# Installs, only when missing, the Debian packages hotspan needs to build and test,
# and the npm packages of the OTLP decoder test (tests/otlp_decoder, run by
# Node.js: the nodejs and npm packages are installed when `node` or `npm` is
# missing). Idempotent and quiet when everything is present. Extra packages may
# be passed as arguments (e.g. `scripts/setup.sh clang libclang-rt-14-dev`).
# chromium renders the pages of `hotspan report` in the report test.
set -euo pipefail

packages=(build-essential cmake pkg-config libconcurrentqueue-dev libxxhash-dev
          libsimdjson-dev libbenchmark-dev catch2 libcurl4-openssl-dev zlib1g-dev
          chromium "$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# A Node.js that did not come from Debian (with its own npm) is used as it is.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -ne 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo_cmd=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "hotspan setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "hotspan setup: run as root, or give this user password-less sudo, or install them:" >&2
    echo "    apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
  fi

  echo "hotspan setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The OTLP decoder test's npm packages, exactly as package-lock.json pins them:
# installed when node_modules is missing or older than the lock file.
decoder_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/otlp_decoder"
if [ ! -d "$decoder_dir/node_modules" ] ||
   [ "$decoder_dir/package-lock.json" -nt "$decoder_dir/node_modules" ]; then
  echo "hotspan setup: npm ci in tests/otlp_decoder"
  (cd "$decoder_dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  touch "$decoder_dir/node_modules"
fi
