package dsp

import (
	"math"
	"testing"
)

// interval is one G.711 quantisation interval in 16-bit linear units:
// inputs in [lo, hi) get the code whose reconstruction value is recon.
type interval struct{ lo, hi, recon int }

// aLawTable builds the 128 positive A-law intervals by walking the segments
// of G.711 Table 1a (12-bit magnitude, full scale 4096): the first two
// segments have 16 steps of 2 each, every further segment doubles the step.
// The reconstruction value is the middle of its interval. Scaled by 8 to
// 16-bit PCM.
func aLawTable(t *testing.T) [128]interval {
	t.Helper()
	var tab [128]interval
	steps := [8]int{2, 2, 4, 8, 16, 32, 64, 128}
	lo := 0
	for n := range tab {
		step := steps[n/16]
		tab[n] = interval{lo: 8 * lo, hi: 8 * (lo + step), recon: 8*lo + 4*step}
		lo += step
	}
	if lo != 4096 {
		t.Fatalf("A-law segments end at %d, want 4096", lo)
	}
	return tab
}

// muLawTable builds the 128 positive µ-law intervals of G.711 Table 2a
// (full scale 8159): an interval [0,1) that reconstructs to 0, 15 steps of 2,
// then segments of 16 steps doubling from 4 to 256. Scaled by 4.
func muLawTable(t *testing.T) [128]interval {
	t.Helper()
	var tab [128]interval
	tab[0] = interval{lo: 0, hi: 4, recon: 0}
	lo := 1
	for n := 1; n < 128; n++ {
		step := 2 << (n / 16)
		tab[n] = interval{lo: 4 * lo, hi: 4 * (lo + step), recon: 4*lo + 2*step}
		lo += step
	}
	if lo != 8159 {
		t.Fatalf("µ-law segments end at %d, want 8159", lo)
	}
	return tab
}

type law struct {
	name   string
	tab    func(*testing.T) [128]interval
	encode func(int16) byte
	decode func(byte) int16
	code   func(n int, negative bool) byte // wire code of magnitude index n
}

var laws = []law{
	{
		name: "A-law", tab: aLawTable, encode: ALawEncode, decode: ALawDecode,
		code: func(n int, negative bool) byte {
			c := byte(n)
			if !negative {
				c |= 0x80
			}
			return c ^ 0x55 // even-bit inversion
		},
	},
	{
		name: "µ-law", tab: muLawTable, encode: MuLawEncode, decode: MuLawDecode,
		code: func(n int, negative bool) byte {
			c := byte(n)
			if negative {
				c |= 0x80
			}
			return ^c
		},
	},
}

func TestG711DecodeTable(t *testing.T) {
	for _, l := range laws {
		tab := l.tab(t)
		for n, iv := range tab {
			for _, neg := range []bool{false, true} {
				c := l.code(n, neg)
				want := iv.recon
				if neg {
					want = -want
				}
				if got := int(l.decode(c)); got != want {
					t.Errorf("%s decode(%#02x) = %d, want %d", l.name, c, got, want)
				}
			}
		}
	}
}

func TestG711PublishedValues(t *testing.T) {
	tests := []struct {
		name   string
		decode func(byte) int16
		code   byte
		want   int16
	}{
		{"A-law", ALawDecode, 0xD5, 8},
		{"A-law", ALawDecode, 0x55, -8},
		{"A-law", ALawDecode, 0xAA, 32256},
		{"A-law", ALawDecode, 0x2A, -32256},
		{"A-law", ALawDecode, 0x80, 5504},
		{"µ-law", MuLawDecode, 0xFF, 0},
		{"µ-law", MuLawDecode, 0x7F, 0},
		{"µ-law", MuLawDecode, 0x80, 32124},
		{"µ-law", MuLawDecode, 0x00, -32124},
		{"µ-law", MuLawDecode, 0xFE, 8},
		{"µ-law", MuLawDecode, 0xEF, 132},
	}
	for _, tt := range tests {
		if got := tt.decode(tt.code); got != tt.want {
			t.Errorf("%s decode(%#02x) = %d, want %d", tt.name, tt.code, got, tt.want)
		}
	}
}

// TestG711EncodeExhaustive checks every int16 against the decision intervals:
// a non-negative x gets the code of the interval holding it (the top code
// beyond the last interval), a negative x the negative code whose mirrored
// interval [-hi, -lo) holds it.
func TestG711EncodeExhaustive(t *testing.T) {
	for _, l := range laws {
		tab := l.tab(t)
		errs := 0
		for x := math.MinInt16; x <= math.MaxInt16; x++ {
			mag, neg := x, false
			if x < 0 {
				mag, neg = -x-1, true // [-hi, -lo) for integers is lo <= -x-1 < hi
			}
			n := 127
			for i, iv := range tab {
				if iv.lo <= mag && mag < iv.hi {
					n = i
					break
				}
			}
			if got, want := l.encode(int16(x)), l.code(n, neg); got != want {
				t.Errorf("%s encode(%d) = %#02x, want %#02x", l.name, x, got, want)
				if errs++; errs > 10 {
					t.FailNow()
				}
			}
		}
	}
}

func TestG711Idempotent(t *testing.T) {
	for _, l := range laws {
		for c := range 256 {
			v := l.decode(byte(c))
			if got := l.decode(l.encode(v)); got != v {
				t.Errorf("%s decode(encode(decode(%#02x)=%d)) = %d", l.name, c, v, got)
			}
		}
	}
}

func TestG711Bulk(t *testing.T) {
	src := make([]int16, 0, 65536)
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		src = append(src, int16(x))
	}
	codes := make([]byte, len(src)+3) // longer dst: count is min of both
	back := make([]int16, len(src))
	for _, tt := range []struct {
		name   string
		encode func([]byte, []int16) int
		decode func([]int16, []byte) int
		one    func(int16) byte
	}{
		{"A-law", EncodeALaw, DecodeALaw, ALawEncode},
		{"µ-law", EncodeMuLaw, DecodeMuLaw, MuLawEncode},
	} {
		if n := tt.encode(codes, src); n != len(src) {
			t.Fatalf("%s encode count = %d, want %d", tt.name, n, len(src))
		}
		if n := tt.decode(back, codes); n != len(src) {
			t.Fatalf("%s decode count = %d, want %d", tt.name, n, len(src))
		}
		for i, x := range src {
			if codes[i] != tt.one(x) {
				t.Fatalf("%s bulk code of %d = %#02x, single %#02x", tt.name, x, codes[i], tt.one(x))
			}
		}
		// The bulk decode must equal decode of each code.
		for i := range src {
			var one [1]int16
			tt.decode(one[:], codes[i:i+1])
			if back[i] != one[0] {
				t.Fatalf("%s bulk decode mismatch at %d", tt.name, i)
			}
		}
	}
}

func BenchmarkALawEncode(b *testing.B) {
	src := make([]int16, FrameSamples)
	Sine(src, LineRate, 1000, -10, 0)
	dst := make([]byte, len(src))
	b.SetBytes(int64(len(src) * 2))
	for b.Loop() {
		EncodeALaw(dst, src)
	}
}
