package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const scanCaller = "+31 20 555 0123"

// callerEncodings are the ways a careless implementation could store the
// caller number.
func callerEncodings(t *testing.T) map[string][]byte {
	digits := "31205550123"
	n, _ := strconv.ParseUint(digits, 10, 64)
	enc := map[string][]byte{
		"ascii":          []byte(digits),
		"ascii national": []byte("205550123"),
		"hex":            []byte(hex.EncodeToString([]byte(digits))),
		"base64":         []byte(base64.StdEncoding.EncodeToString([]byte(digits))[:12]),
		"uint64 BE":      binary.BigEndian.AppendUint64(nil, n),
		"uint64 LE":      binary.LittleEndian.AppendUint64(nil, n),
	}
	var u16, bcd []byte
	for _, c := range digits {
		u16 = append(u16, byte(c), 0)
	}
	for i := 0; i+1 < len(digits); i += 2 {
		bcd = append(bcd, (digits[i]-'0')<<4|(digits[i+1]-'0'))
	}
	enc["utf-16le"] = u16
	enc["packed bcd"] = bcd
	return enc
}

// vaultFiles returns the raw bytes of every file in dir.
func vaultFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	return files
}

type storedChunk struct {
	sealed, ad []byte
}

// recordScanCall records a call with known audio and caller; it returns the
// audio, the stored chunks (ciphertext and associated data) and the slot.
func recordScanCall(t *testing.T, v *Vault, seed int) (ID, []byte, []storedChunk, uint32) {
	t.Helper()
	id, err := v.Create(Meta{Line: 1, Start: t0, Caller: scanCaller, Notes: "asked for a refund"})
	if err != nil {
		t.Fatal(err)
	}
	audio := pattern(seed, 2*BytesPerSecond)
	for off := 0; off < len(audio); off += 8000 {
		must(t, v.Append(id, audio[off:off+8000]))
		if err := v.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Seal(id, t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	var chunks []storedChunk
	var slot uint32
	err = v.db.Bolt().View(func(tx *bolt.Tx) error {
		r, _, _ := peekRecord(tx.Bucket(bRec).Get(idKey(id)))
		slot = r.slot
		for i := uint32(0); i <= r.chunks; i++ {
			for _, cb := range commitsFrom(tx, 0) {
				if s := cb.Get(chunkKey(id, i)); s != nil {
					chunks = append(chunks, storedChunk{bytes.Clone(s), chunkAD(id, i, i == r.chunks)})
				}
			}
		}
		return nil
	})
	if err != nil || len(chunks) != 3 {
		t.Fatalf("stored chunks: %d, %v", len(chunks), err)
	}
	return id, audio, chunks, slot
}

// assertNoPlaintext checks that no 20 ms window of audio and no encoding of
// the caller number appears in any file.
func assertNoPlaintext(t *testing.T, files map[string][]byte, audio []byte) {
	t.Helper()
	for name, b := range files {
		for off := 0; off+160 <= len(audio); off += 160 {
			if bytes.Contains(b, audio[off:off+160]) {
				t.Errorf("%s holds the audio window at byte %d in the clear", name, off)
				break
			}
		}
		if bytes.Contains(b, []byte("refund")) {
			t.Errorf("%s holds the notes in the clear", name)
		}
		for enc, needle := range callerEncodings(t) {
			if bytes.Contains(b, needle) {
				t.Errorf("%s holds the caller number (%s)", name, enc)
			}
		}
	}
}

// assertUndecryptable tries every candidate key in every file, with the
// KEK: every window as a wrapped key (for each slot index the files could
// have used) and as a raw data key, against the recording's chunks.
func assertUndecryptable(t *testing.T, files map[string][]byte, k *kek, id ID, chunks []storedChunk, maxSlot uint32) {
	t.Helper()
	probe := chunks[len(chunks)-1] // the empty last-chunk marker: cheap to try
	tryKey := func(key []byte) bool {
		if _, err := openSealed(key, probe.sealed, probe.ad); err != nil {
			return false
		}
		_, err := openSealed(key, chunks[0].sealed, chunks[0].ad)
		return err == nil
	}
	ads := make([][]byte, 0, maxSlot+1)
	for i := uint32(0); i <= maxSlot; i++ {
		ads = append(ads, slotAD(i, uint64(id), k.id[:]))
	}
	if tryKey(k.raw) || tryKey(k.wrap) {
		t.Fatal("the KEK itself decrypts the recording")
	}
	for name, b := range files {
		for off := 0; off+keySize <= len(b); off++ {
			if tryKey(b[off : off+keySize]) {
				t.Errorf("%s holds the data key in the clear at %d", name, off)
			}
			if off+nonceSize+keySize+tagSize > len(b) {
				continue
			}
			w := b[off : off+nonceSize+keySize+tagSize]
			for _, ad := range ads {
				if key, err := openSealed(k.wrap, w, ad); err == nil && tryKey(key) {
					t.Errorf("%s holds a wrapped key at %d that decrypts erased recording %v", name, off, id)
				}
			}
		}
	}
}

func TestRawFileScan(t *testing.T) {
	steps := []string{"", "erase-marked", "erase-shredded"}
	if testing.Short() {
		steps = steps[2:] // the -race run: one brute-force scan is slow enough
	}
	for _, crashAt := range steps {
		name := crashAt
		if name == "" {
			name = "no crash"
		}
		t.Run(name, func(t *testing.T) {
			dir := newDir(t)
			v := mustOpen(t, testConfig(dir))
			keep, keepAudio, _, _ := recordScanCall(t, v, 1)
			id, audio, chunks, slot := recordScanCall(t, v, 2)
			files := vaultFiles(t, dir)
			assertNoPlaintext(t, files, audio)
			assertNoPlaintext(t, files, keepAudio)
			k, err := readKeyFile(filepath.Join(dir, KeyFile), nil)
			if err != nil {
				t.Fatal(err)
			}
			// The probe must be able to succeed: before the erase, the key
			// slot holds a wrap that decrypts.
			b, _ := v.slots.read(slot)
			if key, _, err := unwrapSlot(b, slot, uint64(id), []*kek{k}); err != nil {
				t.Fatal(err)
			} else if _, err := openSealed(key, chunks[0].sealed, chunks[0].ad); err != nil {
				t.Fatal("test is blind: the live key does not open the stored chunk")
			}

			errCrash := errors.New("crash")
			v.crash = func(step string) error {
				if step == crashAt {
					return errCrash
				}
				return nil
			}
			err = v.Erase(id)
			if crashAt != "" {
				if !errors.Is(err, errCrash) {
					t.Fatalf("Erase = %v, want the injected crash", err)
				}
				v.db.Close()
				v.slots.close()
				if crashAt == "erase-shredded" {
					// Erase would have returned here: final already.
					if !testing.Short() {
						assertUndecryptable(t, vaultFiles(t, dir), k, id, chunks, maxSlot(t, dir))
					}
				}
				v = mustOpen(t, testConfig(dir))
			} else if err != nil {
				t.Fatal(err)
			}
			if _, err := v.Info(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("Info after erase = %v, want ErrNotFound", err)
			}
			if got, err := readAll(t, v, keep); err != nil || !bytes.Equal(got, keepAudio) {
				t.Errorf("the other recording after the erase: %d bytes, %v", len(got), err)
			}
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			files = vaultFiles(t, dir)
			assertNoPlaintext(t, files, audio)
			assertUndecryptable(t, files, k, id, chunks, maxSlot(t, dir))
		})
	}
}

// maxSlot is the highest slot index the key-slot file has room for: a
// wrapped key's associated data names its slot.
func maxSlot(t *testing.T, dir string) uint32 {
	fi, err := os.Stat(filepath.Join(dir, SlotsFile))
	if err != nil {
		t.Fatal(err)
	}
	return uint32(fi.Size()/slotSize) + 1 // and a little beyond
}
