module github.com/helios-secrets/go-secrets/compat/official

go 1.24

require (
	github.com/helios-secrets/go-secrets v0.0.0-00010101000000-000000000000
	github.com/singlestore-labs/singlestore-go/management v1.2.162
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require (
	github.com/apapsch/go-jsonmerge/v2 v2.0.0 // indirect
	github.com/deepmap/oapi-codegen v1.12.1 // indirect
	github.com/google/uuid v1.3.0 // indirect
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	github.com/hashicorp/go-retryablehttp v0.7.8 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sync v0.16.0 // indirect
)

replace github.com/helios-secrets/go-secrets => ../..
