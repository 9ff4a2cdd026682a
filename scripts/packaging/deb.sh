#!/usr/bin/env bash
# deb.sh builds the fairrec Debian packages with nfpm, one per architecture.
#
#   scripts/packaging/deb.sh [OUTDIR [ARCH...]]   default: dist, arm64 armhf amd64
#
# The packages are built from the commit checked out (HEAD), in a clean
# clone of it: uncommitted changes are not in them, and the binaries' build
# information names that commit (fairrecd --version). The Debian version is
# the tag (v1.2.3 -> 1.2.3) when HEAD is tagged, else
# 0.0~git<commit time>.<commit>. The binaries are stripped (-s -w) and built
# with -trimpath; file times are the commit's (SOURCE_DATE_EPOCH), so the
# same commit gives the same package.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(realpath -m "${1:-$root/dist}")
shift || true
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(arm64 armhf amd64)

rev=$(git -C "$root" rev-parse HEAD)
short=${rev:0:12}
epoch=$(git -C "$root" log -1 --format=%ct "$rev")
if tag=$(git -C "$root" describe --tags --exact-match --match 'v[0-9]*' "$rev" 2>/dev/null); then
	version=${tag#v}
else
	version="0.0~git$(TZ=UTC date -d "@$epoch" +%Y%m%d%H%M%S).$short"
fi
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
	echo "deb.sh: the work tree has uncommitted changes; the packages are built from $short without them" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A clean clone: its .git is a directory, so the Go toolchain stamps the
# commit into the binaries (it does not for a linked worktree), and nothing
# uncommitted slips in.
git clone --quiet --no-checkout "$root" "$tmp/src"
git -C "$tmp/src" checkout --quiet --detach "$rev"

export SOURCE_DATE_EPOCH=$epoch
date=$(TZ=UTC date -R -d "@$epoch")
mkdir -p "$out"

for arch in "${arches[@]}"; do
	pkg=$tmp/pkg-$arch
	cp -r "$root/scripts/packaging" "$pkg"
	stage=$pkg/stage
	mkdir -p "$stage"
	case $arch in
	amd64) env=(CGO_ENABLED=1 GOOS=linux GOARCH=amd64) ;;
	arm64) env=(CC=aarch64-linux-gnu-gcc CGO_ENABLED=1 GOOS=linux GOARCH=arm64
		PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig) ;;
	armhf) env=(CC=arm-linux-gnueabihf-gcc CGO_ENABLED=1 GOOS=linux GOARCH=arm GOARM=7
		PKG_CONFIG_LIBDIR=/usr/lib/arm-linux-gnueabihf/pkgconfig:/usr/share/pkgconfig) ;;
	*) echo "deb.sh: unknown architecture $arch (arm64, armhf or amd64)" >&2; exit 2 ;;
	esac
	# Debian's hardening flags for the C side (PortAudio's binding);
	# GOFLAGS from the environment (e.g. -buildvcs=false) must not drop
	# the commit from the build information.
	# Position-independent, linked by the C linker with full RELRO, as
	# Debian's hardening checks expect of every binary.
	(cd "$tmp/src" && env "${env[@]}" GOFLAGS="-buildvcs=true -trimpath" \
		CGO_CFLAGS="-O2 -g0 -D_FORTIFY_SOURCE=2 -fstack-protector-strong" \
		go build -buildmode=pie \
		-ldflags="-s -w -buildid= -linkmode=external -extldflags '-Wl,-z,relro -Wl,-z,now'" \
		-o "$stage/" ./cmd/fairrecd ./cmd/fairrec)

	sed "s/@VERSION@/$version/; s/@COMMIT@/$short/; s/@DATE@/$date/" \
		"$root/scripts/packaging/changelog.in" | gzip -9n >"$stage/changelog.gz"
	cp "$root/scripts/packaging/copyright" "$stage/copyright"
	gzip -9n <"$tmp/src/README.md" >"$stage/README.md.gz"
	touch -d "@$epoch" "$stage"/*

	(cd "$pkg" && DEB_ARCH=$arch DEB_VERSION=$version \
		go tool nfpm package --config nfpm.yaml --packager deb --target "$out/")
done
ls -l "$out"/fairrec_"$version"_*.deb
