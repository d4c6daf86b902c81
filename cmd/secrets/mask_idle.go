package main

import (
	"os"
	"sync"
	"time"
)

// idleWriter makes a masker safe for concurrent use and flushes what it holds back once no input
// has come for the idle duration, so that a prompt that happens to end like the start of a secret
// still reaches the user.
type idleWriter struct {
	mu     sync.Mutex
	m      *masker
	idle   time.Duration
	timer  *time.Timer
	closed bool
}

func newIdleWriter(m *masker, idle time.Duration) *idleWriter {
	return &idleWriter{m: m, idle: idle}
}

func (w *idleWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, os.ErrClosed
	}
	n, err := w.m.Write(p)
	if w.m.Pending() > 0 {
		if w.timer == nil {
			w.timer = time.AfterFunc(w.idle, w.flush)
		} else {
			w.timer.Reset(w.idle)
		}
	}
	return n, err
}

func (w *idleWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		_ = w.m.Flush()
	}
}

// Close stops the idle timer and writes everything held back.
func (w *idleWriter) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
	return w.m.Close()
}
