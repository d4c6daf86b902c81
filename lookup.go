package secrets

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// The service documents GET /v1/users?email= and GET /v1/teams?name= as matching "this value or
// regular expression", without saying which it does. The SDK must find exactly the identity named
// under either reading, and never a look-alike:
//
//   - Literal matching: the name itself finds it.
//   - Regular-expression matching: the name itself finds it when it matches itself as a pattern
//     ("data.eng" does, and also matches "dataXeng", which the exact filter drops). A name with
//     other metacharacters ("alice+ml@example.com", "C++ (eu)") may match nothing, or be refused
//     with a 400 as an invalid pattern.
//
// So lookUp asks for the name as given; when that finds no exact match (or is refused with a 400)
// and the name holds a metacharacter that does not match itself, it asks again with the anchored,
// escaped pattern ^regexp.QuoteMeta(name)$, which matches only the name under regular-expression
// matching and, under literal matching, only an identity with that odd name, which the filter
// drops. Every answer is filtered for exact matches, so at most two requests are made and only the
// identity named is ever returned.

// selfMatching reports whether name, read as a regular expression, matches at least itself: it holds
// no metacharacter but '.', which matches any character and so itself too.
func selfMatching(name string) bool { return !strings.ContainsAny(name, `\+*?()|[]{}^$`) }

// anchoredPattern is the regular expression that matches exactly name.
func anchoredPattern(name string) string { return "^" + regexp.QuoteMeta(name) + "$" }

// lookUp sends GET path?param=name, and, under the rule above, GET path?param=^…$; it returns the
// entries of the answer that exact accepts. An empty result means no identity has that name.
func lookUp[T any](ctx context.Context, c *Client, path, param, name string, exact func(T) bool) ([]T, error) {
	found, err := lookUpOnce(ctx, c, path, param, name, exact)
	if selfMatching(name) || (err == nil && len(found) > 0) || (err != nil && !isBadRequest(err)) {
		return found, err
	}
	again, errAgain := lookUpOnce(ctx, c, path, param, anchoredPattern(name), exact)
	switch {
	case errAgain == nil:
		return again, nil
	case isBadRequest(errAgain) && err == nil:
		return found, nil // the name as given was answered (with no exact match); the pattern refused
	case isBadRequest(errAgain):
		return nil, err // both refused: the first refusal says most about the name as given
	}
	return nil, errAgain
}

// lookUpIdentity is lookUp for the one identity of that kind ("user", "team") named name: its
// exact match, else a *LookupError matching ErrNotFound (none) or ErrAmbiguous (several).
func lookUpIdentity[T any](ctx context.Context, c *Client, kind, path, param, name string, exact func(T) bool) (T, error) {
	matches, err := lookUp(ctx, c, path, param, name, exact)
	if err != nil {
		var zero T
		return zero, err
	}
	return onlyMatch(matches, func(sentinel error) error { return &LookupError{Kind: kind, Name: name, Err: sentinel} })
}

func lookUpOnce[T any](ctx context.Context, c *Client, path, param, value string, exact func(T) bool) ([]T, error) {
	var list []T
	r := &request{method: http.MethodGet, path: path, query: param + "=" + url.QueryEscape(value), idempotent: true, maxBody: maxListBody}
	if err := c.do(ctx, r, decodeJSON(&list)); err != nil {
		return nil, err
	}
	out := list[:0]
	for _, item := range list {
		if exact(item) {
			out = append(out, item)
		}
	}
	return out, nil
}

// onlyMatch returns the one entry of matches, else the error nameErr makes of ErrNotFound (none) or
// ErrAmbiguous (several): the rule of every lookup by name (secrets, users, teams).
func onlyMatch[T any](matches []T, nameErr func(sentinel error) error) (T, error) {
	var zero T
	switch len(matches) {
	case 0:
		return zero, nameErr(ErrNotFound)
	case 1:
		return matches[0], nil
	}
	return zero, nameErr(ErrAmbiguous)
}
