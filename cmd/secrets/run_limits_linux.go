package main

import (
	"os"
	"syscall"
)

// systemArgLimits are Linux's limits on a new program's arguments and environment (fs/exec.c): one
// string at most MAX_ARG_STRLEN (32 pages: 128 KiB), and all of them, with their pointers, at most
// a quarter of the stack limit, capped at 6 MiB and never below 32 pages.
func systemArgLimits() argLimits {
	page := os.Getpagesize()
	lim := argLimits{perString: 32 * page, total: 6 << 20}
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_STACK, &r); err == nil && r.Cur/4 < uint64(lim.total) {
		lim.total = max(int(r.Cur/4), 32*page)
	}
	return lim
}
