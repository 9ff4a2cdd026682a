package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"path/filepath"

	bolt "go.etcd.io/bbolt"

	"fairrec/storage/boltfile"
)

// Report is the outcome of Verify.
type Report struct {
	Recordings int       // recordings checked
	Chunks     int       // audio chunks authenticated
	Bytes      int64     // audio bytes authenticated
	Problems   []Problem // empty when all is well
}

// Problem is one thing Verify found wrong.
type Problem struct {
	ID  ID // 0 for the database as a whole
	Err error
}

func (p Problem) String() string {
	if p.ID == 0 {
		return p.Err.Error()
	}
	return fmt.Sprintf("recording %v: %v", p.ID, p.Err)
}

// Verify runs bbolt's consistency check and authenticates every record and
// every chunk. It returns an error only if it could not run; what it found
// is in the Report.
func (v *Vault) Verify() (Report, error) {
	var rep Report
	var ids []ID
	// bbolt's Check runs on a goroutine of its own, where a memory fault
	// on a damaged page cannot be turned into an error. So every key and
	// value is read first under guard; Check runs only on a database
	// whose pages all read.
	// A page cycle would make even that loop forever: walk the page graph
	// first, writers held off so the file stands still.
	v.wmu.Lock()
	err := boltfile.Check(filepath.Join(v.cfg.Dir, DBFile), nil)
	v.wmu.Unlock()
	if err != nil {
		rep.Problems = append(rep.Problems, Problem{Err: fmt.Errorf("vault: verify: %w: %w", err, errDamaged)})
		return rep, nil
	}
	if err := v.view("read every page", touchAll); err != nil {
		rep.Problems = append(rep.Problems, Problem{Err: err})
		return rep, nil
	}
	err = v.view("check", func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			rep.Problems = append(rep.Problems, Problem{Err: fmt.Errorf("bbolt check: %w", err)})
		}
		return tx.Bucket(bRec).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				ids = append(ids, ID(binary.BigEndian.Uint64(k)))
			}
			return nil
		})
	})
	if err != nil {
		return rep, fmt.Errorf("vault: verify: %w", err)
	}
	have := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		have[uint64(id)] = true
	}
	v.slots.mu.Lock()
	slotIDs := append([]uint64(nil), v.slots.ids...)
	v.slots.mu.Unlock()
	for i, id := range slotIDs {
		if i > 0 && id != 0 && !have[id] {
			rep.Problems = append(rep.Problems, Problem{ID: ID(id), Err: fmt.Errorf("key slot %d holds a key but the recording has no record", i)})
		}
	}
	for _, id := range ids {
		rep.Recordings++
		a, err := v.Audio(id)
		if errors.Is(err, ErrNotFound) {
			rep.Recordings-- // erased meanwhile
			continue
		}
		if err != nil {
			rep.Problems = append(rep.Problems, Problem{ID: id, Err: err})
			continue
		}
		ar := a.(*audioReader)
		n, err := io.Copy(io.Discard, a)
		rep.Bytes += n
		rep.Chunks += int(ar.idx)
		if err != nil && !errors.Is(err, ErrNotFound) {
			rep.Problems = append(rep.Problems, Problem{ID: id, Err: err})
		}
	}
	return rep, nil
}

// touchAll reads every byte of every key and value in the database, so a
// damaged page panics or faults here, under guard.
func touchAll(tx *bolt.Tx) error {
	var sum uint32
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		c := b.Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			sum = crc32.Update(sum, crc32.IEEETable, k)
			if val == nil {
				if nb := b.Bucket(k); nb != nil {
					walk(nb)
				}
				continue
			}
			sum = crc32.Update(sum, crc32.IEEETable, val)
		}
	}
	c := tx.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		sum = crc32.Update(sum, crc32.IEEETable, k)
		if b := tx.Bucket(k); b != nil {
			walk(b)
		}
	}
	_ = sum // the reads are the point
	return nil
}
