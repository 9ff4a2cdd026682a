package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
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

// TestExportErased: exporting a recording that was erased says when and
// why, from the audit log; one never made says it is not there.
func TestExportErased(t *testing.T) {
	for _, tc := range []struct {
		name  string
		erase func(t *testing.T, d string)
		id    string
		want  string
	}{
		{"request", func(t *testing.T, d string) {
			mustRun(t, "clock", "confirm", d)
			mustRun(t, "erase", d, "1")
		}, "1",
			"fairrec export: recording 1 was erased on 2027-03-01T09:00:00Z: an erasure request (erase-request by tool:fairrec); nothing is left to export\n"},
		{"never made", func(*testing.T, string) {}, "9", "fairrec export: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := policyData(t)
			d := "--data=" + dir
			tc.erase(t, d)
			out := filepath.Join(t.TempDir(), "x.wav")
			code, stdout, errs := run(t, "export", d, tc.id, out)
			if code != 1 || stdout != "" || !strings.HasPrefix(errs, tc.want) {
				t.Errorf("export %s: exit %d, stdout %q\nstderr %q\nwant   %q", tc.id, code, stdout, errs, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a WAV was written")
			}
		})
	}
}
