#!/usr/bin/env bash
# make-notices.sh regenerates fairrec's built-in notices in
# firmware/notice/defaults/ from the texts in texts.toml there: espeak-ng
# speaks each text, sox normalises it to a peak of -3 dBFS, and lame encodes
# it as MPEG-2 Layer III, 16 kHz mono, about 14 kbit/s on average (ABR
# between 8 and 16 kbit/s: pauses take fewer bits), low-passed at 3.6 kHz
# (the line carries 300-3400 Hz; the bits go where callers hear them). The
# bit rate keeps the whole set under 150 kB.
#
# Reproducible: the same espeak-ng, sox and lame versions give the same bytes
# (lame writes no date, and no LAME tag with -t; sox runs without dither).
# Made with espeak-ng 1.51, sox 14.4.2 and LAME 3.100.
# The tests in firmware/notice check that every file decodes, is long and loud
# enough, and that the set matches texts.toml.
#
# Usage: scripts/notices/make-notices.sh [OUTDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$root/firmware/notice/defaults}
for tool in espeak-ng sox lame go; do
	command -v "$tool" >/dev/null || { echo "make-notices: $tool not found (scripts/deps.sh installs it)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go run ./scripts/notices/texts) >"$tmp/texts.tsv"
total=0
while IFS=$'\t' read -r file voice text; do
	espeak-ng -v "$voice" -s 170 -w "$tmp/raw.wav" "$text"
	# -D -R: no dither, fixed seed: sox otherwise dithers randomly and the
	# bytes change on every run.
	sox -D -R "$tmp/raw.wav" "$tmp/norm.wav" gain -n -3
	lame --quiet -t --noreplaygain -m m --abr 14 -b 8 -B 16 --resample 16 --lowpass 3.6 "$tmp/norm.wav" "$out/$file"
	size=$(stat -c %s "$out/$file")
	total=$((total + size))
	printf '%-36s %6d bytes  %s\n' "$file" "$size" "$(soxi -D "$tmp/raw.wav") s"
done <"$tmp/texts.tsv"
echo "total $total bytes"
