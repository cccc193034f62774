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
	"github.com/odata-pos/pos/projections"
)

// describing records every collector registered through it, so that the names of vectors
// with no series yet are known too.
type describing struct {
	prometheus.Registerer
	collectors []prometheus.Collector
}

func (d *describing) Register(c prometheus.Collector) error {
	d.collectors = append(d.collectors, c)
	return d.Registerer.Register(c)
}

func (d *describing) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := d.Register(c); err != nil {
			panic(err)
		}
	}
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

// definedMetrics returns the names of the pos_* metrics posd registers (each also under
// _bucket, _count and _sum, the series of a histogram).
func definedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := &describing{Registerer: prometheus.NewRegistry()}
	monitoring.NewHTTPMetrics(reg)
	monitoring.NewDependencyMetrics(reg)
	monitoring.NewAuditMetrics(reg, "seal_missing")
	monitoring.RegisterRuntime(reg, "test", "all")
	monitoring.NewBusinessMetrics(reg)
	monitoring.NewSecurityMetrics(reg, "login.failed")
	monitoring.NewEventStoreHead(reg)
	reg.MustRegister(monitoring.NewRedisFallbacks())
	if err := monitoring.RegisterPolicyMetrics(reg, func() []monitoring.PolicySample { return []monitoring.PolicySample{{Name: "p"}} }); err != nil {
		t.Fatal(err)
	}
	if _, err := monitoring.NewPublishMetrics(reg); err != nil {
		t.Fatal(err)
	}
	if err := projections.RegisterMetrics(reg); err != nil {
		t.Fatal(err)
	}

	names := map[string]bool{}
	for _, c := range reg.collectors {
		descs := make(chan *prometheus.Desc, 64)
		go func() { c.Describe(descs); close(descs) }()
		for d := range descs {
			if m := fqName.FindStringSubmatch(d.String()); m != nil {
				for _, suffix := range []string{"", "_bucket", "_count", "_sum"} {
					names[m[1]+suffix] = true
				}
			}
		}
	}
	for _, c := range []string{monitoring.HTTPRequestDurationName, monitoring.HTTPRequestsInFlightName,
		monitoring.DependencyUpName, monitoring.DependencyCheckName, monitoring.BuildInfoName,
		monitoring.AuditSealPositionName, monitoring.AuditSealInfoName, monitoring.AuditSealProblemsName,
		monitoring.PolicyLagPositionsName, monitoring.PolicyLagSecondsName,
		monitoring.SalesCompletedName, monitoring.SalesAmountName, monitoring.SalesVoidedName,
		monitoring.ReturnsRecordedName, monitoring.ReturnsAmountName, monitoring.ShiftOverShortName,
		monitoring.ShiftClosesName, monitoring.SecurityEventsName, monitoring.EventStoreHeadName,
		monitoring.RedisFallbacksName} {
		if !names[c] {
			t.Errorf("constant %s names no registered metric", c)
		}
	}
	return names
}

// posMetric finds pos_* metric names; group 2 is ":" when the name is the middle of a
// recording rule's level:metric:operations name, which is not a metric posd exports.
var posMetric = regexp.MustCompile(`(?:^|[^:\w])(pos_[a-z_]+)(:?)`)

// checkExpr fails when expr uses a pos_* metric that posd does not define.
func checkExpr(t *testing.T, where, expr string, defined map[string]bool) {
	t.Helper()
	for _, m := range posMetric.FindAllStringSubmatch(expr, -1) {
		if m[2] == "" && !defined[m[1]] {
			t.Errorf("%s uses undefined metric %s", where, m[1])
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
	if !slices.Contains(jobs["posd-readyz"], "posd:8081") { // probed at http://posd:8081/readyz
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
					Record      string            `yaml:"record"`
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
				where := f + " " + r.Alert + r.Record
				if strings.TrimSpace(r.Expr) == "" || (r.Alert == "") == (r.Record == "") {
					t.Errorf("%s: a rule needs an expr and either alert or record", where)
				}
				checkExpr(t, where, r.Expr, defined)
				if r.Record != "" {
					continue
				}
				alerts = append(alerts, r.Alert)
				if s := r.Labels["severity"]; s != "critical" && s != "warning" {
					t.Errorf("%s: severity %q, want critical or warning", where, s)
				}
				if r.Annotations["summary"] == "" {
					t.Errorf("%s: no summary annotation", where)
				}
				if strings.Count(r.Expr, "(") != strings.Count(r.Expr, ")") {
					t.Errorf("%s: unbalanced parentheses", where)
				}
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
