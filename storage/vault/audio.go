package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"
)

// Audio returns the A-law stream of a recording. Each chunk is
// authenticated before its bytes are returned; a chunk that fails, is
// missing, or a sealed recording without its last-chunk marker gives
// ErrTampered from Read (and an EventTampered). For a recording still open
// the stream ends at the last commit.
//
// The reader holds no transaction between Reads, so a slow reader never
// blocks commits.
func (v *Vault) Audio(id ID) (io.ReadCloser, error) {
	ar := &audioReader{v: v, id: id}
	err := v.view("read metadata", func(tx *bolt.Tx) error {
		rec, key, err := v.load(tx, id)
		if err != nil {
			return err
		}
		ar.key, ar.seq, ar.last, ar.n = key, rec.first, rec.last, rec.chunks
		ar.sealed = rec.state != StateOpen
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTampered) {
			v.emit([]Event{{Kind: EventTampered, ID: id, Detail: "metadata or key slot"}})
		}
		return nil, fmt.Errorf("vault: audio %v: %w", id, err)
	}
	if !ar.sealed {
		v.mu.Lock()
		if r, ok := v.open[id]; ok {
			ar.n, ar.last = r.committed, r.last
		}
		v.mu.Unlock()
	}
	return ar, nil
}

type audioReader struct {
	v         *Vault
	id        ID
	key       []byte
	seq, last uint64 // next commit to look in; last commit holding a chunk
	n         uint32 // audio chunks
	idx       uint32 // next chunk to read
	sealed    bool
	buf       []byte
	err       error
}

func (a *audioReader) Read(p []byte) (int, error) {
	for len(a.buf) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.idx == a.n {
			if a.sealed {
				// The marker proves nothing was cut off the end.
				if _, err := a.chunk(a.idx, true); err != nil {
					a.fail(err)
					continue
				}
			}
			a.err = io.EOF
			continue
		}
		b, err := a.chunk(a.idx, false)
		if err != nil {
			a.fail(err)
			continue
		}
		a.buf = b
		a.idx++
	}
	n := copy(p, a.buf)
	a.buf = a.buf[n:]
	return n, nil
}

func (a *audioReader) fail(err error) {
	a.err = fmt.Errorf("vault: audio %v chunk %d: %w", a.id, a.idx, err)
	if errors.Is(err, ErrTampered) {
		a.v.emit([]Event{{Kind: EventTampered, ID: a.id, Detail: fmt.Sprintf("audio chunk %d", a.idx)}})
	}
}

// chunk finds and opens chunk idx, searching the commit buckets from the
// one that held the previous chunk.
func (a *audioReader) chunk(idx uint32, last bool) ([]byte, error) {
	var sealed []byte
	err := a.v.view("read chunk", func(tx *bolt.Tx) error {
		key := chunkKey(a.id, idx)
		for s, cb := range commitsFrom(tx, a.seq) {
			if a.last != 0 && s > a.last {
				break
			}
			if val := cb.Get(key); val != nil {
				sealed = bytes.Clone(val)
				a.seq = s
				return nil
			}
		}
		if tx.Bucket(bRec).Get(idKey(a.id)) == nil || tx.Bucket(bErasing).Get(idKey(a.id)) != nil {
			return ErrNotFound // erased while being read
		}
		return ErrTampered // missing chunk
	})
	if err != nil {
		return nil, err
	}
	return openSealed(a.key, sealed, chunkAD(a.id, idx, last))
}

func (a *audioReader) Close() error {
	a.err = errors.New("vault: audio: reader closed")
	a.buf = nil
	return nil
}
