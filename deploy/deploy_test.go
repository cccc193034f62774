package deploy_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/odata-pos/pos/internal/config"
)

// lookupIn adapts a map to config.LookupFunc.
func lookupIn(env map[string]string) config.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
}

// manifests decodes every document of the YAML files in dir.
func manifests(t *testing.T, dir string) map[string]map[string]any {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s (%v)", dir, err)
	}
	out := map[string]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if doc == nil {
				continue
			}
			kind, _ := doc["kind"].(string)
			name, _ := dig(doc, "metadata", "name").(string)
			if kind == "" {
				t.Errorf("%s: document without kind", f)
			}
			out[kind+"/"+name] = doc
		}
	}
	return out
}

// dig walks nested maps and lists (a list step is an int).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestKubernetesManifests(t *testing.T) {
	docs := manifests(t, "kubernetes")
	cm := docs["ConfigMap/posd"]
	if cm == nil {
		t.Fatal("ConfigMap/posd missing")
	}
	env := map[string]string{}
	for k, v := range dig(cm, "data").(map[string]any) {
		env[k], _ = v.(string)
	}
	// The Secret supplies these two.
	env["POS_DATABASE_URL"] = "postgres://posd:secret@postgres:5432/pos?sslmode=require"
	env["POS_JWT_SECRET"] = strings.Repeat("k", 44)

	for _, d := range []struct{ name, role string }{{"posd-api", "api"}, {"posd-projector", "projector"}} {
		dep := docs["Deployment/"+d.name]
		if dep == nil {
			t.Errorf("Deployment/%s missing", d.name)
			continue
		}
		c := dig(dep, "spec", "template", "spec", "containers", 0)
		if got := dig(c, "livenessProbe", "httpGet", "path"); got != "/healthz" {
			t.Errorf("%s liveness probe path = %v, want /healthz", d.name, got)
		}
		if got := dig(c, "readinessProbe", "httpGet", "path"); got != "/readyz" {
			t.Errorf("%s readiness probe path = %v, want /readyz", d.name, got)
		}
		if got := dig(c, "ports", 0, "containerPort"); got != 8080 {
			t.Errorf("%s container port = %v, want 8080", d.name, got)
		}
		// The probes and the scrape use the ops listener (POS_OPS_ADDR), not the API's.
		if got, name := dig(c, "ports", 1, "containerPort"), dig(c, "ports", 1, "name"); got != 8081 || name != "ops" || env["POS_OPS_ADDR"] != "0.0.0.0:8081" {
			t.Errorf("%s ops port = %v %v with POS_OPS_ADDR %q, want ops 8081", d.name, name, got, env["POS_OPS_ADDR"])
		}
		for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
			if got := dig(c, probe, "httpGet", "port"); got != "ops" {
				t.Errorf("%s %s port = %v, want ops", d.name, probe, got)
			}
		}
		if got := dig(dep, "spec", "template", "metadata", "annotations", "prometheus.io/port"); got != "8081" {
			t.Errorf("%s scrape port = %v, want 8081", d.name, got)
		}
		var args []string
		for _, a := range dig(c, "args").([]any) {
			args = append(args, a.(string))
		}
		if !slices.Equal(args, []string{"--role", d.role}) {
			t.Errorf("%s args = %v", d.name, args)
		}
		grace, _ := dig(dep, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
		if grace <= 25 { // POS_SHUTDOWN_TIMEOUT 20s + preStop 5s
			t.Errorf("%s terminationGracePeriodSeconds = %d, too short for the graceful shutdown", d.name, grace)
		}
		if _, err := config.Load(args, lookupIn(env), io.Discard); err != nil {
			t.Errorf("%s configuration is rejected by posd:\n%v", d.name, err)
		}
	}
	if docs["Service/posd"] == nil {
		t.Error("Service/posd missing")
	}

	b, err := os.ReadFile("kubernetes/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	for _, r := range k.Resources {
		if _, err := os.Stat(filepath.Join("kubernetes", r)); err != nil {
			t.Errorf("kustomization resource %s: %v", r, err)
		}
	}
}

func TestSystemdEnvironmentFile(t *testing.T) {
	unit, err := os.ReadFile("systemd/posd.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"EnvironmentFile=/etc/posd/posd.env", "KillSignal=SIGTERM", "RestartPreventExitStatus=2", "POS_JWT_KEY_FILE="} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("posd.service lacks %q", want)
		}
	}
	// The unit sets POS_JWT_KEY_FILE; the file holds the rest.
	env := lookupIn(map[string]string{"POS_JWT_KEY_FILE": "/run/credentials/posd.service/jwt.key"})
	if _, err := config.Load([]string{"--config", "systemd/posd.env"}, env, io.Discard); err != nil {
		t.Errorf("systemd/posd.env is rejected by posd:\n%v", err)
	}
}
