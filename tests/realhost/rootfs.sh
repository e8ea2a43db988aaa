#!/usr/bin/env bash
# Builds (once) the Debian 12 root filesystem the real-host tier boots with systemd-nspawn, and
# prints its path. It is a plain server install: debootstrap minbase plus what a Debian 12
# server has and Ansible needs (openssh-server, sudo, python3-apt for check mode, iproute2,
# curl). The result is cached outside the repository and rebuilt when missing or when this
# recipe changes; builds are serialised with a lock, and a half-built tree is never used.
#
#   bash tests/realhost/rootfs.sh        → /var/cache/missionctl/realhost/rootfs-<recipe hash>
#   MISSIONCTL_REALHOST_CACHE=/other/dir bash tests/realhost/rootfs.sh
set -euo pipefail

CACHE=${MISSIONCTL_REALHOST_CACHE:-/var/cache/missionctl/realhost}
MIRROR=${MISSIONCTL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${MISSIONCTL_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
SUITE=bookworm
PACKAGES=systemd,systemd-sysv,dbus,libpam-systemd,python3,python3-apt,sudo,ca-certificates,openssh-server,iproute2,curl,procps,less
# Bump when the steps below change: a new hash means a new tree.
RECIPE="v1 $SUITE $MIRROR $SECURITY_MIRROR $PACKAGES"
KEY=$(printf '%s' "$RECIPE" | sha256sum | cut -c1-12)
TREE="$CACHE/rootfs-$KEY"

mkdir -p "$CACHE"
exec 9>"$CACHE/rootfs.lock"
timeout 1200 flock 9 || { echo "rootfs.sh: another build held $CACHE/rootfs.lock for 20 min" >&2; exit 1; }

if [[ -f $TREE/.missionctl-rootfs ]]; then
  echo "$TREE"
  exit 0
fi

for tool in debootstrap systemd-nspawn; do
  command -v "$tool" >/dev/null || { echo "rootfs.sh: $tool is missing: apt-get install debootstrap systemd-container" >&2; exit 1; }
done

BUILD="$CACHE/.build-$KEY-$$"
cleanup() {
  local rc=$?
  (( rc == 0 )) || echo "rootfs.sh: failed (exit $rc) at line ${BASH_LINENO[0]}; log: $CACHE/debootstrap.log" >&2
  [[ -d $BUILD ]] && rm -rf --one-file-system "$BUILD"
  return $rc
}
trap cleanup EXIT
rm -rf --one-file-system "$CACHE"/.build-"$KEY"-* 2>/dev/null || true
started=$(date +%s)
echo "rootfs.sh: debootstrap $SUITE into $BUILD (3–5 min on a fresh machine)" >&2
timeout 1200 debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$BUILD" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 ||
  { echo "rootfs.sh: debootstrap failed, see $CACHE/debootstrap.log" >&2; tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }

cat >"$BUILD/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
SOURCES
# Each host gets its own identity at first boot: machine id, SSH host keys (made by the tier).
rm -f "$BUILD"/etc/ssh/ssh_host_*
: >"$BUILD/etc/machine-id"
rm -f "$BUILD/var/lib/dbus/machine-id"
# systemd-networkd brings host0 up from a file the tier writes; network-online.target waits for it.
systemctl --root="$BUILD" enable systemd-networkd.service systemd-networkd-wait-online.service
# Package lists as a server has them, so the play's apt cache check finds a recent update.
timeout 600 chroot "$BUILD" apt-get update -qq >>"$CACHE/debootstrap.log" 2>&1 ||
  { echo "rootfs.sh: apt-get update in the new tree failed, see $CACHE/debootstrap.log" >&2; exit 1; }
chroot "$BUILD" apt-get clean
printf '%s\n' "$RECIPE" >"$BUILD/.missionctl-rootfs"
mv "$BUILD" "$TREE"
# Older recipes are dead weight.
for old in "$CACHE"/rootfs-*; do [[ $old == "$TREE" ]] || rm -rf --one-file-system "$old"; done
echo "rootfs.sh: built $TREE in $(( $(date +%s) - started )) s" >&2
echo "$TREE"
