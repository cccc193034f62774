package monitoring_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"gopkg.in/yaml.v3"

	"github.com/odata-pos/pos/monitoring"
)

// definedMetrics returns the names of the pos_* metrics posd registers (histograms also
// under their _bucket, _count and _sum series).
func definedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	h := monitoring.NewHTTPMetrics(reg)
	d := monitoring.NewDependencyMetrics(reg)
	a := monitoring.NewAuditMetrics(reg, "seal_missing")
	a.Sealed(1, "posseal1:1:1:00:00")
	monitoring.RegisterRuntime(reg, "test", "all")
	if err := monitoring.RegisterPolicyMetrics(reg, func() []monitoring.PolicySample { return []monitoring.PolicySample{{Name: "p"}} }); err != nil {
		t.Fatal(err)
	}
	pm, err := monitoring.NewPublishMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	pm.LagSeconds.WithLabelValues("nats").Set(0)
	pm.Failures.WithLabelValues("nats").Add(0)
	// Vectors appear once a label set is used.
	h.RequestDuration.WithLabelValues("GET", "/x", "200").Observe(0.1)
	d.Up.WithLabelValues("redis", "false").Set(1)
	d.CheckDuration.WithLabelValues("redis").Observe(0.001)

	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		n := mf.GetName()
		names[n] = true
		if mf.GetType().String() == "HISTOGRAM" {
			names[n+"_bucket"], names[n+"_count"], names[n+"_sum"] = true, true, true
		}
	}
	for _, c := range []string{monitoring.HTTPRequestDurationName, monitoring.HTTPRequestsInFlightName,
		monitoring.DependencyUpName, monitoring.DependencyCheckName, monitoring.BuildInfoName,
		monitoring.AuditSealPositionName, monitoring.AuditSealInfoName, monitoring.AuditSealProblemsName,
		monitoring.PolicyLagPositionsName, monitoring.PolicyLagSecondsName} {
		if !names[c] {
			t.Errorf("constant %s names no registered metric", c)
		}
	}
	return names
}

var posMetric = regexp.MustCompile(`\bpos_[a-z_]+`)

// checkExpr fails when expr uses a pos_* metric that posd does not define.
func checkExpr(t *testing.T, where, expr string, defined map[string]bool) {
	t.Helper()
	for _, m := range posMetric.FindAllString(expr, -1) {
		if !defined[m] {
			t.Errorf("%s uses undefined metric %s", where, m)
		}
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func TestPrometheusConfig(t *testing.T) {
	var cfg struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			MetricsPath   string `yaml:"metrics_path"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"scrape_configs"`
		Alerting struct {
			Alertmanagers []any `yaml:"alertmanagers"`
		} `yaml:"alerting"`
	}
	readYAML(t, "prometheus/prometheus.yml", &cfg)
	jobs := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		for _, s := range sc.StaticConfigs {
			jobs[sc.JobName] = append(jobs[sc.JobName], s.Targets...)
		}
	}
	// posd serves /metrics and /readyz on POS_OPS_ADDR (8081 in docker-compose.yml).
	if !slices.Contains(jobs["posd"], "posd:8081") {
		t.Errorf("no posd scrape job on posd:8081: %v", jobs)
	}
	if !slices.Contains(jobs["posd-readyz"], "http://posd:8081/readyz") {
		t.Errorf("no readiness probe of posd: %v", jobs)
	}
	if len(cfg.Alerting.Alertmanagers) == 0 || len(cfg.RuleFiles) == 0 {
		t.Error("alerting or rule_files missing")
	}
}

func TestAlertRules(t *testing.T) {
	defined := definedMetrics(t)
	files, err := filepath.Glob("prometheus/rules/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rule files (%v)", err)
	}
	var alerts []string
	for _, f := range files {
		var doc struct {
			Groups []struct {
				Name  string `yaml:"name"`
				Rules []struct {
					Alert       string            `yaml:"alert"`
					Expr        string            `yaml:"expr"`
					For         string            `yaml:"for"`
					Labels      map[string]string `yaml:"labels"`
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"rules"`
			} `yaml:"groups"`
		}
		readYAML(t, f, &doc)
		for _, g := range doc.Groups {
			for _, r := range g.Rules {
				alerts = append(alerts, r.Alert)
				where := f + " " + r.Alert
				if r.Alert == "" || strings.TrimSpace(r.Expr) == "" {
					t.Errorf("%s: rule without alert name or expr", where)
				}
				if s := r.Labels["severity"]; s != "critical" && s != "warning" {
					t.Errorf("%s: severity %q, want critical or warning", where, s)
				}
				if r.Annotations["summary"] == "" {
					t.Errorf("%s: no summary annotation", where)
				}
				if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
					t.Errorf("%s: unbalanced parentheses", where)
				}
				checkExpr(t, where, r.Expr, defined)
			}
		}
	}
	for _, want := range []string{"PosdDown", "PosdNotReady", "PosdHigh5xxRate", "PosdRedisDown", "PosdAuditSealBroken"} {
		if !slices.Contains(alerts, want) {
			t.Errorf("alert %s missing (have %v)", want, alerts)
		}
	}
}

func TestAlertmanagerAndBlackbox(t *testing.T) {
	var am struct {
		Route struct {
			Receiver string `yaml:"receiver"`
		} `yaml:"route"`
		Receivers []struct {
			Name string `yaml:"name"`
		} `yaml:"receivers"`
	}
	readYAML(t, "alertmanager/alertmanager.yml", &am)
	var names []string
	for _, r := range am.Receivers {
		names = append(names, r.Name)
	}
	if am.Route.Receiver == "" || !slices.Contains(names, am.Route.Receiver) {
		t.Errorf("route receiver %q not among receivers %v", am.Route.Receiver, names)
	}

	var bb struct {
		Modules map[string]struct {
			Prober string `yaml:"prober"`
		} `yaml:"modules"`
	}
	readYAML(t, "blackbox/blackbox.yml", &bb)
	if bb.Modules["http_2xx"].Prober != "http" {
		t.Errorf("blackbox module http_2xx missing: %+v", bb.Modules)
	}
}
