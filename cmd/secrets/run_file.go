package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// secretFiles are the files of `run --file`: a new directory of mode 0700 under os.TempDir, and in
// it a file of mode 0600 per --file, named after its variable, holding the secret's value.
type secretFiles struct {
	dir  string   // "" when there are no files
	vars []string // VAR=path, for the command's environment
}

// writeSecretFiles writes the value of each spec's secret to its file. On an error, what was
// written is removed; otherwise the caller removes it with remove once the command has exited.
func writeSecretFiles(specs []envSpec, values map[string]string) (*secretFiles, error) {
	f := &secretFiles{}
	if len(specs) == 0 {
		return f, nil
	}
	dir, err := os.MkdirTemp("", "secrets-run-")
	if err != nil {
		return nil, &cliError{code: exitError, msg: fmt.Sprintf("run: --file: %v", err), err: err}
	}
	f.dir = dir
	for _, s := range specs {
		path := filepath.Join(dir, s.Var) // a variable name: letters, digits and _
		if err := writePrivateFile(path, values[s.Name]); err != nil {
			f.remove()
			return nil, &cliError{code: exitError, msg: fmt.Sprintf("run: --file %s=%s: %v", s.Name, s.Var, err), err: err}
		}
		f.vars = append(f.vars, s.Var+"="+path)
	}
	return f, nil
}

// writePrivateFile creates path, readable and writable by its owner only, and writes value to it.
// Its errors name the path, never the value.
func writePrivateFile(path, value string) error {
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = file.WriteString(value)
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	return err
}

// remove deletes the files and their directory.
func (f *secretFiles) remove() {
	if f.dir != "" {
		_ = os.RemoveAll(f.dir)
	}
}

// setEnv returns env with each VAR=value of vars set, replacing earlier settings of VAR.
func setEnv(env []string, vars []string) []string {
	if len(vars) == 0 {
		return env
	}
	set := map[string]bool{}
	for _, kv := range vars {
		k, _, _ := strings.Cut(kv, "=")
		set[k] = true
	}
	out := make([]string, 0, len(env)+len(vars))
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); !set[k] {
			out = append(out, kv)
		}
	}
	return append(out, vars...)
}
