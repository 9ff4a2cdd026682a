package rsyslogtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// CA is a throwaway certificate authority and a server certificate it
// signed for 127.0.0.1 and localhost, as PEM files in a test's directory.
type CA struct {
	CertFile string // the CA's certificate: what a client trusts
	// ServerCert and ServerKey are the server's certificate and key.
	ServerCert, ServerKey string
}

// validity is fixed and far around any test run, so that no certificate
// depends on the machine's clock.
var notBefore, notAfter = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)

// NewCA makes a CA and a server certificate in dir.
func NewCA(t testing.TB, dir string) CA {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fairrec test CA"},
		NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: notBefore, NotAfter: notAfter,
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ca := CA{CertFile: filepath.Join(dir, "ca.pem"), ServerCert: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem")}
	writePEM(t, ca.CertFile, "CERTIFICATE", caDER)
	writePEM(t, ca.ServerCert, "CERTIFICATE", der)
	writePEM(t, ca.ServerKey, "EC PRIVATE KEY", keyDER)
	return ca
}

func writePEM(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// Rsyslog is an rsyslogd a test started on 127.0.0.1 from its own
// configuration in a temporary directory; it writes every message it
// receives, as received (%rawmsg%), one a line, to Out. The test's cleanup
// stops it.
type Rsyslog struct {
	Addr    string // 127.0.0.1:PORT
	Out     string // the file the messages go to
	Version string // rsyslogd's first line of -v
	cmd     *exec.Cmd
	stderr  *strings.Builder
}

// StartRsyslog starts rsyslogd with imtcp on a free loopback port, over
// TLS (RFC 5425, the gtls stream driver) when ca is not nil, else plain TCP.
// It skips the test if rsyslogd is not installed (scripts/deps.sh installs
// it), and returns once the port accepts connections.
func StartRsyslog(t testing.TB, ca *CA) *Rsyslog {
	t.Helper()
	bin, err := exec.LookPath("rsyslogd")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/rsyslogd"); err != nil {
			t.Skip("rsyslogd not installed (scripts/deps.sh installs rsyslog and rsyslog-gnutls)")
		}
	}
	if ca != nil && !gtlsInstalled() {
		t.Skip("rsyslog's TLS driver (lmnsd_gtls) not installed (scripts/deps.sh installs rsyslog-gnutls)")
	}
	v, _ := exec.Command(bin, "-v").Output()
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	r := &Rsyslog{Addr: fmt.Sprintf("127.0.0.1:%d", port), Out: filepath.Join(dir, "received.log"),
		Version: version(v), stderr: &strings.Builder{}}
	var conf strings.Builder
	fmt.Fprintf(&conf, "global(workDirectory=%q", work)
	if ca != nil {
		fmt.Fprintf(&conf, " defaultNetstreamDriver=\"gtls\" defaultNetstreamDriverCAFile=%q"+
			" defaultNetstreamDriverCertFile=%q defaultNetstreamDriverKeyFile=%q", ca.CertFile, ca.ServerCert, ca.ServerKey)
	}
	conf.WriteString(")\n")
	if ca != nil {
		conf.WriteString(`module(load="imtcp" streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")` + "\n")
	} else {
		conf.WriteString(`module(load="imtcp")` + "\n")
	}
	fmt.Fprintf(&conf, "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\")\n", port)
	conf.WriteString(`template(name="raw" type="string" string="%rawmsg%\n")` + "\n")
	fmt.Fprintf(&conf, "action(type=\"omfile\" file=%q template=\"raw\")\n", r.Out)
	confPath := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(confPath, []byte(conf.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "-n", "-f", confPath, "-i", filepath.Join(dir, "rsyslogd.pid"))
	r.cmd.Stdout, r.cmd.Stderr = r.stderr, r.stderr
	if err := r.cmd.Start(); err != nil {
		t.Fatalf("start rsyslogd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		r.cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			r.cmd.Process.Kill()
			<-exited
		}
	})
	for i := 0; ; i++ {
		select {
		case <-exited:
			t.Fatalf("rsyslogd exited at start:\n%s\nconfiguration:\n%s", r.stderr, conf.String())
		default:
		}
		if err := r.probe(ca); err == nil {
			return r
		}
		if i == 200 {
			t.Fatalf("rsyslogd does not listen on %s after 10 s:\n%s", r.Addr, r.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// probe connects once as a client would, with a whole TLS handshake when
// rsyslogd speaks TLS (a bare connect would leave it a broken handshake to
// complain about).
func (r *Rsyslog) probe(ca *CA) error {
	d := &net.Dialer{Timeout: time.Second}
	if ca == nil {
		c, err := d.Dial("tcp", r.Addr)
		if err == nil {
			c.Close()
		}
		return err
	}
	pem, err := os.ReadFile(ca.CertFile)
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c, err := tls.DialWithDialer(d, "tcp", r.Addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err == nil {
		c.Close()
	}
	return err
}

// version is the program and version from rsyslogd -v's first line.
func version(v []byte) string {
	first, _, _ := strings.Cut(string(v), "\n")
	first, _, _ = strings.Cut(first, " compiled")
	return strings.Join(strings.Fields(first), " ")
}

// gtlsInstalled reports whether rsyslog's GnuTLS stream driver is present.
func gtlsInstalled() bool {
	m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so")
	m2, _ := filepath.Glob("/usr/lib/rsyslog/lmnsd_gtls.so")
	return len(m)+len(m2) > 0
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Messages returns the messages rsyslogd has written so far that contain
// substr ("" for all).
func (r *Rsyslog) Messages(t testing.TB, substr string) []string {
	t.Helper()
	b, err := os.ReadFile(r.Out)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// WaitFor waits up to timeout until at least n messages containing substr
// have arrived, and returns them; it fails t if they do not.
func (r *Rsyslog) WaitFor(t testing.TB, n int, substr string, timeout time.Duration) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := r.Messages(t, substr)
		if len(m) >= n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd received %d messages with %q in %v, want %d; rsyslogd said:\n%s", len(m), substr, timeout, n, r.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
