#!/usr/bin/env bash
# What this proves: on a fresh Debian 12 machine with Node 20, as root, a fresh clone's
# `npm start` works as README's quick start says (3 of 3 nodes synced, HAProxy serving writes
# and reads on 127.0.0.1:3306) and installs the runtime Debian packages
# (`bash scripts/setup.sh runtime --list`) without asking for any package only the tests use
# (`bash scripts/setup.sh all --list` minus those): each of those is absent, but for what apt
# brings as a dependency of the runtime set (Debian 12's mariadb-server Depends on iproute2
# and Recommends pv), which is checked and shown.
#
# How: the repository's committed HEAD is cloned into a temporary folder (uncommitted changes
# are not part of the test) and mounted at /root/galera-pilot in a container of
# localhost/galera-pilot-node:20, the container tests' stand-in for node:20-bookworm-slim
# (Debian 12 minbase from debootstrap, this machine's node and npm in /usr/local; built by
# test/support/container-images.ts). Inside, as root: `npm start`, then `npx galera-pilot
# status --json`, one write and one read through the writer port with the `mariadb` client,
# dpkg-query on every package of both lists, `npx galera-pilot down`. The container has its own
# network namespace (podman's default bridge, outbound by NAT), so nothing binds the host's
# 127.0.0.x addresses.
#
# What a fresh machine is taken to hold, beyond the image: ca-certificates (Debian's cloud
# images have it; installed before the clock starts). Undone from the slim image, since a
# real machine has none of them: /usr/sbin/policy-rc.d (setup.sh must write its own) and the
# slim image's dpkg/apt trimming (docs excluded, .debs deleted). Not needed inside: git (the
# clone is made on this machine). The image's NODE_EXTRA_CA_CERTS (this machine's CA bundle,
# for its TLS-intercepting egress) is left as is: npm needs it here, not on a real machine.
#
# Run, as root, on a machine with podman and that image (`npm test`'s container suite builds it):
#   bash scripts/fresh-machine-start.sh
# Settings: FRESH_IMAGE (default localhost/galera-pilot-node:20), FRESH_READY_TIMEOUT (seconds
# from `npm start` to 3 of 3 synced, default 2400), FRESH_NOFILE (the container's open-files
# limit, soft:hard; see below), FRESH_KEEP_LOG (a path: `npm start`'s output is copied there).
# Exit 0 when every check passed; otherwise non-zero, with one line saying why (last on stderr).
set -Eeuo pipefail

image=${FRESH_IMAGE:-localhost/galera-pilot-node:20}
ready_timeout=${FRESH_READY_TIMEOUT:-2400}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=galera-pilot-fresh-$$
inside=/root/galera-pilot
state=/var/lib/galera-pilot/local
# This machine's podman flags (test/support/container-images.ts): runc, and limits podman may
# set. The open-files limit is Debian 12's own default, soft 1024 and hard 524288 (systemd's
# DefaultLimitNOFILE, which a root login inherits), the hard one capped at what this machine
# grants (podman may not raise it): HAProxy raises its soft limit to 4040 for maxconn 2000, so
# with the container tests' 1024:1024 it exits at once ("Cannot raise FD limit to 4040, limit
# is 1024"), which no fresh Debian 12 would do. FRESH_NOFILE=1024:1024 shows that failure.
host_hard=$(ulimit -Hn)
[[ $host_hard == unlimited || $host_hard -gt 524288 ]] && host_hard=524288
nofile=${FRESH_NOFILE:-1024:$host_hard}
podman_flags=(--runtime runc --ulimit "nofile=$nofile" --ulimit nproc=1024:1024)

say() { printf 'fresh-machine-start: %s\n' "$*"; }

tmp=""
start_pid=""
container_up=0
cluster_maybe_up=0
log=/dev/null

cleanup() {
  local status=$?
  trap - EXIT ERR INT TERM
  if ((cluster_maybe_up && container_up)); then
    # A failure after `npm start`: stop the nodes cleanly before the container goes.
    timeout 120 podman exec "$name" bash -c "cd $inside && node dist/src/cli/main.js down" >/dev/null 2>&1 || true
  fi
  if ((container_up)); then podman rm -f -t 5 "$name" >/dev/null 2>&1 || true; fi
  if [[ -n $start_pid ]] && kill -0 "$start_pid" 2>/dev/null; then kill "$start_pid" 2>/dev/null || true; fi
  if [[ -n $start_pid ]]; then wait "$start_pid" 2>/dev/null || true; fi
  if [[ -n ${FRESH_KEEP_LOG:-} && -f $log ]]; then cp "$log" "$FRESH_KEEP_LOG" || true; fi
  if [[ -n $tmp ]]; then rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'echo "fresh-machine-start: FAIL: interrupted (SIGINT)" >&2; exit 130' INT
trap 'echo "fresh-machine-start: FAIL: interrupted (SIGTERM)" >&2; exit 143' TERM
trap 'echo "fresh-machine-start: FAIL: line $LINENO: \`$BASH_COMMAND\` exited $?" >&2' ERR

# One line, last on stderr; the end of `npm start`'s output first when there is one.
fail() {
  trap - ERR
  if [[ -s $log ]]; then
    echo "--- last lines of npm start ---" >&2
    tail -n 25 "$log" >&2
    echo "---" >&2
  fi
  echo "fresh-machine-start: FAIL: $*" >&2
  exit 1
}

in_box() { podman exec "$name" bash -c "$1"; }
seconds_since() { # elapsed since a `date +%s%N` stamp, in seconds with one decimal
  local ms=$((($(date +%s%N) - $1) / 1000000))
  printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

[[ $(id -u) -eq 0 ]] || fail "run as root (podman runs the container as root here)"
command -v podman >/dev/null || fail "podman is not installed"
command -v git >/dev/null || fail "git is not installed"
podman image exists "$image" || fail "no image $image (the container tests build it: test/support/container-images.ts)"

# 1. A clean clone of the committed HEAD.
tmp=$(mktemp -d /tmp/galera-pilot-fresh.XXXXXX)
log=$tmp/npm-start.log
git clone --quiet --no-hardlinks "$repo" "$tmp/galera-pilot" || fail "git clone of $repo failed"
head=$(git -C "$tmp/galera-pilot" log -1 --format='%h %s' | cut -c1-100)
dirty=$(git -C "$repo" status --porcelain --untracked-files=no | wc -l)
say "clone of $repo at $head$( ((dirty)) && echo " ($dirty uncommitted changes in $repo are not tested)")"

# 2. A fresh Debian 12 with Node 20, the clone mounted, root.
podman run -d --name "$name" "${podman_flags[@]}" --init --hostname fresh-debian12 \
  -v "$tmp/galera-pilot:$inside" -w "$inside" "$image" sleep infinity >/dev/null ||
  fail "podman run of $image failed"
container_up=1
# shellcheck disable=SC2016 # expanded inside the container
in_box '. /etc/os-release && [[ $VERSION_ID == 12 ]]' || fail "the image is not Debian 12"
node_version=$(in_box 'node --version') || fail "no node in the image"
[[ $node_version == v20.* ]] || fail "the image's node is $node_version, not 20"
in_box 'rm -f /usr/sbin/policy-rc.d /etc/dpkg/dpkg.cfg.d/docker /etc/apt/apt.conf.d/docker-clean /etc/apt/apt.conf.d/docker-no-languages' ||
  fail "could not undo the slim image's settings"
in_box 'export DEBIAN_FRONTEND=noninteractive; apt-get update -q && apt-get install -y -q --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/apt/lists/partial' >"$tmp/prep.log" 2>&1 ||
  fail "apt-get in the container failed installing ca-certificates (can it reach Debian's mirror?): $(tail -n 1 "$tmp/prep.log")"
in_box 'node -e "fetch(\"https://registry.npmjs.org/\").then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"' ||
  fail "node in the container cannot reach registry.npmjs.org"

mapfile -t runtime_pkgs < <(bash "$tmp/galera-pilot/scripts/setup.sh" runtime --list)
mapfile -t all_pkgs < <(bash "$tmp/galera-pilot/scripts/setup.sh" all --list)
test_only=()
for pkg in "${all_pkgs[@]}"; do
  [[ " ${runtime_pkgs[*]} " == *" $pkg "* ]] || test_only+=("$pkg")
done
((${#runtime_pkgs[@]} && ${#test_only[@]})) || fail "setup.sh --list printed an empty set"
# dpkg-query, inside: "PKG yes" when installed, "PKG no" otherwise.
installed_report() {
  in_box "for p in $*; do if [[ \$(dpkg-query -W -f='\${Status}' \"\$p\" 2>/dev/null) == 'install ok installed' ]]; then echo \"\$p yes\"; else echo \"\$p no\"; fi; done"
}
already=$(installed_report "${all_pkgs[@]}" | awk '$2 == "yes" {print $1}' | paste -sd' ')
[[ -z $already ]] || fail "the fresh machine already has $already: it proves nothing"
in_box "dpkg-query -W -f='\${Package}\n' | sort" >"$tmp/packages-before"
# The installed software's size: / without the cluster's data and npm's download cache.
system_du="du -sxm --exclude=/var/lib/galera-pilot --exclude=/root/.npm / | cut -f1"
du_before=$(in_box "$system_du")
say "fresh Debian $(in_box 'cat /etc/debian_version'), node $node_version, npm $(in_box 'npm --version'), $(wc -l <"$tmp/packages-before") packages, / uses $du_before MB"

# 3. npm start, as a user would run it, until 3 of 3 are synced.
say "npm start (up to ${ready_timeout} s to ready)"
started=$(date +%s%N)
podman exec "$name" bash -c "cd $inside && exec npm start" >"$log" 2>&1 &
start_pid=$!
cluster_maybe_up=1
declare -A phase_at=()
phases=("setup: installing npm dependencies|Debian packages" "setup: building|npm dependencies"
  "[local] state folder|TypeScript build" "nodes synced after|cluster start to 3/3 synced")
while ! grep -q '^\[local\] 3 of 3 nodes synced after' "$log"; do
  for entry in "${phases[@]}"; do
    marker=${entry%%|*}
    if [[ -z ${phase_at[$marker]:-} ]] && grep -qF -- "$marker" "$log"; then phase_at[$marker]=$(seconds_since "$started"); fi
  done
  if ! kill -0 "$start_pid" 2>/dev/null; then
    rc=0 && wait "$start_pid" || rc=$?
    start_pid=""
    fail "npm start exited (status $rc) before the cluster was up: $(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-200)"
  fi
  if grep -q 'the cluster did not come up' "$log"; then
    fail "$(grep -m1 'the cluster did not come up' "$log" | cut -c1-200)"
  fi
  if (($(date +%s%N) - started > ready_timeout * 1000000000)); then
    fail "the cluster was not 3 of 3 synced ${ready_timeout} s after npm start: $(tail -n 1 "$log" | cut -c1-200)"
  fi
  sleep 1
done
synced_after=$(seconds_since "$started")
runner_after=$(grep -m1 -o 'nodes synced after [0-9.]* s' "$log" | grep -o '[0-9][0-9.]* s')
say "3 of 3 synced ${synced_after} s after npm start (the runner's own count, from its start: $runner_after)"

# Ready for a user once HAProxy's writer port answers too (the runner says "synced" from the
# nodes' states alone): a SELECT through 127.0.0.1:3306, tried for up to 60 s.
client="mariadb --defaults-extra-file=$state/client.cnf -h 127.0.0.1 -P 3306"
until in_box "$client -N -B -e 'SELECT 1'" >"$tmp/select.out" 2>&1; do
  if (($(date +%s%N) - started > (${synced_after%.*} + 60) * 1000000000)); then
    why=$(in_box "grep -m1 ALERT $state/haproxy.log" 2>/dev/null | cut -c1-160 || true)
    fail "3 of 3 synced, but HAProxy's writer port 127.0.0.1:3306 did not answer within 60 s: $(tail -n 1 "$tmp/select.out")${why:+; haproxy.log: $why}"
  fi
  sleep 0.5
done
ready_after=$(seconds_since "$started")
say "ready: 3 of 3 synced and HAProxy answering on 127.0.0.1:3306 ${ready_after} s after npm start"

# The project's own status, as README tells users: 3 nodes, all synced in a primary of 3, one writer.
status_json=$(in_box "cd $inside && npx galera-pilot status --json") || fail "npx galera-pilot status --json failed"
# shellcheck disable=SC2016 # JavaScript template strings
status_check=$(node -e '
  const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const bad = s.nodes.filter((n) => n.phase !== "synced" || n.clusterSize !== 3 || n.clusterStatus !== "Primary");
  const writers = s.nodes.filter((n) => n.writer).map((n) => n.name);
  if (s.nodes.length !== 3 || bad.length || writers.length !== 1 || s.proxy.writer !== "127.0.0.1:3306")
    console.log(`FAIL ${s.nodes.length} nodes, not synced: ${bad.map((n) => n.name + "=" + n.phase).join(",") || "none"}, writers: ${writers.join(",") || "none"}, proxy ${s.proxy.writer}`);
  else console.log(`3 nodes synced (${s.nodes.map((n) => n.name + "@" + n.address + " seqno " + n.seqno).join(", ")}), writer ${writers[0]}, HAProxy ${s.proxy.writer} / ${s.proxy.reader}`);
' <<<"$status_json") || fail "status --json is not the documented JSON"
[[ $status_check != FAIL* ]] || fail "status --json: ${status_check#FAIL }"
say "status: $status_check"

# One write and one read through HAProxy's writer port, as README's connect line does.
token=fresh-$(date +%s)-$$
served_by=$(in_box "$client -N -B -e \"CREATE DATABASE IF NOT EXISTS fresh_machine; CREATE TABLE IF NOT EXISTS fresh_machine.t (id INT AUTO_INCREMENT PRIMARY KEY, token VARCHAR(64) NOT NULL); INSERT INTO fresh_machine.t (token) VALUES ('$token'); SELECT @@wsrep_node_name;\"") ||
  fail "the write through HAProxy's writer port 127.0.0.1:3306 failed"
read_back=$(in_box "$client -N -B -e \"SELECT token FROM fresh_machine.t WHERE token = '$token'\"") ||
  fail "the read through HAProxy's writer port 127.0.0.1:3306 failed"
[[ $read_back == "$token" ]] || fail "read back \"$read_back\" through 127.0.0.1:3306, wrote \"$token\""
replicas=""
for n in n1 n2 n3; do
  got=$(in_box "mariadb -S $state/$n/run/mysqld.sock -N -B -e \"SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM fresh_machine.t WHERE token = '$token'\"") ||
    fail "could not read $n through its socket"
  [[ $got == 1 ]] || fail "the row written through HAProxy is not on $n"
  replicas+="$n "
done
say "SQL: wrote and read back '$token' through 127.0.0.1:3306 (served by $served_by); the row is on ${replicas% }"

# 4. The packages: every runtime one installed. Of the tests' ones, none asked for: Debian 12's
# mariadb-server itself Depends on iproute2 and Recommends pv, so apt brings those two with the
# runtime set, marked automatic. A test-only package passes only when it is absent, or apt marks
# it automatic and an installed package Depends on or Recommends it (shown); any other fails.
report=$(installed_report "${all_pkgs[@]}")
missing_runtime=$(awk -v want=" ${runtime_pkgs[*]} " '$2 == "no" && index(want, " " $1 " ") {print $1}' <<<"$report" | paste -sd' ')
[[ -z $missing_runtime ]] || fail "runtime packages not installed by npm start: $missing_runtime"
mapfile -t present_test < <(awk -v want=" ${test_only[*]} " '$2 == "yes" && index(want, " " $1 " ") {print $1}' <<<"$report")
in_box 'apt-mark showauto' >"$tmp/auto"
in_box "dpkg-query -W -f='\${Package}\t\${Pre-Depends}, \${Depends}\t\${Recommends}\n'" >"$tmp/relations"
for pkg in "${runtime_pkgs[@]}"; do
  ! grep -qx -- "$pkg" "$tmp/auto" || fail "$pkg is installed, but as a dependency: npm start did not ask for it"
done
absent_test=()
for pkg in "${test_only[@]}"; do
  [[ " ${present_test[*]} " == *" $pkg "* ]] || absent_test+=("$pkg")
done
pulled=()
for pkg in "${present_test[@]}"; do
  grep -qx -- "$pkg" "$tmp/auto" || fail "npm start installed $pkg, which only the tests need, by name (apt marks it manual)"
  why=$(awk -F'\t' -v p="$pkg" '
    function names(field, i, n, parts) {
      n = split(field, parts, /[,|]/)
      for (i = 1; i <= n; i++) { gsub(/\(.*\)|:any|[ ]/, "", parts[i]); if (parts[i] == p) return 1 }
      return 0
    }
    names($2) { out = out sep "Depends of " $1; sep = ", " }
    names($3) { out = out sep "Recommends of " $1; sep = ", " }
    END { print out }' "$tmp/relations")
  [[ -n $why ]] || fail "npm start installed $pkg, which only the tests need, and no installed package asks for it"
  pulled+=("$pkg ($why)")
done
in_box "dpkg-query -W -f='\${Package}\n' | sort" >"$tmp/packages-after"
new_count=$(comm -13 "$tmp/packages-before" "$tmp/packages-after" | wc -l)
say "packages: installed, all ${#runtime_pkgs[@]} runtime: ${runtime_pkgs[*]} (apt marks them manual)"
say "packages: absent, ${#absent_test[@]} of ${#test_only[@]} test-only: ${absent_test[*]}"
if ((${#pulled[@]})); then
  say "packages: present as apt's automatic dependencies, not asked for: $(printf '%s; ' "${pulled[@]}" | sed 's/; $//')"
fi

# 5. Time and disk.
du_after=$(in_box "$system_du")
data_du=$(in_box 'du -sm /var/lib/galera-pilot | cut -f1')
npm_cache_du=$(in_box 'du -sm /root/.npm 2>/dev/null | cut -f1 || echo 0')
apt_line=$(grep -m1 -o 'After this operation, .* disk space will be used' "$log" || echo "apt reported no size")
npm_du=$(du -sm "$tmp/galera-pilot/node_modules" | cut -f1)
dist_du=$(du -sm "$tmp/galera-pilot/dist" | cut -f1)
prev=0
breakdown=""
for entry in "${phases[@]}"; do
  marker=${entry%%|*}
  at=${phase_at[$marker]:-$ready_after}
  [[ $marker == "nodes synced after" ]] && at=$synced_after
  breakdown+="${entry#*|} $(awk -v a="$at" -v b="$prev" 'BEGIN {printf "%.0f", a - b}') s, "
  prev=$at
done

say "stopping: npx galera-pilot down"
in_box "cd $inside && npx galera-pilot down" >/dev/null || fail "npx galera-pilot down failed"
stop_started=$(date +%s%N)
while kill -0 "$start_pid" 2>/dev/null; do
  (($(date +%s%N) - stop_started < 300 * 1000000000)) || fail "npm start still running 300 s after down"
  sleep 1
done
rc=0 && wait "$start_pid" || rc=$?
start_pid=""
cluster_maybe_up=0
((rc == 0)) || fail "npm start exited with status $rc after down"
grep -q '^\[local\] stopped;' "$log" || fail "npm start exited without saying the cluster stopped cleanly"
stopped_after=$(seconds_since "$stop_started")

say "---"
say "PASS: a fresh clone's npm start works on fresh Debian 12 + Node $node_version as root"
say "elapsed, npm start to ready (3/3 synced, HAProxy answering): ${ready_after} s (${breakdown}HAProxy $(awk -v a="$ready_after" -v b="$synced_after" 'BEGIN {printf "%.1f", a - b}') s more)"
say "disk: $apt_line; the system grew $((du_after - du_before)) MB ($du_before -> $du_after MB, du of / without the two below); the clone's node_modules $npm_du MB, dist $dist_du MB; besides, npm's cache /root/.npm $npm_cache_du MB and the 3 nodes' data /var/lib/galera-pilot $data_du MB"
say "packages: $new_count new Debian packages, the runtime set and its dependencies; no test-only package asked for ($((${#test_only[@]} - ${#absent_test[@]})) came as dependencies, above)"
say "stopped cleanly ${stopped_after} s after down; container and temp folder removed on exit"
