package secrets

// WithCacheClock replaces the Cache's clock, so that tests of TTLs move a fake clock instead of
// sleeping. It exists only in this package's tests.
var WithCacheClock = withCacheClock
