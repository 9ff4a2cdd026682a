package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/vault"
)

// TestExportUnchanged: the streamed `fairrec export` writes, in both
// formats, the file the whole-recording encoder wrote.
func TestExportUnchanged(t *testing.T) {
	dir, _ := policyData(t)
	alaw := make([]byte, 4000) // what policyData recorded
	pcm := make([]int16, len(alaw))
	dsp.DecodeALaw(pcm, alaw)
	for _, tc := range []struct {
		name   string
		flags  []string
		format wav.Format
	}{
		{"pcm", nil, wav.PCM16},
		{"alaw", []string{"--alaw"}, wav.ALaw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "1.wav")
			mustRun(t, append(append([]string{"export", "--data", dir}, tc.flags...), "1", out)...)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := wav.Encode(&want, vault.BytesPerSecond, 1, tc.format, pcm); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("export: %d bytes differ from the encoder's %d", len(got), want.Len())
			}
		})
	}
}
