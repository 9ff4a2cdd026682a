package vault

import (
	"crypto/hmac"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"sync"
)

// Key-slot file: fixed 256-byte slots, overwritten in place and fsynced,
// because an erase must really overwrite the wrapped data key (bbolt would
// leave it in a freed page).
//
//	0:8     recording id (0 = free slot; slot 0 holds the vault's root secret)
//	8:16    "FRSLOTS1" in slot 0, zero elsewhere
//	16:96   copy A: KEK id (8) | nonce (24) | wrapped key (48)
//	96:176  copy B: the same; all zero when unused
//	176:256 zero; in slot 0 the audit log's anchor (anchor.go)
//
// The two copies let `keys rotate` write a key wrapped by the new KEK before
// the copy wrapped by the old one is cleared, as bbolt keeps two meta pages.
// A 256-byte slot never straddles a 512-byte sector.
const (
	slotSize   = 256
	slotMagic  = "FRSLOTS1"
	copySize   = 8 + nonceSize + keySize + tagSize
	copyA      = 16
	copyB      = copyA + copySize
	rootSlotID = ^uint64(0)
)

type slotFile struct {
	mu     sync.Mutex // guards ids and free; the file itself is written under the vault's writer lock
	f      *os.File
	ids    []uint64 // id held by each slot, as last read or written
	free   []uint32 // free slot indexes, reused lowest last
	double []uint32 // slots holding two copies at open: a rotation to finish tidying
	noSync bool
}

// openSlots reads the slot file at path. A missing file is created only if
// create is set (a new vault).
func openSlots(path string, create, noSync bool) (*slotFile, error) {
	flag := os.O_RDWR
	if create {
		flag |= os.O_CREATE | os.O_EXCL
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	s := &slotFile{f: f, noSync: noSync}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := fi.Size()
	if size%slotSize != 0 {
		// A torn append of a new slot: the partial slot was never referred
		// to (the slot is fsynced before its record commits), so drop it.
		size -= size % slotSize
		if err := f.Truncate(size); err != nil {
			f.Close()
			return nil, err
		}
	}
	n := int(size / slotSize)
	s.ids = make([]uint64, n)
	buf := make([]byte, 4096*slotSize)
	for base := 0; base < n; {
		m := min(n-base, len(buf)/slotSize)
		if _, err := f.ReadAt(buf[:m*slotSize], int64(base)*slotSize); err != nil {
			f.Close()
			return nil, err
		}
		for j := range m {
			sl := buf[j*slotSize : (j+1)*slotSize]
			i := base + j
			s.ids[i] = binary.BigEndian.Uint64(sl)
			if s.ids[i] != 0 && !isZero(sl[copyA:copyA+8]) && !isZero(sl[copyB:copyB+8]) {
				s.double = append(s.double, uint32(i))
			}
		}
		base += m
	}
	for i := n - 1; i > 0; i-- {
		if s.ids[i] == 0 {
			s.free = append(s.free, uint32(i))
		}
	}
	return s, nil
}

func (s *slotFile) close() error { return s.f.Close() }

func (s *slotFile) sync() error {
	if s.noSync {
		return nil
	}
	return s.f.Sync()
}

// alloc returns a free slot index, growing the file when none is free.
func (s *slotFile) alloc() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		i := s.free[n-1]
		s.free = s.free[:n-1]
		return i
	}
	s.ids = append(s.ids, 0)
	return uint32(len(s.ids) - 1)
}

func (s *slotFile) read(i uint32) ([]byte, error) {
	s.mu.Lock()
	n := len(s.ids)
	s.mu.Unlock()
	if int(i) >= n {
		return nil, fmt.Errorf("key slot %d: %w", i, ErrTampered)
	}
	b := make([]byte, slotSize)
	if _, err := s.f.ReadAt(b, int64(i)*slotSize); err != nil {
		return nil, fmt.Errorf("read key slot %d: %w", i, err)
	}
	return b, nil
}

func slotAD(i uint32, id uint64, kekID []byte) []byte {
	ad := make([]byte, 0, 15+4+8+8)
	ad = append(ad, "fairrec slot v1"...)
	ad = binary.BigEndian.AppendUint32(ad, i)
	ad = binary.BigEndian.AppendUint64(ad, id)
	return append(ad, kekID...)
}

func wrapCopy(dst []byte, i uint32, id uint64, key []byte, k *kek) {
	c := append(k.id[:0:0], k.id[:]...)
	c = sealAppend(c, k.wrap, key, slotAD(i, id, k.id[:]))
	copy(dst, c)
}

// put writes a fresh slot i for id holding key wrapped by k (copy A only).
// Not durable until sync.
func (s *slotFile) put(i uint32, id uint64, key []byte, k *kek) error {
	b := make([]byte, slotSize)
	binary.BigEndian.PutUint64(b, id)
	if i == 0 {
		copy(b[8:], slotMagic)
		// A new vault: the audit log is anchored at its empty start.
		sealAnchor(b[anchorOff:], derive(key, anchorLabel), 0, make([]byte, anchorHashLen))
	}
	wrapCopy(b[copyA:copyB], i, id, key, k)
	if _, err := s.f.WriteAt(b, int64(i)*slotSize); err != nil {
		return fmt.Errorf("write key slot %d: %w", i, err)
	}
	s.mu.Lock()
	s.ids[i] = id
	s.mu.Unlock()
	return nil
}

// zero overwrites slot i with zeros if, on disk, it still belongs to id.
// It reports whether it did. Not durable until sync.
func (s *slotFile) zero(i uint32, id uint64) (bool, error) {
	if i == 0 {
		return false, nil
	}
	b, err := s.read(i)
	if err != nil {
		return false, err
	}
	if binary.BigEndian.Uint64(b) != id {
		return false, nil
	}
	if _, err := s.f.WriteAt(make([]byte, slotSize), int64(i)*slotSize); err != nil {
		return false, fmt.Errorf("erase key slot %d: %w", i, err)
	}
	s.mu.Lock()
	s.ids[i] = 0
	s.mu.Unlock()
	return true, nil
}

// zeroMany overwrites with zeros each slot in slots that still belongs
// (as last read or written) to the matching id, coalescing neighbours into
// one write. Not durable until sync.
func (s *slotFile) zeroMany(slots []uint32, ids []uint64) error {
	s.mu.Lock()
	var todo []uint32
	for j, i := range slots {
		if i != 0 && int(i) < len(s.ids) && s.ids[i] == ids[j] {
			todo = append(todo, i)
		}
	}
	s.mu.Unlock()
	slices.Sort(todo)
	zeros := make([]byte, 256*slotSize)
	for k := 0; k < len(todo); {
		n := 1
		for k+n < len(todo) && todo[k+n] == todo[k]+uint32(n) && n < 256 {
			n++
		}
		if _, err := s.f.WriteAt(zeros[:n*slotSize], int64(todo[k])*slotSize); err != nil {
			return fmt.Errorf("erase key slots: %w", err)
		}
		s.mu.Lock()
		for _, i := range todo[k : k+n] {
			s.ids[i] = 0
		}
		s.mu.Unlock()
		k += n
	}
	return nil
}

// owned returns every slot (other than slot 0) that names one of ids as
// its owner, with that owner. Erases find keys this way rather than through
// the slot index in a record header, which is not authenticated: a garbled
// header must not let a key survive its erase.
func (s *slotFile) owned(ids map[uint64]bool) (slots []uint32, owners []uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 1; i < len(s.ids); i++ {
		if id := s.ids[i]; id != 0 && ids[id] {
			slots = append(slots, uint32(i))
			owners = append(owners, id)
		}
	}
	return slots, owners
}

// release returns an erased slot to the free list.
func (s *slotFile) release(i uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i != 0 && int(i) < len(s.ids) && s.ids[i] == 0 {
		s.free = append(s.free, i)
	}
}

// unwrapSlot returns the data key that slot i holds for id, trying each
// KEK, and the offset of the copy that opened.
func unwrapSlot(b []byte, i uint32, id uint64, keks []*kek) ([]byte, int, error) {
	if len(b) != slotSize || binary.BigEndian.Uint64(b) != id {
		return nil, 0, fmt.Errorf("key slot %d does not belong to recording %d: %w", i, id, ErrTampered)
	}
	// The unused bytes must be as written: anything else is damage. Slot
	// 0's tail holds the audit log's anchor, authenticated on its own.
	if (i == 0 && string(b[8:16]) != slotMagic) || (i != 0 && (!isZero(b[8:16]) || !isZero(b[copyB+copySize:]))) {
		return nil, 0, fmt.Errorf("key slot %d: reserved bytes changed: %w", i, ErrTampered)
	}
	for _, off := range []int{copyA, copyB} {
		c := b[off : off+copySize]
		for _, k := range keks {
			if !hmac.Equal(c[:8], k.id[:]) {
				continue
			}
			if key, err := openSealed(k.wrap, c[8:], slotAD(i, id, k.id[:])); err == nil {
				return key, off, nil
			}
		}
	}
	// Open has checked the key file against the root slot, so a slot
	// that no KEK opens has been damaged.
	return nil, 0, fmt.Errorf("key slot %d: %w", i, ErrTampered)
}

// rewrap writes key wrapped by k into the copy of slot i other than the one
// at off (the copy that opened), so a valid copy survives a torn write.
// Not durable until sync.
func (s *slotFile) rewrap(i uint32, id uint64, key []byte, k *kek, off int) error {
	other := copyB
	if off == copyB {
		other = copyA
	}
	c := make([]byte, copySize)
	wrapCopy(c, i, id, key, k)
	if _, err := s.f.WriteAt(c, int64(i)*slotSize+int64(other)); err != nil {
		return fmt.Errorf("rewrap key slot %d: %w", i, err)
	}
	return nil
}

// dropOthers clears every copy in slot i not wrapped by k.
func (s *slotFile) dropOthers(i uint32, k *kek, b []byte) error {
	for _, off := range []int{copyA, copyB} {
		c := b[off : off+copySize]
		if isZero(c) || hmac.Equal(c[:8], k.id[:]) {
			continue
		}
		if _, err := s.f.WriteAt(make([]byte, copySize), int64(i)*slotSize+int64(off)); err != nil {
			return fmt.Errorf("clear old key copy in slot %d: %w", i, err)
		}
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
