package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// LogFile is where, in the data directory, the daemon writes its log while
// the console holds its terminal (--console stdio on a terminal: make run).
// Only warnings and errors are printed above the prompt there; every line,
// those included, goes to this file.
const LogFile = "fairrecd.log"

// logWriter is the terminal's side of the log: stderr, or the console when
// the console owns the terminal.
type logWriter struct {
	mu sync.Mutex
	w  io.Writer // stderr
	to io.Writer // the console, when set
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.to != nil {
		return l.to.Write(p)
	}
	return l.w.Write(p)
}

func (l *logWriter) set(to io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.to = to
}

// logs routes the daemon's log records. Normally every record goes to the
// terminal's writer (stderr, which systemd keeps in the journal). While the
// console holds the terminal (quiet), a line of chatter printed above the
// prompt every few seconds makes the console hard to use, so only warnings
// and errors go there and every record goes to the log file. While held
// (the start), records wait, so that a failed start prints only the line
// that says why.
type logs struct {
	mu      sync.Mutex
	held    bool
	pending []heldRecord
	quiet   bool
	file    *os.File // the log file while quiet
}

type heldRecord struct {
	h split
	r slog.Record
}

// newLogger returns a logger writing to term through st.
func newLogger(st *logs, term io.Writer, level slog.Leveler) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	return slog.New(split{st: st, term: slog.NewTextHandler(term, opts), file: slog.NewTextHandler(fileWriter{st}, opts)})
}

func (st *logs) hold() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.held = true
}

// drop forgets the records held.
func (st *logs) drop() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.held, st.pending = false, nil
}

// release writes the records held, where they go now.
func (st *logs) release() {
	st.mu.Lock()
	pending := st.pending
	st.held, st.pending = false, nil
	st.mu.Unlock()
	for _, p := range pending {
		_ = p.h.dispatch(context.Background(), p.r)
	}
}

// quietTo opens the log file in dir and sends the terminal only warnings
// and errors from now on; it returns the file's path.
func (st *logs) quietTo(dir string) (string, error) {
	path := filepath.Join(dir, LogFile)
	// Appended across starts, like a journal; private, like the data
	// directory (log lines hold no caller numbers, but they say when
	// calls were made).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("log file: %w", err)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.quiet, st.file = true, f
	return path, nil
}

// loud sends every record to the terminal again (the console has let go
// of it) and closes the log file.
func (st *logs) loud() error {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.quiet = false
	f := st.file
	st.file = nil
	if f == nil {
		return nil
	}
	return f.Close()
}

func (st *logs) isQuiet() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.quiet
}

// fileWriter writes to the log file while there is one.
type fileWriter struct{ st *logs }

func (w fileWriter) Write(p []byte) (int, error) {
	w.st.mu.Lock()
	defer w.st.mu.Unlock()
	if w.st.file == nil {
		return len(p), nil
	}
	return w.st.file.Write(p)
}

// split is the daemon's slog.Handler: see logs.
type split struct {
	st         *logs
	term, file slog.Handler
}

func (s split) Enabled(ctx context.Context, l slog.Level) bool { return s.term.Enabled(ctx, l) }

func (s split) Handle(ctx context.Context, r slog.Record) error {
	s.st.mu.Lock()
	if s.st.held {
		s.st.pending = append(s.st.pending, heldRecord{s, r.Clone()})
		s.st.mu.Unlock()
		return nil
	}
	s.st.mu.Unlock()
	return s.dispatch(ctx, r)
}

func (s split) dispatch(ctx context.Context, r slog.Record) error {
	if !s.st.isQuiet() {
		return s.term.Handle(ctx, r)
	}
	var err error
	if r.Level >= slog.LevelWarn {
		err = s.term.Handle(ctx, r.Clone())
	}
	if ferr := s.file.Handle(ctx, r); err == nil {
		err = ferr
	}
	return err
}

func (s split) WithAttrs(as []slog.Attr) slog.Handler {
	return split{st: s.st, term: s.term.WithAttrs(as), file: s.file.WithAttrs(as)}
}

func (s split) WithGroup(name string) slog.Handler {
	return split{st: s.st, term: s.term.WithGroup(name), file: s.file.WithGroup(name)}
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

// quiet keeps the log's chatter off the console on the daemon's own
// terminal and says where it goes; when the file cannot be opened, every
// line stays on the console, as before.
func (d *daemon) quiet() {
	path, err := d.logs.quietTo(d.cfg.Data)
	if err != nil {
		d.log.Warn("log lines stay on the console", "err", err)
		return
	}
	fmt.Fprintf(d.con, "log: warnings and errors show here; every log line goes to %s\n", path)
}

// loud puts every log line on the terminal again.
func (d *daemon) loud() {
	if err := d.logs.loud(); err != nil {
		d.log.Warn("log file", "err", err)
	}
}
