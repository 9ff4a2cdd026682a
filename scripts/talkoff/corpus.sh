#!/usr/bin/env bash
# corpus.sh builds the recorded talk-off corpus of firmware/dtmf: real music
# and synthetic speech from three synthesizers, decoded to 8 kHz, 16-bit
# signed little-endian mono raw files. Nothing of it is committed; it is
# rebuilt from Debian packages and cached.
#
#   scripts/talkoff/corpus.sh short DIR   18 min of music on hold, 5 of espeak-ng, flite, festival
#   scripts/talkoff/corpus.sh full DIR    also 141 min of game music (rock, orchestral, electronic)
#                                          and 14 paragraphs per voice
#
# DIR gets music/*.raw (decoded as published), moh/*.raw (the same music made
# to sound like music on hold: compressed, limited, band-limited to
# 300-3400 Hz) and speech/<synth>-<voice>-<n>.raw. Levels are left to the
# test, which scales each file to the levels it checks. A file that exists is
# not made again, so a second run costs nothing; each file is written under a
# temporary name and renamed, so an interrupted run leaves no half file.
#
# Exit status 3 with one line on stderr means a tool or package is missing
# (scripts/deps.sh installs the short corpus's, `scripts/deps.sh talkoff`
# the full one's); the test skips on it.
set -euo pipefail

mode=${1:?usage: corpus.sh short|full DIR}
dir=${2:?usage: corpus.sh short|full DIR}
case $mode in short | full) ;; *) echo "corpus.sh: mode $mode is neither short nor full" >&2; exit 2 ;; esac

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "corpus.sh: $tool not installed (scripts/deps.sh)" >&2; exit 3; }
	done
}
need sox espeak-ng flite text2wave
voices_dir=/usr/share/festival/voices
[ -d $voices_dir/english/kal_diphone ] || { echo "corpus.sh: festvox-kallpc16k not installed (scripts/deps.sh)" >&2; exit 3; }

# Package -> files. The short corpus uses only the music on hold of Asterisk's
# opsound set (1.7 MB, 18 minutes, GSM at 8 kHz: what callers really hear).
moh=/usr/share/asterisk/moh
declare -a music=()
[ -d $moh ] || { echo "corpus.sh: asterisk-moh-opsound-gsm not installed (scripts/deps.sh)" >&2; exit 3; }
if [ "$mode" = full ]; then
	for d in /usr/share/scummvm/drascula/audio /usr/share/games/asc/music /usr/share/hyperrogue/music \
		/usr/share/games/fretsonfire/data/songs/muldjord /usr/share/games/fretsonfire/data/songs/sectoid; do
		[ -d "$d" ] || { echo "corpus.sh: $d missing (scripts/deps.sh talkoff)" >&2; exit 3; }
	done
	for fmt in mp3 vorbis; do
		sox -h 2>/dev/null | grep -q "AUDIO FILE FORMATS:.* $fmt" ||
			{ echo "corpus.sh: sox cannot read $fmt (libsox-fmt-all)" >&2; exit 3; }
	done
	[ -d $voices_dir/us/cmu_us_slt_arctic_hts ] || { echo "corpus.sh: festvox-us-slt-hts not installed (scripts/deps.sh talkoff)" >&2; exit 3; }
	while IFS= read -r f; do music+=("$f"); done < <(
		ls /usr/share/scummvm/drascula/audio/*.ogg /usr/share/games/asc/music/*.mp3 \
			/usr/share/hyperrogue/music/*.ogg /usr/share/games/fretsonfire/data/songs/*/*/*.ogg | sort)
fi

# A corpus made by another version of this script is made again.
stamp=$(sha256sum "$0" | cut -c1-16)
if [ "$(cat "$dir/stamp" 2>/dev/null)" != "$stamp" ]; then
	rm -rf "$dir/music" "$dir/moh" "$dir/speech" "$dir/stamp"
fi
mkdir -p "$dir/music" "$dir/moh" "$dir/speech"

# make OUT CMD...: run CMD with $tmp as its output file unless OUT exists.
make_file() {
	local out=$1
	shift
	[ -s "$out" ] && return 0
	tmp="$out.tmp.$$"
	"$@"
	mv "$tmp" "$out"
}

raw=(-r 8000 -c 1 -b 16 -e signed-integer -t raw)

# Decoded as published, to 8 kHz with sox's default (linear-phase) filter.
# -G guards against clipping in the resampler: the test sets the level.
decode() { sox -q -V1 -G "$1" "${raw[@]}" "$tmp"; }
chain="compand 0.002,0.08 6:-70,-60,-40,-20,-20,-10,0,-4 -6 -90 0.002 sinc 300-3400"
# Music on hold: the opsound files are already 8 kHz GSM; the same music also
# goes through what an on-hold player or PBX does: a fast compressor and
# limiter and the 300-3400 Hz telephone band.
onhold() {
	sox -q -V1 -G "$1" "${raw[@]}" "$tmp" \
		$chain
}
onhold_raw() { sox -q -V1 -G "${raw[@]}" "$1" "${raw[@]}" "$tmp" $chain; }

for f in $moh/*.gsm; do
	n=$(basename "$f" .gsm)
	make_file "$dir/moh/opsound-$n.raw" decode "$f"
done
if [ "$mode" = full ]; then
	for f in "${music[@]}"; do
		# drascula/track1.ogg, asc/frontiers.mp3, fretsonfire/<song>/guitar.ogg ...
		case $f in
		*/fretsonfire/*) n=fretsonfire-$(basename "$(dirname "$f")" | tr -c 'A-Za-z0-9_\n' _)-$(basename "${f%.*}") ;;
		*/scummvm/drascula/*) n=drascula-$(basename "${f%.*}") ;;
		*/asc/*) n=asc-$(basename "${f%.*}") ;;
		*/hyperrogue/*) n=hyperrogue-$(basename "${f%.*}") ;;
		esac
		make_file "$dir/music/$n.raw" decode "$f"
	done
	# Every fourth piece of the recorded music also as music on hold.
	i=0
	for f in "$dir"/music/*.raw; do
		i=$((i + 1))
		[ $((i % 4)) -eq 0 ] || continue
		n=$(basename "$f" .raw)
		make_file "$dir/moh/$n.raw" onhold_raw "$f"
	done
fi
# The opsound set itself also goes through the on-hold chain.
for f in $moh/*.gsm; do
	n=$(basename "$f" .gsm)
	make_file "$dir/moh/opsound-$n-limited.raw" onhold "$f"
done

# Speech: the text is English prose that every Debian system has (the
# licences in base-files) plus call-centre phrases with digits, cut into
# paragraphs of about 400 characters; each voice reads its own paragraphs.
texts() {
	{
		cat /usr/share/common-licenses/GPL-3 /usr/share/common-licenses/Apache-2.0 \
			/usr/share/common-licenses/MPL-2.0 /usr/share/common-licenses/GFDL-1.3
	} | tr -s ' \t\n' ' ' | tr -cd 'A-Za-z0-9 .,;:?!()\n-' |
		fold -s -w 400
}
phrases="Thank you for calling. Your call is important to us. Please hold the line, an agent will be with you shortly. \
For billing press one, for sales press two, to object to this recording press nine. Your account number is 4 7 1 1 0 8 1 5. \
The delivery is planned for tomorrow morning between 9 and 11. Yes, that is right, nine nine nine. Goodbye."
mapfile -t paras < <(texts)

# voices: synth:voice. espeak-ng's variants, flite's five built-in voices,
# festival's diphone and HTS voices.
voices=(espeak-ng:en+m3 espeak-ng:en-us+f2 espeak-ng:en+klatt2 flite:kal flite:slt flite:rms flite:awb festival:kal_diphone)
per=2 # paragraphs per voice in the short corpus (about 1 minute a voice)
if [ "$mode" = full ]; then
	voices+=(espeak-ng:en-gb-x-rp+f4 espeak-ng:en-us+m7 flite:kal16 festival:cmu_us_slt_arctic_hts)
	per=14
fi
say() { # synth voice text
	local wav="$tmp.wav"
	case $1 in
	espeak-ng) espeak-ng -v "$2" -w "$wav" "$3" ;;
	flite) flite -voice "$2" -t "$3" -o "$wav" ;;
	festival) printf '%s\n' "$3" | text2wave -o "$wav" -eval "(voice_$2)" ;;
	esac
	sox -q -V1 -G "$wav" "${raw[@]}" "$tmp"
	rm -f "$wav"
}
k=0
for v in "${voices[@]}"; do
	synth=${v%%:*} voice=${v#*:}
	for n in $(seq 1 $per); do
		text=${paras[$(((k * 7 + n * 13) % ${#paras[@]}))]}
		[ "$n" = 1 ] && text="$phrases $text"
		make_file "$dir/speech/$synth-${voice//+/_}-$n.raw" say "$synth" "$voice" "$text"
	done
	k=$((k + 1))
done
echo "$stamp" >"$dir/stamp"
