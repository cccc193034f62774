package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/odata-pos/pos/internal/config"
)

// version is set at link time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == HealthCommand {
		os.Exit(health(context.Background(), os.Args[2:], os.LookupEnv, os.Stdout, os.Stderr))
	}
	err := run(context.Background(), os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr and returns the process exit code: 0 for success and -h, 2
// for a bad configuration, 1 otherwise.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, config.ErrInvalid):
		fmt.Fprintf(stderr, "posd: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "posd: %v\n", err)
		return 1
	}
}
