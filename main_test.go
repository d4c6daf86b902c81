package secrets_test

import (
	"testing"

	"go.uber.org/goleak"

	secrets "github.com/helios-secrets/go-secrets"
)

// TestMain fails the run when the tests leave a goroutine behind. The transport that Clients share by
// default keeps idle keep-alive connections on purpose (two goroutines each): those are closed after
// the tests and before the check, rather than ignored, so that any other leak still shows.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(closeIdleAfterRun{m})
}

type closeIdleAfterRun struct{ m *testing.M }

func (r closeIdleAfterRun) Run() int {
	code := r.m.Run()
	secrets.CloseSharedIdleConnections()
	return code
}
