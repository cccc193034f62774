package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// importers maps what posctl import brings in to its implementation, one line each.
var importers = map[string]func(ctx context.Context, e env) error{
	"products": runImportProducts,
	"v1":       runImportV1,
}

// runImport runs posctl import KIND ...
func runImport(ctx context.Context, e env) error {
	kinds := make([]string, 0, len(importers))
	for k := range importers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	if len(e.args) == 0 {
		return fmt.Errorf("%w: posctl import %s FILE [flags]", errUsage, strings.Join(kinds, "|"))
	}
	run, ok := importers[e.args[0]]
	if !ok {
		return fmt.Errorf("%w: posctl import %s ...: unknown %q", errUsage, strings.Join(kinds, "|"), e.args[0])
	}
	sub := e
	sub.args = e.args[1:]
	return run(ctx, sub)
}
