package sdnotifytest

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Message is one datagram as it arrived.
type Message struct {
	At    time.Time
	State string // the datagram, e.g. "READY=1" or "STATUS=..."
}

// Socket is the fake notify socket; set NOTIFY_SOCKET to its Path.
type Socket struct {
	Path string

	conn *net.UnixConn
	done chan struct{}

	mu   sync.Mutex
	msgs []Message
}

// Listen opens a notify socket named notify in dir.
func Listen(dir string) (*Socket, error) {
	path := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return nil, err
	}
	s := &Socket{Path: path, conn: conn, done: make(chan struct{})}
	go s.read()
	return s, nil
}

func (s *Socket) read() {
	defer close(s.done)
	buf := make([]byte, 4096)
	for {
		n, _, err := s.conn.ReadFromUnix(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		s.mu.Lock()
		s.msgs = append(s.msgs, Message{At: time.Now(), State: string(buf[:n])})
		s.mu.Unlock()
	}
}

// Messages returns what arrived so far, in order.
func (s *Socket) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait waits up to timeout for a message that Has want and returns it.
func (s *Socket) Wait(want string, timeout time.Duration) (Message, bool) {
	deadline := time.Now().Add(timeout)
	for {
		for _, m := range s.Messages() {
			if Has(m.State, want) {
				return m, true
			}
		}
		if time.Now().After(deadline) {
			return Message{}, false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Has reports whether a datagram has a line that begins with want
// ("READY=1", "STATUS=unhealthy").
func Has(state, want string) bool {
	for _, l := range strings.Split(state, "\n") {
		if strings.HasPrefix(l, want) {
			return true
		}
	}
	return false
}

// Close stops listening.
func (s *Socket) Close() error {
	err := s.conn.Close()
	<-s.done
	return err
}

// Recorder is a notifier that keeps what it was sent, for tests that need
// no socket. Its zero value is ready to use.
type Recorder struct {
	mu     sync.Mutex
	states []string
}

// Notify records state.
func (r *Recorder) Notify(state string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.states = append(r.states, state)
	return nil
}

// States returns what was sent, in order.
func (r *Recorder) States() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.states...)
}
