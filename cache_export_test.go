package secrets

// WithCacheClock replaces the Cache's clock, so that tests of TTLs move a fake clock instead of
// sleeping. It exists only in this package's tests.
var WithCacheClock = withCacheClock

// WithCacheRandom replaces the random source of TTL jitter (values in [0, 1)), so that tests know
// each TTL. It exists only in this package's tests.
var WithCacheRandom = withCacheRandom

// WaitForRefreshes waits until the background refreshes of c under way have ended, so that tests
// can look at their outcome without sleeping. (A function, not a method: the public API stays as
// the redaction canary sees it.)
func WaitForRefreshes(c *Cache) { c.refreshes.Wait() }

// NewCacheOn is NewCache reading through src (a fake of SecretsService's GetByName and GetMany)
// instead of c.Secrets; c still gives the logger. It exists only in this package's tests.
func NewCacheOn(src cacheSource, c *Client, opts ...CacheOption) (*Cache, error) {
	cache, err := NewCache(c, opts...)
	if err == nil {
		cache.source = src
	}
	return cache, err
}

// The errors SecretsService gives for a name that matched nothing, several secrets, or one the
// caller may not read, for the fakes of NewCacheOn.
var (
	NotFoundError  = notFoundError
	AmbiguousError = ambiguousError
	WithheldError  = withheldError
)
