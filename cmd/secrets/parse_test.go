package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		raw     bool
		wantPos []string
		wantYes bool
		wantEnv []string
		wantErr string
	}{
		{name: "none", args: nil},
		{name: "positional", args: []string{"NAME"}, wantPos: []string{"NAME"}},
		{name: "flag after positional", args: []string{"NAME", "--yes"}, wantPos: []string{"NAME"}, wantYes: true},
		{name: "flag before positional", args: []string{"-yes", "NAME"}, wantPos: []string{"NAME"}, wantYes: true},
		{name: "flags between", args: []string{"A", "--env", "X", "B", "--env=Y"}, wantPos: []string{"A", "B"}, wantEnv: []string{"X", "Y"}},
		{name: "double dash ends flags", args: []string{"A", "--", "--yes", "-x"}, wantPos: []string{"A", "--yes", "-x"}},
		{name: "raw stops at the first positional", args: []string{"--env", "X", "cmd", "--yes"}, raw: true,
			wantPos: []string{"cmd", "--yes"}, wantEnv: []string{"X"}},
		{name: "raw with double dash", args: []string{"--env", "X", "--", "cmd", "-x"}, raw: true,
			wantPos: []string{"cmd", "-x"}, wantEnv: []string{"X"}},
		{name: "unknown flag", args: []string{"NAME", "--nope"}, wantErr: "flag provided but not defined: -nope"},
		{name: "missing value", args: []string{"--env"}, wantErr: "flag needs an argument: -env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			yes := fs.Bool("yes", false, "")
			var env stringList
			fs.Var(&env, "env", "")
			pos, err := parseArgs(fs, tt.args, tt.raw)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantPos, pos)
			assert.Equal(t, tt.wantYes, *yes)
			assert.Equal(t, tt.wantEnv, []string(env))
		})
	}
}

// TestParseRunSpecs: the --env and --file values of `run`, NAME or NAME=VAR, each variable set
// once; an error never quotes the text after =, which may be a value typed by mistake.
func TestParseRunSpecs(t *testing.T) {
	t.Parallel()
	const badVar = " (letters, digits and _, not starting with a digit); %s takes NAME or NAME=VAR, and values come from the secret, never from the command line"
	badVarEnv, badVarFile := fmt.Sprintf(badVar, "--env"), fmt.Sprintf(badVar, "--file")
	tests := []struct {
		name            string
		env, files      []string
		want, wantFiles []envSpec
		wantErr         string
	}{
		{name: "name only", env: []string{"API_KEY"}, want: []envSpec{{"API_KEY", "API_KEY"}}},
		{name: "renamed", env: []string{"DB_PASSWORD=PGPASSWORD"}, want: []envSpec{{"DB_PASSWORD", "PGPASSWORD"}}},
		{name: "one secret in two variables", env: []string{"A", "A=B"}, want: []envSpec{{"A", "A"}, {"A", "B"}}},
		{name: "spaces trimmed", env: []string{" A = B "}, want: []envSpec{{"A", "B"}}},
		{name: "files beside variables", env: []string{"API_KEY", "CA=CA_PEM"}, files: []string{"CA=CA_FILE", "BUNDLE"},
			want: []envSpec{{"API_KEY", "API_KEY"}, {"CA", "CA_PEM"}}, wantFiles: []envSpec{{"CA", "CA_FILE"}, {"BUNDLE", "BUNDLE"}}},
		{name: "empty name", env: []string{"=X"}, wantErr: "--env: empty secret name"},
		{name: "empty variable", env: []string{"A="}, wantErr: "--env A=: empty variable name"},
		{name: "name not a variable", env: []string{"1PASSWORD"}, wantErr: `--env 1PASSWORD: "1PASSWORD" is not a valid variable name; give one with --env 1PASSWORD=VAR`},
		{name: "bad variable", env: []string{"A=B-C"}, wantErr: "--env A=…: the text after = is not a valid variable name" + badVarEnv},
		{name: "bad file variable", files: []string{"B=1X"}, wantErr: "--file B=…: the text after = is not a valid variable name" + badVarFile},
		{name: "a value typed after =", env: []string{"DB_PASSWORD=hunter2!"}, wantErr: "--env DB_PASSWORD=…: the text after = is not a valid variable name" + badVarEnv},
		{name: "variable twice", env: []string{"A=X", "B=X"}, wantErr: "--env: variable X is set twice (from secrets A and B)"},
		{name: "variable twice, by --env and --file", env: []string{"A=X"}, files: []string{"B=X"}, wantErr: "--file: variable X is set twice (from secrets A and B)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, files, err := parseRunSpecs(tt.env, tt.files)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				assert.Empty(t, env)
				assert.Empty(t, files)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, env)
			assert.Equal(t, tt.wantFiles, files)
		})
	}
}

func TestParseIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    identity
		wantErr string
	}{
		{in: "alice@example.com", want: identity{email: "alice@example.com"}},
		{in: " user:alice@example.com ", want: identity{email: "alice@example.com"}},
		{in: "team:ops", want: identity{team: "ops"}},
		{in: "team:team:odd", want: identity{team: "team:odd"}},
		{in: "team:ops@eu", want: identity{team: "ops@eu"}},
		{in: "ops", wantErr: "neither an e-mail address nor team:NAME"},
		{in: "user:ops", wantErr: "is not an e-mail address"},
		{in: "team: ", wantErr: "empty team name"},
		{in: "", wantErr: "empty e-mail address"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := parseIdentity(tt.in)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestOwnersRemain(t *testing.T) {
	t.Parallel()
	alice := secrets.Grant{User: &secrets.UserInfo{ID: "1", Email: "Alice@x.io"}}
	team := secrets.Grant{Team: &secrets.TeamInfo{ID: "2", Name: "ops"}}
	org := secrets.Grant{User: &secrets.UserInfo{ID: "3", Email: "key@x"}, InheritedFrom: &secrets.Inheritance{ResourceType: "Organization"}}
	bob := secrets.Grant{User: &secrets.UserInfo{ID: "4", Email: "bob@x.io"}}
	roles := []*secrets.RoleAccess{
		{Role: secrets.RoleOwner, Grants: []secrets.Grant{alice, team, org}},
		{Role: secrets.RoleReader, Grants: []secrets.Grant{bob}},
	}
	tests := []struct {
		name    string
		revoked []identity
		want    bool
	}{
		{"nothing revoked", nil, true},
		{"one of two", []identity{{email: "alice@x.io"}}, true},
		{"both, e-mail case aside", []identity{{email: "ALICE@x.io"}, {team: "ops"}}, false},
		{"a reader does not count", []identity{{email: "alice@x.io"}, {team: "ops"}, {email: "bob@x.io"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, ownersRemain(roles, tt.revoked))
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain", errors.New("boom"), exitError},
		{"usage", usagef("get", "bad"), exitUsage},
		{"cli error", &cliError{code: 42}, 42},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), exitInterrupted},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), exitError},
		{"no credentials", secrets.ErrNoCredentials, exitAuth},
		{"token expired", secrets.ErrTokenExpired, exitAuth},
		{"401", &secrets.APIError{StatusCode: 401}, exitAuth},
		{"403", &secrets.APIError{StatusCode: 403}, exitAuth},
		{"withheld", secrets.ErrValueWithheld, exitAuth},
		{"404", &secrets.APIError{StatusCode: 404}, exitNotFound},
		{"not found", fmt.Errorf("no secret: %w", secrets.ErrNotFound), exitNotFound},
		{"lookup", &secrets.LookupError{Kind: "user", Name: "a@b", Err: secrets.ErrNotFound}, exitNotFound},
		{"409", &secrets.APIError{StatusCode: 409}, exitConflict},
		{"400", &secrets.APIError{StatusCode: 400}, exitUsage},
		{"invalid name", secrets.ErrInvalidName, exitUsage},
		{"too large", secrets.ErrValueTooLarge, exitUsage},
		{"429", &secrets.APIError{StatusCode: 429}, exitError},
		{"500", &secrets.APIError{StatusCode: 500}, exitError},
		{"joined: the first kind found wins", errors.Join(secrets.ErrNotFound, &cliError{code: exitAuth}), exitAuth},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, exitCode(tt.err))
		})
	}
}

func TestPrintError(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	printError(&b, "secrets: share: nothing changed: secrets: no user\nsecrets: second")
	assert.Equal(t, "secrets: share: nothing changed: no user\nsecrets: second\n", b.String())
}

// TestChildEnv: the command's environment is the inherited one with each variable that --env or
// --file sets taken out, then those variables, --env's first.
func TestChildEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		environ  []string
		specs    []envSpec
		values   map[string]string
		fileVars []string
		want     []string
	}{
		{"--env replaces every copy", []string{"PATH=/bin", "API_KEY=old", "HOME=/h", "API_KEY=older"},
			[]envSpec{{"API_KEY", "API_KEY"}, {"DB", "PGPASSWORD"}}, map[string]string{"API_KEY": "k=v", "DB": "pw"}, nil,
			[]string{"PATH=/bin", "HOME=/h", "API_KEY=k=v", "PGPASSWORD=pw"}},
		{"--file after --env", []string{"CA_FILE=old", "PATH=/bin"}, []envSpec{{"DB", "PGPASSWORD"}}, map[string]string{"DB": "pw"},
			[]string{"CA_FILE=/tmp/x/CA_FILE"}, []string{"PATH=/bin", "PGPASSWORD=pw", "CA_FILE=/tmp/x/CA_FILE"}},
		{"--file alone replaces every copy", []string{"PATH=/bin", "CA_FILE=old", "HOME=/h", "CA_FILE=older"}, nil, nil,
			[]string{"CA_FILE=/tmp/x/CA_FILE"}, []string{"PATH=/bin", "HOME=/h", "CA_FILE=/tmp/x/CA_FILE"}},
		{"nothing set", []string{"PATH=/bin", "CA_FILE=old"}, nil, nil, nil, []string{"PATH=/bin", "CA_FILE=old"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, childEnv(tt.environ, tt.specs, tt.values, tt.fileVars...), tt.name)
	}
}

func TestCredentialValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"none", nil, nil},
		{"token", []string{"SINGLESTOREDB_MANAGEMENT_TOKEN= tok "}, []string{"tok"}},
		{"url password", []string{"SINGLESTOREDB_URL=admin:pw%21@host:3306/db"}, []string{"pw!", "pw%21"}},
		{"url with scheme", []string{"SINGLESTOREDB_URL=singlestoredb://u:p@h"}, []string{"p"}},
		{"url without password", []string{"SINGLESTOREDB_URL=mysql://u@h"}, nil},
		// The CLI takes its token from SINGLESTOREDB_HOST before SINGLESTOREDB_URL: the command
		// inherits both, so both passwords are masked.
		{"host password", []string{"SINGLESTOREDB_HOST=admin:eyJh.eyJz.c2ln@host:3306"}, []string{"eyJh.eyJz.c2ln"}},
		{"host without scheme or password", []string{"SINGLESTOREDB_HOST=db.example.com:3306"}, nil},
		{"every credential", []string{
			"SINGLESTOREDB_MANAGEMENT_TOKEN=tok",
			"SINGLESTOREDB_HOST=singlestoredb://u:hostpw@h",
			"SINGLESTOREDB_URL=u:urlpw@h",
		}, []string{"tok", "hostpw", "urlpw"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newApp(nil, io.Discard, io.Discard, tt.env)
			assert.Equal(t, tt.want, a.credentialValues())
		})
	}
}

func TestIsTerminal(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, isTerminal(r), "a pipe")
	assert.False(t, isTerminal(strings.NewReader("")), "not a file")
	assert.False(t, isTerminal((*os.File)(nil)))
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, isTerminal(f), "a regular file")
	null, err := os.Open(os.DevNull)
	require.NoError(t, err)
	defer null.Close()
	assert.False(t, isTerminal(null), "the null device is a character device, but no terminal")
}

func TestValueInputRead(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "value")
	require.NoError(t, os.WriteFile(file, []byte("from-file\n"), 0o600))
	big := strings.Repeat("x", secrets.MaxValueBytes)
	tests := []struct {
		name     string
		in       valueInput
		stdin    string
		want     string
		wantErr  string
		wantNote bool
	}{
		{name: "stdin as is", stdin: "v a l\n", want: "v a l\n", wantNote: true},
		{name: "no newline, no note", stdin: "v", want: "v"},
		{name: "trim one newline", in: valueInput{trimNewline: true}, stdin: "v\n\n", want: "v\n"},
		{name: "trim crlf", in: valueInput{trimNewline: true}, stdin: "v\r\n", want: "v"},
		{name: "trim without newline", in: valueInput{trimNewline: true}, stdin: "v\r", want: "v\r"},
		{name: "dash is stdin", in: valueInput{fromFile: "-"}, stdin: "v", want: "v"},
		{name: "file", in: valueInput{fromFile: file}, want: "from-file\n"},
		{name: "missing file", in: valueInput{fromFile: file + ".nope"}, wantErr: "cannot read the value"},
		{name: "empty", stdin: "", wantErr: "is empty"},
		{name: "only a newline, trimmed", in: valueInput{trimNewline: true}, stdin: "\n", wantErr: "is empty"},
		{name: "at the limit", stdin: big, want: big},
		{name: "at the limit with a trimmed newline", in: valueInput{trimNewline: true}, stdin: big + "\r\n", want: big},
		{name: "over the limit", stdin: big + "x", wantErr: "over the limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr strings.Builder
			a := newApp(strings.NewReader(tt.stdin), io.Discard, &stderr, nil)
			got, err := tt.in.read(a, "create")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				assert.NotContains(t, err.Error(), "from-file\n")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.wantNote, strings.Contains(stderr.String(), "note:"))
		})
	}
}
