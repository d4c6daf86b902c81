package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/helios-secrets/go-secrets/internal/redact"
	"github.com/helios-secrets/go-secrets/internal/validate"
	"github.com/helios-secrets/go-secrets/internal/wire"
)

// MaxValueBytes is the largest value a secret may hold: the service's "5MB" read as 5 MiB, the larger
// reading, so that the client never rejects a value the server accepts.
const MaxValueBytes = 5 << 20

// The emulator enforces validate.MaxValueBytes: the two must agree (a negative constant does not
// convert to uint, so either difference being non-zero in the wrong direction fails to compile).
const _ = uint(MaxValueBytes-validate.MaxValueBytes) + uint(validate.MaxValueBytes-MaxValueBytes)

// SecretsService creates, reads, updates, deletes and shares secrets: the /v1/secrets endpoints.
type SecretsService struct {
	client *Client
}

// Secret is a named secret. fmt and slog print it with its value redacted.
type Secret struct {
	ID            string     // secretID
	Name          string     // unique within the organization
	Value         *string    // nil when the API withheld it: the caller may see the secret but not read it
	CreatedBy     string     // ID of the user who created it
	CreatedAt     time.Time  // zero when the service sent no readable timestamp
	LastUpdatedBy string     // ID of the user who last set its value
	LastUpdatedAt time.Time  // zero when the service sent no readable timestamp
	DeletedBy     string     // set only on deleted secrets
	DeletedAt     *time.Time // set only on deleted secrets
}

// ListSecretsOptions filters List.
type ListSecretsOptions struct {
	// Name, when set, asks the service for secrets of that name only.
	Name string
}

// List returns the secrets of the organization that the caller may see: GET /v1/secrets, with
// ?name= when opts.Name is set, as the service sent them. With ?name=, a nil Value means the caller
// may not read the secret; in an unfiltered list it may also mean that the service leaves values out
// of lists (not documented either way), so read values with GetByName or GetMany. Errors: ErrInvalidName
// for an invalid opts.Name (before any request), *APIError for a non-2xx response (ErrUnauthorized,
// ErrForbidden, ErrRateLimited…), *RequestError when no response came (context, network).
func (s *SecretsService) List(ctx context.Context, opts *ListSecretsOptions) ([]*Secret, error) {
	r := &request{method: http.MethodGet, path: "/secrets", idempotent: true, maxBody: maxListBody}
	if opts != nil && opts.Name != "" {
		if err := checkName(opts.Name); err != nil {
			return nil, err
		}
		r.query = "name=" + url.QueryEscape(opts.Name)
	}
	return s.client.listSecrets(ctx, r)
}

func (c *Client) listSecrets(ctx context.Context, r *request) ([]*Secret, error) {
	var list []wire.Secret
	err := c.do(ctx, r, func(data []byte) error {
		var err error
		if list, err = wire.DecodeSecretList(data); err != nil {
			return invalidResponse(err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Secret, len(list))
	for i := range list {
		out[i] = secretFromWire(&list[i])
	}
	return out, nil
}

// Get returns the secret with ID secretID: GET /v1/secrets/{secretID}. Errors: ErrInvalidArgument
// for an ID that is not a UUID (before any request; a name gets a hint to use GetByName),
// ErrNotFound (an *APIError) for an unknown ID, and those of List.
func (s *SecretsService) Get(ctx context.Context, secretID string) (*Secret, error) {
	if err := checkID(secretIDArg, secretID); err != nil {
		return nil, err
	}
	var w wire.Secret
	r := &request{method: http.MethodGet, path: "/secrets/" + url.PathEscape(secretID), idempotent: true}
	if err := s.client.do(ctx, r, decodeJSON(&w)); err != nil {
		return nil, err
	}
	return secretFromWire(&w), nil
}

// GetByName returns the secret named name: GET /v1/secrets?name=, keeping exact matches only.
// Errors: ErrInvalidName (before any request); ErrNotFound when no secret has that name; ErrAmbiguous
// when several do; and those of List. A secret the caller may not read comes back with a nil Value.
func (s *SecretsService) GetByName(ctx context.Context, name string) (*Secret, error) {
	return s.client.secretByName(ctx, name, "")
}

func (c *Client) secretByName(ctx context.Context, name, orgID string) (*Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	r := &request{method: http.MethodGet, path: "/secrets", query: "name=" + url.QueryEscape(name),
		idempotent: true, maxBody: maxListBody, orgID: orgID}
	list, err := c.listSecrets(ctx, r)
	if err != nil {
		return nil, err
	}
	exact := slices.DeleteFunc(list, func(s *Secret) bool { return s.Name != name })
	return onlyMatch(exact, func(sentinel error) error { return secretNameError(name, sentinel) })
}

// Create creates a secret: POST /v1/secrets. The caller becomes its Owner. A create is retried only
// when the request cannot have reached the server (or on 429), so it is never silently duplicated;
// after a lost response, look the name up before creating again. Errors: ErrInvalidName,
// ErrValueTooLarge, and ErrInvalidArgument for a value that is not valid UTF-8 (all before any
// request); ErrConflict when the name is taken; those of List.
func (s *SecretsService) Create(ctx context.Context, name, value string) (*Secret, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if err := checkValue(value); err != nil {
		return nil, err
	}
	var w wire.Secret
	r := &request{method: http.MethodPost, path: "/secrets", body: &wire.CreateSecret{Name: name, Value: value}, secret: value}
	if err := s.client.do(ctx, r, decodeJSON(&w)); err != nil {
		return nil, err
	}
	return secretFromWire(&w), nil
}

// Update sets the value of a secret: PATCH /v1/secrets/{secretID}. Secrets cannot be renamed. Only an
// Owner may update. Errors: ErrInvalidArgument for an ID that is not a UUID or a value that is not
// valid UTF-8, and ErrValueTooLarge (all before any request); ErrNotFound, ErrForbidden and the
// others of Get.
func (s *SecretsService) Update(ctx context.Context, secretID, value string) (*Secret, error) {
	if err := checkID(secretIDArg, secretID); err != nil {
		return nil, err
	}
	if err := checkValue(value); err != nil {
		return nil, err
	}
	var w wire.Secret
	r := &request{method: http.MethodPatch, path: "/secrets/" + url.PathEscape(secretID),
		body: &wire.UpdateSecret{Value: value}, idempotent: true, secret: value}
	if err := s.client.do(ctx, r, decodeJSON(&w)); err != nil {
		return nil, err
	}
	return secretFromWire(&w), nil
}

// Delete deletes a secret: DELETE /v1/secrets/{secretID}. Only an Owner may delete. A DELETE that
// was retried after an attempt that may have been processed (a 5xx, a connection lost after sending),
// then answered 404, counts as done: that attempt deleted the secret but its answer was lost.
// Errors: ErrInvalidArgument for an ID that is not a UUID (before any request); ErrNotFound,
// ErrForbidden and the others of Get.
func (s *SecretsService) Delete(ctx context.Context, secretID string) error {
	if err := checkID(secretIDArg, secretID); err != nil {
		return err
	}
	r := &request{method: http.MethodDelete, path: "/secrets/" + url.PathEscape(secretID), idempotent: true,
		notFoundMeansDone: true}
	return s.client.do(ctx, r, nil)
}

func secretFromWire(w *wire.Secret) *Secret {
	s := &Secret{
		ID:            w.SecretID,
		Name:          w.Name,
		Value:         w.Value,
		CreatedBy:     w.CreatedBy,
		CreatedAt:     w.CreatedAt.Time,
		LastUpdatedBy: w.LastUpdatedBy,
		LastUpdatedAt: w.LastUpdatedAt.Time,
		DeletedBy:     w.DeletedBy,
	}
	if w.DeletedAt != nil && !w.DeletedAt.IsZero() {
		t := w.DeletedAt.Time
		s.DeletedAt = &t
	}
	return s
}

// String describes the secret without its value.
func (s Secret) String() string {
	value := "<withheld>"
	if s.Value != nil {
		value = redactedValue
	}
	return fmt.Sprintf("Secret{ID: %q, Name: %q, Value: %s, CreatedBy: %q, CreatedAt: %s, LastUpdatedBy: %q, LastUpdatedAt: %s}",
		s.ID, s.Name, value, s.CreatedBy, s.CreatedAt.Format(time.RFC3339), s.LastUpdatedBy, s.LastUpdatedAt.Format(time.RFC3339))
}

// Format prints the secret as String does, whatever the verb, so no verb can reveal the value.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(s.String())) }

// LogValue logs the secret without its value. (A pointer receiver, so that a nil *Secret logs as
// <nil>; a Secret value logged without it still prints through Format or MarshalJSON.)
func (s *Secret) LogValue() slog.Value {
	if s == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(slog.String("id", s.ID), slog.String("name", s.Name),
		slog.Bool("readable", s.Value != nil), slog.String("value", redactedValue))
}

// MarshalJSON encodes the secret in the API's shape with its value redacted, so that a Secret
// reaching a JSON log handler or an encoder by accident does not carry its value. To encode a value
// on purpose, copy it into a type of your own.
func (s Secret) MarshalJSON() ([]byte, error) {
	w := wire.Secret{
		SecretID:      s.ID,
		Name:          s.Name,
		CreatedBy:     s.CreatedBy,
		CreatedAt:     wire.Time{Time: s.CreatedAt},
		LastUpdatedBy: s.LastUpdatedBy,
		LastUpdatedAt: wire.Time{Time: s.LastUpdatedAt},
		DeletedBy:     s.DeletedBy,
	}
	if s.Value != nil {
		redacted := redactedValue
		w.Value = &redacted
	}
	if s.DeletedAt != nil {
		w.DeletedAt = &wire.Time{Time: *s.DeletedAt}
	}
	return json.Marshal(w)
}

// redactedValue stands for a value in everything the SDK prints.
const redactedValue = redact.Mask
