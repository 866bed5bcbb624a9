#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need and is missing, and nothing else:
# Debian packages, npm dependencies, the TypeScript build. Quick when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(mariadb-server galera-4 mariadb-backup socat rsync haproxy dnsmasq iproute2 iptables sysbench pv wrk podman runc debootstrap netavark aardvark-dns slirp4netns uidmap chromium)

missing=()
for pkg in "${debian_packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Debian's maintainer scripts try to start the services; a policy that forbids it keeps
  # a stray system mariadbd/haproxy/dnsmasq from holding the ports the cluster uses.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  apt-get install -y -q "${missing[@]}"
  ((created_policy)) && rm -f "$policy"
fi

# npm dependencies: reinstall when the lock file changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies"
  npm ci --no-audit --no-fund
fi

# Build when any source is newer than the last build.
stamp=dist/.build-stamp
if [[ ! -f $stamp ]] || [[ -n $(find src test bench tsconfig.json package.json -newer "$stamp" -print -quit 2>/dev/null) ]]; then
  echo "setup: building"
  rm -rf dist # no compiled file of a deleted source may linger
  npx tsc -p tsconfig.json
  touch "$stamp"
fi
