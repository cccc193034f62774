package config

import (
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) LookupFunc {
	return func(name string) (string, bool) {
		v, ok := kv[name]
		return v, ok
	}
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(nil, env(nil), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Default()
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.DatabaseURL != "postgres://127.0.0.1:5432/pos?sslmode=disable" ||
		cfg.ESDBURL != "" || cfg.RedisURL != "redis://127.0.0.1:6379/0" || cfg.LogFormat != "json" ||
		cfg.LogLevel != "info" || cfg.Role != "all" || cfg.Env != "development" || cfg.PprofAddr != "" {
		t.Errorf("defaults differ from DESIGN.md: %+v", cfg)
	}
	if cfg.LogFile != (LogFile{MaxSizeMB: 100, MaxAgeDays: 28, MaxBackups: 10}) {
		t.Errorf("log file defaults: %+v", cfg.LogFile)
	}
	if cfg.ShutdownTimeout != want.ShutdownTimeout || cfg.DataDir != want.DataDir {
		t.Errorf("got %+v, want %+v", cfg, want)
	}
	if !cfg.RedisEnabled() || !cfg.RunsAPI() || !cfg.RunsProjector() {
		t.Errorf("default config should run everything with Redis: %+v", cfg)
	}
}

func TestLoadFromEnvironment(t *testing.T) {
	cfg, err := Load([]string{"--role", "api"}, env(map[string]string{
		"POS_HTTP_ADDR":                "0.0.0.0:9090",
		"POS_DATABASE_URL":             "postgres://pos:secret@db:5432/pos",
		"POS_ESDB_URL":                 "esdb://esdb:2113?tls=false",
		"POS_REDIS_URL":                "",
		"POS_JWT_SECRET":               strings.Repeat("k", 40),
		"POS_BOOTSTRAP_ADMIN_USERNAME": "admin",
		"POS_BOOTSTRAP_ADMIN_PASSWORD": "correct horse",
		"POS_CORS_ORIGINS":             "https://a.example.com, http://localhost:5173,",
		"POS_LOG_FORMAT":               "text",
		"POS_LOG_LEVEL":                "debug",
		"POS_LOG_FILE":                 " /var/log/posd/posd.log ",
		"POS_LOG_FILE_MAX_SIZE_MB":     "50",
		"POS_LOG_FILE_MAX_AGE_DAYS":    "7",
		"POS_LOG_FILE_MAX_BACKUPS":     "0",
		"POS_SHUTDOWN_TIMEOUT":         "5s",
		"POS_API_RATE_LIMIT":           "250",
		"POS_ROLE":                     "projector", // --role wins
	}), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.HTTPAddr != "0.0.0.0:9090" || cfg.ESDBURL != "esdb://esdb:2113?tls=false" || cfg.Role != "api" ||
		cfg.RedisEnabled() || cfg.LogFormat != "text" || cfg.ShutdownTimeout != 5*time.Second ||
		cfg.BootstrapAdminUsername != "admin" || cfg.RunsProjector() || cfg.APIRateLimit != 250 {
		t.Errorf("unexpected config %+v", cfg)
	}
	if got := strings.Join(cfg.CORSOrigins, "|"); got != "https://a.example.com|http://localhost:5173" {
		t.Errorf("CORS origins = %q", got)
	}
	if want := (LogFile{Path: "/var/log/posd/posd.log", MaxSizeMB: 50, MaxAgeDays: 7}); cfg.LogFile != want {
		t.Errorf("log file = %+v, want %+v", cfg.LogFile, want)
	}
	if cfg.SlogLevel().String() != "DEBUG" {
		t.Errorf("level = %v", cfg.SlogLevel())
	}
}

func TestLoadConfigFileEnvironmentWins(t *testing.T) {
	file := filepath.Join(t.TempDir(), "posd.env")
	content := "# comment\nPOS_HTTP_ADDR=127.0.0.1:7000\nexport POS_LOG_LEVEL=warn\nPOS_REDIS_URL=\"\"\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{"--config", file}, env(map[string]string{"POS_LOG_LEVEL": "error"}), io.Discard)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.HTTPAddr != "127.0.0.1:7000" || cfg.LogLevel != "error" || cfg.RedisEnabled() {
		t.Errorf("file not applied under the environment: %+v", cfg)
	}

	_, err = Load([]string{"--config", filepath.Join(t.TempDir(), "missing.env")}, env(nil), io.Discard)
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("missing config file: err = %v, want ErrInvalid", err)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := Load([]string{"--role=cashier"}, env(map[string]string{
		"POS_HTTP_ADDR":             "nonsense",
		"POS_DATABASE_URL":          "mysql://x",
		"POS_ESDB_URL":              "http://esdb:2113",
		"POS_REDIS_URL":             "memcached://x",
		"POS_LOG_FORMAT":            "xml",
		"POS_LOG_LEVEL":             "loud",
		"POS_SHUTDOWN_TIMEOUT":      "soon",
		"POS_CORS_ORIGINS":          "example.com",
		"POS_JWT_SECRET":            "short",
		"POS_API_RATE_LIMIT":        "fast",
		"POS_LOG_FILE_MAX_SIZE_MB":  "big",
		"POS_LOG_FILE_MAX_AGE_DAYS": "-1",
		"POS_LOG_FILE_MAX_BACKUPS":  "1.5",
	}), io.Discard)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, name := range []string{"--role", "POS_HTTP_ADDR", "POS_DATABASE_URL", "POS_ESDB_URL", "POS_REDIS_URL",
		"POS_LOG_FORMAT", "POS_LOG_LEVEL", "POS_SHUTDOWN_TIMEOUT", "POS_CORS_ORIGINS", "POS_JWT_SECRET", "POS_API_RATE_LIMIT",
		"POS_LOG_FILE_MAX_SIZE_MB", "POS_LOG_FILE_MAX_AGE_DAYS", "POS_LOG_FILE_MAX_BACKUPS"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not mention %s:\n%v", name, err)
		}
	}
}

func TestLoadFlags(t *testing.T) {
	if _, err := Load([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: err = %v, want flag.ErrHelp", err)
	}
	if _, err := Load([]string{"--nope"}, env(nil), io.Discard); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown flag: err = %v, want ErrInvalid", err)
	}
	if _, err := Load([]string{"extra"}, env(nil), io.Discard); !errors.Is(err, ErrInvalid) {
		t.Errorf("positional argument: err = %v, want ErrInvalid", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"port zero picks a free port", func(c *Config) { c.HTTPAddr = "127.0.0.1:0" }, nil},
		{"all interfaces", func(c *Config) { c.HTTPAddr = ":8080" }, nil},
		{"addr without port", func(c *Config) { c.HTTPAddr = "localhost" }, []string{"POS_HTTP_ADDR"}},
		{"port out of range", func(c *Config) { c.HTTPAddr = "127.0.0.1:70000" }, []string{"POS_HTTP_ADDR"}},
		{"empty database", func(c *Config) { c.DatabaseURL = "" }, []string{"POS_DATABASE_URL: is required"}},
		{"dsn database", func(c *Config) { c.DatabaseURL = "host=127.0.0.1 dbname=pos" }, nil},
		{"esdb", func(c *Config) { c.ESDBURL = "esdb://127.0.0.1:2113?tls=false" }, nil},
		{"esdb cluster", func(c *Config) { c.ESDBURL = "esdb+discover://a:2113,b:2113" }, nil},
		{"esdb wrong scheme", func(c *Config) { c.ESDBURL = "tcp://127.0.0.1:1113" }, []string{"POS_ESDB_URL"}},
		{"redis disabled", func(c *Config) { c.RedisURL = "" }, nil},
		{"pprof", func(c *Config) { c.PprofAddr = "127.0.0.1:6060" }, nil},
		{"no api rate", func(c *Config) { c.APIRateLimit = 0 }, []string{"POS_API_RATE_LIMIT"}},
		{"api rate too high", func(c *Config) { c.APIRateLimit = MaxAPIRateLimit + 1 }, []string{"POS_API_RATE_LIMIT"}},
		{"pprof without port", func(c *Config) { c.PprofAddr = "localhost" }, []string{"POS_PPROF_ADDR"}},
		{"redis bad", func(c *Config) { c.RedisURL = "127.0.0.1:6379" }, []string{"POS_REDIS_URL"}},
		{"redis prefix", func(c *Config) { c.RedisPrefix = "shop-7:" }, nil},
		{"redis prefix with a space", func(c *Config) { c.RedisPrefix = "shop 7" }, []string{"POS_REDIS_PREFIX"}},
		{"redis prefix with a glob", func(c *Config) { c.RedisPrefix = "shop*" }, []string{"POS_REDIS_PREFIX"}},
		{"ops addr", func(c *Config) { c.OpsAddr = "0.0.0.0:9090" }, nil},
		{"ops addr bad", func(c *Config) { c.OpsAddr = "9090" }, []string{"POS_OPS_ADDR"}},
		{"ops addr is the api addr", func(c *Config) { c.OpsAddr = c.HTTPAddr }, []string{"POS_OPS_ADDR"}},
		{"secret and key file", func(c *Config) { c.JWTSecret = strings.Repeat("s", 32); c.JWTKeyFile = "/k" }, []string{"give only one"}},
		{"short secret", func(c *Config) { c.JWTSecret = "s" }, []string{"at least 32"}},
		{"audit key", func(c *Config) { c.AuditKey = "hex:" + strings.Repeat("0f", 32) }, nil},
		{"short audit key", func(c *Config) { c.AuditKey = "hex:0f0f" }, []string{"POS_AUDIT_KEY"}},
		{"audit key not hex", func(c *Config) { c.AuditKey = "hex:zz" + strings.Repeat("0", 62) }, []string{"POS_AUDIT_KEY"}},
		{"production needs a key", func(c *Config) { c.Env = EnvProduction }, []string{"required in production"}},
		{"production with key file", func(c *Config) { c.Env = EnvProduction; c.JWTKeyFile = "/run/secrets/jwt" }, nil},
		{"unknown env", func(c *Config) { c.Env = "staging" }, []string{"POS_ENV"}},
		{"no data dir", func(c *Config) { c.DataDir = "" }, []string{"POS_DATA_DIR"}},
		{"admin without password", func(c *Config) { c.BootstrapAdminUsername = "admin" }, []string{"set together"}},
		{"cors origins", func(c *Config) { c.CORSOrigins = []string{"https://a.example.com", "http://localhost:5173"} }, nil},
		{"cors wildcard", func(c *Config) { c.CORSOrigins = []string{"*"} }, []string{"POS_CORS_ORIGINS"}},
		{"cors with path", func(c *Config) { c.CORSOrigins = []string{"https://a.example.com/app"} }, []string{"POS_CORS_ORIGINS"}},
		{"log", func(c *Config) { c.LogFormat = "text"; c.LogLevel = "WARN" }, nil},
		{"bad log", func(c *Config) { c.LogFormat = "logfmt"; c.LogLevel = "verbose" }, []string{"POS_LOG_FORMAT", "POS_LOG_LEVEL"}},
		{"log file", func(c *Config) { c.LogFile.Path = "/var/log/posd/posd.log" }, nil},
		{"log file kept forever", func(c *Config) { c.LogFile.MaxAgeDays = 0; c.LogFile.MaxBackups = 0 }, nil},
		{"log file is a directory", func(c *Config) { c.LogFile.Path = "/var/log/" }, []string{"POS_LOG_FILE:"}},
		{"log file rotation", func(c *Config) {
			c.LogFile.MaxSizeMB = 0
			c.LogFile.MaxAgeDays = -1
			c.LogFile.MaxBackups = MaxLogFileMaxBackups + 1
		},
			[]string{"POS_LOG_FILE_MAX_SIZE_MB", "POS_LOG_FILE_MAX_AGE_DAYS", "POS_LOG_FILE_MAX_BACKUPS"}},
		{"log file too big", func(c *Config) { c.LogFile.MaxSizeMB = MaxLogFileMaxSizeMB + 1 }, []string{"POS_LOG_FILE_MAX_SIZE_MB"}},
		{"zero shutdown", func(c *Config) { c.ShutdownTimeout = 0 }, []string{"POS_SHUTDOWN_TIMEOUT"}},
		{"roles", func(c *Config) { c.Role = RoleProjector }, nil},
		{"bad role", func(c *Config) { c.Role = "worker" }, []string{"--role"}},
		{"publisher", func(c *Config) {
			c.Role = RolePublisher
			c.Publish = Publish{URLs: []string{"nats://127.0.0.1:4222?stream=POS", "amqp://guest:guest@127.0.0.1:5672/"},
				Types: []string{"sale.completed.v1"}}
		}, nil},
		{"publisher without a broker", func(c *Config) { c.Role = RolePublisher }, []string{"--role publisher: POS_PUBLISH_URL"}},
		{"publish url bad", func(c *Config) {
			c.Publish = Publish{URLs: []string{"redis://127.0.0.1:6379"}, Types: []string{"sale.done"}}
		}, []string{"POS_PUBLISH_URL:", "scheme must be", `POS_PUBLISH_TYPES: unknown event type "sale.done"`}},
		{"several at once", func(c *Config) { c.HTTPAddr = ""; c.LogFormat = ""; c.Role = "" },
			[]string{"POS_HTTP_ADDR", "POS_LOG_FORMAT", "--role"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			tt.modify(&cfg)
			err := cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// TestPublisherRuns: the publisher runs in its own role, and in "all" only when a broker is
// configured; POS_PUBLISH_* are read from the environment.
func TestPublisherRuns(t *testing.T) {
	cfg, err := Load(nil, env(map[string]string{
		"POS_PUBLISH_URL":    "nats://127.0.0.1:4222, amqp://guest:hidden@127.0.0.1:5672/",
		"POS_PUBLISH_TYPES":  "sale.completed.v1,stock.moved.v1",
		"POS_PUBLISH_PREFIX": "chain",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := cfg.Publish.Targets()
	if err != nil || len(ts) != 2 || ts[1].Prefix != "chain" || len(ts[1].Types) != 2 || !cfg.RunsPublisher() {
		t.Errorf("targets %+v %v, runs %v", ts, err, cfg.RunsPublisher())
	}
	var log strings.Builder
	slog.New(slog.NewTextHandler(&log, nil)).Info("cfg", "config", cfg)
	if strings.Contains(log.String(), "hidden") || !strings.Contains(log.String(), "amqp=amqp://guest:xxxxx@") {
		t.Errorf("logged configuration: %s", log.String())
	}
	for role, want := range map[string]bool{RoleAll: false, RoleAPI: false, RoleProjector: false} {
		cfg := Default()
		cfg.Role = role
		if cfg.RunsPublisher() != want {
			t.Errorf("%s without POS_PUBLISH_URL runs the publisher", role)
		}
		cfg.Publish.URLs = []string{"nats://127.0.0.1:4222"}
		if cfg.RunsPublisher() != (role == RoleAll) {
			t.Errorf("%s with POS_PUBLISH_URL: runs the publisher %v", role, cfg.RunsPublisher())
		}
	}
}

func TestLogValueRedactsSecrets(t *testing.T) {
	cfg := Default()
	cfg.DatabaseURL = "postgres://pos:hunter2@db/pos"
	cfg.JWTSecret = strings.Repeat("x", 40)
	s := cfg.LogValue().String()
	if strings.Contains(s, "hunter2") || strings.Contains(s, cfg.JWTSecret) {
		t.Errorf("secret in log value: %s", s)
	}
}

func TestRedactedDatabaseURLHidesThePassword(t *testing.T) {
	for _, url := range []string{
		"postgres://pos:hunter2@db:5432/pos?sslmode=disable",
		"host=db user=pos password=hunter2 dbname=pos",
	} {
		cfg := Default()
		cfg.DatabaseURL = url
		if got := cfg.RedactedDatabaseURL(); strings.Contains(got, "hunter2") || !strings.Contains(got, "db") {
			t.Errorf("RedactedDatabaseURL(%q) = %q, want the URL without its password", url, got)
		}
	}
}
