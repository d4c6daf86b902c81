package secrets_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	secrets "github.com/helios-secrets/go-secrets"
)

func TestWithEnvFunc(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		secrets.EnvManagementToken:   " key-123 ",
		secrets.EnvManagementBaseURL: "http://127.0.0.1:9",
		secrets.EnvManagementVersion: "v2",
		secrets.EnvOrganization:      testOrgID,
	}
	c, err := secrets.NewClient(secrets.WithEnvFunc(func(k string) string { return env[k] }))
	require.NoError(t, err)
	info := c.Info()
	assert.Equal(t, secrets.EnvManagementToken, info.TokenSource)
	assert.Equal(t, "http://127.0.0.1:9/v2", info.BaseURL)
	assert.Equal(t, testOrgID, info.OrganizationID)
	assert.False(t, info.TokenIsJWT)
}

func TestWithEnvFuncLaterOptionsWin(t *testing.T) {
	t.Parallel()
	getenv := func(k string) string {
		if k == secrets.EnvManagementToken {
			return "from-env"
		}
		return ""
	}
	c, err := secrets.NewClient(secrets.WithEnvFunc(getenv), secrets.WithBaseURL("http://localhost:1"), secrets.WithOrganizationID(otherOrgID))
	require.NoError(t, err)
	assert.Equal(t, "http://localhost:1/v1", c.Info().BaseURL)
	assert.Equal(t, otherOrgID, c.Info().OrganizationID)
}

func TestWithEnvFuncErrors(t *testing.T) {
	t.Parallel()
	_, err := secrets.NewClient(secrets.WithEnvFunc(nil))
	require.ErrorIs(t, err, secrets.ErrInvalidArgument)

	_, err = secrets.NewClient(secrets.WithEnvFunc(func(string) string { return "" }))
	require.ErrorIs(t, err, secrets.ErrNoCredentials)
}
