package review_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/dsp"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// tap is one press of the button alone: a short one, or two short ones
// 200 ms apart (a double press).
type tap int

const (
	once tap = iota
	twice
	hold // a long press
)

func (r *rig) tap(k tap) {
	switch k {
	case once:
		r.press(100 * time.Millisecond)
	case twice:
		r.press(100 * time.Millisecond)
		r.press(100 * time.Millisecond)
	case hold:
		r.press(1500 * time.Millisecond)
	}
	r.run(500 * time.Millisecond) // past the double-press window
}

// TestButtonAlone: with nothing selected at the console, the button plays
// the most recent reviewable recording, stops it, and a double press steps
// back; refused recordings are skipped; with none, the denial tone plays
// and nothing is read.
func TestButtonAlone(t *testing.T) {
	tests := []struct {
		name  string
		lines []int    // recordings made, one per line, in order (ids 1, 2, ...)
		cfg   []int    // Config.Lines
		erase []int    // ids erased before the presses
		taps  []tap    // the presses, each followed by the rest of its recording
		want  []int    // recordings played, in order (0: the denial tone)
		audit []string // the button's selections, "id detail"
		long  bool     // recordings of 3 s instead of under one
	}{
		{name: "a press plays the most recent", lines: []int{1, 1, 1}, taps: []tap{once}, want: []int{3},
			audit: []string{"3 selected by the button"}},
		{name: "a double press plays the one before the last played", lines: []int{1, 1, 1}, taps: []tap{once, twice},
			want: []int{3, 2}, audit: []string{"3 selected by the button", "2 selected by the button"}},
		{name: "double presses step back until none is left", lines: []int{1, 1}, taps: []tap{once, twice, twice},
			want: []int{2, 1, 0}, audit: []string{"2 selected by the button", "1 selected by the button",
				"0 refused: no earlier recording may be reviewed"}},
		{name: "a first double press plays the one before the most recent", lines: []int{1, 1, 1}, taps: []tap{twice},
			want: []int{2}, audit: []string{"2 selected by the button"}},
		{name: "no review grant is skipped", lines: []int{1, 1, 2}, taps: []tap{once, twice}, want: []int{2, 1},
			audit: []string{"2 selected by the button", "1 selected by the button"}},
		{name: "erased is skipped", lines: []int{1, 1, 1}, erase: []int{3}, taps: []tap{once}, want: []int{2},
			audit: []string{"2 selected by the button"}},
		{name: "none reviewable: the denial tone", lines: []int{2, 2}, taps: []tap{once}, want: []int{0},
			audit: []string{"0 refused: no recording may be reviewed"}},
		{name: "only the board's lines", lines: []int{3, 1, 3}, cfg: []int{3}, taps: []tap{once, twice},
			want: []int{3, 1}, audit: []string{"3 selected by the button", "1 selected by the button"}},
		{name: "a press during the playback stops it", lines: []int{1}, taps: []tap{once, once}, want: []int{1},
			audit: []string{"1 selected by the button"}, long: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 16000, func(c *review.Config) { c.Lines = tt.cfg })
			var pcms [][]int16
			for i, line := range tt.lines {
				secs := 0.5 + 0.1*float64(i)
				if tt.long {
					secs = 3
				}
				pcm := speech(secs)
				pcms = append(pcms, pcm)
				r.record(line, pcm)
			}
			for _, id := range tt.erase {
				if err := r.v.Erase(vault.ID(id)); err != nil {
					t.Fatal(err)
				}
			}
			before := len(r.out)
			for _, k := range tt.taps {
				r.tap(k)
				r.run(time.Second) // the longest recording is under a second
			}
			r.run(3 * time.Second)
			if st := r.p.Status(); st.Phase != review.Idle {
				t.Errorf("after the presses: %v, want idle", st.Phase)
			}
			// Each stretch of sound is one playback (or the tone).
			var played []int
			for _, run := range splitSilence(r.out[before:], 200) {
				played = append(played, which(t, run, pcms))
			}
			stop := slices.Equal(tt.taps, []tap{once, once})
			if stop {
				// Stopped early: the sound is the recording's beginning.
				if len(played) != 1 || played[0] != -1 && played[0] != 1 {
					t.Errorf("played %v, want the start of recording 1", played)
				}
				if got := r.playbacks(); len(got) != 2 || !strings.Contains(got[1], "end=stopped") {
					t.Errorf("playbacks %q, want a start and a stop", got)
				}
			} else if !slices.Equal(played, tt.want) {
				t.Errorf("played %v, want %v", played, tt.want)
			}
			var sel []string
			err := r.log.Each(time.Time{}, func(e audit.Entry) error {
				if e.Action == audit.ActionReviewSelection && e.Actor.Kind == audit.ActorButton {
					sel = append(sel, strings.TrimSpace(strings.Join([]string{itoa(e.Recording), e.Detail}, " ")))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(sel, tt.audit) {
				t.Errorf("the button's selections in the audit log: %q, want %q", sel, tt.audit)
			}
		})
	}
}

func itoa(n uint64) string { return vault.ID(n).String() }

// which says which recording (1-based) a stretch of sound is, bit-exact at
// 16 kHz; 0 for the denial tone; -1 for a recording's beginning only.
func which(t *testing.T, run []int16, pcms [][]int16) int {
	t.Helper()
	for i, pcm := range pcms {
		want, err := dsp.ResampleAll(stored(pcm), dsp.LineRate, 16000)
		if err != nil {
			t.Fatal(err)
		}
		if at := locate(run, want); at >= 0 && len(run)-at >= len(want) && slices.Equal(run[at:at+len(want)], want) {
			return i + 1
		}
	}
	// The denial tone: as long as DenialTime, at its level.
	n := 16000 * int(review.DenialTime.Milliseconds()) / 1000
	if k := len(trimZeros(run)); k > n-20 && k <= n && slices.Max(run) > int16(0.9*dsp.PeakForDBm0(review.DenialLevel)) {
		return 0
	}
	if len(run) > 0 {
		for _, pcm := range pcms {
			want, _ := dsp.ResampleAll(stored(pcm), dsp.LineRate, 16000)
			if at := locate(run, want); at >= 0 {
				return -1
			}
		}
	}
	t.Errorf("a stretch of %d samples is neither a recording nor the denial tone", len(run))
	return -2
}

func trimZeros(x []int16) []int16 {
	for len(x) > 0 && x[0] == 0 {
		x = x[1:]
	}
	for len(x) > 0 && x[len(x)-1] == 0 {
		x = x[:len(x)-1]
	}
	return x
}
