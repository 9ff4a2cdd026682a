#!/usr/bin/env bash
# deps.sh installs what building and testing fairrec needs, and only what is missing.
#
#   scripts/deps.sh          native: portaudio19-dev, pkg-config and the test tools
#                            (rsyslog and its TLS driver: the syslog forwarding tests)
#   scripts/deps.sh cross    also the arm64/armhf cross toolchains, their portaudio, qemu-user
#   scripts/deps.sh deb      the cross toolchains plus lintian, debootstrap and qemu-user-static
#   scripts/deps.sh talkoff  also the music and voice of the full DTMF talk-off corpus
#
# The native set includes what the short recorded DTMF talk-off corpus needs
# (flite, festival with one voice, Asterisk's 1.7 MB music on hold, sox's
# format plugins) and libspandsp-dev for the side-by-side DTMF benchmark.
#
# The native check names the architecture explicitly: once a foreign architecture is
# added, a bare `dpkg -s portaudio19-dev` may answer for the arm64 package instead.
set -euo pipefail

native=$(dpkg --print-architecture)
want=(portaudio19-dev pkg-config lame espeak-ng sox socat alsa-utils libasound2-plugins
	rsyslog rsyslog-gnutls
	libsox-fmt-all flite festival festvox-kallpc16k asterisk-moh-opsound-gsm libspandsp-dev)
# The full DTMF talk-off corpus (make talkoff): 130 minutes of game music
# (orchestral, rock, electronic; about 190 MB) and festival's HTS voice.
[ "${1:-}" = talkoff ] && want+=(drascula-music asc-music hyperrogue-music
	fretsonfire-songs-muldjord fretsonfire-songs-sectoid festvox-us-slt-hts)
[ "${1:-}" = cross ] && want+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	portaudio19-dev:arm64 portaudio19-dev:armhf qemu-user)
[ "${1:-}" = deb ] && want+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	portaudio19-dev:arm64 portaudio19-dev:armhf qemu-user
	lintian debootstrap qemu-user-static)

installed() {
	local pkg=$1 arch=$native
	case $pkg in *:*) arch=${pkg#*:}; pkg=${pkg%%:*} ;; esac
	# Tool packages are often Architecture: all; accept that as well as the named one.
	dpkg-query -W -f='${Status}\n' "$pkg:$arch" 2>/dev/null | grep -q '^install ok installed' ||
		dpkg-query -W -f='${Status}\n' "$pkg:all" 2>/dev/null | grep -q '^install ok installed'
}

missing=()
for p in "${want[@]}"; do installed "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing ${missing[*]}; run as root or install them yourself" >&2
	exit 1
fi
if [ "${1:-}" = cross ] || [ "${1:-}" = deb ]; then
	dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
	dpkg --print-foreign-architectures | grep -qx armhf || dpkg --add-architecture armhf
fi
# native packages named without suffix would pick the default architecture anyway,
# but spell it out so a foreign architecture can never be chosen.
args=()
for p in "${missing[@]}"; do case $p in *:*) args+=("$p") ;; *) args+=("$p:$native") ;; esac; done

echo "deps.sh: installing ${args[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A mirror in mid-sync can fail one index (seen here for a foreign architecture's
# security list); retry once, then go on with the lists that did arrive.
apt-get update -qq || { sleep 5; apt-get update -qq; } ||
	echo "deps.sh: apt-get update failed twice; installing from the package lists we have" >&2
apt-get install -y -qq --no-install-recommends "${args[@]}" >/dev/null
