package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// logWriter is the log's destination: stderr, or the console when the
// console owns the terminal. While held, it buffers.
type logWriter struct {
	mu   sync.Mutex
	w    io.Writer // stderr
	to   io.Writer // the console, when set
	held *strings.Builder
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.held != nil:
		return l.held.Write(p)
	case l.to != nil:
		return l.to.Write(p)
	}
	return l.w.Write(p)
}

func (l *logWriter) set(to io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.to = to
}

func (l *logWriter) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = &strings.Builder{}
}

func (l *logWriter) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = nil
}

func (l *logWriter) release() {
	l.mu.Lock()
	held := l.held
	l.held = nil
	l.mu.Unlock()
	if held != nil {
		_, _ = l.Write([]byte(held.String()))
	}
}

// crlf writes to a terminal in raw mode, where a line feed does not return
// the carriage.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
