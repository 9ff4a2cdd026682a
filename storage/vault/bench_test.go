package vault

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// wchar returns the bytes this process has passed to write(2) and friends
// (/proc/self/io), the measure of what reaches the SD card.
func wchar(b *testing.B) int64 {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		b.Skip("no /proc/self/io")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Skip("no wchar in /proc/self/io")
	return 0
}

// BenchmarkWriteAmplification records N lines with a 1 s commit interval,
// each call lasting 3 minutes, and reports the bytes written to files per
// byte of audio (wbytes/abyte). One iteration is one second of audio.
func BenchmarkWriteAmplification(b *testing.B) {
	for _, lines := range []int{1, 8} {
		b.Run("lines="+strconv.Itoa(lines), func(b *testing.B) {
			v := mustOpen(b, Config{Dir: newDir(b), Clock: testConfig("").Clock})
			defer v.Close()
			ids := make([]ID, lines)
			for l := range ids {
				ids[l] = mustCreate(b, v, Meta{Line: l, Start: t0, Caller: "0201234567"})
			}
			frame := pattern(1, 160)
			// Warm up past the first file growths.
			second := func(s int) {
				for range 50 {
					for _, id := range ids {
						must(b, v.Append(id, frame))
					}
				}
				if err := v.Commit(); err != nil {
					b.Fatal(err)
				}
				if s%180 == 179 {
					for l, id := range ids {
						must(b, v.Seal(id, t0))
						ids[l] = mustCreate(b, v, Meta{Line: l, Start: t0, Caller: "0201234567"})
					}
				}
			}
			for s := range 30 {
				second(s)
			}
			before := wchar(b)
			b.ResetTimer()
			for i := range b.N {
				second(i)
			}
			b.StopTimer()
			audio := float64(b.N) * float64(lines) * BytesPerSecond
			b.ReportMetric(float64(wchar(b)-before)/audio, "wbytes/abyte")
		})
	}
}

// BenchmarkAppend measures Append throughput (20 ms frames, 8 lines), with
// a commit after each second of audio.
func BenchmarkAppend(b *testing.B) {
	v := mustOpen(b, Config{Dir: newDir(b), Clock: testConfig("").Clock})
	defer v.Close()
	var ids [8]ID
	for l := range ids {
		ids[l] = mustCreate(b, v, Meta{Line: l, Start: t0})
	}
	frame := pattern(1, 160)
	b.SetBytes(160)
	b.ResetTimer()
	for i := range b.N {
		if err := v.Append(ids[i%8], frame); err != nil {
			b.Fatal(err)
		}
		if i%400 == 399 {
			if err := v.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := v.Commit(); err != nil {
		b.Fatal(err)
	}
}

// bulkRecordings adds n sealed recordings of audio bytes each, in batches,
// the way Create, Append and Seal would, but without a transaction each.
func bulkRecordings(tb testing.TB, v *Vault, n, audio int) []ID {
	tb.Helper()
	ids := make([]ID, 0, n)
	data := pattern(3, audio)
	for done := 0; done < n; {
		batch := min(1000, n-done)
		type pend struct {
			id  ID
			key []byte
			rec record
		}
		ps := make([]pend, batch)
		for i := range ps {
			id := ID(v.nextID)
			v.nextID++
			slot := v.slots.alloc()
			key := randomKey()
			if err := v.slots.put(slot, uint64(id), key, v.kek); err != nil {
				tb.Fatal(err)
			}
			ps[i] = pend{id, key, record{state: StateSealed, slot: slot, chunks: 1, bytes: int64(audio),
				clear: clearMeta{Line: i % 8, Start: t0.Add(time.Duration(done+i) * time.Minute), End: t0,
					Grants: []Grant{{Purpose: "quality", Deadline: t0.AddDate(0, 3, 0)}}, CallerMAC: v.callerMAC("0201234567")},
				personal: personalMeta{Caller: "020 123 4567"}}}
		}
		if err := v.slots.sync(); err != nil {
			tb.Fatal(err)
		}
		v.seq++
		seq := v.seq
		err := v.db.Bolt().Update(func(tx *bolt.Tx) error {
			cb, err := commitBucket(tx, seq)
			if err != nil {
				return err
			}
			for _, p := range ps {
				p.rec.first, p.rec.last = seq, seq
				cb.Put(chunkKey(p.id, 0), sealAppend(nil, p.key, data, chunkAD(p.id, 0, false)))
				cb.Put(chunkKey(p.id, 1), sealAppend(nil, p.key, nil, chunkAD(p.id, 1, true)))
				val, _ := p.rec.encode(p.id, p.key)
				tx.Bucket(bRec).Put(idKey(p.id), val)
				tx.Bucket(bCaller).Put(append(bytes.Clone(p.rec.clear.CallerMAC), idKey(p.id)...), nil)
				ids = append(ids, p.id)
			}
			return tx.Bucket(bRec).SetSequence(uint64(ps[len(ps)-1].id))
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += batch
	}
	return ids
}

func TestBulkRecordingsAreValid(t *testing.T) {
	v := mustOpen(t, testConfig(newDir(t)))
	defer v.Close()
	bulkRecordings(t, v, 20, 160)
	rep, err := v.Verify()
	if err != nil || len(rep.Problems) > 0 || rep.Recordings != 20 || rep.Bytes != 20*160 {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

// BenchmarkOpen100k opens a vault holding 100,000 recordings (target: under
// 300 ms on a Raspberry Pi-class box).
func BenchmarkOpen100k(b *testing.B) {
	dir := newDir(b)
	v := mustOpen(b, testConfig(dir))
	bulkRecordings(b, v, 100_000, 160)
	v.Close()
	b.ResetTimer()
	for range b.N {
		v, err := Open(Config{Dir: dir, Clock: testConfig("").Clock})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Close()
		b.StartTimer()
	}
}

// BenchmarkErase10k erases 10,000 recordings in one EraseMany (target:
// under 1 s), fsync included.
func BenchmarkErase10k(b *testing.B) {
	for range b.N {
		b.StopTimer()
		dir := newDir(b)
		v := mustOpen(b, Config{Dir: dir, Clock: testConfig("").Clock})
		ids := bulkRecordings(b, v, 10_000, 8000)
		b.StartTimer()
		if err := v.EraseMany(ids); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		v.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
}
