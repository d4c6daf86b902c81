package secretstest

import (
	"net/http"
	"strconv"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

var (
	errSecretNotFound = fail(http.StatusNotFound, "secret not found")
	errNotOwner       = fail(http.StatusForbidden, "this operation requires the Owner role on the secret")
	errNameMissing    = fail(http.StatusBadRequest, "name is required")
	errValueTooLarge  = fail(http.StatusBadRequest, "value exceeds the limit of "+strconv.Itoa(validate.MaxValueBytes)+" bytes")
	errValueMissing   = fail(http.StatusBadRequest, "value is required")
)

// badName is the 400 for a name that breaks the rule. It says what is wrong as the SDK does (the
// offending character, escaped, and its position), never the rest of the name: a client in another
// language may send a value where the name belongs.
func badName(name string) reply {
	return fail(http.StatusBadRequest, "invalid secret name: "+validate.NameError(name))
}

// GET /v1/secrets[?name=]: every member sees every secret; values only where they hold a role (and,
// under Profile.ValuesOnlyByName, only with ?name=). The list is wrapped in {"secrets":…} unless
// Profile.BareLists.
func (s *Server) listSecrets(c *call) reply {
	name := c.r.URL.Query().Get("name")
	return s.locked(c, func(st *state) reply {
		out := []secretJSON{}
		if name != "" { // names are unique: at most one match
			if sec := st.secrets[st.names[name]]; sec != nil {
				out = append(out, st.secretJSON(sec, c.me))
			}
		} else {
			for _, sec := range st.sortedSecrets() {
				js := st.secretJSON(sec, c.me)
				if s.profile.ValuesOnlyByName {
					js.Value = nil
				}
				out = append(out, js)
			}
		}
		if s.profile.BareLists {
			return ok(out)
		}
		return ok(secretListJSON{Secrets: out})
	})
}

// POST /v1/secrets {"name","value"}: the creator becomes Owner.
func (s *Server) createSecret(c *call) reply {
	var req createRequest
	if bad := c.decodeBody(&req); bad != nil {
		return *bad
	}
	switch {
	case req.Name == nil:
		return errNameMissing
	case !validate.ValidName(*req.Name):
		return badName(*req.Name)
	case req.Value == nil:
		return errValueMissing
	case len(*req.Value) > validate.MaxValueBytes:
		return errValueTooLarge
	}
	return s.locked(c, func(st *state) reply {
		sec, created := st.create(c.me, *req.Name, *req.Value, s.now())
		if !created {
			return fail(http.StatusConflict, "a secret with this name already exists in the organization")
		}
		return ok(st.secretJSON(sec, c.me))
	})
}

// GET /v1/secrets/{secretID}
func (s *Server) getSecret(c *call, id string) reply {
	return s.locked(c, func(st *state) reply {
		sec := st.secrets[id]
		if sec == nil {
			return errSecretNotFound
		}
		return ok(st.secretJSON(sec, c.me))
	})
}

// PATCH /v1/secrets/{secretID} {"value"}: Owners only; there is no rename.
func (s *Server) updateSecret(c *call, id string) reply {
	var req updateRequest
	bad := c.decodeBody(&req)
	return s.locked(c, func(st *state) reply {
		sec, refused := st.writable(id, c.me)
		switch {
		case refused != nil:
			return *refused
		case bad != nil:
			return *bad
		case req.Name != nil:
			return fail(http.StatusBadRequest, "a secret cannot be renamed: send only its value")
		case req.Value == nil:
			return errValueMissing
		case len(*req.Value) > validate.MaxValueBytes:
			return errValueTooLarge
		}
		sec.value = *req.Value
		sec.lastUpdatedBy = c.me.id
		sec.lastUpdatedAt = s.now()
		return ok(st.secretJSON(sec, c.me))
	})
}

// DELETE /v1/secrets/{secretID}: Owners only.
func (s *Server) deleteSecret(c *call, id string) reply {
	return s.locked(c, func(st *state) reply {
		sec, refused := st.writable(id, c.me)
		if refused != nil {
			return *refused
		}
		st.remove(sec)
		return ok(deletedJSON{SecretID: sec.id})
	})
}
