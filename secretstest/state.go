package secretstest

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Role names, as they appear on the wire and in Grant.Role.
const (
	RoleOwner  = "Owner"
	RoleReader = "Reader"
)

var roleDescriptions = map[string]string{
	RoleOwner:  "Can read, update, share and delete the secret",
	RoleReader: "Can read the secret's value",
}

type principalKind uint8

const (
	kindUser principalKind = iota + 1
	kindTeam
)

// user is an identity with a token: an organization member, or the API key's synthetic identity.
type user struct {
	id, email, firstName, lastName, token string
	seq                                   uint64
}

func (u *user) info() userJSON {
	return userJSON{UserID: u.id, Email: u.email, FirstName: u.firstName, LastName: u.lastName}
}

// member renders u as a full User, with its kind.
func (u *user) member() memberJSON {
	return memberJSON{userJSON: u.info(), UserKind: userKindStandard}
}

type team struct {
	id, name, description string
	members               map[string]bool // user IDs
	seq                   uint64
}

func (t *team) info() teamJSON {
	return teamJSON{TeamID: t.id, Name: t.name, Description: t.description}
}

// binding gives a role on a secret to one user or one team.
type binding struct {
	role      string
	kind      principalKind
	principal string // user or team ID
	createdAt time.Time
	createdBy userJSON // kept as it was when granted, even if that user leaves later
}

type secret struct {
	id, name, value          string
	createdBy, lastUpdatedBy string
	createdAt, lastUpdatedAt time.Time
	bindings                 []binding
	seq                      uint64
}

// state is the whole organization. Every method expects the Server's mutex to be held.
type state struct {
	orgID, orgName string
	orgCreatedAt   time.Time
	key            *user // the organization API key's identity: an organization owner, not a member
	users          map[string]*user
	tokens         map[string]*user
	teams          map[string]*team
	secrets        map[string]*secret
	names          map[string]string // secret name → secret ID
	seq            uint64
	tokenKey       []byte // signs member tokens (newUserToken)
}

func newState(orgName, apiKey string, now time.Time) state {
	key := &user{
		id:        newUUID(),
		email:     "api-key@" + slug(orgName),
		firstName: "API",
		lastName:  "Key",
		token:     apiKey,
	}
	return state{
		orgID:        newUUID(),
		orgName:      orgName,
		orgCreatedAt: now,
		key:          key,
		users:        map[string]*user{},
		tokens:       map[string]*user{apiKey: key},
		teams:        map[string]*team{},
		secrets:      map[string]*secret{},
		names:        map[string]string{},
		tokenKey:     randomKey(),
	}
}

func randomKey() []byte {
	key := make([]byte, 32)
	randomBytes(key)
	return key
}

func (st *state) next() uint64 { st.seq++; return st.seq }

// active reports whether u may still act: the API key always, a member until removed.
func (st *state) active(u *user) bool {
	return u != nil && (u == st.key || st.users[u.id] == u)
}

// holds reports whether member u holds role on sec directly or through one of its teams.
func (st *state) holds(sec *secret, u *user, role string) bool {
	for _, b := range sec.bindings {
		if b.role != role {
			continue
		}
		switch b.kind {
		case kindUser:
			if b.principal == u.id {
				return true
			}
		case kindTeam:
			if t := st.teams[b.principal]; t != nil && t.members[u.id] {
				return true
			}
		}
	}
	return false
}

func (st *state) isOwner(sec *secret, u *user) bool {
	return u == st.key || st.holds(sec, u, RoleOwner)
}

func (st *state) canRead(sec *secret, u *user) bool {
	return st.isOwner(sec, u) || st.holds(sec, u, RoleReader)
}

// writable returns the secret an Owner-only request names, or the reply that refuses it: 404 for an
// unknown ID before 403 for a caller who is not an Owner.
func (st *state) writable(id string, u *user) (*secret, *reply) {
	sec := st.secrets[id]
	switch {
	case sec == nil:
		return nil, &errSecretNotFound
	case !st.isOwner(sec, u):
		return nil, &errNotOwner
	}
	return sec, nil
}

// principal returns the identity a user binding names: a member, or the API key's identity.
func (st *state) principal(id string) *user {
	if id == st.key.id {
		return st.key
	}
	return st.users[id]
}

// owned reports whether sec has an Owner grant: to a member or to the API key's identity (which has
// one on the secrets it creates), directly, or through a team with members. The API key's inherited
// organization-owner grant does not count: otherwise no secret could ever be left without an Owner.
func (st *state) owned(sec *secret) bool {
	for _, b := range sec.bindings {
		if b.role != RoleOwner {
			continue
		}
		switch b.kind {
		case kindUser:
			if st.principal(b.principal) != nil {
				return true
			}
		case kindTeam:
			if t := st.teams[b.principal]; t != nil && len(t.members) > 0 {
				return true
			}
		}
	}
	return false
}

// create stores a new secret made by u, whose creator gets a direct Owner grant: a member, or the API
// key's identity (which also owns every secret through the organization). It reports false when the
// name is taken.
func (st *state) create(u *user, name, value string, now time.Time) (*secret, bool) {
	if _, taken := st.names[name]; taken {
		return nil, false
	}
	sec := &secret{
		id: newUUID(), name: name, value: value,
		createdBy: u.id, lastUpdatedBy: u.id,
		createdAt: now, lastUpdatedAt: now,
		seq: st.next(),
	}
	sec.bindings = []binding{{role: RoleOwner, kind: kindUser, principal: u.id, createdAt: now, createdBy: u.info()}}
	st.secrets[sec.id] = sec
	st.names[name] = sec.id
	return sec, true
}

func (st *state) remove(sec *secret) {
	delete(st.secrets, sec.id)
	delete(st.names, sec.name)
}

// bind adds a binding unless the same (role, principal) binding exists.
func (st *state) bind(sec *secret, b binding) {
	for _, have := range sec.bindings {
		if have.role == b.role && have.kind == b.kind && have.principal == b.principal {
			return
		}
	}
	sec.bindings = append(sec.bindings, b)
}

// unbind removes the (role, principal) binding and reports whether there was one.
func (st *state) unbind(sec *secret, role string, kind principalKind, principal string) bool {
	n := len(sec.bindings)
	sec.bindings = slices.DeleteFunc(sec.bindings, func(b binding) bool {
		return b.role == role && b.kind == kind && b.principal == principal
	})
	return len(sec.bindings) != n
}

// removeUser takes a member out of the organization: token, team memberships and bindings go, and
// every secret they owned that no other member owns is deleted.
func (st *state) removeUser(id string) {
	u := st.users[id]
	if u == nil {
		return
	}
	var owned []*secret
	for _, sec := range st.secrets {
		if st.holds(sec, u, RoleOwner) {
			owned = append(owned, sec)
		}
	}
	delete(st.users, id)
	delete(st.tokens, u.token)
	for _, t := range st.teams {
		delete(t.members, id)
	}
	for _, sec := range st.secrets {
		sec.bindings = slices.DeleteFunc(sec.bindings, func(b binding) bool {
			return b.kind == kindUser && b.principal == id
		})
	}
	for _, sec := range owned {
		if !st.owned(sec) {
			st.remove(sec)
		}
	}
}

func (st *state) findUserByEmail(email string) *user {
	for _, u := range st.users {
		if strings.EqualFold(u.email, email) {
			return u
		}
	}
	return nil
}

// sortedSecrets returns the secrets in creation order.
func (st *state) sortedSecrets() []*secret {
	out := make([]*secret, 0, len(st.secrets))
	for _, sec := range st.secrets {
		out = append(out, sec)
	}
	slices.SortFunc(out, func(a, b *secret) int { return cmpSeq(a.seq, b.seq) })
	return out
}

func (st *state) sortedUsers() []*user {
	out := make([]*user, 0, len(st.users))
	for _, u := range st.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *user) int { return cmpSeq(a.seq, b.seq) })
	return out
}

func (st *state) sortedTeams() []*team {
	out := make([]*team, 0, len(st.teams))
	for _, t := range st.teams {
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *team) int { return cmpSeq(a.seq, b.seq) })
	return out
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// secretJSON renders sec for caller u: the value only when u may read it.
func (st *state) secretJSON(sec *secret, u *user) secretJSON {
	out := secretJSON{
		SecretID: sec.id, Name: sec.name,
		CreatedBy: sec.createdBy, CreatedAt: timestamp(sec.createdAt),
		LastUpdatedBy: sec.lastUpdatedBy, LastUpdatedAt: timestamp(sec.lastUpdatedAt),
	}
	if st.canRead(sec, u) {
		v := sec.value
		out.Value = &v
	}
	return out
}

// slug turns an organization name into a host-like label for the API key's e-mail address.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		return "organization"
	}
	return s
}

// namesFromEmail derives a first and last name from an e-mail's local part: "ada.lovelace@x" gives
// "Ada", "Lovelace".
func namesFromEmail(email string) (first, last string) {
	local, _, _ := strings.Cut(email, "@")
	first, last, _ = strings.Cut(local, ".")
	return capitalize(first), capitalize(last)
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
