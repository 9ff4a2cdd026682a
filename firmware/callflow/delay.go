package callflow

// delayFrames is how many frames the stored audio lags the line: 100 ms,
// more than the 60 ms the DTMF detector may take to report a digit, so a
// digit can be blanked from its first sample.
const delayFrames = 5

// blankGuard widens each blanked digit by one detector block (5 ms) on
// both sides: the detector's start and length are estimates to 3.5 ms.
const blankGuard = 40

// frame is one 20 ms frame at the line rate and where it lies on the
// line's sample counter.
type frame struct {
	pos int64
	pcm []int16
}

// delayLine holds the last frames captured before they are stored.
type delayLine struct {
	frames int // how many it holds back
	q      []frame
	pool   [][]int16
}

func (d *delayLine) push(pos int64, f []int16) {
	var b []int16
	if n := len(d.pool); n > 0 {
		b, d.pool = d.pool[n-1], d.pool[:n-1]
	}
	d.q = append(d.q, frame{pos: pos, pcm: append(b[:0], f...)})
}

// pop hands every frame beyond the delay to emit.
func (d *delayLine) pop(emit func(frame)) {
	n := len(d.q) - d.frames
	if n <= 0 {
		return
	}
	d.out(n, emit)
}

// flush hands every frame held to emit.
func (d *delayLine) flush(emit func(frame)) { d.out(len(d.q), emit) }

func (d *delayLine) out(n int, emit func(frame)) {
	for _, f := range d.q[:n] {
		emit(f)
		d.pool = append(d.pool, f.pcm)
	}
	d.q = d.q[:copy(d.q, d.q[n:])]
}

// Span is a range of line samples [from, to); to < 0 is still open.
type Span struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// cut zeroes the samples of f (at line sample pos) inside any of spans.
func cut(f []int16, pos int64, spans []Span) {
	for _, s := range spans {
		lo, hi := max(s.From-pos, 0), int64(len(f))
		if s.To >= 0 {
			hi = min(s.To-pos, hi)
		}
		if lo < hi {
			clear(f[lo:hi])
		}
	}
}
