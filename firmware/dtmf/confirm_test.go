package dtmf

import (
	"errors"
	"testing"
	"time"
)

// Config.Confirm holds back a digit until it has lasted ConfirmDuration;
// other digits, and the timing of what is reported, do not change.
func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		name    string
		digit   byte
		on      float64 // ms
		confirm string
		want    string // digits of the End events
		begin   [2]float64
	}{
		{"9 for 80 ms, not confirmed", '9', 80, "", "9", [2]float64{25, 60}},
		{"9 for 80 ms, confirmed at 60 ms", '9', 80, "9", "9", [2]float64{60, 95}},
		{"9 for 50 ms, confirmed at 60 ms", '9', 50, "9", "", [2]float64{}},
		{"9 for 40 ms, confirmed at 60 ms", '9', 40, "9", "", [2]float64{}},
		{"5 for 50 ms, 9 confirmed", '5', 50, "9", "5", [2]float64{25, 60}},
		{"* for 70 ms, *# confirmed", '*', 70, "*#", "*", [2]float64{60, 95}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSignal(3).silence(ms(100)).tone(t, tc.digit, -10, -10, ms(tc.on)).silence(ms(100))
			s.noise(noisePower(-10, 30))
			x := s.pcm()
			for _, chunk := range []int{0, 1, 7, 160} {
				d, err := New(Config{Confirm: tc.confirm, ConfirmDuration: 60 * time.Millisecond})
				if err != nil {
					t.Fatal(err)
				}
				ev := run(d, x, chunk)
				if got := digits(ends(ev)); got != tc.want {
					t.Fatalf("chunks of %d: digits %q, want %q", chunk, got, tc.want)
				}
				for _, e := range ev {
					if e.Kind != Begin {
						continue
					}
					// Begin's delay after the tone started, in ms.
					if late := float64(e.At-int64(ms(100))) / 8; late < tc.begin[0] || late > tc.begin[1] {
						t.Errorf("chunks of %d: begin %.1f ms after the tone, want %v", chunk, late, tc.begin)
					}
				}
			}
		})
	}
}

func TestConfirmConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Confirm: "9x", ConfirmDuration: time.Millisecond},
		{Confirm: "9", ConfirmDuration: -time.Millisecond},
		{Confirm: "9", ConfirmDuration: 2 * time.Second},
	} {
		if _, err := New(cfg); !errors.Is(err, ErrConfig) {
			t.Errorf("New(%+v): %v, want ErrConfig", cfg, err)
		}
	}
	if _, err := New(Config{Confirm: "0123456789*#ABCD", ConfirmDuration: time.Second}); err != nil {
		t.Errorf("all digits confirmed for 1 s: %v", err)
	}
}
