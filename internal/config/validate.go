package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/eventstore/audit"
)

// MinJWTSecretLen is the shortest accepted POS_JWT_SECRET, in bytes (256 bits for HS256).
const MinJWTSecretLen = 32

// Validate checks the configuration and reports every problem at once (errors.Join), each
// naming its variable.
func (c Config) Validate() error {
	var problems []error
	add := func(name, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}

	switch c.Env {
	case EnvDevelopment, EnvProduction:
	default:
		add("POS_ENV", "%q is not one of development, production", c.Env)
	}
	switch c.Role {
	case RoleAPI, RoleProjector, RolePublisher, RoleAll:
	default:
		add("--role", "%q is not one of api, projector, publisher, all", c.Role)
	}
	problems = append(problems, c.Publish.validate(c.Role)...)

	if err := checkListenAddr(c.HTTPAddr); err != nil {
		add("POS_HTTP_ADDR", "%v", err)
	}
	if c.OpsAddr != "" {
		if err := checkListenAddr(c.OpsAddr); err != nil {
			add("POS_OPS_ADDR", "%v", err)
		} else if c.OpsAddr == c.HTTPAddr && !strings.HasSuffix(c.OpsAddr, ":0") {
			add("POS_OPS_ADDR", "is POS_HTTP_ADDR: give the operational endpoints their own port, or leave it empty")
		}
	}
	if c.APIRateLimit < 1 || c.APIRateLimit > MaxAPIRateLimit {
		add("POS_API_RATE_LIMIT", "%d is not between 1 and %d requests per second", c.APIRateLimit, MaxAPIRateLimit)
	}
	if c.PprofAddr != "" {
		if err := checkListenAddr(c.PprofAddr); err != nil {
			add("POS_PPROF_ADDR", "%v", err)
		}
	}
	if c.DatabaseURL == "" {
		add("POS_DATABASE_URL", "is required (PostgreSQL holds the read models)")
	} else if scheme, _, ok := strings.Cut(c.DatabaseURL, "://"); ok && scheme != "postgres" && scheme != "postgresql" {
		add("POS_DATABASE_URL", "must start with postgres:// (e.g. %s)", DefaultDatabaseURL)
	} else if _, err := pgx.ParseConfig(c.DatabaseURL); err != nil {
		add("POS_DATABASE_URL", "not a PostgreSQL connection string: %v", unwrapAll(err))
	}
	if c.ESDBURL != "" {
		if err := checkESDBURL(c.ESDBURL); err != nil {
			add("POS_ESDB_URL", "%v", err)
		}
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			add("POS_REDIS_URL", "%v (leave it empty to run without Redis)", err)
		}
	}
	if len(c.RedisPrefix) > 64 || strings.IndexFunc(c.RedisPrefix, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '*' || r == utf8.RuneError }) >= 0 {
		add("POS_REDIS_PREFIX", "must be at most 64 characters, without spaces, control characters or '*'")
	}

	switch {
	case c.JWTSecret != "" && c.JWTKeyFile != "":
		add("POS_JWT_SECRET", "set together with POS_JWT_KEY_FILE: give only one")
	case c.JWTSecret != "" && len(c.JWTSecret) < MinJWTSecretLen:
		add("POS_JWT_SECRET", "is %d bytes, at least %d are needed", len(c.JWTSecret), MinJWTSecretLen)
	case c.JWTSecret == "" && c.JWTKeyFile == "" && c.Env == EnvProduction:
		add("POS_JWT_SECRET", "POS_JWT_SECRET or POS_JWT_KEY_FILE is required in production (keys are generated only in development)")
	}
	if c.JWTSecret == "" && c.JWTKeyFile == "" && c.DataDir == "" {
		add("POS_DATA_DIR", "is empty, so there is nowhere to keep the generated JWT key (set it, POS_JWT_SECRET or POS_JWT_KEY_FILE)")
	}

	if c.AuditKey != "" {
		if _, err := audit.ParseKey(c.AuditKey); err != nil {
			add("POS_AUDIT_KEY", "%v", err)
		}
	}

	if (c.BootstrapAdminUsername == "") != (c.BootstrapAdminPassword == "") {
		add("POS_BOOTSTRAP_ADMIN_USERNAME", "and POS_BOOTSTRAP_ADMIN_PASSWORD must be set together")
	}

	for _, o := range c.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			add("POS_CORS_ORIGINS", "%v", err)
		}
	}

	switch c.LogFormat {
	case "json", "text":
	default:
		add("POS_LOG_FORMAT", "%q is not one of json, text", c.LogFormat)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		add("POS_LOG_LEVEL", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	problems = append(problems, c.LogFile.validate()...)

	if c.ShutdownTimeout <= 0 {
		add("POS_SHUTDOWN_TIMEOUT", "must be positive, got %s", c.ShutdownTimeout)
	}
	return errors.Join(problems...)
}

func checkListenAddr(addr string) error {
	if addr == "" {
		return errors.New("is required (host:port)")
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%q is not host:port", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%q has no valid port", addr)
	}
	return nil
}

func checkESDBURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	switch u.Scheme {
	case "esdb", "esdb+discover", "kurrentdb", "kurrentdb+discover", "kdb", "kdb+discover":
	default:
		return fmt.Errorf("%q must start with esdb:// or esdb+discover:// (e.g. esdb://127.0.0.1:2113?tls=false)", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", raw)
	}
	return nil
}

func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an origin like https://shop.example.com (scheme://host[:port], no wildcard)", o)
	}
	return nil
}

// unwrapAll returns the innermost message of a pgx parse error, which otherwise repeats the
// whole connection string (with its password).
func unwrapAll(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return strings.TrimSpace(err.Error())
		}
		err = next
	}
}

// RedactedDatabaseURL is POS_DATABASE_URL without its password, for logs and errors.
func (c Config) RedactedDatabaseURL() string { return redactURL(c.DatabaseURL) }

// redactURL hides the password of a URL for logs.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	if u.Scheme == "" { // a keyword/value DSN (host=... password=...): url.Redacted would keep it
		fields := strings.Fields(raw)
		for i, f := range fields {
			if strings.HasPrefix(strings.ToLower(f), "password=") {
				fields[i] = "password=xxxxx"
			}
		}
		return strings.Join(fields, " ")
	}
	return u.Redacted()
}
