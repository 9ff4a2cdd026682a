package boltfile

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"syscall"
)

// Check walks the B+tree pages of the bbolt file at path from the current
// meta page, following branch children and bucket roots, and reports a page
// reached twice (a cycle or shared page), a page id outside the file, or a
// page of the wrong type, wrapping ErrDamaged. Top-level buckets skip names
// are not walked (nil walks all). Only page headers, element arrays and
// bucket headers are touched, not values.
//
// Call it only while no other process writes the file (Open takes care of
// that): a writer reuses freed pages while the walk follows them.
//
// The layout is bbolt's file format (page header: id u64, flags u16, count
// u16, overflow u32; 16-byte branch and leaf elements; meta at offset 16 of
// pages 0 and 1, FNV-64a checksummed). A file whose meta pages do not
// validate is left to bbolt, which rejects it; so is a missing file.
func Check(path string, skip func(bucket []byte) bool) error {
	f, err := os.Open(path)
	if err != nil {
		return nil // bbolt reports (or creates) it
	}
	defer f.Close()
	return checkFile(f, skip)
}

func checkFile(f *os.File, skip func([]byte) bool) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("check page graph: %w", err)
	}
	if fi.Size() < 4096 || fi.Size() != int64(int(fi.Size())) {
		return nil // too small for two meta pages: bbolt decides
	}
	// Mapped like bbolt maps it, so the walk costs no system call per page.
	data, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("check page graph: map %s: %w", f.Name(), err)
	}
	defer syscall.Munmap(data)
	return guard("check page graph", nil, func() error {
		if err := walkPages(data, skip); err != nil {
			return fmt.Errorf("check page graph: %w: %w", err, ErrDamaged)
		}
		return nil
	})
}

func walkPages(data []byte, skip func([]byte) bool) error {
	ne := binary.NativeEndian
	readMeta := func(off int) (pageSize uint32, root, hwm, txid uint64, ok bool) {
		if off+16+64 > len(data) {
			return 0, 0, 0, 0, false
		}
		m := data[off+16 : off+16+64]
		h := fnv.New64a()
		h.Write(m[:56])
		if ne.Uint32(m[0:]) != 0xED0CDAED || ne.Uint32(m[4:]) != 2 || ne.Uint64(m[56:]) != h.Sum64() {
			return 0, 0, 0, 0, false
		}
		return ne.Uint32(m[8:]), ne.Uint64(m[16:]), ne.Uint64(m[40:]), ne.Uint64(m[48:]), true
	}
	ps0, root, hwm, txid, ok0 := readMeta(0)
	ps := ps0
	if !ok0 {
		ps = 4096
	}
	ps1, root1, hwm1, txid1, ok1 := readMeta(int(ps))
	switch {
	case ok1 && (!ok0 || txid1 > txid):
		ps, root, hwm = ps1, root1, hwm1
	case !ok0:
		return nil
	}
	if ps < 512 || ps > 1<<16 {
		return nil
	}
	pages := uint64(len(data)) / uint64(ps)
	seen := make([]uint64, (pages+63)/64) // bitset: a map costs more than the walk
	var walk func(id uint64, depth int, top bool) error
	walk = func(id uint64, depth int, top bool) error {
		if id < 2 || id >= hwm || id >= pages {
			return fmt.Errorf("page %d out of range (high-water mark %d, file %d pages)", id, hwm, pages)
		}
		if seen[id/64]&(1<<(id%64)) != 0 {
			return fmt.Errorf("page %d reached twice", id)
		}
		seen[id/64] |= 1 << (id % 64)
		if depth > 64 {
			return fmt.Errorf("page %d: tree deeper than 64", id)
		}
		base := id * uint64(ps)
		hdr := data[base : base+16]
		flags, count, overflow := ne.Uint16(hdr[8:]), int(ne.Uint16(hdr[10:])), uint64(ne.Uint32(hdr[12:]))
		if ne.Uint64(hdr) != id || id+overflow >= hwm || id+overflow >= pages {
			return fmt.Errorf("page %d: header names page %d with %d overflow pages", id, ne.Uint64(hdr), overflow)
		}
		page := data[base : base+(overflow+1)*uint64(ps)]
		if 16+count*16 > len(page) {
			return fmt.Errorf("page %d: %d elements do not fit", id, count)
		}
		elems := page[16 : 16+count*16]
		switch flags {
		case 0x01: // branch
			if count == 0 {
				return fmt.Errorf("branch page %d is empty", id)
			}
			for i := range count {
				if err := walk(ne.Uint64(elems[i*16+8:]), depth+1, top); err != nil {
					return err
				}
			}
		case 0x02: // leaf
			for i := range count {
				e := elems[i*16:]
				if ne.Uint32(e)&0x01 == 0 {
					continue // a key/value, not a bucket
				}
				kat, ksize := uint64(16+i*16)+uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:]))
				at := kat + ksize
				if ne.Uint32(e[12:]) < 16 || at+16 > uint64(len(page)) {
					return fmt.Errorf("page %d: bucket %d lies outside the page", id, i)
				}
				if top && skip != nil && skip(page[kat:at]) {
					continue
				}
				if r := ne.Uint64(page[at:]); r != 0 { // 0: inline bucket, no pages
					if err := walk(r, 0, false); err != nil {
						return err
					}
				}
			}
		default:
			return fmt.Errorf("page %d: type %#x where a branch or leaf belongs", id, flags)
		}
		return nil
	}
	return walk(root, 0, true)
}
