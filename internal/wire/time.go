package wire

import (
	"bytes"
	"strconv"
	"time"
)

// Time is a timestamp decoded leniently: the service's clients parse several layouts, and an odd
// timestamp must never fail a call, so anything unreadable decodes as the zero time.
type Time struct{ time.Time }

// layouts are tried in order; all but RFC 3339 lack a zone and are read as UTC.
var layouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// UnmarshalJSON never returns an error.
func (t *Time) UnmarshalJSON(b []byte) error {
	t.Time = ParseTime(b)
	return nil
}

// MarshalJSON writes RFC 3339 in UTC, or null for the zero time.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339Nano) + `"`), nil
}

// ParseTime reads a JSON string or number (Unix seconds, or milliseconds when it is too large to be
// seconds) as a UTC time; anything else gives the zero time, and so does an instant outside the years
// 0000 to 9999 in UTC, which RFC 3339 cannot write (MarshalJSON could not write it back).
func ParseTime(b []byte) time.Time {
	t := parseTime(b)
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	return t
}

func parseTime(b []byte) time.Time {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 'n' {
		return time.Time{}
	}
	if b[0] != '"' {
		return unixTime(string(b))
	}
	if len(b) < 2 || b[len(b)-1] != '"' {
		return time.Time{}
	}
	s := string(b[1 : len(b)-1])
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return unixTime(s)
}

func unixTime(s string) time.Time {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f > 0 && f <= 1e15) { // written so that NaN fails too
		return time.Time{}
	}
	if f > 1e11 { // milliseconds: seconds this large are past the year 5000
		f /= 1000
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
}
