package deploy_test

import (
	"context"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/odata-pos/pos/internal/config"
)

// composeEnv is the environment docker compose interpolates in the tests: the required
// secrets, with values that show where they end up.
func composeEnv() map[string]string {
	return map[string]string{
		"POSTGRES_PASSWORD":      "pgFromEnv1",
		"GRAFANA_ADMIN_PASSWORD": "grafanaFromEnv2",
		"GRAFANA_DB_PASSWORD":    "readerFromEnv3",
	}
}

// loadCompose loads the compose files (paths relative to the repository root) the way
// `docker compose config` does, offline, with env as the only environment (no .env file, no
// process environment).
func loadCompose(t *testing.T, env map[string]string, files ...string) (*types.Project, error) {
	t.Helper()
	var paths, vars []string
	for _, f := range files {
		paths = append(paths, "../"+f)
	}
	for k, v := range env {
		vars = append(vars, k+"="+v)
	}
	opts, err := cli.NewProjectOptions(paths, cli.WithWorkingDirectory(".."), cli.WithEnv(vars),
		cli.WithDiscardEnvFile, cli.WithResolvedPaths(true))
	if err != nil {
		t.Fatal(err)
	}
	return opts.LoadProject(context.Background())
}

// pinnedTag matches an image reference whose tag names a release (at least major.minor),
// not latest or a bare major version that moves.
var pinnedTag = regexp.MustCompile(`:v?\d+\.\d+[^:/]*$`)

// exporters are the exporter services and their metrics ports; i13's scrape jobs in
// monitoring/prometheus/prometheus.yml use these names.
var exporters = map[string]string{"node-exporter": "9100", "postgres-exporter": "9187", "redis-exporter": "9121", "cadvisor": "8080"}

// TestDockerCompose loads docker-compose.yml with the compose-spec loader (what docker
// compose v2 runs) and checks what an operator relies on: every service pinned, restarted,
// log-capped and health-checked (posd by its own health subcommand), no host port on a local
// PostgreSQL's or Redis's, host ports on loopback, secrets only from the environment, the
// exporters, and posd's environment accepted by posd.
func TestDockerCompose(t *testing.T) {
	p, err := loadCompose(t, composeEnv(), "docker-compose.yml")
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	want := []string{"posd", "postgres", "redis", "eventstoredb", "prometheus", "grafana", "alertmanager", "blackbox"}
	for name := range exporters {
		want = append(want, name)
	}
	for _, name := range want {
		if _, ok := p.Services[name]; !ok {
			t.Errorf("service %s missing", name)
		}
	}
	for name, s := range p.Services {
		if s.Build == nil && !pinnedTag.MatchString(s.Image) {
			t.Errorf("%s: image %q is not pinned to a release tag", name, s.Image)
		}
		if s.Restart != types.RestartPolicyUnlessStopped && s.Restart != types.RestartPolicyAlways {
			t.Errorf("%s: restart policy %q", name, s.Restart)
		}
		if l := s.Logging; l == nil || l.Driver != "json-file" || l.Options["max-size"] == "" || l.Options["max-file"] == "" {
			t.Errorf("%s: logging %+v, want json-file with max-size and max-file", name, l)
		}
		if h := s.HealthCheck; h == nil || h.Disable || len(h.Test) < 2 {
			t.Errorf("%s: no healthcheck", name)
		}
		for _, port := range s.Ports {
			if port.Published == "5432" || port.Published == "6379" {
				t.Errorf("%s publishes host port %s, taken by a local PostgreSQL or Redis", name, port.Published)
			}
			if port.HostIP != "127.0.0.1" {
				t.Errorf("%s publishes port %s on %q, want 127.0.0.1", name, port.Published, port.HostIP)
			}
		}
		for _, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind && strings.HasPrefix(v.Source, p.WorkingDir) {
				if _, err := os.Stat(v.Source); err != nil {
					t.Errorf("%s mounts %s: %v", name, v.Source, err)
				}
			}
			if v.Type == types.VolumeTypeVolume {
				if _, ok := p.Volumes[v.Source]; !ok {
					t.Errorf("%s uses undeclared volume %s", name, v.Source)
				}
			}
		}
	}
	for _, name := range []string{"postgres", "redis"} {
		if ports := p.Services[name].Ports; len(ports) != 0 {
			t.Errorf("%s publishes %v by default", name, ports)
		}
	}
	for name, port := range exporters {
		if h := p.Services[name].HealthCheck; h == nil || !strings.Contains(strings.Join(h.Test, " "), ":"+port+"/") {
			t.Errorf("%s: healthcheck does not probe port %s", name, port)
		}
	}

	posd := p.Services["posd"]
	if posd.Build == nil {
		t.Error("posd is not built from the Dockerfile")
	}
	if got := posd.HealthCheck.Test; !slices.Equal(got, []string{"CMD", "/usr/local/bin/posd", "health"}) {
		t.Errorf("posd healthcheck = %v, want posd's health subcommand", got)
	}
	dockerfile, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dockerfile), "/usr/local/bin/posd") {
		t.Error("the Dockerfile does not install posd as /usr/local/bin/posd")
	}

	// Secrets come from the environment, nowhere else.
	env := composeEnv()
	for _, c := range []struct{ service, variable, want string }{
		{"postgres", "POSTGRES_PASSWORD", env["POSTGRES_PASSWORD"]},
		{"postgres-exporter", "DATA_SOURCE_PASS", env["POSTGRES_PASSWORD"]},
		{"grafana", "GF_SECURITY_ADMIN_PASSWORD", env["GRAFANA_ADMIN_PASSWORD"]},
		{"grafana", "GRAFANA_DB_PASSWORD", env["GRAFANA_DB_PASSWORD"]},
		{"postgres", "GRAFANA_DB_PASSWORD", env["GRAFANA_DB_PASSWORD"]},
	} {
		if got := p.Services[c.service].Environment[c.variable]; got == nil || *got != c.want {
			t.Errorf("%s %s = %v, want the value of the environment", c.service, c.variable, got)
		}
	}
	if got := posd.Environment["POS_DATABASE_URL"]; got == nil || !strings.Contains(*got, ":"+env["POSTGRES_PASSWORD"]+"@postgres:5432/") {
		t.Errorf("posd POS_DATABASE_URL = %v, want POSTGRES_PASSWORD in it", got)
	}
	for variable := range env {
		without := composeEnv()
		delete(without, variable)
		_, err := loadCompose(t, without, "docker-compose.yml")
		if err == nil || !strings.Contains(err.Error(), variable) {
			t.Errorf("without %s: error %v, want one naming it", variable, err)
		}
	}

	if _, err := config.Load(nil, lookupIn(environment(posd)), io.Discard); err != nil {
		t.Errorf("posd's compose environment is rejected by posd:\n%v", err)
	}
}

// TestDockerComposeProduction: the production override runs a released image in production
// mode with the signing key from a secret file, and closes the event store's and
// Alertmanager's host ports.
func TestDockerComposeProduction(t *testing.T) {
	files := []string{"docker-compose.yml", "docker-compose.production.yml"}
	env := composeEnv()
	env["POSD_IMAGE"] = "ghcr.io/odata-pos/posd:v1.4.0"
	env["POS_JWT_KEY_PATH"] = "/etc/posd/jwt.key"
	p, err := loadCompose(t, env, files...)
	if err != nil {
		t.Fatalf("production override: %v", err)
	}
	posd := p.Services["posd"]
	if posd.Build != nil || posd.Image != env["POSD_IMAGE"] {
		t.Errorf("posd builds %v / image %q, want the released image only", posd.Build, posd.Image)
	}
	penv := environment(posd)
	if penv["POS_ENV"] != config.EnvProduction || penv["POS_JWT_KEY_FILE"] != "/run/secrets/posd_jwt_key" {
		t.Errorf("posd POS_ENV %q, POS_JWT_KEY_FILE %q", penv["POS_ENV"], penv["POS_JWT_KEY_FILE"])
	}
	if len(posd.Secrets) != 1 || posd.Secrets[0].Source != "posd_jwt_key" || p.Secrets["posd_jwt_key"].File != env["POS_JWT_KEY_PATH"] {
		t.Errorf("posd secrets %+v, project secrets %+v", posd.Secrets, p.Secrets)
	}
	for _, name := range []string{"eventstoredb", "alertmanager", "postgres", "redis"} {
		if ports := p.Services[name].Ports; len(ports) != 0 {
			t.Errorf("%s publishes %v in production", name, ports)
		}
	}
	if h := posd.HealthCheck; h == nil || !slices.Contains(h.Test, "health") {
		t.Errorf("posd lost its healthcheck in production: %+v", h)
	}
	if _, err := config.Load(nil, lookupIn(penv), io.Discard); err != nil {
		t.Errorf("posd's production environment is rejected by posd:\n%v", err)
	}
	for _, variable := range []string{"POSD_IMAGE", "POS_JWT_KEY_PATH"} {
		without := maps.Clone(env)
		delete(without, variable)
		if _, err := loadCompose(t, without, files...); err == nil || !strings.Contains(err.Error(), variable) {
			t.Errorf("without %s: error %v, want one naming it", variable, err)
		}
	}
}

// environment flattens a service's environment (unset variables become empty).
func environment(s types.ServiceConfig) map[string]string {
	out := map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			out[k] = *v
		} else {
			out[k] = ""
		}
	}
	return out
}
