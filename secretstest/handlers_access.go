package secretstest

import "net/http"

// GET /v1/secrets/{secretID}/accessControls: both roles, each with its grants; the API key's
// organization-owner grant is shown as inherited.
func (s *Server) getAccess(c *call, id string) reply {
	return s.locked(c, func(st *state) reply {
		sec := st.secrets[id]
		switch {
		case sec == nil:
			return errSecretNotFound
		case !st.canRead(sec, c.me): // any role, the API key's inherited Owner included
			return fail(http.StatusForbidden, "this operation requires a role on the secret")
		}
		return ok(st.accessJSON(sec))
	})
}

func (st *state) accessJSON(sec *secret) []roleJSON {
	out := make([]roleJSON, 0, 2)
	for _, role := range []string{RoleOwner, RoleReader} {
		r := roleJSON{Role: role, Description: roleDescriptions[role], Grants: []grantJSON{}}
		if role == RoleOwner {
			r.Grants = append(r.Grants, grantJSON{
				CreatedAt: timestamp(st.orgCreatedAt),
				Identity:  st.key.info(),
				InheritedFrom: &inheritJSON{
					ResourceID: st.orgID, ResourceType: "Organization", Role: RoleOwner,
				},
			})
		}
		for _, b := range sec.bindings {
			if b.role != role {
				continue
			}
			createdBy := b.createdBy
			g := grantJSON{CreatedAt: timestamp(b.createdAt), CreatedBy: &createdBy}
			switch b.kind {
			case kindUser:
				g.Identity = st.principal(b.principal).info()
			case kindTeam:
				g.Identity = st.teams[b.principal].info()
			}
			r.Grants = append(r.Grants, g)
		}
		out = append(out, r)
	}
	return out
}

// PATCH /v1/secrets/{secretID}/accessControls: Owners only. The whole request is validated before
// anything changes, so a 400 leaves the grants as they were. Revoking the last Owner grant deletes
// the secret (the request still succeeds).
func (s *Server) updateAccess(c *call, id string) reply {
	var req accessRequest
	bad := c.decodeBody(&req)
	return s.locked(c, func(st *state) reply {
		sec, refused := st.writable(id, c.me)
		switch {
		case refused != nil:
			return *refused
		case bad != nil:
			return *bad
		}
		if msg := st.checkAccess(req); msg != "" {
			return fail(http.StatusBadRequest, msg)
		}
		now := s.now()
		for _, ch := range req.Grants {
			for _, uid := range ch.Users {
				st.bind(sec, binding{role: ch.Role, kind: kindUser, principal: uid, createdAt: now, createdBy: c.me.info()})
			}
			for _, tid := range ch.Teams {
				st.bind(sec, binding{role: ch.Role, kind: kindTeam, principal: tid, createdAt: now, createdBy: c.me.info()})
			}
		}
		ownerRevoked := false
		for _, ch := range req.Revokes {
			for _, uid := range ch.Users {
				if st.unbind(sec, ch.Role, kindUser, uid) && ch.Role == RoleOwner {
					ownerRevoked = true
				}
			}
			for _, tid := range ch.Teams {
				if st.unbind(sec, ch.Role, kindTeam, tid) && ch.Role == RoleOwner {
					ownerRevoked = true
				}
			}
		}
		if ownerRevoked && !st.owned(sec) {
			st.remove(sec)
		}
		return ok(struct{}{})
	})
}

// checkAccess validates a share request against the state and returns a message for the first
// problem, or "". Messages do not echo IDs.
func (st *state) checkAccess(req accessRequest) string {
	type key struct {
		role string
		kind principalKind
		id   string
	}
	granted := map[key]bool{}
	for i, list := range [][]accessChange{req.Grants, req.Revokes} {
		for _, ch := range list {
			if _, known := roleDescriptions[ch.Role]; !known {
				return `unknown role: use "Owner" or "Reader"`
			}
			for _, uid := range ch.Users {
				if st.principal(uid) == nil {
					return "unknown user ID: users must be members of the organization or the API key's identity"
				}
				if i == 0 {
					granted[key{ch.Role, kindUser, uid}] = true
				} else if granted[key{ch.Role, kindUser, uid}] {
					return "the same role cannot be granted and revoked in one request"
				}
			}
			for _, tid := range ch.Teams {
				if st.teams[tid] == nil {
					return "unknown team ID"
				}
				if i == 0 {
					granted[key{ch.Role, kindTeam, tid}] = true
				} else if granted[key{ch.Role, kindTeam, tid}] {
					return "the same role cannot be granted and revoked in one request"
				}
			}
		}
	}
	return ""
}
