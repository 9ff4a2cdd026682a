#!/usr/bin/env bash
# make-audio.sh regenerates the demo callers' speech (committed next to this
# script, so the demo and the tests need no speech synthesiser). Run it from
# anywhere; it writes into the directory it lives in.
#
# Speech comes from espeak-ng, then sox converts it to what a phone line
# carries: 8 kHz, mono, 16-bit PCM, band-limited to 300-3400 Hz, peaks at
# -3 dBFS. Files stay small (about 16 kB per second). espeak-ng versions
# differ slightly in their output, so regenerated files may not be
# byte-identical to the committed ones.
set -euo pipefail
cd "$(dirname "$0")"
for tool in espeak-ng sox; do
	command -v "$tool" >/dev/null || { echo "make-audio.sh: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

speak() { # speak VOICE OUT.wav TEXT
	local voice=$1 out=$2 text=$3 tmp
	tmp=$(mktemp --suffix=.wav)
	espeak-ng -v "$voice" -s 150 -w "$tmp" "$text"
	sox "$tmp" -r 8000 -c 1 -b 16 -e signed-integer "$out" sinc 300-3400 norm -3 \
		silence 1 0.02 1% reverse silence 1 0.02 1% reverse # trim leading and trailing silence
	rm -f "$tmp"
	echo "$out: $(soxi -D "$out") s"
}

speak en caller-en.wav "Hello, this is Anna Jansen. I am calling about my order. It has not arrived yet."
speak nl caller-nl.wav "Goedemiddag, met Pieter de Vries. Ik wil graag mijn abonnement opzeggen."
