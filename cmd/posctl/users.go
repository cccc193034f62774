package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/odata-pos/pos/api/auth"
	"github.com/odata-pos/pos/api/users"
	"github.com/odata-pos/pos/commands"
	"github.com/odata-pos/pos/domain/rules"
)

// runUsers runs posctl users create-admin --username NAME.
func runUsers(ctx context.Context, e env) error {
	if len(e.args) == 0 || e.args[0] != "create-admin" {
		return fmt.Errorf("%w: posctl users create-admin --username NAME", errUsage)
	}
	fs := flag.NewFlagSet("posctl users create-admin", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	username := fs.String("username", "", "`name` of the new admin; the password is asked on the terminal, or read from the first line of stdin")
	as := fs.String("as", "", "`name` of the operator the creation is attributed to (default $USER, else uid@host)")
	if err := fs.Parse(e.args[1:]); err != nil {
		return err
	}
	if *username == "" || fs.NArg() > 0 {
		return fmt.Errorf("%w: posctl users create-admin --username NAME", errUsage)
	}
	password, err := readPassword(e)
	if err != nil {
		return err
	}
	if err := auth.ValidatePassword(password); err != nil {
		return err
	}
	cs, closeAll, err := openCommands(ctx, e)
	if err != nil {
		return err
	}
	defer closeAll()
	us := commands.NewUsers(cs.handler, cs.creds, time.Now)
	// Registering an existing name again would replace its password: refuse instead.
	if _, err := us.Lookup(ctx, *username); err == nil {
		return fmt.Errorf("user %q already exists", *username)
	} else if !errors.Is(err, rules.ErrNotFound) {
		return err
	}
	passwords, err := auth.NewPasswords(auth.DefaultPasswordParams(), 0)
	if err != nil {
		return err
	}
	by := strings.TrimSpace(*as)
	if by == "" {
		by = operator(e)
	}
	id, err := users.RegisterAdmin(ctx, us, passwords, time.Now(), "posctl:"+by, *username, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "created admin %s (id %s)\n", *username, id)
	return nil
}

// readPassword asks for the password twice without echo when stdin is a terminal, and
// otherwise reads its first line.
func readPassword(e env) (string, error) {
	in := e.stdin
	if in == nil {
		in = os.Stdin
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, "Password: ")
		first, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		fmt.Fprint(e.stderr, "Repeat password: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		if string(first) != string(again) {
			return "", errors.New("the passwords differ")
		}
		return string(first), nil
	}
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// operator names who runs posctl, for the log and the events' metadata: $USER, else
// $LOGNAME, else uid N@host (containers, CI and systemd units often set neither).
func operator(e env) string {
	for _, name := range []string{"USER", "LOGNAME"} {
		if u, ok := e.lookup(name); ok && strings.TrimSpace(u) != "" {
			return strings.TrimSpace(u)
		}
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown-host"
	}
	return fmt.Sprintf("uid %d@%s", os.Getuid(), host)
}
