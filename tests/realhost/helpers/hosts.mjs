// Two Debian 12 hosts with systemd as PID 1, for the real-host tier: systemd-nspawn containers
// booted from the cached root filesystem (rootfs.sh), each on an overlay of it and in its own
// network namespace (--network-veth) with addresses assigned here, reachable over SSH with a key
// made for the run. The host routes between them and NATs only DNS and the package registries.
// Everything started here is tracked by PID in a state file and undone by destroy() — also by the
// next run when a previous one died before it could clean up.
//
// A second set of hosts (the docker install method's run: DOCKER_HOSTS on DOCKER_SUBNET, its own
// state file and chain) can run beside the tier; each undoes only what it did.
//
//   node tests/realhost/helpers/hosts.mjs up     boot both hosts, print their SSH settings (debugging)
//   node tests/realhost/helpers/hosts.mjs down   stop them and undo every host change
import { spawn, spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runProcess } from "../../run-process.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
export const CACHE = resolve(process.env.MISSIONCTL_REALHOST_CACHE ?? "/var/cache/missionctl/realhost");
const RUNS = join(CACHE, "runs");
export const SUBNET = "10.77.0.0/16";
export const DOCKER_SUBNET = "10.78.0.0/16";

/** The two hosts of the reference deployment, named as in inventory/example/hosts.yml. */
export const HOSTS = {
  vps: { machine: "mctl-vps", user: "admin", hostSide: "10.77.1.1", addr: "10.77.1.2" },
  pi: { machine: "mctl-pi", user: "pi", hostSide: "10.77.2.1", addr: "10.77.2.2" },
};
/**
 * The same deployment for the docker install method: its gateway host runs a Docker engine, which
 * inside systemd-nspawn needs the unified cgroup hierarchy (the legacy controllers are mounted
 * read-only: "mkdir /sys/fs/cgroup/cpuset/docker: read-only file system"), the keyring system
 * calls nspawn filters out (runc: "unable to join session keyring … operation not permitted"), and
 * /var/lib/docker off the overlay root (overlay2 on overlayfs: "failed to mount overlay: invalid
 * argument", leaving only vfs).
 */
export const DOCKER_HOSTS = {
  vps: { machine: "mctl-dock-vps", user: "admin", hostSide: "10.78.1.1", addr: "10.78.1.2", docker: true },
  pi: { machine: "mctl-dock-pi", user: "pi", hostSide: "10.78.2.1", addr: "10.78.2.2" },
};
const SETS = {
  [SUBNET]: { state: "state.json", chain: "MCTL-REALHOST" },
  [DOCKER_SUBNET]: { state: "state-docker.json", chain: "MCTL-DOCKER" },
};
const setOf = (subnet) => {
  const set = SETS[subnet];
  if (!set) throw new Error(`[realhost] unknown host subnet ${subnet}`);
  return { ...set, state: join(CACHE, set.state) };
};
/** Another set's run is live: host-wide settings (ip_forward, nspawn's tmpfs) stay as they are. */
const othersLive = (own) =>
  Object.keys(SETS).some((subnet) => {
    const file = setOf(subnet).state;
    if (file === own) return false;
    try {
      const other = JSON.parse(readFileSync(file, "utf8"));
      return other.ownerPid === undefined || alive(other.ownerPid);
    } catch {
      return false;
    }
  });
/** The public names of the example inventory resolve to the gateway host, as DNS would. */
export const PUBLIC_NAMES = ["gateway.example.com", "mc.example.com"];
const REGISTRIES = ["deb.debian.org", "registry.npmjs.org"];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function sh(cmd, args, { allowFail = false, timeoutMs = 60_000, input } = {}) {
  const res = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, input });
  if (!allowFail && res.status !== 0) {
    throw new Error(
      `[realhost] ${cmd} ${args.join(" ")} failed (exit ${res.status}): ${(res.stderr || res.error || "").toString().trim()}`,
    );
  }
  return res;
}

/** sh() without blocking the event loop, for the long steps (the root filesystem's first build takes minutes). */
async function shAsync(cmd, args, { timeoutMs = 60_000 } = {}) {
  const res = await runProcess(cmd, args, { timeoutMs });
  if (res.status === 0) return res;
  const why = res.timedOut ? `killed after ${timeoutMs / 1000} s` : `exit ${res.status ?? res.signal}`;
  throw new Error(`[realhost] ${cmd} ${args.join(" ")} failed (${why}): ${res.stderr.trim()}`);
}

function readState(file = setOf(SUBNET).state) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
function writeState(state) {
  writeFileSync(state.file, `${JSON.stringify(state, null, 2)}\n`);
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The kernel's start time of a process (clock ticks since boot): with the pid, who it is. */
function startTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/**
 * Still the container this tier started? A recorded pid is only signalled when its start time and
 * command line match the record: after a reboot or a long pause the number may belong to anyone.
 */
function ours(container) {
  if (!container?.pid || !alive(container.pid)) return false;
  if (!container.startTime || startTime(container.pid) !== container.startTime) return false;
  try {
    const cmd = readFileSync(`/proc/${container.pid}/cmdline`, "utf8");
    return cmd.includes("systemd-nspawn") && cmd.includes(`--machine=${container.machine}`);
  } catch {
    return false;
  }
}

async function waitExit(pid, ms) {
  const deadline = Date.now() + ms;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  return !alive(pid);
}

/** Undoes everything a state file records, in reverse order; safe to call twice. */
export async function teardown(state = readState(), log = () => {}) {
  if (!state) return;
  const file = state.file ?? setOf(SUBNET).state;
  const shared = othersLive(file);
  // Containers: SIGTERM to nspawn is a clean poweroff (2–5 s); SIGKILL after 30 s.
  const pids = (state.containers ?? []).filter(ours).map((c) => c.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {}
  }
  for (const pid of pids) {
    if (!(await waitExit(pid, 30_000))) {
      log(`[realhost] pid ${pid} did not stop in 30 s: SIGKILL`);
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
      await waitExit(pid, 5_000);
    }
  }
  for (const m of state.mounts ?? []) {
    if (m === NSPAWN_RUN && shared) continue;
    sh("umount", ["-l", m], { allowFail: true });
  }
  // Each container's cgroups (containerCgroups): whatever outlived its nspawn (a SIGKILLed nspawn
  // leaves the container's systemd running, and its veth with it) goes now, then the cgroups.
  for (const dir of state.cgroups ?? []) {
    // (Runs before the per-container cgroups recorded nspawn's shared payload cgroup: only rmdir that.)
    const left = dir.includes("/missionctl-") ? await killCgroup(dir) : 0;
    if (left) log(`[realhost] ${left} processes in ${dir} outlived their container: SIGKILL`);
    rmCgroup(dir);
  }
  for (const rule of [...(state.iptables ?? [])].reverse()) {
    sh("iptables", ["-t", rule.table, "-D", ...rule.spec], { allowFail: true });
  }
  for (const chain of state.chains ?? []) {
    sh("iptables", ["-F", chain], { allowFail: true });
    sh("iptables", ["-X", chain], { allowFail: true });
  }
  for (const route of state.routes ?? []) sh("ip", ["route", "del", ...route], { allowFail: true });
  if (state.ipForward !== undefined && !shared) {
    writeFileSync("/proc/sys/net/ipv4/ip_forward", `${state.ipForward}\n`);
  }
  if (state.runDir) rmSync(state.runDir, { recursive: true, force: true });
  rmSync(file, { force: true });
}

const NSPAWN_RUN = "/run/systemd/nspawn";

/**
 * A cgroup of its own for each container, in the hierarchies its systemd manages (name=systemd, and
 * the unified one it is given). With --keep-unit, nspawn puts the container's systemd in a "payload"
 * cgroup under its own: started from the same cgroup, the two hosts (four beside the docker set)
 * shared one payload tree, each systemd creating and removing the other's unit cgroups (seen from
 * here: both hosts' sshd in one payload/system.slice/ssh.service). Measured: early units failing at
 * random with status=219/CGROUP (systemd-user-sessions among them: then /run/nologin refuses every
 * login); the same 150 transient units started on both hosts at once, 2–4 of them per run. With a
 * cgroup each: none, in the same runs.
 */
function containerCgroups(machine) {
  const own = new Map(); // hierarchy ("name=systemd", or "" for the unified one) -> our path in it
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const m = /^\d+:([^:]*):(.+)$/.exec(line);
    if (m && (m[1] === "name=systemd" || m[1] === "")) own.set(m[1], m[2]);
  }
  const dirs = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    // mountinfo: id parent dev root mountpoint options [optional…] - fstype source superoptions
    const [left, right] = line.split(" - ");
    if (!right) continue;
    const [, , , root, mountPoint] = left.split(" ");
    const [fstype, , superOptions = ""] = right.split(" ");
    const hierarchy =
      fstype === "cgroup2"
        ? ""
        : fstype === "cgroup" && superOptions.split(",").includes("name=systemd")
          ? "name=systemd"
          : undefined;
    if (hierarchy === undefined || root !== "/" || !own.has(hierarchy)) continue;
    dirs.push(join(mountPoint, own.get(hierarchy), `missionctl-${machine}`));
    own.delete(hierarchy);
  }
  return dirs;
}

/** A cgroup tree's folders, children before their parent (none when the tree does not exist). */
function cgroupTree(dir) {
  let entries = [];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return [...entries.filter((e) => e.isDirectory()).flatMap((e) => cgroupTree(join(dir, e.name))), dir];
}

/** Every process in a cgroup tree. */
function cgroupPids(dir) {
  return cgroupTree(dir).flatMap((d) => {
    try {
      return readFileSync(join(d, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
    } catch {
      return [];
    }
  });
}

/** SIGKILLs everything in one of our containers' cgroup trees; resolves with how many there were. */
async function killCgroup(dir) {
  const first = cgroupPids(dir);
  const deadline = Date.now() + 10_000;
  for (let pids = first; pids.length && Date.now() < deadline; pids = cgroupPids(dir)) {
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
    await sleep(100);
  }
  return first.length;
}

/** Removes an empty cgroup tree, children first (rmdir is the only way to delete a cgroup). */
function rmCgroup(dir) {
  for (const d of cgroupTree(dir)) sh("rmdir", [d], { allowFail: true });
}

function iptables(state, table, spec) {
  sh("iptables", ["-t", table, "-A", ...spec]);
  state.iptables.push({ table, spec: spec });
  writeState(state);
}

function hostsFile(self, set) {
  const lines = ["127.0.0.1 localhost", `127.0.1.1 ${self}`, "::1 localhost ip6-localhost ip6-loopback"];
  for (const [name, h] of Object.entries(set)) {
    lines.push(`${h.addr} ${name}${name === "vps" ? ` ${PUBLIC_NAMES.join(" ")}` : ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/** The host's resolver (the containers use it through NAT, like a server uses its provider's). */
function hostResolver() {
  const m = /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(readFileSync("/etc/resolv.conf", "utf8"));
  if (!m) throw new Error("[realhost] /etc/resolv.conf has no IPv4 nameserver for the containers");
  return m[1];
}

function registryAddresses() {
  const addrs = new Set();
  for (const name of REGISTRIES) {
    const res = sh("getent", ["ahostsv4", name], { allowFail: true });
    for (const line of (res.stdout ?? "").split("\n")) {
      const ip = line.split(/\s+/)[0];
      if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) addrs.add(ip);
    }
  }
  if (addrs.size === 0) throw new Error(`[realhost] cannot resolve the package registries (${REGISTRIES.join(", ")})`);
  return [...addrs];
}

/** Writes what makes a copy of the rootfs a distinct server: name, network, SSH keys, trust. */
function personalize(root, name, h, pubKey, resolver, set) {
  writeFileSync(join(root, "etc/hostname"), `${name}\n`);
  writeFileSync(join(root, "etc/hosts"), hostsFile(name, set));
  writeFileSync(join(root, "etc/machine-id"), "");
  writeFileSync(join(root, "etc/resolv.conf"), `nameserver ${resolver}\n`);
  mkdirSync(join(root, "etc/systemd/network"), { recursive: true });
  writeFileSync(
    join(root, "etc/systemd/network/10-host0.network"),
    `[Match]\nName=host0\n\n[Network]\nAddress=${h.addr}/24\nGateway=${h.hostSide}\nDNS=${resolver}\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n`,
  );
  // SSH: a host key of its own (made here, so the run can pin it), key-only login.
  for (const f of readdirSync(join(root, "etc/ssh")).filter((f) => f.startsWith("ssh_host_")))
    rmSync(join(root, "etc/ssh", f));
  sh("ssh-keygen", [
    "-q",
    "-t",
    "ed25519",
    "-N",
    "",
    "-C",
    `root@${name}`,
    "-f",
    join(root, "etc/ssh/ssh_host_ed25519_key"),
  ]);
  writeFileSync(
    join(root, "etc/ssh/sshd_config.d/10-missionctl-tier.conf"),
    "HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n",
  );
  // The admin user of the inventory, with sudo, as on a provider's Debian 12 image.
  sh("chroot", [root, "useradd", "--create-home", "--shell", "/bin/bash", "--groups", "sudo", h.user]);
  writeFileSync(join(root, `etc/sudoers.d/90-${h.user}`), `${h.user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  const ssh = join(root, "home", h.user, ".ssh");
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  writeFileSync(join(ssh, "authorized_keys"), pubKey, { mode: 0o600 });
  sh("chroot", [root, "chown", "-R", `${h.user}:${h.user}`, `/home/${h.user}/.ssh`]);
  // The TLS proxy in front of the registries: the host's extra CAs, for apt, curl and npm.
  const caDir = "/usr/local/share/ca-certificates";
  // Appended to the bundle as update-ca-certificates would (it takes 10–25 s per host under load);
  // a later update-ca-certificates on the host (apt triggers) keeps them, from /usr/local/share.
  if (existsSync(caDir)) {
    for (const f of readdirSync(caDir).filter((f) => f.endsWith(".crt"))) {
      copyFileSync(join(caDir, f), join(root, caDir.slice(1), f));
      appendFileSync(join(root, "etc/ssl/certs/ca-certificates.crt"), readFileSync(join(caDir, f)));
    }
  }
  // npm (the roles run it as root) trusts Node's bundled CAs only: point it at the system bundle.
  writeFileSync(join(root, "root/.npmrc"), "cafile=/etc/ssl/certs/ca-certificates.crt\n", { mode: 0o600 });
}

const vethExists = (h) => sh("ip", ["link", "show", `ve-${h.machine}`], { allowFail: true }).status === 0;

/** Gives the host side of a host's veth its address (nspawn recreates the link at each boot). */
function addressVeth(h) {
  sh("ip", ["addr", "replace", `${h.hostSide}/24`, "dev", `ve-${h.machine}`]);
  sh("ip", ["link", "set", `ve-${h.machine}`, "up"]);
}

/** Waits for the host side of the veth, which appears once nspawn has set up the container's namespace, and addresses it. */
async function linkVeth(h) {
  const deadline = Date.now() + 60_000;
  while (!vethExists(h)) {
    if (h.child.exitCode !== null)
      throw new Error(
        `[realhost] ${h.name}: systemd-nspawn exited (${h.child.exitCode}); see ${h.console}\n${readFileSync(h.console, "utf8").slice(-2000)}`,
      );
    if (Date.now() > deadline) throw new Error(`[realhost] ${h.name}: ve-${h.machine} did not appear in 60 s`);
    await sleep(100);
  }
  addressVeth(h);
}

/** The container's PID 1 as this machine sees it: the descendant of `pid` that its own pid namespace calls 1. */
function containerInit(pid) {
  const parentOf = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/) ?? [];
      parentOf.set(Number(entry), { ppid, inner: nspid.length > 1 ? nspid.at(-1) : undefined });
    } catch {
      // gone meanwhile
    }
  }
  for (const [candidate, info] of parentOf) {
    if (info.inner !== "1") continue;
    for (let p = info.ppid; p > 1; p = parentOf.get(p)?.ppid ?? 0) if (p === pid) return candidate;
  }
  return undefined;
}

/** Runs a command inside a host's namespaces as root, without ssh (which refuses logins while it boots). */
function inside(h, argv, timeoutMs = 15_000) {
  const init = containerInit(h.pid);
  if (init === undefined) return { status: null, stdout: "", stderr: "the container has no PID 1 (yet)" };
  return sh("nsenter", ["-t", String(init), "-m", "-u", "-i", "-n", "-p", "--", ...argv], {
    allowFail: true,
    timeoutMs,
  });
}

/**
 * Waits until systemd inside says the boot is over (running, or degraded: a unit failed). sshd
 * accepts connections seconds before that, and pam_nologin refuses every login until then
 * ("System is booting up"). Resolves with the state, or with undefined and what systemd still
 * waits for when `timeoutMs` runs out.
 */
async function waitBooted(h, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let state = "";
  let nologin = false;
  while (Date.now() < deadline) {
    const lines = (
      inside(h, ["sh", "-c", "systemctl is-system-running; test ! -e /run/nologin || echo nologin"]).stdout ?? ""
    ).split("\n");
    state = lines[0].trim();
    nologin = lines.includes("nologin");
    // degraded: a unit failed. Fine for the tier (its tests look at their own units), unless it
    // was systemd-user-sessions, whose /run/nologin then refuses every login for good.
    if ((state === "running" || state === "degraded") && !nologin) return { state };
    await sleep(250);
  }
  const jobs = (inside(h, ["systemctl", "list-jobs", "--no-pager"]).stdout ?? "").trim();
  const failed = (inside(h, ["systemctl", "--failed", "--no-pager", "--no-legend"]).stdout ?? "").trim();
  let consoleTail = "";
  try {
    consoleTail = readFileSync(h.console, "utf8").slice(-1500);
  } catch {}
  return {
    state: undefined,
    why: `systemd says "${state || "nothing"}"${nologin ? " and /run/nologin refuses logins" : ""} after ${timeoutMs / 1000} s\npending jobs:\n${jobs || "(none)"}\nfailed units:\n${failed || "(none)"}\nconsole (last lines):\n${consoleTail}`,
  };
}

/** Resolves when host:port accepts a TCP connection (or rejects after timeoutMs). */
export async function waitTcp(host, port, timeoutMs, gone = () => undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = gone();
    if (why) throw new Error(`[realhost] ${host}:${port} will not accept connections: ${why}`);
    const ok = await new Promise((done) => {
      const s = connect({ host, port, timeout: 2_000 });
      s.once("connect", () => {
        s.destroy();
        done(true);
      });
      s.once("error", () => done(false));
      s.once("timeout", () => {
        s.destroy();
        done(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`[realhost] ${host}:${port} did not accept connections in ${timeoutMs} ms`);
    await sleep(300);
  }
}

/**
 * Boots both hosts. `lifetimeS` bounds each container (timeout(1) poweroffs it, then kills it).
 * Returns the SSH settings for Ansible and destroy().
 */
export async function bootHosts({
  lifetimeS = 3_600,
  log = (m) => process.stderr.write(`${m}\n`),
  hosts: HOST_SET = HOSTS,
  subnet: SUBNET_OF_SET = SUBNET,
} = {}) {
  if (process.getuid?.() !== 0) throw new Error("[realhost] the real-host tier needs root (systemd-nspawn, iptables)");
  mkdirSync(RUNS, { recursive: true });
  const { state: STATE, chain } = setOf(SUBNET_OF_SET);
  const stale = readState(STATE);
  if (stale) {
    if (stale.ownerPid && stale.ownerPid !== process.pid && alive(stale.ownerPid)) {
      throw new Error(`[realhost] another run (pid ${stale.ownerPid}) owns the hosts; wait for it or stop it`);
    }
    log("[realhost] cleaning up after a run that did not finish");
    await teardown(stale, log);
  }
  const t0 = Date.now();
  const built = await shAsync("bash", [join(here, "..", "rootfs.sh")], { timeoutMs: 25 * 60_000 });
  const rootfs = built.stdout.trim().split("\n").at(-1);
  const timings = { rootfsMs: Date.now() - t0 };

  const runDir = join(RUNS, `${Date.now().toString(36)}-${process.pid}`);
  mkdirSync(runDir, { recursive: true });
  const state = {
    file: STATE,
    ownerPid: process.pid,
    runDir,
    containers: [],
    mounts: [],
    iptables: [],
    chains: [],
    routes: [],
    cgroups: [],
    ipForward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(),
  };
  writeState(state);
  try {
    const key = join(runDir, "id_ed25519");
    sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "missionctl-realhost", "-f", key]);
    const pubKey = readFileSync(`${key}.pub`, "utf8");
    const resolver = hostResolver();
    const knownHosts = join(runDir, "known_hosts");
    writeFileSync(knownHosts, "");

    // Network on the host: forwarding between the two /24s, NAT for DNS and the registries only,
    // and an unreachable route for the whole range so nothing to a stopped host leaves the VM.
    const wan = /dev (\S+)/.exec(sh("ip", ["route", "show", "default"]).stdout)?.[1];
    if (!wan) throw new Error("[realhost] no default route on the host: the containers could not reach the registries");
    sh("ip", ["route", "replace", "unreachable", SUBNET_OF_SET]);
    state.routes.push(["unreachable", SUBNET_OF_SET]);
    writeFileSync("/proc/sys/net/ipv4/ip_forward", "1\n");
    sh("iptables", ["-N", chain], { allowFail: true });
    sh("iptables", ["-F", chain]);
    state.chains.push(chain);
    iptables(state, "filter", ["FORWARD", "-j", chain]);
    const rules = [
      ["-s", SUBNET_OF_SET, "-d", SUBNET_OF_SET, "-j", "ACCEPT"],
      ["-d", SUBNET_OF_SET, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
      ["-s", SUBNET_OF_SET, "-o", wan, "-d", resolver, "-p", "udp", "--dport", "53", "-j", "ACCEPT"],
      ["-s", SUBNET_OF_SET, "-o", wan, "-d", resolver, "-p", "tcp", "--dport", "53", "-j", "ACCEPT"],
      ...registryAddresses().map((ip) => [
        "-s",
        SUBNET_OF_SET,
        "-o",
        wan,
        "-d",
        ip,
        "-p",
        "tcp",
        "-m",
        "multiport",
        "--dports",
        "80,443",
        "-j",
        "ACCEPT",
      ]),
      ["-s", SUBNET_OF_SET, "-j", "REJECT"],
      ["-d", SUBNET_OF_SET, "-j", "REJECT"],
    ];
    for (const spec of rules) sh("iptables", ["-A", chain, ...spec]);
    iptables(state, "nat", [
      "POSTROUTING",
      "-s",
      SUBNET_OF_SET,
      "!",
      "-d",
      SUBNET_OF_SET,
      "-o",
      wan,
      "-j",
      "MASQUERADE",
    ]);

    const npmCache = join(CACHE, "npm");
    mkdirSync(npmCache, { recursive: true });
    const t1 = Date.now();
    // nspawn keeps per-machine mount propagation folders under /run/systemd/nspawn and wipes them
    // when a container reboots; it refuses to wipe anything on a disk file system ("Attempted to
    // remove disk file system … we can't allow that") and exits. Without systemd as PID 1, /run
    // here is on the root disk: give nspawn the tmpfs systemd would have mounted.
    mkdirSync(NSPAWN_RUN, { recursive: true });
    if (sh("mountpoint", ["-q", NSPAWN_RUN], { allowFail: true }).status !== 0) {
      sh("mount", ["-t", "tmpfs", "-o", "mode=0755,size=16m", "tmpfs", NSPAWN_RUN]);
      state.mounts.push(NSPAWN_RUN);
      writeState(state);
    }
    const hosts = {};
    const lifetimeEnd = Date.now() + lifetimeS * 1000;
    let destroyed = false;
    for (const [name, h] of Object.entries(HOST_SET)) {
      const dir = join(runDir, name);
      for (const d of ["upper", "work", "root"]) mkdirSync(join(dir, d), { recursive: true });
      const root = join(dir, "root");
      sh("mount", [
        "-t",
        "overlay",
        "overlay",
        "-o",
        `lowerdir=${rootfs},upperdir=${dir}/upper,workdir=${dir}/work`,
        root,
      ]);
      state.mounts.push(root);
      writeState(state);
      personalize(root, name, h, pubKey, resolver, HOST_SET);
      // A Docker engine inside (see DOCKER_HOSTS): its data on the run's disk, not the overlay.
      const engine = h.docker
        ? ["--system-call-filter=add_key keyctl bpf", `--bind=${join(dir, "docker")}:/var/lib/docker`]
        : [];
      if (h.docker) mkdirSync(join(dir, "docker"), { recursive: true });
      const candidates = containerCgroups(h.machine);
      for (const cg of candidates) if (!state.cgroups.includes(cg)) state.cgroups.push(cg);
      writeState(state);
      const cgroups = [];
      for (const cg of candidates) {
        // A run that lost its state file: what it left in our cgroups is ours to end.
        const left = await killCgroup(cg);
        if (left) log(`[realhost] ${name}: ${left} processes of an earlier ${h.machine} were still running: SIGKILL`);
        try {
          mkdirSync(cg, { recursive: true });
          cgroups.push(cg);
        } catch (err) {
          log(
            `[realhost] ${name}: cannot make the cgroup ${cg} (${err.code ?? err.message}); the hosts share nspawn's cgroup there, where their units may fail with status=219/CGROUP`,
          );
        }
      }
      // Its host-side veth still there: a container of that name runs outside this tier's cgroups,
      // and nspawn would fail on it ("Failed to add new veth interfaces … File exists").
      for (let t = 0; vethExists(h) && t < 50; t++) await sleep(100); // a killed container's netns goes asynchronously
      if (vethExists(h))
        throw new Error(
          `[realhost] ${name}: ve-${h.machine} already exists: another container named ${h.machine} is running ` +
            `(left by a run that was killed, or started by hand); stop it, or remove the link: ip link del ve-${h.machine}`,
        );
      // Downloads survive the run (outside the repository): apt archives per host, one npm cache.
      // (Each set its own: two runs side by side must not share apt's lock.)
      const aptCache = join(CACHE, HOST_SET === HOSTS ? `apt-${name}` : `apt-${h.machine}`);
      mkdirSync(join(aptCache, "partial"), { recursive: true });
      const out = openSync(join(dir, "console.log"), "a");
      // A reboot inside ends nspawn with exit status 133 (systemd-nspawn@.service restarts it on
      // that status, RestartForceExitStatus=133); without systemd on this machine, we do.
      const boot = () => {
        const child = spawn(
          "sh",
          [
            "-c",
            // Joins the container's own cgroups, then becomes timeout(1): the pid stays the record's.
            'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1/cgroup.procs" || exit 125; shift; n=$((n - 1)); done; exec "$@"',
            "sh",
            String(cgroups.length),
            ...cgroups,
            "timeout",
            "--kill-after=30",
            String(Math.max(1, Math.round((lifetimeEnd - Date.now()) / 1000))),
            "systemd-nspawn",
            "--quiet",
            "--boot",
            "--register=no",
            "--keep-unit",
            "--network-veth",
            "--resolv-conf=off",
            "--timezone=off",
            "--console=pipe",
            `--machine=${h.machine}`,
            `--hostname=${name}`,
            `--bind=${aptCache}:/var/cache/apt/archives`,
            `--bind=${npmCache}:/root/.npm`,
            ...engine,
            "-D",
            root,
          ],
          {
            stdio: ["ignore", out, out],
            env: h.docker ? { ...process.env, SYSTEMD_NSPAWN_UNIFIED_HIERARCHY: "1" } : process.env,
          },
        );
        const record = { name, pid: child.pid, startTime: startTime(child.pid), machine: h.machine };
        state.containers = [...state.containers.filter((c) => c.name !== name), record];
        writeState(state);
        hosts[name] = { ...h, name, root, pid: child.pid, console: join(dir, "console.log"), child };
        child.on("exit", (code) => {
          if (code === 133 && !destroyed && Date.now() < lifetimeEnd) boot();
        });
      };
      boot();
    }
    for (const h of Object.values(hosts)) await linkVeth(h);
    // Measured in CI (2026-12-03): one host's boot never finished, so every ssh login met pam_nologin
    // for the rest of the run and all its tests failed with "System is booting up". Wait for sshd
    // and for the end of the boot; a boot stuck for 2 minutes is reported with what systemd waits
    // for, and the host is rebooted once (as an operator would) before the run gives up with that report.
    // nspawn ended for good (133 is a reboot, which boot() follows with a new nspawn).
    const stopped = (h) => h.child.exitCode !== null && h.child.exitCode !== 133;
    const settled = async (h) => {
      try {
        await waitTcp(h.addr, 22, 120_000, () =>
          stopped(h)
            ? `systemd-nspawn exited (${h.child.exitCode}); console (last lines):\n${readFileSync(h.console, "utf8").slice(-1500)}`
            : undefined,
        );
      } catch (err) {
        const boot = await waitBooted(h, 1_000);
        return { state: undefined, why: `${err.message}\n${boot.why ?? `systemd says "${boot.state}"`}` };
      }
      return waitBooted(h, 120_000);
    };
    await Promise.all(
      Object.keys(hosts).map(async (name) => {
        const first = await settled(hosts[name]);
        if (first.state) return;
        const before = hosts[name];
        // nspawn itself gave up: nothing to reboot, its console says why.
        if (stopped(before)) throw new Error(`[realhost] ${name}: the container stopped while it booted\n${first.why}`);
        log(`[realhost] ${name}: the boot did not finish; rebooting it once\n${first.why}`);
        inside(before, ["systemctl", "reboot"]);
        // Exit status 133 boots the same host again (see boot()), which replaces hosts[name].
        const deadline = Date.now() + 90_000;
        while (hosts[name] === before && Date.now() < deadline) await sleep(200);
        if (hosts[name] === before)
          throw new Error(`[realhost] ${name}: the boot did not finish, nor did the reboot\n${first.why}`);
        await linkVeth(hosts[name]);
        const second = await settled(hosts[name]);
        if (!second.state)
          throw new Error(
            `[realhost] ${name}: the boot did not finish, twice\nfirst boot: ${first.why}\nsecond boot: ${second.why}`,
          );
      }),
    );
    for (const h of Object.values(hosts)) {
      const pub = readFileSync(join(h.root, "etc/ssh/ssh_host_ed25519_key.pub"), "utf8")
        .trim()
        .split(" ")
        .slice(0, 2)
        .join(" ");
      appendFileSync(knownHosts, `${h.addr} ${pub}\n`);
    }
    timings.bootMs = Date.now() - t1;
    const sshArgs = [
      "-i",
      key,
      "-o",
      `UserKnownHostsFile=${knownHosts}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "ConnectTimeout=10",
    ];
    chmodSync(key, 0o600);
    return {
      hosts,
      runDir,
      key,
      knownHosts,
      sshArgs,
      timings,
      /** Runs a command on a host as its admin user (argv joined by ssh: quote yourself). */
      ssh(name, command, { timeoutMs = 120_000, input } = {}) {
        const h = hosts[name];
        return sh("ssh", [...sshArgs, `${h.user}@${h.addr}`, command], { allowFail: true, timeoutMs, input });
      },
      /** Re-addresses the host side of a host's veth (nspawn recreates it when the container reboots). */
      relink(name) {
        const h = hosts[name];
        if (!vethExists(h)) return false;
        addressVeth(h);
        return true;
      },
      async destroy() {
        destroyed = true;
        await teardown(readState() ?? state, log);
      },
    };
  } catch (err) {
    await teardown(readState() ?? state, log);
    throw err;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2);
  const docker = rest.includes("docker");
  const set = docker ? { hosts: DOCKER_HOSTS, subnet: DOCKER_SUBNET } : { hosts: HOSTS, subnet: SUBNET };
  if (cmd === "down") {
    await teardown(readState(setOf(set.subnet).state), console.error);
  } else if (cmd === "up") {
    const lifetime = Number(rest.find((a) => /^\d+$/.test(a)) ?? 3_600);
    const env = await bootHosts({ lifetimeS: lifetime, ...set });
    for (const h of Object.values(env.hosts)) h.child.unref();
    const s = readState(setOf(set.subnet).state);
    s.ownerPid = undefined;
    writeState(s);
    console.log(
      JSON.stringify(
        {
          runDir: env.runDir,
          ssh: `ssh ${env.sshArgs.join(" ")}`,
          timings: env.timings,
          hosts: Object.fromEntries(Object.entries(env.hosts).map(([n, h]) => [n, `${h.user}@${h.addr}`])),
        },
        null,
        2,
      ),
    );
    process.exit(0);
  } else {
    console.error("usage: node tests/realhost/helpers/hosts.mjs up [lifetime s] [docker] | down [docker]");
    process.exit(2);
  }
}
