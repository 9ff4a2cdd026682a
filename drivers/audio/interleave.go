package audio

// deinterleave copies the frames in buf (len(dst) channels interleaved) to
// dst[c][off:]. Mono and stereo, the common cases, get straight loops.
func deinterleave(dst [][]int16, off int, buf []int16) {
	n := len(dst)
	frames := len(buf) / n
	switch n {
	case 1:
		copy(dst[0][off:off+frames], buf)
	case 2:
		l, r := dst[0][off:off+frames], dst[1][off:off+frames]
		for i := range l {
			l[i], r[i] = buf[2*i], buf[2*i+1]
		}
	default:
		for c, ch := range dst {
			d := ch[off : off+frames]
			for i := range d {
				d[i] = buf[i*n+c]
			}
		}
	}
}

// interleave copies frames src[c][off:off+len(buf)/len(src)] into buf.
func interleave(buf []int16, src [][]int16, off int) {
	n := len(src)
	frames := len(buf) / n
	switch n {
	case 1:
		copy(buf, src[0][off:off+frames])
	case 2:
		l, r := src[0][off:off+frames], src[1][off:off+frames]
		for i := range l {
			buf[2*i], buf[2*i+1] = l[i], r[i]
		}
	default:
		for c, ch := range src {
			s := ch[off : off+frames]
			for i, v := range s {
				buf[i*n+c] = v
			}
		}
	}
}
