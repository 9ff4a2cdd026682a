package notice

import (
	"crypto/sha256"
	"io/fs"
	"testing"
)

func hashOf(b []byte) Hash { return sha256.Sum256(b) }

// BenchmarkDecode measures loading one built-in notice (MPEG-2, 16 kHz):
// scan, go-mp3, mixdown, resampling to 8 kHz, hash and level. It reports
// the time per second of notice and the bytes a cached notice holds.
func BenchmarkDecode(b *testing.B) {
	data, err := fs.ReadFile(Defaults(), "default.en.notice.mp3")
	if err != nil {
		b.Fatal(err)
	}
	var n *Notice
	for b.Loop() {
		if n, err = Decode("default.en.notice.mp3", data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n.Seconds()/1e6, "ms/s-of-notice")
	b.ReportMetric(float64(2*cap(n.Samples))/n.Seconds(), "cached-B/s-of-notice")
}

// BenchmarkDecode48k is the same for a 48 kHz MPEG-1 file (an installer's
// recording at CD-like settings).
func BenchmarkDecode48k(b *testing.B) {
	src := speak(b, testText, 48000, "-b", "64")
	var n *Notice
	var err error
	for b.Loop() {
		if n, err = Decode("48k.mp3", src.mp3); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n.Seconds()/1e6, "ms/s-of-notice")
}

// BenchmarkPlayer is the per-frame cost on the line's audio loop.
func BenchmarkPlayer(b *testing.B) {
	n := testNotice(8000 * 15)
	frame := make([]int16, 160)
	p := n.Play(0)
	for b.Loop() {
		if _, done := p.Next(frame); done {
			p = n.Play(0)
		}
	}
}

// BenchmarkLoadDefaults is the boot cost of the built-in set, and the
// memory its cached line audio holds.
func BenchmarkLoadDefaults(b *testing.B) {
	var lib *Library
	var err error
	for b.Loop() {
		if lib, err = Load(Config{}); err != nil {
			b.Fatal(err)
		}
	}
	var bytes, secs float64
	for _, k := range lib.Keys() {
		n, _ := lib.Lookup(k)
		bytes += float64(2 * cap(n.Samples))
		secs += n.Seconds()
	}
	b.ReportMetric(bytes, "cached-B")
	b.ReportMetric(secs, "s-of-audio")
}
