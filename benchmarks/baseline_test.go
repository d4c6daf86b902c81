package benchmarks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
)

// handWritten is what a careful user would write instead of the SDK: net/http with a pooled
// transport, the same headers, encoding/json on the body, and a status check. No retries, no
// limits, no redaction: the baseline the SDK's overhead is measured against.
type handWritten struct {
	base string
	http *http.Client
}

func newHandWritten(baseURL string) *handWritten {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 32
	return &handWritten{base: baseURL + "/v1", http: &http.Client{Transport: t}}
}

func (h *handWritten) close() { h.http.CloseIdleConnections() }

func (h *handWritten) do(ctx context.Context, method, path string, in, out any) error {
	var body *bytes.Reader
	req, err := http.NewRequestWithContext(ctx, method, h.base+path, nil)
	if err != nil {
		return err
	}
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
		req, err = http.NewRequestWithContext(ctx, method, h.base+path, body)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+benchToken)
	req.Header.Set("Accept", "application/json")
	resp, err := h.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (h *handWritten) getByName(ctx context.Context, name string) (*wireSecret, error) {
	var list struct {
		Secrets []wireSecret `json:"secrets"`
	}
	if err := h.do(ctx, http.MethodGet, "/secrets?name="+url.QueryEscape(name), nil, &list); err != nil {
		return nil, err
	}
	for i := range list.Secrets {
		if list.Secrets[i].Name == name {
			return &list.Secrets[i], nil
		}
	}
	return nil, fmt.Errorf("no secret named %q", name)
}

func (h *handWritten) list(ctx context.Context) ([]wireSecret, error) {
	var list struct {
		Secrets []wireSecret `json:"secrets"`
	}
	err := h.do(ctx, http.MethodGet, "/secrets", nil, &list)
	return list.Secrets, err
}

func (h *handWritten) create(ctx context.Context, name, value string) (*wireSecret, error) {
	var s wireSecret
	err := h.do(ctx, http.MethodPost, "/secrets", map[string]string{"name": name, "value": value}, &s)
	return &s, err
}

func (h *handWritten) update(ctx context.Context, id, value string) (*wireSecret, error) {
	var s wireSecret
	err := h.do(ctx, http.MethodPatch, "/secrets/"+id, map[string]string{"value": value}, &s)
	return &s, err
}
