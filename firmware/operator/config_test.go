package operator_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/datadir"
	"fairrec/firmware/operator"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// configEnv opens a data directory and returns an Env for the config
// commands whose Apply puts rules in force in the engine, as the daemon's.
func configEnv(t *testing.T) (operator.Env, *datadir.Dir) {
	t.Helper()
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	d, err := datadir.Open(datadir.Config{Dir: dir, Clock: clocktest.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	env := operator.Env{Rules: d.Rules, Engine: d.Policy, Vault: d.Vault, Keeper: d.Keeper, Log: d.Audit,
		Actor: audit.Actor{Kind: audit.ActorRole, ID: "installer"},
		Config: operator.ConfigEnv{Purposes: datadir.PurposesPath(dir, ""),
			Apply: func(r *policy.Rules) error { return d.Policy.SetRules(r) }}}
	return env, d
}

func runLine(t *testing.T, env operator.Env, line string) (string, error) {
	t.Helper()
	args := strings.Fields(line)
	c, _ := operator.Lookup(args[0])
	var b strings.Builder
	err := c.Run(env, &b, args[1:])
	return b.String(), err
}

// TestConfigExportImport: an export imports as "nothing to change"; a
// file with three mistakes is refused with all three and their lines, and
// nothing changes; a good one shows the diff, needs --apply, then is in
// force, in the purposes file and in the audit log as the installer's.
func TestConfigExportImport(t *testing.T) {
	env, d := configEnv(t)
	dir := t.TempDir()
	exported := filepath.Join(dir, "export.toml")
	if out, err := runLine(t, env, "config export "+exported); err != nil || !strings.Contains(out, "written to "+exported) {
		t.Fatalf("export: %q, %v", out, err)
	}
	if _, err := runLine(t, env, "config export "+exported); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("export over an existing file: %v", err)
	}
	if out, err := runLine(t, env, "config import "+exported+" --apply"); err != nil || !strings.Contains(out, "nothing to change") {
		t.Errorf("import of the export: %q, %v", out, err)
	}

	b, _ := os.ReadFile(exported)
	text := string(b)
	bad := strings.Replace(text, `retention = "30d"`, `retention = "30 dayz"`, 1)
	bad = strings.Replace(bad, `basis = "contract"`, `basis = "kontract"`, 1)
	bad = strings.Replace(bad, `purposes = ["quality", "training"]`, `purposes = ["quality", "trainig"]`, 1)
	badFile := filepath.Join(dir, "bad.toml")
	os.WriteFile(badFile, []byte(bad), 0o644)
	_, err := runLine(t, env, "config import "+badFile+" --apply")
	if err == nil {
		t.Fatal("a file with three mistakes was applied")
	}
	msg := err.Error()
	for _, want := range []string{"3 problems; nothing was applied", `"30 dayz"`, `"kontract"`, `"trainig"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, msg)
		}
	}
	if strings.Count(msg, "\n  line ") != 3 {
		t.Errorf("want each of the three with its line:\n%s", msg)
	}
	if _, err := os.Stat(env.Config.Purposes); !os.IsNotExist(err) {
		t.Errorf("a refused import wrote %s: %v", env.Config.Purposes, err)
	}
	if d.Policy.Rules() != env.Rules {
		t.Error("a refused import changed the rules in force")
	}

	good := strings.Replace(text, `retention = "30d"`, `retention = "7d"`, 1)
	goodFile := filepath.Join(dir, "good.toml")
	os.WriteFile(goodFile, []byte(good), 0o644)
	out, err := runLine(t, env, "config import "+goodFile)
	if err != nil || !strings.Contains(out, `purpose "training": retention 30 days -> 7 days`) || !strings.Contains(out, "--apply applies it") {
		t.Fatalf("dry run: %q, %v", out, err)
	}
	if d.Policy.Rules() != env.Rules {
		t.Error("the dry run changed the rules in force")
	}
	out, err = runLine(t, env, "config import "+goodFile+" --apply")
	if err != nil || !strings.Contains(out, "applied: ") {
		t.Fatalf("apply: %q, %v", out, err)
	}
	if got := d.Policy.Rules().Purpose("training").Retention.String(); got != "7d" {
		t.Errorf("training in force: %s, want 7d", got)
	}
	if b, _ := os.ReadFile(env.Config.Purposes); string(b) != good {
		t.Errorf("the purposes file is not the imported file:\n%s", b)
	}
	var who []string
	d.Audit.Each(t0.AddDate(-1, 0, 0), func(e audit.Entry) error {
		if e.Action == audit.ActionConfigChange && strings.HasPrefix(e.Detail, "config import") {
			who = append(who, e.Actor.String()+" "+e.Purpose+" "+e.Detail)
		}
		return nil
	})
	want := []string{
		"role:installer  config import from good.toml: 1 change",
		`role:installer training config import: purpose "training": retention 30 days -> 7 days`,
	}
	if strings.Join(who, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit:\n%s\nwant:\n%s", strings.Join(who, "\n"), strings.Join(want, "\n"))
	}
}

// TestConfigImportGarbage: a file that is no TOML, or not a file, or huge,
// is one clear error and nothing is applied.
func TestConfigImportGarbage(t *testing.T) {
	env, d := configEnv(t)
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk")
	os.WriteFile(junk, []byte("\x00\xff[[[purpose\n= = ="), 0o644)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 2<<20), 0o644)
	for _, f := range []string{junk, big, dir, filepath.Join(dir, "missing")} {
		_, err := runLine(t, env, "config import "+f+" --apply")
		if err == nil || !strings.Contains(err.Error(), "nothing was applied") {
			t.Errorf("import %s: %v", f, err)
		}
	}
	if _, err := os.Stat(env.Config.Purposes); !os.IsNotExist(err) || d.Policy.Rules() != env.Rules {
		t.Error("garbage changed something")
	}
}

func TestConfigUsage(t *testing.T) {
	for _, line := range []string{"purposes x", "config", "config export", "config frob x", "config export x --apply", "config import a b"} {
		args := strings.Fields(line)
		c, _ := operator.Lookup(args[0])
		if _, _, err := c.Parse(args[1:]); !errors.Is(err, operator.ErrUsage) {
			t.Errorf("%q: %v, want a usage error", line, err)
		}
	}
	for line, want := range map[string]operator.Mode{"purposes": operator.ModeRules, "config export f": operator.ModeRules,
		"config import f": operator.ModeRules, "config import f --apply": operator.ModeWrite, "config import --apply f": operator.ModeWrite} {
		args := strings.Fields(line)
		c, _ := operator.Lookup(args[0])
		if m, _, err := c.Parse(args[1:]); err != nil || m != want {
			t.Errorf("%q: mode %v, %v; want %v", line, m, err, want)
		}
	}
}
