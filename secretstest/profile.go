package secretstest

// Profile selects how the Server answers where the service's official sources disagree (the
// published OpenAPI document, from which the official Go client is generated, and the Python SDK
// with its tests against the live service). The zero Profile is the default: wrapped lists with
// values, literal look-ups. Profile{BareLists: true, ValuesOnlyByName: true, RegexLookups: true}
// behaves as the published document reads in every respect.
type Profile struct {
	// BareLists makes GET /v1/secrets answer a bare JSON array of secrets, as the published
	// document specifies, instead of {"secrets":[…]}, as the Python SDK reads it.
	BareLists bool

	// ValuesOnlyByName leaves `value` out of every secret in an unfiltered GET /v1/secrets: values
	// come only from GET /v1/secrets?name= and GET /v1/secrets/{secretID}, as the Python SDK reads
	// them.
	ValuesOnlyByName bool

	// RegexLookups makes GET /v1/users?email= and GET /v1/teams?name= match their parameter as a
	// regular expression (Go's RE2 syntax; an unanchored search, e-mail addresses case-insensitively),
	// as the published document's "matching this value or regular expression" reads: then
	// "alice+ml@example.com" does not find itself ("+" is a quantifier), "data.eng" also finds
	// "dataXeng", and an invalid pattern such as "C++ (eu)" is answered 400. Without it, both match
	// literally: e-mail addresses case-insensitively, team names exactly.
	RegexLookups bool
}

// WithProfile sets how the Server answers where the official sources disagree (see Profile). The
// zero Profile, the default, keeps the Server's usual behaviour.
func WithProfile(p Profile) Option {
	return func(c *config) { c.profile = p }
}
