package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"time"

	"fairrec/storage/audit"
)

// syslogDrain is how long shutdown waits for the forwarder to hand the last
// entries to a connected server before it stops it.
const syslogDrain = 2 * time.Second

// checkSyslogFlags catches the forwarding flags' mistakes at parse time.
func checkSyslogFlags(cfg Config) error {
	switch {
	case cfg.Syslog == "" && (cfg.SyslogCA != "" || cfg.SyslogPlain):
		return usagef("--syslog-ca and --syslog-plain need --syslog HOST:PORT")
	case cfg.SyslogCA != "" && cfg.SyslogPlain:
		return usagef("--syslog-ca is for TLS; --syslog-plain turns TLS off: give one")
	case cfg.Syslog == "":
		return nil
	}
	if host, port, err := net.SplitHostPort(cfg.Syslog); err != nil || host == "" || port == "" {
		return usagef("--syslog %q: want HOST:PORT (RFC 5425's port is 6514)", cfg.Syslog)
	}
	return nil
}

// openSyslog makes the audit log's forwarder when --syslog names a server:
// over TLS, checking the server's certificate against --syslog-ca (or the
// system's roots), unless --syslog-plain asks for plain TCP. Every entry
// committed from now on is queued for it; Run starts it (startSyslog).
func (d *daemon) openSyslog() error {
	if d.cfg.Syslog == "" {
		return nil
	}
	fc := audit.ForwardConfig{Addr: d.cfg.Syslog, Clock: d.keeper, Hostname: syslogHostname(),
		Recorder: &d.sink, Logger: d.log}
	if !d.cfg.SyslogPlain {
		fc.TLS = &tls.Config{}
		if d.cfg.SyslogCA != "" {
			pem, err := os.ReadFile(d.cfg.SyslogCA)
			if err != nil {
				return fmt.Errorf("--syslog-ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("--syslog-ca %s: no PEM certificate in it", d.cfg.SyslogCA)
			}
			fc.TLS.RootCAs = pool
		}
	}
	f, err := audit.NewForwarder(fc)
	if err != nil {
		return fmt.Errorf("syslog forwarding: %w", err)
	}
	d.forward = f
	d.audit.SetSink(f)
	transport := "tls"
	if d.cfg.SyslogPlain {
		transport = "plain tcp (readable and alterable on the network)"
	}
	d.log.Info("audit log forwarded to syslog", "addr", d.cfg.Syslog, "transport", transport)
	return nil
}

// syslogHostname is this box's name as RFC 5424 HOSTNAME wants it, "-"
// when it has none that fits.
func syslogHostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" || len(h) > 255 {
		return "-"
	}
	for i := 0; i < len(h); i++ {
		if h[i] < 33 || h[i] > 126 {
			return "-"
		}
	}
	return h
}

// startSyslog runs the forwarder, if any, until the returned stop is
// called; stop lets a connected forwarder send what is queued (up to
// syslogDrain), then stops it and waits for it.
func (d *daemon) startSyslog() (stop func()) {
	if d.forward == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.forward.Run(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("syslog forwarding stopped", "err", err)
		}
	}()
	return func() {
		for deadline := time.Now().Add(syslogDrain); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if s := d.forward.Stats(); !s.Connected || s.Queued == 0 {
				break
			}
		}
		d.audit.SetSink(nil)
		cancel()
		<-done
		if s := d.forward.Stats(); s.Queued > 0 || s.Dropped > 0 {
			d.log.Warn("syslog forwarding stopped with entries not sent (export them)", "queued", s.Queued, "dropped", s.Dropped)
		}
	}
}
