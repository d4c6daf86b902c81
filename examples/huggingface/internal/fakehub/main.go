// Command fakehub serves a local stand-in for the Hugging Face Hub (package hubtest), so that the
// huggingface example runs end to end with no Hugging Face account:
//
//	go run ./examples/huggingface/internal/fakehub -token hf_local_demo_token
//
// It serves one small model repository (acme/tiny-llama by default) and accepts only the token given:
// put the same value in the HF_TOKEN secret. It prints one JSON line when ready, with the endpoint to
// put in HF_ENDPOINT, then one line per request on stderr (whether it carried an Authorization header,
// never the header itself), and serves until interrupted. The files in LFS are redirected to a second
// server on "localhost", as the Hub redirects to its CDN, so the log shows the token staying on the Hub.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/helios-secrets/go-secrets/examples/huggingface/internal/hubtest"
)

func main() {
	token := flag.String("token", "", "the access token the Hub accepts (required): the value of your HF_TOKEN secret")
	addr := flag.String("addr", "127.0.0.1:8081", "listen address of the Hub (HF_ENDPOINT)")
	cdnAddr := flag.String("cdn-addr", "127.0.0.1:0", "listen address of the CDN, reached as localhost")
	repo := flag.String("repo", "acme/tiny-llama", "ID of the repository to serve")
	weights := flag.Int("weights-mb", 64, "size of model.safetensors, in MB")
	flag.Parse()
	if *token == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}

	srv, err := hubtest.Start(hubtest.Config{
		Token:   *token,
		Repos:   []hubtest.Repo{hubtest.TinyModel(*repo, *weights*1000*1000)},
		HubAddr: *addr,
		CDNAddr: *cdnAddr,
		Log:     os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fakehub:", err)
		os.Exit(1)
	}
	defer srv.Close()

	line, _ := json.Marshal(map[string]string{"endpoint": srv.URL, "cdn": srv.CDNURL, "repo": *repo})
	fmt.Println(string(line))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
}
