package secretstest

import (
	"fmt"
	"time"

	"github.com/helios-secrets/go-secrets/internal/validate"
)

// Secret is a copy of a stored secret, for assertions in tests. Changing it changes nothing.
type Secret struct {
	ID            string
	Name          string
	Value         string
	CreatedBy     string // user ID (APIKeyUser().ID when the API key created it)
	CreatedAt     time.Time
	LastUpdatedBy string
	LastUpdatedAt time.Time
	Grants        []Grant // direct role bindings, in the order they were made; the API key's is implicit
}

// Grant is one role binding on a secret: exactly one of UserID and TeamID is set.
type Grant struct {
	Role   string // RoleOwner or RoleReader
	UserID string
	TeamID string
}

func (sec *secret) public() Secret {
	out := Secret{
		ID: sec.id, Name: sec.name, Value: sec.value,
		CreatedBy: sec.createdBy, CreatedAt: sec.createdAt,
		LastUpdatedBy: sec.lastUpdatedBy, LastUpdatedAt: sec.lastUpdatedAt,
		Grants: make([]Grant, 0, len(sec.bindings)),
	}
	for _, b := range sec.bindings {
		g := Grant{Role: b.role}
		if b.kind == kindUser {
			g.UserID = b.principal
		} else {
			g.TeamID = b.principal
		}
		out.Grants = append(out.Grants, g)
	}
	return out
}

// Secrets returns copies of all live secrets, in creation order.
func (s *Server) Secrets() []Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	secs := s.st.sortedSecrets()
	out := make([]Secret, len(secs))
	for i, sec := range secs {
		out[i] = sec.public()
	}
	return out
}

// Secret returns a copy of the secret with the given name, if it exists.
func (s *Server) Secret(name string) (Secret, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sec := s.st.secrets[s.st.names[name]]; sec != nil {
		return sec.public(), true
	}
	return Secret{}, false
}

// SecretValue returns the value of the secret with the given name, if it exists.
func (s *Server) SecretValue(name string) (string, bool) {
	sec, found := s.Secret(name)
	return sec.Value, found
}

// AddSecret stores a secret without going through HTTP, as if creatorID had created it: a member's
// ID makes that member its Owner; "" or APIKeyUser().ID makes it a secret of the API key (owned only
// through the organization). It panics when the name is invalid or taken, the value too large, or
// creatorID is not a member: those are bugs in the test.
func (s *Server) AddSecret(name, value, creatorID string) Secret {
	if !validate.ValidName(name) {
		panic("secretstest: AddSecret: invalid secret name: " + validate.NameError(name))
	}
	if len(value) > validate.MaxValueBytes {
		panic(fmt.Sprintf("secretstest: AddSecret: value exceeds %d bytes", validate.MaxValueBytes))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	creator := s.st.key
	if creatorID != "" && creatorID != creator.id {
		if creator = s.st.users[creatorID]; creator == nil {
			panic(fmt.Sprintf("secretstest: AddSecret: %q is not the ID of a current member", creatorID))
		}
	}
	sec, created := s.st.create(creator, name, value, s.now())
	if !created {
		panic("secretstest: AddSecret: a secret with this name already exists")
	}
	return sec.public()
}
