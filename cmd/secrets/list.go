package main

import (
	"context"
	"flag"
	"fmt"
	"sort"

	secrets "github.com/helios-secrets/go-secrets"
)

func listCommand() *command {
	var asJSON bool
	return &command{
		name:    "list",
		summary: "list the secrets of the organization",
		details: `Lists the secrets of the organization that you may see, sorted by name: NAME, ID, the
time of the last update (UPDATED, UTC) and whether you may read the value (READABLE).
Values are never shown.

With --json, prints {"secrets": [{"name", "id", "readable", "createdAt", "createdBy",
"updatedAt", "updatedBy"}, ...]} (times in RFC 3339, null when unknown).`,
		setup: func(fs *flag.FlagSet) runner {
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
			return apiRunner(noArg("list"), wholeCommand, func(ctx context.Context, a *app, _ string, c *secrets.Client) error {
				return runList(ctx, a, c, asJSON)
			})
		},
	}
}

func runList(ctx context.Context, a *app, c *secrets.Client, asJSON bool) error {
	list, err := c.Secrets.List(ctx, nil)
	if err != nil {
		return err
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	if asJSON {
		out := struct {
			Secrets []secretJSON `json:"secrets"`
		}{Secrets: make([]secretJSON, 0, len(list))}
		for _, s := range list {
			out.Secrets = append(out.Secrets, secretToJSON(s))
		}
		return writeJSON(a.stdout, out)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stderr, "secrets: no secrets")
		return nil
	}
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "NAME\tID\tUPDATED\tREADABLE")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Name, s.ID, timeText(s.LastUpdatedAt), yesNo(s.Value != nil))
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
