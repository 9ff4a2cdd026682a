#!/usr/bin/env bash
# test-deb.sh: the install test of the Debian packages (make test-deb; root).
#
#   1. lintian on every package in DIST: no errors;
#   2. systemd-analyze verify and security on the unit (where installed);
#   3. an arm64 Debian root file system: debootstrap --foreign, finished with
#      qemu-user-static through binfmt_misc (registered here if missing);
#   4. the arm64 package installed in it with dpkg (maintainer scripts run);
#   5. there: fairrecd --version, fairrec --version, fairrec selftest --board
#      sim, and a short sim-board run of the daemon.
#
# Where the sandbox refuses a step (mounting binfmt_misc or /proc, chroot),
# it says which, and goes on as far as it can: without binfmt the binaries
# still run under qemu-aarch64-static -L ROOT against the root's libraries.
# ROOT (default /var/tmp/fairrec-rootfs-arm64) is kept between runs: the
# debootstrap is the slow part.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dist=${1:?usage: test-deb.sh DIST}
root=${FAIRREC_ROOTFS:-/var/tmp/fairrec-rootfs-arm64}
suite=${FAIRREC_SUITE:-bookworm}
fail=0
step() { printf '\n== %s\n' "$*"; }
refused() { echo "REFUSED by the sandbox: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

deb=$(ls "$dist"/fairrec_*_arm64.deb 2>/dev/null | tail -1)
[ -n "$deb" ] || { echo "test-deb.sh: no arm64 package in $dist (make deb)" >&2; exit 1; }

step "lintian"
for p in "$dist"/fairrec_*.deb; do
	out=$(lintian --display-level '>=warning' "$p" 2>&1 | grep -v 'root privileges')
	echo "$(basename "$p"):"; echo "${out:-  clean}"
	grep -q '^E:' <<<"$out" && bad "lintian errors in $p"
done

step "systemd-analyze"
if command -v systemd-analyze >/dev/null; then
	x=$(mktemp -d)
	dpkg-deb -x "$(ls "$dist"/fairrec_*_amd64.deb "$deb" | head -1)" "$x"
	# verify resolves ExecStart on this machine: point it at the unpacked binary.
	sed "s#/usr/bin/fairrecd#$x/usr/bin/fairrecd#" "$x/usr/lib/systemd/system/fairrecd.service" >"$x/fairrecd.service"
	if systemd-analyze verify "$x/fairrecd.service"; then echo "verify: accepted"; else bad "systemd-analyze verify"; fi
	systemd-analyze security --offline=true --root="$x" /usr/lib/systemd/system/fairrecd.service 2>&1 | tail -1
	rm -rf "$x"
else
	echo "systemd-analyze not installed: skipped"
fi

step "arm64 root file system in $root"
binfmt=/proc/sys/fs/binfmt_misc
registered=no
if [ ! -e "$binfmt/register" ]; then
	mount -t binfmt_misc binfmt_misc "$binfmt" 2>/dev/null || refused "mount -t binfmt_misc"
fi
if [ -e "$binfmt/register" ] && [ ! -e "$binfmt/qemu-aarch64" ]; then
	if cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$binfmt/register" 2>/dev/null; then
		registered=yes
	else
		refused "registering qemu-aarch64 in binfmt_misc"
	fi
fi
havebinfmt=no
[ -e "$binfmt/qemu-aarch64" ] && havebinfmt=yes
echo "binfmt_misc qemu-aarch64: $havebinfmt"

if [ ! -e "$root/.fairrec-done" ]; then
	rm -rf "$root"
	debootstrap --foreign --arch=arm64 --variant=minbase --include=libportaudio2,libasound2,adduser \
		"$suite" "$root" >"$root.log" 2>&1 || { tail "$root.log"; bad "debootstrap --foreign"; exit 1; }
	echo "debootstrap --foreign: done"
	cp /usr/bin/qemu-aarch64-static "$root/usr/bin/"
	if [ "$havebinfmt" = yes ]; then
		if chroot "$root" /debootstrap/debootstrap --second-stage >>"$root.log" 2>&1; then
			echo "debootstrap --second-stage (under qemu-user-static): done"
			touch "$root/.fairrec-done"
		else
			tail -5 "$root.log"; bad "debootstrap --second-stage"
		fi
	else
		refused "debootstrap --second-stage needs binfmt_misc to run arm64 programs in the chroot"
	fi
else
	echo "reusing $root"
fi

run() { # run an arm64 program of the root, by chroot when possible
	if [ -e "$root/.fairrec-done" ] && [ "$havebinfmt" = yes ]; then
		chroot "$root" "$@"
	else
		qemu-aarch64-static -L "$root" "$root$1" "${@:2}"
	fi
}

step "dpkg -i $(basename "$deb")"
if [ -e "$root/.fairrec-done" ] && [ "$havebinfmt" = yes ]; then
	mount -t proc proc "$root/proc" 2>/dev/null || refused "mount -t proc in the chroot (dpkg and the tests run without /proc)"
	cp "$deb" "$root/tmp/"
	chroot "$root" dpkg -i "/tmp/$(basename "$deb")" || bad "dpkg -i"
	chroot "$root" sh -c 'ls -ld /var/lib/fairrec /var/lib/fairrec/fairrec.key /var/lib/fairrec/purposes.toml; id fairrec'
	chroot "$root" dpkg -s fairrec | grep -E '^(Status|Version)'
else
	refused "dpkg -i needs the finished root; unpacking with dpkg-deb -x instead (no maintainer scripts)"
	dpkg-deb -x "$deb" "$root"
fi

step "in the arm64 root"
run /usr/bin/fairrecd --version || bad "fairrecd --version"
run /usr/bin/fairrec --version || bad "fairrec --version"
d=/tmp/fairrec-sim-run
rm -rf "$root$d"; mkdir -p "$root$d"
cp "$here/testdata/short.toml" "$root$d/scenario.toml"
run /usr/bin/fairrec keys init --data "$d/data" >/dev/null || bad "fairrec keys init"
# On a data directory of its own: run as root on /var/lib/fairrec it would
# create a vault.db the fairrec user cannot write.
run /usr/bin/fairrec selftest --data "$d/data" --board sim || bad "fairrec selftest"
if run /usr/bin/fairrecd --board sim --scenario "$d/scenario.toml" --data "$d/data" --console none --exit-when-done 2>"$root$d/log"; then
	grep -E 'msg="(recording|recording sealed|fairrecd stopped)"' "$root$d/log"
	grep -q 'msg="recording sealed"' "$root$d/log" || bad "sim-board run: nothing was recorded"
	echo "sim-board run: ok"
else
	tail -20 "$root$d/log"; bad "sim-board run"
fi
run /usr/bin/fairrec list --data "$d/data" || bad "fairrec list"

mountpoint -q "$root/proc" && umount "$root/proc"
[ "$registered" = yes ] && echo -1 >"$binfmt/qemu-aarch64"
step "result"
[ $fail = 0 ] && echo "test-deb: PASS" || echo "test-deb: FAIL"
exit $fail
