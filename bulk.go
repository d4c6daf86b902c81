package secrets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// GetMany reads several secrets in one request: GET /v1/secrets (GET /v1/secrets?name= when one
// name is asked), keeping the exact matches of names. Duplicate names count once; no names means no
// request and an empty map.
//
// Every name asked ends up in exactly one place: the map, keyed by name, with a readable Value; or
// the *BulkError, whose Errors say why: ErrNotFound when no secret has that name, ErrValueWithheld
// when the caller may see it but not read it, ErrAmbiguous when several secrets have it. The map is
// returned (never nil) alongside a *BulkError. Errors: ErrInvalidName for an invalid name, naming its
// index (before any request); when the request itself fails, a nil map and the *APIError or
// *RequestError of List. The request lists every secret the caller may see, values included, and
// drops those not asked for; List and GetByName are the calls for one name or for metadata.
func (s *SecretsService) GetMany(ctx context.Context, names ...string) (map[string]*Secret, error) {
	want, err := uniqueNames(names)
	if err != nil {
		return nil, err
	}
	if len(want) == 0 {
		return map[string]*Secret{}, nil
	}
	r := &request{method: http.MethodGet, path: "/secrets", idempotent: true, maxBody: maxListBody}
	if len(want) == 1 {
		r.query = "name=" + url.QueryEscape(want[0])
	}
	list, err := s.client.listSecrets(ctx, r)
	if err != nil {
		return nil, err
	}
	return pickSecrets(list, want)
}

// uniqueNames checks every name, and returns them without duplicates, in their first order.
func uniqueNames(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	seen := make(map[string]struct{}, len(names))
	for i, name := range names {
		if err := checkName(name); err != nil {
			return nil, &argError{msg: "names[" + strconv.Itoa(i) + "]: " + strings.TrimPrefix(err.Error(), "secrets: "), kind: ErrInvalidName}
		}
		if _, dup := seen[name]; !dup {
			seen[name] = struct{}{}
			out = append(out, name)
		}
	}
	return out, nil
}

// pickSecrets keeps the secrets of list named in want, and explains the names it could not keep.
func pickSecrets(list []*Secret, want []string) (map[string]*Secret, error) {
	asked := make(map[string]int, len(want)) // name → matches
	for _, name := range want {
		asked[name] = 0
	}
	found := make(map[string]*Secret, len(want))
	for _, s := range list {
		n, ok := asked[s.Name]
		if !ok {
			continue
		}
		asked[s.Name] = n + 1
		found[s.Name] = s
	}
	var errs map[string]error
	fail := func(name string, err error) {
		if errs == nil {
			errs = make(map[string]error)
		}
		errs[name] = err
		delete(found, name)
	}
	for _, name := range want {
		switch n := asked[name]; {
		case n == 0:
			fail(name, notFoundError(name))
		case n > 1:
			fail(name, ambiguousError(name))
		case found[name].Value == nil:
			fail(name, withheldError(name))
		}
	}
	if errs != nil {
		return found, &BulkError{Errors: errs}
	}
	return found, nil
}

func notFoundError(name string) error {
	return fmt.Errorf("secrets: no secret named %q: %w", name, ErrNotFound)
}

func ambiguousError(name string) error {
	return fmt.Errorf("secrets: more than one secret is named %q: %w", name, ErrAmbiguous)
}

func withheldError(name string) error {
	return fmt.Errorf("secrets: secret %q: the caller may see it but not read its value: %w", name, ErrValueWithheld)
}

// BulkError reports the names a bulk read (SecretsService.GetMany, Cache.GetMany, GetSecrets) could
// not return, and why. errors.Is and errors.As see every per-name error, so errors.Is(err,
// ErrNotFound) holds when at least one name was missing; read Errors for the details.
type BulkError struct {
	// Errors maps each name that could not be read to its reason: an error matching ErrNotFound,
	// ErrValueWithheld or ErrAmbiguous, or (for Cache.GetMany) the *APIError or *RequestError of the
	// request that failed.
	Errors map[string]error
}

// Error reads like `secrets: could not read 3 secrets: "A", "B": not found; "C": value withheld`,
// names sorted and grouped by reason. It never holds a value.
func (e *BulkError) Error() string {
	names := e.names()
	type group struct {
		reason string
		names  []string
	}
	var groups []*group
	byReason := make(map[string]*group)
	for _, name := range names {
		reason := bulkReason(e.Errors[name])
		g := byReason[reason]
		if g == nil {
			g = &group{reason: reason}
			byReason[reason] = g
			groups = append(groups, g)
		}
		g.names = append(g.names, strconv.Quote(name))
	}
	var b strings.Builder
	b.WriteString("secrets: could not read ")
	if len(names) == 1 {
		b.WriteString("1 secret: ")
	} else {
		b.WriteString(strconv.Itoa(len(names)))
		b.WriteString(" secrets: ")
	}
	for i, g := range groups {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(strings.Join(g.names, ", "))
		b.WriteString(": ")
		b.WriteString(g.reason)
	}
	return b.String()
}

// Unwrap returns the per-name errors, ordered by name.
func (e *BulkError) Unwrap() []error {
	names := e.names()
	errs := make([]error, 0, len(names))
	for _, name := range names {
		if err := e.Errors[name]; err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (e *BulkError) names() []string {
	names := make([]string, 0, len(e.Errors))
	for name := range e.Errors {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// bulkReason is the short reason shown for one name: the sentinel's own text for the usual cases,
// else the whole error.
func bulkReason(err error) string {
	switch {
	case err == nil:
		return "unknown error"
	case errors.Is(err, ErrNotFound) && !isAPIError(err):
		return ErrNotFound.Error()
	case errors.Is(err, ErrValueWithheld):
		return ErrValueWithheld.Error()
	case errors.Is(err, ErrAmbiguous):
		return "more than one secret has this name"
	}
	return strings.TrimPrefix(err.Error(), "secrets: ")
}

func isAPIError(err error) bool {
	var ae *APIError
	return errors.As(err, &ae)
}
