package notice

// Player plays one Notice into a line, one frame at a time, counting in
// samples. It is not safe for concurrent use; the line's audio loop owns it.
type Player struct {
	n       *Notice
	pos     int
	start   int64
	stopped bool
}

// Receipt records what a caller heard, to be stored with the recording.
// Positions are in line samples (8 kHz) on the line's own sample counter,
// so the caller can turn them into wall-clock times with the recording's
// start time.
type Receipt struct {
	Name        string // notice file name
	Key         Key
	Hash        Hash
	StartSample int64 // line sample at which the notice began
	EndSample   int64 // line sample after the last notice sample played
	Played      int   // notice samples played
	Duration    int   // the notice's full length in samples
	Complete    bool  // Played == Duration: not cut off
}

// Play returns a Player that starts n at line sample start (the line's
// sample counter at the first sample Next will write).
func (n *Notice) Play(start int64) *Player {
	return &Player{n: n, start: start}
}

// Next writes the next len(dst) samples (one 160-sample frame, normally)
// into dst: the notice's next samples, then silence once it has ended or
// been stopped. n counts the notice samples written; done reports that
// nothing of the notice remains to play, so a frame with done set may be the
// frame that holds its last samples.
func (p *Player) Next(dst []int16) (n int, done bool) {
	if !p.stopped {
		n = copy(dst, p.n.Samples[p.pos:])
		p.pos += n
	}
	clear(dst[n:])
	return n, p.Done()
}

// Done reports whether the notice has ended or been stopped.
func (p *Player) Done() bool { return p.stopped || p.pos >= len(p.n.Samples) }

// Stop cuts the notice off (an objection, or the caller hung up); later
// frames are silence and the receipt says it was not complete.
func (p *Player) Stop() { p.stopped = true }

// Receipt describes the playback so far.
func (p *Player) Receipt() Receipt {
	return Receipt{
		Name:        p.n.Name,
		Key:         p.n.Key,
		Hash:        p.n.Hash,
		StartSample: p.start,
		EndSample:   p.start + int64(p.pos),
		Played:      p.pos,
		Duration:    p.n.Duration,
		Complete:    p.pos >= p.n.Duration,
	}
}
