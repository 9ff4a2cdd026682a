package board_test

import (
	"errors"
	"strings"
	"testing"

	"fairrec/board"
)

func TestProfilesValidate(t *testing.T) {
	for _, name := range board.Names() {
		b, err := board.Lookup(name)
		if err != nil {
			t.Fatalf("Lookup(%q): %v", name, err)
		}
		if b.Name != name {
			t.Errorf("Lookup(%q).Name = %q", name, b.Name)
		}
		if err := b.Validate(); err != nil {
			t.Errorf("profile %s: %v", name, err)
		}
	}
	for n := 1; n <= 8; n++ {
		if err := board.Sim(n).Validate(); err != nil {
			t.Errorf("Sim(%d): %v", n, err)
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	_, err := board.Lookup("rpi5")
	if !errors.Is(err, board.ErrUnknownBoard) {
		t.Fatalf("Lookup(rpi5) = %v, want ErrUnknownBoard", err)
	}
	for _, want := range []string{`"rpi5"`, "rpi4-4line", "sim"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestRPi4Wiring(t *testing.T) {
	b := board.RPi4()
	if len(b.Lines) != 4 {
		t.Fatalf("rpi4 has %d lines, want 4", len(b.Lines))
	}
	if b.Rate != 48000 || b.InChannels < 4 || b.OutChannels < 5 {
		t.Errorf("rpi4 audio %d Hz %d in %d out", b.Rate, b.InChannels, b.OutChannels)
	}
	// The console UART and I2C pins must stay free.
	for _, p := range b.Pins() {
		switch p.Name {
		case "GPIO0", "GPIO1", "GPIO2", "GPIO3", "GPIO14", "GPIO15":
			t.Errorf("%s uses reserved pin %s", p.Role, p.Name)
		}
	}
	if got := len(b.Pins()); got != 22 {
		t.Errorf("rpi4 uses %d pins, want 22 (4 x 5 per line + supervisor + fault)", got)
	}
}

func TestValidateFindsMistakes(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(b *board.Board)
		wants []string
	}{
		{"duplicate pin", func(b *board.Board) { b.Lines[1].Ring = b.Lines[0].Hook },
			[]string{"pin SIM_L1_HOOK is both line 1 hook sense and line 2 ring sense"}},
		{"button shared with supervisor", func(b *board.Board) { b.SupervisorButton = "SIM_L2_BUTTON" },
			[]string{"pin SIM_L2_BUTTON is both line 2 objection button and supervisor button"}},
		{"input channel out of range", func(b *board.Board) { b.Lines[1].In = 2 },
			[]string{"line 2 input channel 2 out of range 0..1"}},
		{"negative output channel", func(b *board.Board) { b.Lines[0].Out = -1 },
			[]string{"line 1 output channel -1 out of range 0..2"}},
		{"two lines on one input", func(b *board.Board) { b.Lines[1].In = 0 },
			[]string{"line 2 input channel 0 already carries line 1"}},
		{"two lines on one output", func(b *board.Board) { b.Lines[1].Out = 0 },
			[]string{"line 2 output channel 0 already feeds line 1"}},
		{"review into a line", func(b *board.Board) { b.ReviewOut = 1 },
			[]string{"review output channel 1 feeds line 2"}},
		{"review out of range", func(b *board.Board) { b.ReviewOut = 7 },
			[]string{"review output channel 7 out of range"}},
		{"review line out of range", func(b *board.Board) { b.ReviewLines = []int{2, 3} },
			[]string{"review line 3 out of range 1..2"}},
		{"no lines", func(b *board.Board) { b.Lines = nil }, []string{"no lines"}},
		{"no rate", func(b *board.Board) { b.Rate = 0 }, []string{"sample rate 0 Hz"}},
		{"console without baud", func(b *board.Board) { b.Console = "/dev/ttyUSB0" },
			[]string{"console /dev/ttyUSB0 without a baud rate"}},
		{"two mistakes", func(b *board.Board) { b.Lines[0].In = 9; b.LEDFault = "SIM_L1_LED_REC" },
			[]string{"line 1 input channel 9", "pin SIM_L1_LED_REC is both line 1 recording LED and fault LED"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := board.Sim(2).Clone()
			tc.edit(&b)
			err := b.Validate()
			if !errors.Is(err, board.ErrInvalid) {
				t.Fatalf("Validate = %v, want ErrInvalid", err)
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestCloneIsDeep(t *testing.T) {
	a := board.Sim(2)
	b := a.Clone()
	b.Lines[0].Hook = "X"
	if a.Lines[0].Hook == "X" {
		t.Errorf("Clone shares Lines with the original")
	}
}

func TestNoAbsentPinsListed(t *testing.T) {
	b := board.Sim(1)
	b.Lines[0].Ring = ""
	for _, p := range b.Pins() {
		if p.Name == "" {
			t.Errorf("Pins lists an absent pin for %s", p.Role)
		}
	}
	if len(b.Pins()) != 6 {
		t.Errorf("got %d pins, want 6", len(b.Pins()))
	}
}
