#!/usr/bin/env bash
# The test command: on a fresh Debian machine (as root) it installs everything the tests need
# (Debian packages, npm ci, the pinned OpenClaw gateway) and runs every suite. The last line is
# "N passed, N failed"; the exit code is non-zero when anything failed.
#
#   bash scripts/test.sh            everything
#   SKIP_APT=1 bash scripts/test.sh  skip the Debian packages step (non-root machines that have them)
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RESULTS="$ROOT/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
export NO_COLOR=1 FORCE_COLOR=0 CI="${CI:-true}"
START=$(date +%s)
# The whole machine's CPU time (ticks) at the start: the summary says how much of it the run used.
cpu_busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
CPU_START=$(cpu_busy_ticks)
PASSED=0
FAILED=0
FAILED_NAMES=()

log() { printf '\n\033[1m== %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - START ))"; }

# A step that is not a vitest suite counts as one test.
step() {
  local name=$1; shift
  log "$name"
  if "$@"; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); echo "FAILED: $name"; fi
}

# A vitest run's reporters, in REPORT: the default one for the log, JSON (<name>.json) for the counts.
reporters() { REPORT=(--reporter=default --reporter=json "--outputFile.json=$RESULTS/$1.json"); }

# A vitest run: its tests are counted one by one from the JSON report.
vitest_suite() {
  local name=$1 json="$RESULTS/$1.json"; shift
  log "$name"
  reporters "$name"
  "$@" "${REPORT[@]}"
  count_suite "$name" "$json" $?
}

# Adds a suite's JSON report (and its exit status) to the totals.
count_suite() {
  local name=$1 json=$2 rc=$3
  if [[ -s $json ]]; then
    read -r p f < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      let failedFiles = 0;
      for (const s of r.testResults ?? []) if (s.status === "failed" && !(s.assertionResults ?? []).some(a => a.status === "failed")) failedFiles++;
      console.log(r.numPassedTests ?? 0, (r.numFailedTests ?? 0) + failedFiles);' "$json")
    PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
    if (( f > 0 )) || (( rc != 0 && f == 0 )); then
      (( f == 0 )) && FAILED=$((FAILED + 1))
      FAILED_NAMES+=("$name")
    fi
  else
    FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name (no report)")
  fi
}

install_debian_packages() {
  # systemd-container, debootstrap, iptables, openssh-client: the real-host tier (tests/realhost).
  local pkgs=(caddy ansible-core ansible ansible-lint yamllint chromium iproute2 curl openssl ca-certificates libnss3-tools systemd python3
    systemd-container debootstrap iptables openssh-client)
  local missing=()
  for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
  if (( ${#missing[@]} == 0 )); then echo "all Debian packages present"; return 0; fi
  if [[ ${SKIP_APT:-0} == 1 ]]; then echo "SKIP_APT=1 but missing: ${missing[*]}"; return 1; fi
  if [[ $(id -u) != 0 ]]; then echo "missing Debian packages (${missing[*]}): run as root or install them"; return 1; fi
  echo "installing: ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

step "debian packages" install_debian_packages
# The real-host tier's Debian root filesystem: minutes of downloads on a fresh machine (cached
# after), so it is built from here beside npm ci and the build, which do not need it; the tier's
# own call to rootfs.sh then waits on its lock, or reports the failure with the build's log.
if [[ $(id -u) == 0 ]] && command -v debootstrap >/dev/null; then
  ( bash tests/realhost/rootfs.sh >"$RESULTS/rootfs.log" 2>&1 ) &
fi
# The pinned gateway and its Node 24 (about 850 MB, 45 CPU-s and a minute to install) are kept
# between runs outside the checkout, as the real-host tier keeps its Debian rootfs: a fresh clone
# reuses them. The installer checks what it finds and installs again what is missing or broken.
if [[ -z ${MISSIONCTL_PEER_CACHE:-} && $(id -u) == 0 ]]; then export MISSIONCTL_PEER_CACHE=/var/cache/missionctl/peer; fi
# The registry sometimes drops a download mid-way (measured: EIDLETIMEOUT on registry.npmjs.org):
# up to three attempts. Nothing below can run without the dependencies, so stop there if all fail.
# --ignore-scripts: the one slow install script, better-sqlite3's native build (~90 CPU-s on one
# core: SQLite's amalgamation is a single file), runs below beside the build and the real-host
# tier, which do not load it; the other install scripts run right after.
npm_ci() {
  local attempt
  for attempt in 1 2 3; do
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error &&
      npm rebuild --foreground-scripts --loglevel=error $(node -e '
        const l = require("./package-lock.json");
        const names = new Set();
        for (const [path, p] of Object.entries(l.packages)) if (p.hasInstallScript && path) names.add(path.split("node_modules/").pop());
        names.delete("better-sqlite3");
        console.log([...names].join(" "));') && return 0
    echo "npm ci failed (attempt $attempt of 3)"
    (( attempt < 3 )) && sleep $((attempt * 10))
  done
  return 1
}
step "npm ci" npm_ci
if [[ ! -x node_modules/.bin/vitest ]]; then
  echo "the dependencies are not installed (npm ci failed 3 times): check the registry connection and run again"
  echo "total time: $(( $(date +%s) - START )) s"
  echo "$PASSED passed, $((FAILED > 0 ? FAILED : 1)) failed"
  exit 1
fi
SQLITE_LOG="$RESULTS/better-sqlite3-build.log"
( npm rebuild better-sqlite3 --foreground-scripts >"$SQLITE_LOG" 2>&1; echo $? >"$RESULTS/better-sqlite3-build.rc" ) &
SQLITE_PID=$!
# The peer installer is mc-server's local-gateway code: build first.
step "build" npm run build --silent

# Every suite's temp files go to one folder of this run, checked at the end: a test run (repeated
# for every change, often on a Raspberry Pi whose /tmp is RAM) must leave nothing behind.
RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/missionctl-test.XXXXXX")
export TMPDIR=$RUN_TMP
# A run cut short (Ctrl-C, a CI timeout) removes it too; the last step checks it before that.
trap 'rm -rf "$RUN_TMP"' EXIT

# The real-host tier mostly waits on the hosts (their package downloads, Ansible over SSH, boots):
# it runs beside the other suites, which keeps the whole run under 30 minutes; its output and
# counts come at the end. It needs the build and nothing after it, so it starts first: it is the
# longest suite of the run.
REALHOST="real hosts (systemd-nspawn)"
log "$REALHOST: started beside the suites below (its output at the end)"
reporters "$REALHOST"
( npx vitest run --project realhost "${REPORT[@]}" \
    >"$RESULTS/realhost.log" 2>&1; echo $? >"$RESULTS/realhost.rc" ) &
REALHOST_PID=$!

step "openclaw test peer install" node tests/peer/cli.mjs install --sdk

# Everything below runs mc-store on Node 20, which needs the native module.
better_sqlite3_built() {
  wait "$SQLITE_PID"
  local rc
  rc=$(cat "$RESULTS/better-sqlite3-build.rc" 2>/dev/null || echo 1)
  if (( rc != 0 )); then tail -40 "$SQLITE_LOG"; echo "better-sqlite3's native build failed (exit $rc): the log above, all of it in $SQLITE_LOG"; return 1; fi
  node -e 'new (require("better-sqlite3"))(":memory:").close()' || { echo "better-sqlite3 was built but does not load"; return 1; }
}
step "better-sqlite3 native build (beside the build)" better_sqlite3_built

# The checks, the unit suite, the other runtimes and the packed tarballs: a second lane beside the
# integration suite, which is the longest after the real hosts; nothing in it gates the others.
# Output and counts at the end.
LANE="$RESULTS/lane"
mkdir -p "$LANE"
lane_suite() {
  local name=$1; shift
  echo "== $name" >>"$LANE/log"
  reporters "$name"
  "$@" "${REPORT[@]}" >>"$LANE/log" 2>&1
  echo "$name"$'\t'"$?"$'\t'suite >>"$LANE/suites"
}
# A lane step that is not a vitest suite counts as one test, as step() does.
lane_step() {
  local name=$1; shift
  echo "== $name" >>"$LANE/log"
  "$@" >>"$LANE/log" 2>&1
  echo "$name"$'\t'"$?"$'\t'step >>"$LANE/suites"
}
BUN="$ROOT/node_modules/.bin/bun"
# The real-host tier ends last (it is a chain of waits on the hosts: each play, boot and reconnect
# waits for the one before), so the two lanes beside it run at a lower priority: the tier gets a
# core when it has work, the lanes take the rest. Measured, 2 cores: the tier took 1,650 s beside
# them at the same priority (1,073 s alone) and ended 170 s after everything else.
BESIDE_NICE=5
(
  renice -n "$BESIDE_NICE" -p "$BASHPID" >/dev/null
  lane_step "typecheck" npx tsc -p tsconfig.json --noEmit
  lane_step "lint and format (biome)" npx biome ci --reporter=summary .
  # Published packages only: packages/shared is private and bundled into the others.
  lane_step "publint" bash -c 'for p in packages/*/; do grep -q "\"private\": true" "$p/package.json" && continue; npx publint --strict "$p" || exit 1; done'
  # --no-isolate: the suite spent 80 % of its CPU importing the same modules once per file
  # (measured, 2 cores: 73 CPU-s and 94 s → 12 CPU-s and 14 s). The unit tests share no state
  # through modules; a test that does belongs in tests/.
  lane_suite "unit (node)" npx vitest run --project unit --no-isolate
  # Under Bun's runtime (--bun: without it vitest itself would run on Node): gateway-client's unit
  # tests and the mc-store suite (no state shared through modules: one module graph per worker),
  # then the client against the real gateway and the fault-injection servers, each file isolated.
  lane_suite "gateway-client + mc-store (bun)" env MC_STORE_EXPECT_DRIVER=bun:sqlite "$BUN" --bun "$ROOT/node_modules/vitest/vitest.mjs" run \
    --no-isolate packages/gateway-client/src packages/mc-store
  lane_suite "gateway-client against the gateway (bun)" "$BUN" --bun "$ROOT/node_modules/vitest/vitest.mjs" run \
    packages/gateway-client/tests/gateway.test.ts packages/gateway-client/tests/faults.test.ts
  # The mc-store suite again on Node 24 (the peer's), where the store runs on node:sqlite.
  if NODE24=$(node tests/peer/cli.mjs node-bin) && [[ -x $NODE24 ]]; then
    lane_suite "mc-store (node 24, node:sqlite)" env MC_STORE_EXPECT_DRIVER=node:sqlite "$NODE24" "$ROOT/node_modules/vitest/vitest.mjs" run \
      --no-isolate packages/mc-store
  else
    echo "mc-store (node 24, node:sqlite): the peer's Node 24 was not found (${NODE24:-no path})" >>"$LANE/missing"
  fi
  lane_suite "consumer (packed tarballs)" npx vitest run --project consumer
) &
LANE_PID=$!

# Two files at a time: vitest takes pool sizes from the root config only (a project's poolOptions
# are ignored), and its default on 2 cores is one file at a time. Many of these files mostly wait
# (on a gateway, a browser, a play), so one at a time left a core idle at the end of the run.
# Each file's CPU (its fork and everything it reaped: gateways, CLIs, Chromium) goes to cpu-per-file.tsv.
CPU_LOG="$RESULTS/cpu-per-file.tsv"
MC_TEST_CPU_LOG="$CPU_LOG" vitest_suite "integration (node)" nice -n "$BESIDE_NICE" npx vitest run --project integration --poolOptions.forks.maxForks=2 --poolOptions.forks.minForks=1
if [[ -s $CPU_LOG ]]; then
  echo "CPU per integration file (CPU s, wall s, file; the shared gateways are in vitest's own process):"
  sort -rn "$CPU_LOG" | head -15
fi

log "checks, unit suite, other runtimes and the packed tarballs (ran beside the integration suite)"
wait "$LANE_PID"
cat "$LANE/log"
while IFS=$'\t' read -r name rc kind; do
  if [[ $kind == step ]]; then
    if (( rc == 0 )); then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); FAILED_NAMES+=("$name"); fi
  else
    count_suite "$name" "$RESULTS/$name.json" "$rc"
  fi
done <"$LANE/suites"
if [[ -s $LANE/missing ]]; then
  while read -r line; do FAILED=$((FAILED + 1)); FAILED_NAMES+=("$line"); done <"$LANE/missing"
fi
# Eight entries in that lane: one that never reported (the lane died) is a failure, not a skip.
lane_done=$(( $(cat "$LANE/suites" 2>/dev/null | wc -l) + $(cat "$LANE/missing" 2>/dev/null | wc -l) ))
if (( lane_done < 8 )); then FAILED=$((FAILED + 1)); FAILED_NAMES+=("second lane: $lane_done of 8 suites and checks ran"); fi

# Two Debian 12 hosts with systemd (systemd-nspawn, rootfs cached in /var/cache/missionctl), the
# play over SSH exactly as the README's Deploy section says. Needs root.
log "$REALHOST"
wait "$REALHOST_PID"
cat "$RESULTS/realhost.log"
count_suite "$REALHOST" "$RESULTS/$REALHOST.json" "$(cat "$RESULTS/realhost.rc" 2>/dev/null || echo 1)"

# The gateway keeps its module compile cache and its state locks in its TMPDIR by design: not ours.
nothing_left_in_tmp() {
  local left
  left=$(find "$RUN_TMP" -mindepth 1 -maxdepth 1 ! -name node-compile-cache ! -name 'openclaw-state-locks-*' -printf '%f\n' | sort | head -40)
  rm -rf "$RUN_TMP"
  if [[ -n $left ]]; then printf 'the tests left these in the run'"'"'s TMPDIR (%s):\n%s\n' "$RUN_TMP" "$left"; return 1; fi
  echo "the tests left nothing in the run's TMPDIR"
}
step "nothing left in the run's TMPDIR" nothing_left_in_tmp

log "summary"
if (( ${#FAILED_NAMES[@]} )); then printf 'failed: %s\n' "${FAILED_NAMES[@]}"; fi
WALL=$(( $(date +%s) - START ))
echo "total time: $WALL s; CPU used: $(( ($(cpu_busy_ticks) - CPU_START) / $(getconf CLK_TCK) )) CPU-s of $(( WALL * $(nproc) )) ($(nproc) cores)"
echo "$PASSED passed, $FAILED failed"
(( FAILED == 0 ))
