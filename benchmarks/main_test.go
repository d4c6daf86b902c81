package benchmarks

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a test leaves a goroutine behind, as in every other test package.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
