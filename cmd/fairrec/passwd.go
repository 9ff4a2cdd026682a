package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"fairrec/firmware/auth"
	"fairrec/storage/vault"
)

func init() {
	register("passwd", "set a console role's secret (installer or supervisor)", runPasswd)
}

const passwdUsage = `usage: fairrec passwd installer|supervisor [--data DIR] [--key FILE] [--passphrase-file FILE]

Sets the role's console secret (6 to 128 characters) in DIR/` + auth.FileName + `: asked
twice without echo on a terminal, else the first line of standard input.
Run it with the daemon stopped (at its console, use passwd); needs the key
file, which keys the secrets file. The change is recorded in the audit log.`

func runPasswd(args []string, stdin io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("passwd", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: name one role\n%s", errUsage, passwdUsage)
	}
	role, err := auth.ParseRole(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	// Open first: a terminal is not asked for a secret that cannot be
	// stored. The audit log's lock also keeps this from racing the daemon,
	// which holds the secrets file's state in memory.
	ps, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(ps, &err)
	vcfg, err := pf.config()
	if err != nil {
		return err
	}
	key, err := vault.DeriveSecret(vcfg, auth.KeyLabel)
	if err != nil {
		return err
	}
	store, err := auth.Open(auth.Config{Dir: *pf.data, Key: key, Clock: ps.k, Audit: ps.log})
	if err != nil {
		return fmt.Errorf("%w (to start over, remove the file: the console then asks for a new installer secret)", err)
	}
	pw, err := readNewSecret(stdin, stderr, role)
	if err != nil {
		return err
	}
	if err := store.SetSecret(role, pw, toolActor); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "console secret of %s set in %s\n", role, store.Path())
	return nil
}

// readNewSecret reads the secret twice without echo from a terminal, or
// once as the first line of a script's standard input.
func readNewSecret(stdin io.Reader, stderr io.Writer, role auth.Role) ([]byte, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintf(stderr, "new console secret for %s (%d to %d characters): ", role, auth.MinSecret, auth.MaxSecret)
		pw, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, fmt.Errorf("read secret: %w", err)
		}
		if err := auth.CheckSecret(pw); err != nil {
			return nil, err
		}
		fmt.Fprint(stderr, "again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return nil, fmt.Errorf("read secret: %w", err)
		}
		if !bytes.Equal(pw, again) {
			return nil, errors.New("the two entries differ; nothing changed")
		}
		return pw, nil
	}
	line, err := bufio.NewReaderSize(stdin, 4*auth.MaxSecret).ReadSlice('\n')
	if err != nil && !(errors.Is(err, io.EOF) && len(line) > 0) {
		return nil, fmt.Errorf("read secret from standard input (its first line): %w", err)
	}
	pw := bytes.Clone(bytes.TrimRight(line, "\r\n"))
	return pw, auth.CheckSecret(pw)
}
