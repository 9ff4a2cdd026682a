package notice

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/dsp"
)

func testNotice(n int) *Notice {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(i%100 + 1)
	}
	return &Notice{Name: "t.mp3", Key: Key{"default", "en", KindNotice}, Hash: Hash{1, 2}, Samples: s, Duration: n}
}

func TestPlayerPlaysWholeNotice(t *testing.T) {
	no := testNotice(2*dsp.FrameSamples + 37)
	p := no.Play(1000)
	frame := make([]int16, dsp.FrameSamples)
	var out []int16
	var counts []int
	for i := 0; ; i++ {
		for j := range frame {
			frame[j] = -1 // Next must overwrite every sample
		}
		n, done := p.Next(frame)
		out = append(out, frame...)
		counts = append(counts, n)
		if done {
			break
		}
		if i > 10 {
			t.Fatal("never done")
		}
	}
	if diff := cmp.Diff([]int{160, 160, 37}, counts); diff != "" {
		t.Errorf("samples per frame (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(no.Samples, out[:no.Duration]); diff != "" {
		t.Errorf("played audio differs:\n%s", diff)
	}
	for i, v := range out[no.Duration:] {
		if v != 0 {
			t.Fatalf("sample %d after the end is %d, want silence", no.Duration+i, v)
		}
	}
	want := Receipt{Name: "t.mp3", Key: no.Key, Hash: no.Hash, StartSample: 1000, EndSample: 1000 + 357,
		Played: 357, Duration: 357, Complete: true}
	if diff := cmp.Diff(want, p.Receipt()); diff != "" {
		t.Errorf("receipt (-want +got):\n%s", diff)
	}
	// Further frames stay silent and done.
	if n, done := p.Next(frame); n != 0 || !done || frame[0] != 0 {
		t.Errorf("Next after the end = %d, %v, frame[0] %d", n, done, frame[0])
	}
}

func TestPlayerStop(t *testing.T) {
	no := testNotice(1000)
	p := no.Play(0)
	frame := make([]int16, dsp.FrameSamples)
	p.Next(frame)
	p.Next(frame)
	p.Stop()
	n, done := p.Next(frame)
	if n != 0 || !done {
		t.Errorf("Next after Stop = %d, %v; want 0, true", n, done)
	}
	for _, v := range frame {
		if v != 0 {
			t.Fatal("audio after Stop")
		}
	}
	r := p.Receipt()
	if r.Complete || r.Played != 320 || r.EndSample != 320 {
		t.Errorf("receipt after a cut-off: %+v", r)
	}
	// The receipt survives JSON as the vault's metadata would store it.
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Receipt
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, back); diff != "" {
		t.Errorf("receipt JSON round trip (-want +got):\n%s\n%s", diff, b)
	}
}
