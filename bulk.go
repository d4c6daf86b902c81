package secrets

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"
)

// maxBulkReads bounds the GET /v1/secrets?name= reads one GetMany runs at a time: enough to hide
// round trips, few enough not to look like a burst to the service's rate limit.
const maxBulkReads = 8

// GetMany reads several secrets. For one name it makes one request, GET /v1/secrets?name=. For
// several, it lists every secret the caller may see (GET /v1/secrets) and keeps the exact matches of
// the names asked; then, for each match the list gave without a value, it reads that name alone
// (GET /v1/secrets?name=, at most 8 at a time) and takes that answer as the truth. Duplicate names
// count once; no names means no request and an empty map.
//
// Why one list, then reads by name: the service documents values only on ?name= reads (the published
// spec marks value optional; the Python SDK reads values only that way), so an entry without a value
// in an unfiltered list may mean "withheld" or merely "lists leave values out". Where lists carry
// values, this costs one request for any number of names; where they do not, one more request per
// name, so two names never take more than three. A name the list does not hold is not found, without
// a read of its own.
//
// Every name asked ends up in exactly one place: the map, keyed by name, with a readable Value; or
// the *BulkError, whose Errors say why: ErrNotFound when no secret has that name, ErrValueWithheld
// when the caller may see it but not read it (its ?name= read came without a value), ErrAmbiguous
// when several secrets have it, or the *APIError or *RequestError of its own ?name= read when that
// failed. The map is returned (never nil) alongside a *BulkError. Errors: ErrInvalidName for an
// invalid name, naming its index (before any request); when the list (or the one read) fails, a nil
// map and its *APIError or *RequestError. Values of secrets not asked for are dropped at once.
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
	found, errs, unread := pickSecrets(list, want)
	if len(want) == 1 {
		unread = nil // the answer of a ?name= read is final: no value means withheld
	}
	s.client.readValues(ctx, unread, found, errs)
	for _, name := range want {
		if sec := found[name]; sec != nil && sec.Value == nil {
			delete(found, name)
			errs[name] = withheldError(name)
		}
	}
	if len(errs) > 0 {
		return found, &BulkError{Errors: errs}
	}
	return found, nil
}

// readValues reads each name alone (GET /v1/secrets?name=), maxBulkReads at a time, and files its
// answer: the secret it found (with or without a value) in found, or its error in errs.
func (c *Client) readValues(ctx context.Context, names []string, found map[string]*Secret, errs map[string]error) {
	if len(names) == 0 {
		return
	}
	type answer struct {
		secret *Secret
		err    error
	}
	answers := make([]answer, len(names))
	var g errgroup.Group // not WithContext: one name's failure must not cut the others short
	g.SetLimit(maxBulkReads)
	for i, name := range names {
		g.Go(func() error {
			s, err := c.secretByName(ctx, name, "")
			answers[i] = answer{s, err}
			return nil
		})
	}
	_ = g.Wait() // every goroutine returns nil; errors are per name
	for i, name := range names {
		if a := answers[i]; a.err != nil {
			delete(found, name)
			errs[name] = a.err
		} else {
			found[name] = a.secret
		}
	}
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

// pickSecrets keeps the secrets of list named in want, and explains the names it could not keep:
// found holds each name matched exactly once (with or without a value), errs each name matched never
// (ErrNotFound) or more than once (ErrAmbiguous); unread lists the found names whose entry came
// without a value, in the order of want. errs is never nil.
func pickSecrets(list []*Secret, want []string) (found map[string]*Secret, errs map[string]error, unread []string) {
	asked := make(map[string]int, len(want)) // name → matches
	for _, name := range want {
		asked[name] = 0
	}
	found = make(map[string]*Secret, len(want))
	for _, s := range list {
		n, ok := asked[s.Name]
		if !ok {
			continue
		}
		asked[s.Name] = n + 1
		found[s.Name] = s
	}
	errs = make(map[string]error)
	for _, name := range want {
		switch n := asked[name]; {
		case n == 0:
			errs[name] = notFoundError(name)
		case n > 1:
			delete(found, name)
			errs[name] = ambiguousError(name)
		case found[name].Value == nil:
			unread = append(unread, name)
		}
	}
	return found, errs, unread
}

// BulkError reports the names a bulk read (SecretsService.GetMany, Cache.GetMany, GetSecrets) could
// not return, and why. errors.Is and errors.As see every per-name error, so errors.Is(err,
// ErrNotFound) holds when at least one name was missing; read Errors for the details.
type BulkError struct {
	// Errors maps each name that could not be read to its reason: an error matching ErrNotFound,
	// ErrValueWithheld or ErrAmbiguous, or the *APIError or *RequestError of the name's own
	// GET /v1/secrets?name= read (or, for Cache.GetMany, of the list all its missing names shared).
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
