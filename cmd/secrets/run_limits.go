package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// argLimits are what the system lets a new program's command line and environment hold, in bytes;
// 0 where no limit is known.
type argLimits struct {
	perString int // one string ("VAR=value"), its terminating NUL included
	total     int // the program's path, every argument and variable with their NULs, and a pointer each
}

// pointerSize is what each argument and variable costs besides its string: its pointer.
const pointerSize = 8

// checkArgSize returns a usage error when the command could not be started because a secret's
// variable, or the command line and environment together, exceed lim: what `exec` would report as
// "argument list too long". The error names the secrets, never their values, and points at --file.
func checkArgSize(lim argLimits, path string, argv, env []string, specs []envSpec, values map[string]string) error {
	if lim.perString > 0 {
		for _, s := range specs {
			if n := len(s.Var) + 1 + len(values[s.Name]) + 1; n > lim.perString {
				return &cliError{code: exitUsage, msg: fmt.Sprintf(
					"run: secret %s is %d bytes, too large for an environment variable (at most %d bytes with %s= on this system); pass it in a file with --file %s=VAR",
					s.Name, len(values[s.Name]), lim.perString-len(s.Var)-2, s.Var, s.Name)}
			}
		}
	}
	if lim.total > 0 {
		total := len(path) + 1
		for _, list := range [][]string{argv, env} {
			for _, str := range list {
				total += len(str) + 1 + pointerSize
			}
		}
		if total > lim.total {
			return &cliError{code: exitUsage, msg: fmt.Sprintf(
				"run: the command line and environment would take %d bytes, more than this system lets a program start with (%d); pass the largest secrets in files with --file NAME=VAR: %s",
				total, lim.total, largestSecrets(specs, values, 3))}
		}
	}
	return nil
}

// largestSecrets names up to n of the secrets of specs, largest value first, with their sizes.
func largestSecrets(specs []envSpec, values map[string]string, n int) string {
	specs = slices.Clone(specs)
	slices.SortStableFunc(specs, func(a, b envSpec) int { return cmp.Compare(len(values[b.Name]), len(values[a.Name])) })
	var parts []string
	for _, s := range specs[:min(n, len(specs))] {
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", s.Name, len(values[s.Name])))
	}
	return strings.Join(parts, ", ")
}
