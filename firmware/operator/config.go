package operator

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"fairrec/firmware/auth"
	"fairrec/firmware/datadir"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/atomicfile"
	"fairrec/storage/audit"
)

// ConfigEnv is what config import needs beyond Env.Rules (the rules in
// force) and Env.Engine (whose audit log records the change).
type ConfigEnv struct {
	// Purposes is the purposes file an import replaces: the one the rules
	// in force are read from (datadir.PurposesPath).
	Purposes string
	// Check adds the program's own checks of new rules to the file's
	// (the daemon's: each line's notice set is there); nil adds none.
	Check func(*policy.Rules) []policy.Problem
	// Apply puts imported rules in force in a running program, for what
	// is decided after it returns (the daemon: the calls that start
	// then); nil: the file is all there is (the tool, which reads it at
	// each run).
	Apply func(*policy.Rules) error
}

// maxConfigFile bounds what config import reads: a purposes file is a
// few kB; a path to something else (a disk image on a USB stick) must not
// be read into memory whole.
const maxConfigFile = 1 << 20

func purposes() Command {
	return Command{Name: "purposes", Role: auth.Supervisor,
		Summary: "the purposes and line profiles in force, and the settings",
		Parse: func(args []string) (Mode, Run, error) {
			if _, err := positional("purposes", 0, args); err != nil {
				return 0, nil, err
			}
			return ModeRules, showPurposes, nil
		}}
}

// showPurposes prints the rules in force as an installer checks them:
// one line per purpose and per line profile.
func showPurposes(env Env, w io.Writer) error {
	r := env.Rules
	fmt.Fprintf(w, "purposes in force (from %s):\n", r.Source)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i := range r.Purposes {
		p := &r.Purposes[i]
		fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.Summary())
	}
	tw.Flush()
	fmt.Fprintln(w, "line profiles:")
	for i := range r.Profiles {
		pr := &r.Profiles[i]
		fmt.Fprintf(tw, "  %s\t%s\n", pr.Covers(), pr.Summary())
	}
	tw.Flush()
	c := r.Controller
	jump := r.MaxClockJump
	if jump == 0 {
		jump = trustclock.DefaultMaxJump
	}
	fmt.Fprintf(w, "settings: hold_max %s; max_clock_jump %s; country %s\n",
		r.HoldLimit().Words(), policy.Span{D: jump}.Words(), orDefault(r.Country, "NL"))
	fmt.Fprintf(w, "controller: %s; contact %s; dpo %s\n", orDefault(c.Name, "-"), orDefault(c.Contact, "-"), orDefault(c.DPO, "-"))
	fmt.Fprintln(w, "recordings already made keep the grants they were given")
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func config() Command {
	const usage = "config export FILE | config import FILE [--apply]"
	return Command{Name: "config", Role: auth.Installer, Args: "export FILE | import FILE [--apply]",
		Summary: "write the configuration to a file; check a file, show its changes, apply it",
		Parse: func(args []string) (Mode, Run, error) {
			fs := flag.NewFlagSet("config", flag.ContinueOnError)
			apply := fs.Bool("apply", false, "apply the file (without it: check it and show what it would change)")
			pos, err := parse(fs, usage, args)
			if err != nil {
				return 0, nil, err
			}
			if len(pos) != 2 {
				return 0, nil, usagef("%s", usage)
			}
			file := pos[1]
			switch {
			case pos[0] == "export" && !*apply:
				return ModeRules, func(env Env, w io.Writer) error { return exportConfig(env, w, file) }, nil
			case pos[0] == "import" && *apply:
				return ModeWrite, func(env Env, w io.Writer) error { return importConfig(env, w, file, true) }, nil
			case pos[0] == "import":
				return ModeRules, func(env Env, w io.Writer) error { return importConfig(env, w, file, false) }, nil
			}
			return 0, nil, usagef("%s", usage)
		}}
}

// exportConfig writes the rules in force to file, a new file: an export
// never replaces one (a slip of the tongue must not overwrite the key
// file).
func exportConfig(env Env, w io.Writer, file string) error {
	if _, err := os.Lstat(file); err == nil {
		return fmt.Errorf("%s exists; nothing written: export to a new file", file)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("export to %s: %w", file, err)
	}
	if err := atomicfile.Write(file, policy.Marshal(env.Rules), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s and %s, with the settings, written to %s\n",
		count(len(env.Rules.Purposes), "purpose"), count(len(env.Rules.Profiles), "line profile"), file)
	return nil
}

// readConfig reads a file to import, at most maxConfigFile bytes.
func readConfig(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file", file)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxConfigFile {
		return nil, fmt.Errorf("%s is larger than %d kB: not a purposes file", file, maxConfigFile>>10)
	}
	return b, nil
}

// importConfig checks file whole, shows what it changes, and with apply
// writes it in place of the purposes file and puts it in force. Nothing is
// written or changed unless every check passed.
func importConfig(env Env, w io.Writer, file string, apply bool) error {
	b, err := readConfig(file)
	if err != nil {
		return fmt.Errorf("import: %w; nothing was applied", err)
	}
	rules, err := policy.ParseChecked(b, env.Config.Check)
	if err != nil {
		lines := strings.Split(strings.TrimPrefix(err.Error(), policy.ErrInvalid.Error()+": "), "\n")
		return fmt.Errorf("import %s: %s; nothing was applied:\n  %s", file, count(len(lines), "problem"), strings.Join(lines, "\n  "))
	}
	rules.Source = env.Config.Purposes
	changes := policy.Diff(env.Rules, rules)
	if len(changes) == 0 {
		fmt.Fprintf(w, "%s holds the rules in force: nothing to change\n", file)
		return nil
	}
	if apply {
		fmt.Fprintf(w, "%s changes:\n", file)
	} else {
		fmt.Fprintf(w, "%s is valid; it changes:\n", file)
	}
	for _, c := range changes {
		fmt.Fprintf(w, "  %s%s\n", c, laterNote(env, c))
	}
	if !apply {
		fmt.Fprintf(w, "nothing applied yet: config import %s --apply applies it\n", file)
		return nil
	}
	note, err := applyConfig(env, b, rules)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(w, note)
	}
	fmt.Fprintf(w, "applied: %s holds them; new calls get these grants, recordings already made keep theirs\n", rules.Source)
	audited(env, file, changes)
	return nil
}

// laterNote says when a change the running daemon reads only at start
// takes effect: the clock jump (the clock keeper), the country (the
// caller index) and each line's notice set and language (the lines).
func laterNote(env Env, c policy.Change) string {
	if env.Config.Apply == nil {
		return ""
	}
	switch {
	case c.Where == "settings" && (c.Key == "country" || c.Key == "max_clock_jump"),
		strings.HasPrefix(c.Where, "line profile") && (c.Key == "notice" || c.Key == "language"):
		return " (from the next start of fairrecd)"
	}
	return ""
}

// applyConfig writes the file, then puts the rules in force; when that
// fails, the old file is put back, so that the file and the rules in force
// agree. It returns WritePurposes' note, if any.
func applyConfig(env Env, b []byte, rules *policy.Rules) (string, error) {
	path := env.Config.Purposes
	if path == "" {
		return "", errors.New("import: no purposes file to write; nothing was applied")
	}
	old, oldErr := os.ReadFile(path)
	written, note, err := datadir.WritePurposes(path, b)
	if err != nil {
		return "", fmt.Errorf("import: %w; nothing was applied", err)
	}
	rules.Source = written
	if env.Config.Apply != nil {
		if err := env.Config.Apply(rules); err != nil {
			if oldErr == nil {
				_, _, _ = datadir.WritePurposes(path, old)
			} else if errors.Is(oldErr, fs.ErrNotExist) {
				_ = os.Remove(written)
			}
			return "", fmt.Errorf("import: %w; the rules in force did not change", err)
		}
	}
	return note, nil
}

// audited records the import as the actor's: one entry naming the file and
// how many changes, then one per change (with its purpose when it
// concerns one), so the log says who changed what.
func audited(env Env, file string, changes []policy.Change) {
	if env.Engine == nil {
		return
	}
	env.Engine.Record(audit.Entry{Actor: env.Actor, Action: audit.ActionConfigChange,
		Detail: fmt.Sprintf("config import from %s: %s", filepath.Base(file), count(len(changes), "change"))})
	for _, c := range changes {
		e := audit.Entry{Actor: env.Actor, Action: audit.ActionConfigChange, Detail: "config import: " + c.String()}
		if name, ok := strings.CutPrefix(c.Where, "purpose "); ok {
			e.Purpose = strings.Trim(name, `"`)
		}
		env.Engine.Record(e)
	}
}

// count writes n things: "1 change", "3 changes".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
