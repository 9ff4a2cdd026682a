package audit

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"fairrec/internal/rsyslogtest"
)

// caPool loads the CA certificate a client trusts.
func caPool(t *testing.T, ca rsyslogtest.CA) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(ca.CertFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("no certificate in the CA file")
	}
	return pool
}

// startTLSServer is startServer behind TLS with ca's server certificate.
func startTLSServer(t *testing.T, ca rsyslogtest.CA) *syslogServer {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(ca.ServerCert, ca.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}))
}

// TestForwardTLS: over TLS, entries arrive when the server's certificate
// chains to the configured CA and names the address dialled; with another
// CA, or another name, nothing is sent and the forwarder keeps retrying.
func TestForwardTLS(t *testing.T) {
	ca := rsyslogtest.NewCA(t, t.TempDir())
	other := rsyslogtest.NewCA(t, t.TempDir())
	tests := []struct {
		name       string
		pool       *x509.CertPool
		serverName string
		ok         bool
	}{
		{"the CA, the address's IP", caPool(t, ca), "", true},
		{"the CA, localhost", caPool(t, ca), "localhost", true},
		{"another CA", caPool(t, other), "", false},
		{"a name the certificate lacks", caPool(t, ca), "syslog.invalid", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startTLSServer(t, ca)
			l, f, stop := forwardingTLS(t, srv.ln.Addr().String(), 0, &tls.Config{RootCAs: tt.pool, ServerName: tt.serverName})
			clk := l.cfg.Clock.(clockCtl)
			fill(t, l, clk.(*clockT), 3)
			if tt.ok {
				msgs := srv.receive(3, clk)
				for i, m := range msgs {
					if p := parse(t, m); p.params["seq"] != fmt.Sprint(i+1) {
						t.Errorf("message %d has seq %s", i, p.params["seq"])
					}
				}
				return
			}
			waitFor(t, "a failed handshake's backoff", func() bool { return clk.Pending() > 0 })
			select {
			case m := <-srv.msgs:
				t.Errorf("a server the CA does not vouch for received %q", m)
			case <-time.After(50 * time.Millisecond):
			}
			stop()
			if st := f.Stats(); st.Sent != 0 || st.Queued != 3 {
				t.Errorf("stats %+v, want nothing sent and 3 queued", st)
			}
		})
	}
}

// TestForwardRsyslog: a real rsyslogd on loopback, receiving over TLS
// (RFC 5425) or, when asked for, plain TCP, gets every entry in order with
// its seq and hash, framed so that each is one message.
func TestForwardRsyslog(t *testing.T) {
	for _, useTLS := range []bool{true, false} {
		t.Run(map[bool]string{true: "tls", false: "plain"}[useTLS], func(t *testing.T) {
			ca := rsyslogtest.NewCA(t, t.TempDir())
			var serverCA *rsyslogtest.CA
			var tc *tls.Config
			if useTLS {
				serverCA, tc = &ca, &tls.Config{RootCAs: caPool(t, ca)}
			}
			rs := rsyslogtest.StartRsyslog(t, serverCA)
			t.Logf("%s on %s", rs.Version, rs.Addr)
			l, _, stop := forwardingTLS(t, rs.Addr, 0, tc)
			clk := l.cfg.Clock.(clockCtl)
			const n = 12
			fill(t, l, clk.(*clockT), n)
			// A failed connection backs off on the fake clock: move it on.
			waitFor(t, "rsyslogd to receive every entry", func() bool {
				if clk.Pending() > 0 {
					clk.Advance(time.Minute)
				}
				return len(rs.Messages(t, "fairrec@32473")) >= n
			})
			got := rs.Messages(t, "fairrec@32473")
			stop()
			all := entries(t, l)
			for i, m := range got {
				e := all[i]
				h := e.Hash()
				for _, want := range []string{fmt.Sprintf(` seq="%d"`, e.Seq), fmt.Sprintf(` hash="%x"`, h), " " + e.Action.String() + " ["} {
					if !strings.Contains(m, want) {
						t.Errorf("message %d lacks %q: %s", i, want, m)
					}
				}
			}
		})
	}
}
