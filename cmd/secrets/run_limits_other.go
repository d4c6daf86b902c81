//go:build !linux

package main

// systemArgLimits: no limits known beyond Linux; a command that the system refuses to start for
// its size gets a hint towards --file instead (see execute).
func systemArgLimits() argLimits { return argLimits{} }
