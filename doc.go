// Package secrets is the Go SDK for SingleStore Helios Secrets: named secrets (name → value, one
// namespace per organization, values up to MaxValueBytes) kept so that code never hard-codes
// credentials, managed through the Management API (/v1/secrets) and shared with users and teams as
// Owner (read, update, share, delete) or Reader (read).
//
// # Reading a secret
//
// In a notebook or script, with credentials in the environment (see WithEnv):
//
//	value, err := secrets.GetSecret(ctx, "OPENAI_API_KEY")
//
// The mirror of the Python SDK's manage_workspaces(key).organizations.current.get_secret(name):
//
//	c, err := secrets.ManageWorkspaces(apiKey)
//	org, err := c.Organizations.Current(ctx)
//	s, err := org.GetSecret(ctx, "OPENAI_API_KEY")
//	fmt.Println(len(*s.Value))
//
// # Managing and sharing
//
// c.Secrets creates, lists, reads, updates and deletes secrets, and shares them by ID (Share) or by
// e-mail address and team name (ShareByName).
//
// # Errors
//
// Every method documents its errors. Test them with errors.Is against the sentinels (ErrNotFound,
// ErrForbidden, ErrConflict, ErrRateLimited…) and reach the details with errors.As: *APIError for a
// non-2xx response, *RequestError when no usable response came, *LookupError for a name that did not
// resolve (ShareByName gathers them in a *ShareLookupError). Arguments are checked before any request. No
// error string, log record or fmt output of this package contains a token or a secret value.
//
// # Retries
//
// Calls are retried on connection errors and on 429, 500, 502, 503 and 504, with jittered exponential
// backoff or the server's Retry-After; writes that are not idempotent (Create, Share) only when the
// request cannot have reached the server, or on 429. The context bounds everything.
package secrets
