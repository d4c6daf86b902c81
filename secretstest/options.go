package secretstest

import (
	"strings"
	"time"
)

// DefaultOrganizationName is the organization name a Server uses unless WithOrganizationName gives one.
const DefaultOrganizationName = "Emulated Organization"

// Option configures a Server created by NewServer or Start. Options with empty or nil arguments are
// ignored, so a Server is always usable.
type Option func(*config)

type config struct {
	addr    string
	orgName string
	apiKey  string
	clock   func() time.Time
	profile Profile

	ratePerSecond float64 // 0: no limit
	rateBurst     int
}

func newConfig(opts []Option) config {
	cfg := config{orgName: DefaultOrganizationName, clock: time.Now}
	for _, opt := range opts {
		if opt != nil {
			opt(&cfg)
		}
	}
	return cfg
}

// WithAddr makes the Server listen on addr (host:port, as for net.Listen("tcp", addr)) instead of a
// random loopback port. When addr cannot be listened on, NewServer panics and Start returns the error.
func WithAddr(addr string) Option {
	return func(c *config) {
		if addr != "" {
			c.addr = addr
		}
	}
}

// WithOrganizationName sets the name of the emulated organization (default DefaultOrganizationName).
func WithOrganizationName(name string) Option {
	return func(c *config) {
		if strings.TrimSpace(name) != "" {
			c.orgName = name
		}
	}
}

// WithClock sets the clock used for every timestamp the Server records (createdAt, lastUpdatedAt and the
// grants' createdAt) and by WithRateLimit's token bucket, for deterministic tests. It is called with the
// Server's internal lock held, so it must be safe for concurrent use and must not call back into the
// Server. Timestamps are reported in UTC whatever the clock's location.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithAPIKey fixes the organization API key (by default a random token). It must not contain
// whitespace; an empty key is ignored.
func WithAPIKey(key string) Option {
	return func(c *config) {
		if key != "" && !strings.ContainsAny(key, " \t\r\n") {
			c.apiKey = key
		}
	}
}
