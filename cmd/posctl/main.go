package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// errUsage marks a usage error (exit code 2).
var errUsage = errors.New("usage")

// errFound marks a completed check that found a problem (exit code 1, report already printed).
var errFound = errors.New("problem found")

// env is what every subcommand gets.
type env struct {
	args           []string
	lookup         func(string) (string, bool)
	stdout, stderr io.Writer
	configFile     string
	stdin          io.Reader // nil means os.Stdin
}

// subcommands maps a command name to its implementation. Add new commands here, one line each.
var subcommands = map[string]func(ctx context.Context, e env) error{
	"audit":       runAudit,
	"replay":      runReplay,
	"migrate":     runMigrate,
	"users":       runUsers,
	"projections": runProjections,
	"import":      runImport,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "posctl:", err)
		}
		os.Exit(2)
	case errors.Is(err, errFound):
		os.Exit(1)
	default:
		fmt.Fprintln(os.Stderr, "posctl:", err)
		os.Exit(1)
	}
}

// run parses the global flags and runs one subcommand.
func run(ctx context.Context, args []string, lookup func(string) (string, bool), stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("posctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configFile := fs.String("config", "", "`file` of POS_* variables (.env syntax); the environment wins over it")
	fs.Usage = func() {
		names := make([]string, 0, len(subcommands))
		for n := range subcommands {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "Usage: posctl [--config FILE] <command> [arguments]\n\nCommands: %s\n\nFlags:\n", strings.Join(names, ", "))
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, ok := subcommands[fs.Arg(0)]
	if !ok {
		fs.Usage()
		return fmt.Errorf("%w: unknown command %q", errUsage, fs.Arg(0))
	}
	return cmd(ctx, env{args: fs.Args()[1:], lookup: lookup, stdout: stdout, stderr: stderr, configFile: *configFile})
}
