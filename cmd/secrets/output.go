package main

import (
	"encoding/json"
	"io"
	"text/tabwriter"
	"time"

	secrets "github.com/helios-secrets/go-secrets"
)

// writeJSON writes v as indented JSON and a newline. The JSON shapes are documented in the README
// and kept stable: fields are added, never renamed or removed; absent values are null, not omitted.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns a tabwriter for aligned columns; call Flush when done.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// timeText is t in RFC 3339, UTC, or "-" when unknown.
func timeText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// jsonTime is t in UTC for JSON, or nil (null) when unknown.
func jsonTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// secretJSON is a secret's metadata in --json output. It never holds the value.
type secretJSON struct {
	Name      string     `json:"name"`
	ID        string     `json:"id"`
	Readable  bool       `json:"readable"`
	CreatedAt *time.Time `json:"createdAt"`
	CreatedBy string     `json:"createdBy"`
	UpdatedAt *time.Time `json:"updatedAt"`
	UpdatedBy string     `json:"updatedBy"`
}

func secretToJSON(s *secrets.Secret) secretJSON {
	return secretJSON{
		Name:      s.Name,
		ID:        s.ID,
		Readable:  s.Value != nil,
		CreatedAt: jsonTime(s.CreatedAt),
		CreatedBy: s.CreatedBy,
		UpdatedAt: jsonTime(s.LastUpdatedAt),
		UpdatedBy: s.LastUpdatedBy,
	}
}
