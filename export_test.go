package secrets

// Hooks for the tests of package secrets_test.

// WithClock sets the clock a Client reads JWT expiry and HTTP-date Retry-After values from.
var WithClock = withClock

// Limits on response bodies.
const (
	MaxObjectBody = maxObjectBody
	MaxErrorBody  = maxErrorBody
)

// CloseSharedIdleConnections closes the idle keep-alive connections of the transport shared by every
// Client built without WithHTTPClient, so that goleak finds no connection goroutines at the end.
func CloseSharedIdleConnections() { sharedTransport().CloseIdleConnections() }
