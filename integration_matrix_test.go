package secrets_test

import (
	"strings"
	"testing"

	"github.com/helios-secrets/go-secrets/secretstest"
)

// TestIntegration runs every integration scenario under every emulator profile: each combination of
// the behaviours the official sources disagree on (list shape, values in unfiltered lists, literal or
// regular-expression look-ups). The SDK must pass all of them, since the live service may behave as
// any one does. Two kinds of scenario run under fewer profiles, and check themselves that they may: one
// whose every call is refused before any request (default profile only: it asserts the server saw no
// request), and one whose requests only the list shape can change (with and without BareLists: it
// asserts, last, that it made no unfiltered list and no user or team look-up).
func TestIntegration(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		run  func(*testing.T, secretstest.Profile)
	}{
		{"SecretLifecycle", itSecretLifecycle},
		{"NameConflict", itNameConflict},
		{"OnlyCreatorReadsByDefault", itOnlyCreatorReadsByDefault},
		{"ShareRoles", itShareRoles},
		{"CustomRoles", itCustomRoles},
		{"Access", itAccess},
		{"NoOwnerLeftDeletesSecret", itNoOwnerLeftDeletesSecret},
		{"ShareByNameUnknownChangesNothing", itShareByNameUnknownChangesNothing},
		{"LookupsFindExactlyTheNamed", itLookupsFindExactlyTheNamed},
		{"BulkReads", itBulkReads},
		{"Organization", itOrganization},
		{"Unauthorized", itUnauthorized},
		{"Retries", itRetries},
		{"Concurrency", itConcurrency},
	}
	// Offline scenarios: every call is refused before any request (each asserts that the server saw
	// none), so no profile can change their outcome.
	offline := []struct {
		name string
		run  func(*testing.T, secretstest.Profile)
	}{
		{"InvalidArgumentsReachNoServer", itInvalidArgumentsReachNoServer},
	}
	for _, sc := range offline {
		t.Run(itProfileName(secretstest.Profile{})+"/"+sc.name, func(t *testing.T) {
			t.Parallel()
			sc.run(t, secretstest.Profile{})
		})
	}
	// List-shape scenarios: every request reads a secret by ID or by name, or writes one (each
	// checks so last), so of the profiles' behaviours they meet the list shape only.
	listShape := []struct {
		name string
		run  func(*testing.T, secretstest.Profile)
	}{
		{"ValueSizeLimit", itValueSizeLimit}, // 5 MiB through JSON: the slowest scenario under -race
	}
	for _, p := range []secretstest.Profile{{}, {BareLists: true}} {
		for _, sc := range listShape {
			t.Run(itProfileName(p)+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, p)
			})
		}
	}
	for _, p := range itProfiles() {
		for _, sc := range scenarios {
			t.Run(itProfileName(p)+"/"+sc.name, func(t *testing.T) {
				t.Parallel()
				sc.run(t, p)
			})
		}
	}
}

// itProfiles is every Profile: the zero one (the emulator's default) and each combination of its
// three behaviours, the published specification's reading (all three) among them.
func itProfiles() []secretstest.Profile {
	var out []secretstest.Profile
	for bits := range 8 {
		out = append(out, secretstest.Profile{BareLists: bits&1 != 0, ValuesOnlyByName: bits&2 != 0, RegexLookups: bits&4 != 0})
	}
	return out
}

// itProfileName names a profile by the behaviours it turns on ("default" for none).
func itProfileName(p secretstest.Profile) string {
	var parts []string
	if p.BareLists {
		parts = append(parts, "bare-lists")
	}
	if p.ValuesOnlyByName {
		parts = append(parts, "values-only-by-name")
	}
	if p.RegexLookups {
		parts = append(parts, "regex-lookups")
	}
	if len(parts) == 0 {
		return "default"
	}
	return strings.Join(parts, "+")
}
