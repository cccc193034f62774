package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"
)

// Defaults of the variables in DESIGN.md "Configuration" and of the server's own settings.
const (
	DefaultHTTPAddr        = "127.0.0.1:8080"
	DefaultDatabaseURL     = "postgres://127.0.0.1:5432/pos?sslmode=disable"
	DefaultRedisURL        = "redis://127.0.0.1:6379/0"
	DefaultLogFormat       = "json"
	DefaultLogLevel        = "info"
	DefaultShutdownTimeout = 20 * time.Second
	DefaultDataDir         = ".posd"
	DefaultEnv             = EnvDevelopment
	DefaultRole            = RoleAll
	// DefaultAPIRateLimit is each user's API requests per second (bursts of twice as many):
	// a cashier's pace, with room for a till's bursts.
	DefaultAPIRateLimit = 20
	// MaxAPIRateLimit bounds POS_API_RATE_LIMIT.
	MaxAPIRateLimit = 100_000
)

// Environments (POS_ENV). Production refuses to generate a JWT key on its own.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Roles (--role or POS_ROLE): which parts of posd this process runs.
const (
	RoleAPI       = "api"       // the HTTP API
	RoleProjector = "projector" // the projection workers
	RolePublisher = "publisher" // the integration event publisher
	RoleAll       = "all"       // the API and the projection workers, and the publisher when POS_PUBLISH_URL is set
)

// ErrInvalid is matched (errors.Is) by the error Load returns for a bad configuration, whether
// a flag could not be parsed or Validate found problems. posd exits with code 2 on it.
var ErrInvalid = errors.New("invalid configuration")

// Config is the configuration of one posd process. The zero value is not usable: build it
// with Load (or Default, then Validate).
type Config struct {
	// Env is "development" (default) or "production" (POS_ENV).
	Env string
	// Role selects what the process runs: "api", "projector", "publisher" or "all" (--role,
	// POS_ROLE).
	Role string

	// HTTPAddr is the listen address of the API, and of /healthz, /readyz and /metrics when
	// OpsAddr is empty.
	HTTPAddr string
	// OpsAddr, when set, is the listen address of /healthz, /readyz and /metrics (a
	// cluster-internal port), which are then not served on HTTPAddr.
	OpsAddr string
	// DatabaseURL is the PostgreSQL that holds the read models, and the events when ESDBURL is
	// empty.
	DatabaseURL string
	// ESDBURL, when set, sends events to EventStoreDB / KurrentDB (esdb://host:2113?tls=false).
	ESDBURL string
	// RedisURL is the Redis for rate limits, revocations, idempotency replays and caching;
	// empty disables Redis.
	RedisURL string
	// RedisPrefix namespaces every Redis key (POS_REDIS_PREFIX); empty derives it from the
	// deployment's identity, stored once in its PostgreSQL database.
	RedisPrefix string

	// JWTSecret is the token signing secret, given directly.
	JWTSecret string
	// AuditKey keys the audit checkpoints (POS_AUDIT_KEY: hex:…, base64:… or raw, at least 32
	// bytes); empty derives it from the JWT signing key.
	AuditKey string
	// JWTKeyFile is a file holding the token signing secret. In development it is created on
	// first start when missing.
	JWTKeyFile string
	// DataDir holds files posd generates for itself in development (the JWT key).
	DataDir string

	// BootstrapAdminUsername and BootstrapAdminPassword create the first admin, once, when no
	// user exists.
	BootstrapAdminUsername string
	BootstrapAdminPassword string

	// CORSOrigins are the origins allowed to call the API from a browser; none by default.
	CORSOrigins []string

	// LogFormat is "json" or "text"; LogLevel a slog level name (debug, info, warn, error).
	LogFormat string
	LogLevel  string
	// LogFile, when its Path is set (POS_LOG_FILE), also writes the logs to a rotated file.
	LogFile LogFile

	// ShutdownTimeout bounds how long in-flight requests may take to finish after SIGTERM.
	ShutdownTimeout time.Duration

	// PprofAddr, when set (POS_PPROF_ADDR), serves Go's runtime profiles (/debug/pprof/) on
	// their own listener, for profiling under load; off by default. Bind it to a loopback or
	// cluster-internal address: profiles reveal the process's internals.
	PprofAddr string

	// APIRateLimit is each user's API requests per second, bursts of twice as many
	// (POS_API_RATE_LIMIT, default 20). Registers and integrations that upload queued sales
	// use POST /api/v1/sales/batch (one request for up to 100 sales) rather than a higher limit.
	APIRateLimit int

	// Publish configures the integration event publisher (POS_PUBLISH_*).
	Publish Publish
}

// Default returns the configuration with every default applied.
func Default() Config {
	return Config{
		Env:             DefaultEnv,
		Role:            DefaultRole,
		HTTPAddr:        DefaultHTTPAddr,
		DatabaseURL:     DefaultDatabaseURL,
		RedisURL:        DefaultRedisURL,
		DataDir:         DefaultDataDir,
		LogFormat:       DefaultLogFormat,
		LogLevel:        DefaultLogLevel,
		LogFile:         defaultLogFile(),
		ShutdownTimeout: DefaultShutdownTimeout,
		APIRateLimit:    DefaultAPIRateLimit,
	}
}

// LookupFunc reads one environment variable, reporting whether it is set (os.LookupEnv). A
// variable set to the empty string is set: POS_REDIS_URL= disables Redis.
type LookupFunc func(name string) (string, bool)

// Load builds the configuration from the command-line arguments (without the program name),
// the environment and, when --config names one, a .env-style file. The environment wins over
// the file; --role wins over POS_ROLE. Usage and flag errors are written to output. It returns
// flag.ErrHelp for -h, and an error matching ErrInvalid listing every problem otherwise.
func Load(args []string, lookup LookupFunc, output io.Writer) (Config, error) {
	fs := flag.NewFlagSet("posd", flag.ContinueOnError)
	fs.SetOutput(output)
	configFile := fs.String("config", "", "`file` of POS_* variables (.env syntax); the environment wins over it")
	role := fs.String("role", "", "what to run: api, projector, publisher or all (default all, or POS_ROLE)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: posd [--config FILE] [--role api|projector|publisher|all]\n"+
			"       posd health [--config FILE] [--timeout 3s]   (exit 0 when the running posd is ready)\n\n"+
			"posd is the O'Data POS server. It is configured through POS_* environment variables;\n"+
			"see README.md for the list.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return Config{}, err
		}
		return Config{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%w: unexpected arguments %q", ErrInvalid, fs.Args())
	}

	if *configFile != "" {
		file, err := godotenv.Read(*configFile)
		if err != nil {
			return Config{}, fmt.Errorf("%w: --config: %w", ErrInvalid, err)
		}
		lookup = withFallback(lookup, file)
	}

	cfg, problems := fromEnv(lookup)
	if *role != "" {
		cfg.Role = *role
	}
	problems = append(problems, cfg.Validate())
	if err := errors.Join(problems...); err != nil {
		return cfg, fmt.Errorf("%w:\n%w", ErrInvalid, err)
	}
	return cfg, nil
}

// fromEnv applies the variables that are set over the defaults. It returns the problems of
// values that cannot even be parsed; Validate checks the rest.
func fromEnv(lookup LookupFunc) (Config, []error) {
	cfg := Default()
	var problems []error
	str := func(name string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = strings.TrimSpace(v)
		}
	}
	str("POS_ENV", &cfg.Env)
	str("POS_ROLE", &cfg.Role)
	str("POS_HTTP_ADDR", &cfg.HTTPAddr)
	str("POS_OPS_ADDR", &cfg.OpsAddr)
	str("POS_DATABASE_URL", &cfg.DatabaseURL)
	str("POS_ESDB_URL", &cfg.ESDBURL)
	str("POS_REDIS_URL", &cfg.RedisURL)
	str("POS_REDIS_PREFIX", &cfg.RedisPrefix)
	str("POS_JWT_KEY_FILE", &cfg.JWTKeyFile)
	str("POS_DATA_DIR", &cfg.DataDir)
	str("POS_BOOTSTRAP_ADMIN_USERNAME", &cfg.BootstrapAdminUsername)
	str("POS_LOG_FORMAT", &cfg.LogFormat)
	str("POS_LOG_LEVEL", &cfg.LogLevel)
	str("POS_PPROF_ADDR", &cfg.PprofAddr)
	problems = append(problems, logFileFromEnv(lookup, &cfg.LogFile)...)
	publishFromEnv(lookup, &cfg.Publish)
	// Secrets are taken verbatim: surrounding spaces may be part of them.
	if v, ok := lookup("POS_JWT_SECRET"); ok {
		cfg.JWTSecret = v
	}
	if v, ok := lookup("POS_AUDIT_KEY"); ok {
		cfg.AuditKey = v
	}
	if v, ok := lookup("POS_BOOTSTRAP_ADMIN_PASSWORD"); ok {
		cfg.BootstrapAdminPassword = v
	}
	if v, ok := lookup("POS_CORS_ORIGINS"); ok {
		cfg.CORSOrigins = splitList(v)
	}
	if v, ok := lookup("POS_API_RATE_LIMIT"); ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			problems = append(problems, fmt.Errorf("POS_API_RATE_LIMIT: %q is not a whole number of requests per second", v))
		} else {
			cfg.APIRateLimit = n
		}
	}
	if v, ok := lookup("POS_SHUTDOWN_TIMEOUT"); ok {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			problems = append(problems, fmt.Errorf("POS_SHUTDOWN_TIMEOUT: %q is not a duration (e.g. 20s)", v))
		} else {
			cfg.ShutdownTimeout = d
		}
	}
	return cfg, problems
}

// withFallback looks a name up in the environment first, then in file.
func withFallback(env LookupFunc, file map[string]string) LookupFunc {
	return func(name string) (string, bool) {
		if v, ok := env(name); ok {
			return v, true
		}
		v, ok := file[name]
		return v, ok
	}
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// SlogLevel returns LogLevel as a slog.Level (info if it does not parse; Validate rejects that).
func (c Config) SlogLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return slog.LevelInfo
	}
	return l
}

// RedisEnabled reports whether a Redis URL is configured.
func (c Config) RedisEnabled() bool { return c.RedisURL != "" }

// RunsAPI reports whether the role includes the HTTP API.
func (c Config) RunsAPI() bool { return c.Role == RoleAPI || c.Role == RoleAll }

// RunsProjector reports whether the role includes the projection workers.
func (c Config) RunsProjector() bool { return c.Role == RoleProjector || c.Role == RoleAll }

// RunsPublisher reports whether the role includes the integration event publisher: the
// publisher role, or all when POS_PUBLISH_URL names a broker.
func (c Config) RunsPublisher() bool {
	return c.Role == RolePublisher || (c.Role == RoleAll && c.Publish.Enabled())
}

// LogValue makes a Config safe to log: secrets are redacted, URLs lose their passwords.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("env", c.Env),
		slog.String("role", c.Role),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("ops_addr", c.OpsAddr),
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("esdb_url", redactURL(c.ESDBURL)),
		slog.String("redis_url", redactURL(c.RedisURL)),
		slog.String("redis_prefix", c.RedisPrefix),
		slog.Bool("jwt_secret_set", c.JWTSecret != ""),
		slog.String("jwt_key_file", c.JWTKeyFile),
		slog.Bool("audit_key_set", c.AuditKey != ""),
		slog.String("data_dir", c.DataDir),
		slog.String("bootstrap_admin_username", c.BootstrapAdminUsername),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.String("log_format", c.LogFormat),
		slog.String("log_level", c.LogLevel),
		slog.String("log_file", c.LogFile.Path),
		slog.String("shutdown_timeout", c.ShutdownTimeout.String()),
		slog.String("pprof_addr", c.PprofAddr),
		slog.Int("api_rate_limit", c.APIRateLimit),
		slog.Any("publish", c.Publish.logValue()),
	)
}
