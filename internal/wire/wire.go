// Package wire holds the JSON shapes of the Management API, as sent and received, apart from the
// public types so that the public API can stay idiomatic while the wire stays exact.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Secret is the API's secret object.
type Secret struct {
	SecretID      string  `json:"secretID"`
	Name          string  `json:"name"`
	Value         *string `json:"value,omitempty"`
	CreatedBy     string  `json:"createdBy"`
	CreatedAt     Time    `json:"createdAt"`
	LastUpdatedBy string  `json:"lastUpdatedBy"`
	LastUpdatedAt Time    `json:"lastUpdatedAt"`
	DeletedBy     string  `json:"deletedBy,omitempty"`
	DeletedAt     *Time   `json:"deletedAt,omitempty"`
}

// SecretList is the live service's list response.
type SecretList struct {
	Secrets []Secret `json:"secrets"`
}

// DecodeSecretList accepts the wrapped form {"secrets":[…]} the live service sends and the bare
// array the published specification describes.
func DecodeSecretList(data []byte) ([]Secret, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, errors.New("empty body")
	}
	if trimmed[0] == '[' {
		var list []Secret
		err := json.Unmarshal(data, &list)
		return list, err
	}
	var wrapped SecretList
	err := json.Unmarshal(data, &wrapped)
	return wrapped.Secrets, err
}

// CreateSecret is the body of POST /v1/secrets.
type CreateSecret struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// UpdateSecret is the body of PATCH /v1/secrets/{secretID}.
type UpdateSecret struct {
	Value string `json:"value"`
}

// Organization is the response of GET /v1/organizations/current.
type Organization struct {
	OrgID          string   `json:"orgID"`
	Name           string   `json:"name"`
	FirewallRanges []string `json:"firewallRanges"`
}

// UserInfo is a user as the API describes one.
type UserInfo struct {
	UserID    string `json:"userID"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// TeamInfo is a team as the API describes one.
type TeamInfo struct {
	TeamID      string `json:"teamID"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Identity is the union of UserInfo and TeamInfo in a grant: a user when UserID is set, a team when
// TeamID is set.
type Identity struct {
	UserID      string `json:"userID"`
	Email       string `json:"email"`
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	TeamID      string `json:"teamID"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Inheritance says where an inherited grant comes from.
type Inheritance struct {
	ResourceID   string `json:"resourceID"`
	ResourceType string `json:"resourceType"`
	Role         string `json:"role"`
}

// Grant is one grant of a role.
type Grant struct {
	CreatedAt     Time         `json:"createdAt"`
	CreatedBy     *UserInfo    `json:"createdBy"`
	Identity      Identity     `json:"identity"`
	InheritedFrom *Inheritance `json:"inheritedFrom"`
}

// ResourceRole is one role on a resource with its grants.
type ResourceRole struct {
	Role        string  `json:"role"`
	Description string  `json:"description"`
	Grants      []Grant `json:"grants"`
}

// AccessChange is one entry of grants or revokes. Users and Teams are always sent, [] rather than null.
type AccessChange struct {
	Role  string   `json:"role"`
	Users []string `json:"users"`
	Teams []string `json:"teams"`
}

// AccessControls is the body of PATCH /v1/secrets/{secretID}/accessControls. Both arrays are always
// sent, [] rather than null.
type AccessControls struct {
	Grants  []AccessChange `json:"grants"`
	Revokes []AccessChange `json:"revokes"`
}
