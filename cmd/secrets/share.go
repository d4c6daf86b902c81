package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	secrets "github.com/helios-secrets/go-secrets"
)

func shareCommand() *command {
	var readers, owners, to stringList
	var role roleFlag
	var revoke, yes bool
	return &command{
		name:    "share",
		args:    "NAME",
		summary: "give (or with --revoke take away) roles on a secret",
		details: `Gives the Reader or Owner role on secret NAME to users and teams, or with --revoke takes
it away. Readers may read the value; Owners may also update, share and delete the secret.
Only an Owner may share (else exit 4).

WHO is a user's e-mail address, or team:NAME for a team (user:EMAIL is accepted too).
--reader and --owner may be repeated and combined:

    secrets share DB_PASSWORD --reader alice@example.com --reader team:analysts
    secrets share DB_PASSWORD --owner bob@example.com
    secrets share DB_PASSWORD --revoke --reader alice@example.com

Any other role (the service may know custom roles) is named with --role, once per command,
and given to every --to WHO; the service decides whether the role exists:

    secrets share DB_PASSWORD --role Auditor --to alice@example.com --to team:audit

Every e-mail address and team name is looked up first; when any is unknown, nothing is
changed and the command exits with 3, naming each unknown one. All changes are then made
in one request.

The service deletes a secret that is left without an Owner. When --revoke would take the
Owner role from every user and team that holds it directly, the command asks first (or,
when standard input is not a terminal, refuses unless --yes is given).`,
		setup: func(fs *flag.FlagSet) runner {
			fs.Var(&readers, "reader", "give the Reader role to `WHO` (repeatable)")
			fs.Var(&owners, "owner", "give the Owner role to `WHO` (repeatable)")
			fs.Var(&role, "role", "give the role `ROLE` to every --to WHO (once per command)")
			fs.Var(&to, "to", "give the --role role to `WHO` (repeatable)")
			fs.BoolVar(&revoke, "revoke", false, "take the roles away instead of giving them")
			fs.BoolVar(&yes, "yes", false, "do not ask before revoking the last Owners")
			spec := func() shareSpec {
				return shareSpec{readers: readers, owners: owners, role: role.name, to: to, roleSet: role.set, revoke: revoke}
			}
			// The request is built, and so checked, before the client: a bad command line makes no call.
			var req *secrets.ShareByNameRequest
			var who map[secrets.Role][]identity
			check := func(_ *app, args []string) (string, error) {
				name, err := oneName("share", args)
				if err != nil {
					return "", err
				}
				if req, who, err = shareRequest(spec()); err != nil {
					return "", usagef("share", "share: %v", err)
				}
				return name, nil
			}
			return apiRunner(check, perPhase, func(ctx context.Context, a *app, name string, c *secrets.Client) error {
				return runShare(ctx, a, name, c, req, who, yes)
			})
		},
	}
}

type shareSpec struct {
	readers, owners []string
	role            string   // --role
	roleSet         bool     // --role was given, even empty
	to              []string // the holders of --role
	revoke          bool
}

// roleFlag is --role: given at most once, and told apart from an empty value.
type roleFlag struct {
	name string
	set  bool
}

func (f *roleFlag) String() string { return f.name }

func (f *roleFlag) Set(v string) error {
	if f.set {
		return errors.New("given more than once: one --role per command")
	}
	f.name, f.set = v, true
	return nil
}

// roleChanges returns the WHO values of each role of spec, Reader and Owner first, then --role
// (merged with them when it names one of them).
func (spec shareSpec) roleChanges() ([]secrets.Role, map[secrets.Role][]string, error) {
	roles := []secrets.Role{secrets.RoleReader, secrets.RoleOwner}
	whos := map[secrets.Role][]string{secrets.RoleReader: spec.readers, secrets.RoleOwner: spec.owners}
	switch {
	case spec.roleSet && len(spec.to) == 0:
		return nil, nil, errors.New("--role needs at least one --to WHO")
	case !spec.roleSet && len(spec.to) > 0:
		return nil, nil, errors.New("--to needs --role ROLE (or use --reader or --owner)")
	case !spec.roleSet:
		return roles, whos, nil
	}
	if err := checkRoleName(spec.role); err != nil {
		return nil, nil, err
	}
	role := secrets.Role(spec.role)
	if _, known := whos[role]; !known {
		roles = append(roles, role)
	}
	whos[role] = append(append([]string{}, whos[role]...), spec.to...)
	return roles, whos, nil
}

// checkRoleName refuses what the SDK would refuse as a role, before the command makes any request.
func checkRoleName(role string) error {
	switch {
	case strings.TrimSpace(role) == "":
		return errors.New("--role: empty role")
	case strings.TrimSpace(role) != role:
		return fmt.Errorf("--role %q: white space at an end", role)
	case !utf8.ValidString(role) || strings.IndexFunc(role, unicode.IsControl) >= 0:
		return fmt.Errorf("--role %q: a control character or invalid UTF-8", role)
	}
	return nil
}

// identity is a parsed WHO: an e-mail address or a team name.
type identity struct {
	email string
	team  string
}

func (id identity) String() string {
	if id.team != "" {
		return "team " + id.team
	}
	return id.email
}

// parseIdentity reads WHO: team:NAME is a team, user:EMAIL or anything with an @ is a user.
func parseIdentity(s string) (identity, error) {
	s = strings.TrimSpace(s)
	if name, ok := strings.CutPrefix(s, "team:"); ok {
		if name = strings.TrimSpace(name); name == "" {
			return identity{}, fmt.Errorf("%q: empty team name", s)
		}
		return identity{team: name}, nil
	}
	email, explicit := strings.CutPrefix(s, "user:")
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		return identity{}, fmt.Errorf("%q: empty e-mail address", s)
	case !strings.Contains(email, "@"):
		if explicit {
			return identity{}, fmt.Errorf("%q is not an e-mail address", s)
		}
		return identity{}, fmt.Errorf("%q is neither an e-mail address nor team:NAME", s)
	}
	return identity{email: email}, nil
}

// namedChange turns the WHO values of one role into a NamedAccessChange, without duplicates.
func namedChange(role secrets.Role, whos []string) (secrets.NamedAccessChange, []identity, error) {
	ch := secrets.NamedAccessChange{Role: role}
	var ids []identity
	seen := map[identity]bool{}
	for _, who := range whos {
		id, err := parseIdentity(who)
		if err != nil {
			return ch, nil, err
		}
		key := identity{email: strings.ToLower(id.email), team: id.team}
		if seen[key] {
			continue
		}
		seen[key] = true
		ids = append(ids, id)
		if id.team != "" {
			ch.TeamNames = append(ch.TeamNames, id.team)
		} else {
			ch.UserEmails = append(ch.UserEmails, id.email)
		}
	}
	return ch, ids, nil
}

// shareRequest builds the request of a share command line.
func shareRequest(spec shareSpec) (*secrets.ShareByNameRequest, map[secrets.Role][]identity, error) {
	roles, whos, err := spec.roleChanges()
	if err != nil {
		return nil, nil, err
	}
	var changes []secrets.NamedAccessChange
	who := map[secrets.Role][]identity{}
	for _, role := range roles {
		if len(whos[role]) == 0 {
			continue
		}
		ch, ids, err := namedChange(role, whos[role])
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, ch)
		who[role] = ids
	}
	if len(changes) == 0 {
		return nil, nil, errors.New("nothing to share: give at least one --reader, --owner or --role ROLE --to")
	}
	req := &secrets.ShareByNameRequest{}
	if spec.revoke {
		req.Revokes = changes
	} else {
		req.Grants = changes
	}
	return req, who, nil
}

// runShare makes the change req of a share command line (built by shareRequest, with who the
// identities of each role); yes skips the question before revoking the last Owners.
func runShare(ctx context.Context, a *app, name string, c *secrets.Client, req *secrets.ShareByNameRequest, who map[secrets.Role][]identity, yes bool) error {
	revoke := len(req.Revokes) > 0
	lookupCtx, cancel := a.apiContext(ctx)
	s, err := c.Secrets.GetByName(lookupCtx, name)
	// Revoking Owners: check that some direct Owner remains, else ask (the prompt's time does not
	// count against the time limit: no call is made while it waits).
	if err == nil && revoke && len(who[secrets.RoleOwner]) > 0 && !yes {
		var roles []*secrets.RoleAccess
		if roles, err = c.Secrets.Access(lookupCtx, s.ID); err == nil && !ownersRemain(roles, who[secrets.RoleOwner]) {
			err = a.confirmLastOwner(name)
		}
	}
	cancel()
	if err != nil {
		return ownerOnly(err, name, "share")
	}

	ctx, cancel = a.apiContext(ctx)
	defer cancel()
	if err := c.Secrets.ShareByName(ctx, s.ID, req); err != nil {
		var unknown *secrets.ShareLookupError
		if errors.As(err, &unknown) {
			msgs := make([]string, len(unknown.Lookups))
			for i, e := range unknown.Lookups {
				msgs[i] = describe(e)
			}
			return &cliError{code: exitCode(err), err: err,
				msg: fmt.Sprintf("share: nothing changed: %s", strings.Join(msgs, "; "))}
		}
		return ownerOnly(err, name, "share")
	}
	verb, prep := "gave", "to"
	if revoke {
		verb, prep = "took", "from"
	}
	for _, ch := range slices.Concat(req.Grants, req.Revokes) {
		ids := who[ch.Role]
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = id.String()
		}
		fmt.Fprintf(a.stderr, "secrets: %s the %s role on %s %s %s\n", verb, ch.Role, name, prep, strings.Join(names, ", "))
	}
	return nil
}

// ownersRemain reports whether some direct Owner of a secret is not among revoked. Inherited
// grants (the organization's owners) do not keep a secret alive.
func ownersRemain(roles []*secrets.RoleAccess, revoked []identity) bool {
	gone := map[string]bool{}
	for _, id := range revoked {
		if id.team != "" {
			gone["team:"+id.team] = true
		} else {
			gone["user:"+strings.ToLower(id.email)] = true
		}
	}
	for _, r := range roles {
		if r.Role != secrets.RoleOwner {
			continue
		}
		for _, g := range r.Grants {
			switch {
			case g.InheritedFrom != nil:
			case g.User != nil && !gone["user:"+strings.ToLower(g.User.Email)]:
				return true
			case g.Team != nil && !gone["team:"+g.Team.Name]:
				return true
			}
		}
	}
	return false
}

// confirmLastOwner asks before a revocation that leaves a secret without a direct Owner.
func (a *app) confirmLastOwner(name string) error {
	what := fmt.Sprintf("this leaves secret %s without an Owner, and the service then deletes it", name)
	if !isTerminal(a.stdin) {
		return usagef("share", "share: refusing to revoke: %s; pass --yes to do it anyway", what)
	}
	if !a.confirm("Revoking " + what + ". Continue?") {
		return &cliError{code: exitError, msg: fmt.Sprintf("share: nothing changed on secret %s", name)}
	}
	return nil
}
