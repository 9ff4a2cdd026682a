package main

import (
	"bufio"
	"fmt"
	"io"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/atomicfile"
	"fairrec/storage/vault"
)

func init() {
	register("export", "write a recording to a WAV file (PCM 16-bit 8 kHz mono)", runExport)
}

func runExport(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("export", stderr)
	vf := addVaultFlags(fs)
	alaw := fs.Bool("alaw", false, "write G.711 A-law (format 6), the stored bytes, instead of PCM")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: usage: fairrec export [--data DIR] [--key FILE] [--alaw] ID OUT.wav", errUsage)
	}
	id, err := vault.ParseID(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	v, err := vf.open()
	if err != nil {
		return err
	}
	defer closeVault(v, &err)
	r, err := v.Audio(id)
	if err != nil {
		return err
	}
	defer r.Close()
	// Read it all before creating the file: a tampered recording must not
	// leave a half-written export behind.
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	samples := make([]int16, len(data))
	dsp.DecodeALaw(samples, data)
	format := wav.PCM16
	if *alaw {
		format = wav.ALaw
	}
	out := pos[1]
	// A half-written WAV must never stand where a supervisor expects the
	// export; exports are personal data, so they are not world-readable.
	err = atomicfile.WriteFrom(out, 0o600, func(f io.Writer) error {
		w := bufio.NewWriter(f)
		if err := wav.Encode(w, vault.BytesPerSecond, 1, format, samples); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "exported %v to %s (%d samples, %s)\n", id, out, len(samples), format)
	return nil
}
