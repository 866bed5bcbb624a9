#!/usr/bin/env bash
# Installs what is missing, and nothing else: Debian packages, npm dependencies, the
# TypeScript build. Quick when all is present.
#   scripts/setup.sh runtime   what the cluster needs (`npm start`)
#   scripts/setup.sh all       that and what the tests and benchmarks use (`npm test`, `npm run bench`)
#   scripts/setup.sh SCOPE --list   prints the Debian packages of SCOPE, one a line, and changes nothing
set -euo pipefail
cd "$(dirname "$0")/.."

scope=${1:-all}
# The cluster: mariadbd and Galera, the SST tools (mariabackup with socat, rsync; the SST
# scripts call iproute2's `ss`; pv limits the SST rate, GALERA_PILOT_SST_RATE_LIMIT), HAProxy,
# and iptables for `galera-pilot verify`'s network faults. mariadb-server depends on iproute2
# and recommends pv: they are named here because the cluster uses them, not by chance.
runtime_packages=(mariadb-server galera-4 mariadb-backup zstd socat rsync iproute2 pv haproxy iptables)
# The tests and benchmarks: DNS discovery (dnsmasq), load (sysbench, wrk), the container suite
# (podman and its helpers, debootstrap for the base image), the dashboard's screenshots
# (chromium). Network namespaces use iproute2, already in the runtime set.
test_packages=(dnsmasq sysbench wrk podman runc debootstrap netavark aardvark-dns slirp4netns uidmap chromium)
# Installed without their recommended packages: docker-compose recommends the Docker engine,
# which the tests do not use (they point it at podman's Docker-compatible API).
test_lean_packages=(docker-compose)

case $scope in
  runtime)
    debian_packages=("${runtime_packages[@]}")
    lean_packages=()
    ;;
  all)
    debian_packages=("${runtime_packages[@]}" "${test_packages[@]}")
    lean_packages=("${test_lean_packages[@]}")
    ;;
  *)
    echo "setup: unknown scope \"$scope\"; use runtime or all" >&2
    exit 2
    ;;
esac
if [[ ${2:-} == --list ]]; then
  printf '%s\n' "${debian_packages[@]}" "${lean_packages[@]}"
  exit 0
fi

installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }
missing=()
for pkg in "${debian_packages[@]}"; do installed "$pkg" || missing+=("$pkg"); done
missing_lean=()
for pkg in "${lean_packages[@]}"; do installed "$pkg" || missing_lean+=("$pkg"); done
if ((${#missing[@]} + ${#missing_lean[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: missing Debian packages: ${missing[*]} ${missing_lean[*]}; run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "setup: installing Debian packages: ${missing[*]} ${missing_lean[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  # Debian's maintainer scripts try to start the services; a policy that forbids it keeps
  # a stray system mariadbd/haproxy/dnsmasq from holding the ports the cluster uses.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
  fi
  if ((${#missing[@]})); then apt-get install -y -q "${missing[@]}"; fi
  if ((${#missing_lean[@]})); then apt-get install -y -q --no-install-recommends "${missing_lean[@]}"; fi
  if ((created_policy)); then rm -f "$policy"; fi
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
