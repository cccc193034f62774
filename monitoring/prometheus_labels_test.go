package monitoring_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"gopkg.in/yaml.v3"
)

// scrapeFile is the part of a Prometheus configuration this repository uses, decoded strictly
// (an unknown or misspelt field fails the test; promtool checks the rest).
type scrapeFile struct {
	Global struct {
		ScrapeInterval     string `yaml:"scrape_interval"`
		EvaluationInterval string `yaml:"evaluation_interval"`
	} `yaml:"global"`
	Alerting struct {
		Alertmanagers []struct {
			StaticConfigs []staticConfig `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	RuleFiles     []string       `yaml:"rule_files"`
	ScrapeConfigs []scrapeConfig `yaml:"scrape_configs"`
}

type staticConfig struct {
	Targets []string          `yaml:"targets"`
	Labels  map[string]string `yaml:"labels"`
}

type scrapeConfig struct {
	JobName        string                  `yaml:"job_name"`
	MetricsPath    string                  `yaml:"metrics_path"`
	Params         map[string][]string     `yaml:"params"`
	StaticConfigs  []staticConfig          `yaml:"static_configs"`
	KubernetesSD   []struct{ Role string } `yaml:"kubernetes_sd_configs"`
	RelabelConfigs []*relabel.Config       `yaml:"relabel_configs"`
}

func readScrapeFile(t *testing.T, path string) scrapeFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var f scrapeFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, sc := range f.ScrapeConfigs {
		for _, rc := range sc.RelabelConfigs {
			if err := rc.Validate(model.UTF8Validation); err != nil {
				t.Fatalf("%s job %s: %v", path, sc.JobName, err)
			}
		}
	}
	return f
}

// targetLabels does what Prometheus does to a discovered target: the job's defaults, the
// discovered labels, relabel_configs, instance from __address__ when unset, and the labels
// starting with __ dropped. ok is false when relabelling dropped the target.
func targetLabels(sc scrapeConfig, discovered map[string]string) (map[string]string, bool) {
	lb := labels.NewBuilder(labels.EmptyLabels())
	lb.Set(model.JobLabel, sc.JobName)
	path := sc.MetricsPath
	if path == "" {
		path = "/metrics"
	}
	lb.Set(model.MetricsPathLabel, path)
	lb.Set(model.SchemeLabel, "http")
	for k, v := range sc.Params {
		if len(v) > 0 {
			lb.Set(model.ParamLabelPrefix+k, v[0])
		}
	}
	for k, v := range discovered {
		lb.Set(k, v)
	}
	if !relabel.ProcessBuilder(lb, sc.RelabelConfigs...) {
		return nil, false
	}
	if lb.Get(model.InstanceLabel) == "" {
		lb.Set(model.InstanceLabel, lb.Get(model.AddressLabel))
	}
	out := map[string]string{}
	lb.Labels().Range(func(l labels.Label) {
		out[l.Name] = l.Value
	})
	for k := range out {
		if strings.HasPrefix(k, "__") && k != model.AddressLabel && k != model.MetricsPathLabel && !strings.HasPrefix(k, model.ParamLabelPrefix) {
			delete(out, k)
		}
	}
	return out, true
}

// scraped is one target as Prometheus would scrape it: where and with which labels.
type scraped struct {
	address, path, target string
	labels                map[string]string
}

// scrapeAll returns the targets of every job of f for the discovered targets of the
// Kubernetes jobs (static jobs use their own).
func scrapeAll(f scrapeFile, pods []map[string]string) []scraped {
	var out []scraped
	add := func(sc scrapeConfig, discovered map[string]string) {
		ls, ok := targetLabels(sc, discovered)
		if !ok {
			return
		}
		s := scraped{address: ls[model.AddressLabel], path: ls[model.MetricsPathLabel], target: ls[model.ParamLabelPrefix+"target"], labels: map[string]string{}}
		for k, v := range ls {
			if !strings.HasPrefix(k, "__") {
				s.labels[k] = v
			}
		}
		out = append(out, s)
	}
	for _, sc := range f.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			for _, tg := range st.Targets {
				d := map[string]string{model.AddressLabel: tg}
				for k, v := range st.Labels {
					d[k] = v
				}
				add(sc, d)
			}
		}
		if len(sc.KubernetesSD) > 0 {
			for _, p := range pods {
				add(sc, p)
			}
		}
	}
	return out
}

// pod is what Kubernetes pod discovery reports for one container port of a pod.
func pod(name, app, component, ip, port string, annotations map[string]string) map[string]string {
	m := map[string]string{
		model.AddressLabel:                                          ip + ":" + port,
		"__meta_kubernetes_namespace":                               "pos",
		"__meta_kubernetes_pod_name":                                name,
		"__meta_kubernetes_pod_ip":                                  ip,
		"__meta_kubernetes_pod_container_port_number":               port,
		"__meta_kubernetes_pod_label_app_kubernetes_io_name":        app,
		"__meta_kubernetes_pod_labelpresent_app_kubernetes_io_name": "true",
	}
	if component != "" {
		m["__meta_kubernetes_pod_label_app_kubernetes_io_component"] = component
	}
	for k, v := range annotations {
		n := strings.NewReplacer(".", "_", "/", "_", "-", "_").Replace(k)
		m["__meta_kubernetes_pod_annotation_"+n] = v
		m["__meta_kubernetes_pod_annotationpresent_"+n] = "true"
	}
	return m
}

var posdAnnotations = map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8081", "prometheus.io/path": "/metrics"}

// find returns the targets of job.
func find(ts []scraped, job string) []scraped {
	var out []scraped
	for _, s := range ts {
		if s.labels["job"] == job {
			out = append(out, s)
		}
	}
	return out
}

// TestScrapeLabelsComposeAndKubernetes renders the targets of prometheus.yml (compose) and
// prometheus-kubernetes.yml (pods as deploy/kubernetes labels and annotates them) and checks
// the labels the rules, the dashboards and Alertmanager's inhibit rules rely on: job="posd"
// for posd's metrics, job="posd-readyz" for its probe, both with the same instance, and the
// exporters' jobs.
func TestScrapeLabelsComposeAndKubernetes(t *testing.T) {
	compose := scrapeAll(readScrapeFile(t, "prometheus/prometheus.yml"), nil)
	k8s := scrapeAll(readScrapeFile(t, "prometheus/prometheus-kubernetes.yml"), []map[string]string{
		// posd's API pod, discovered on its API port and on its ops port.
		pod("posd-api-7d9f-abcde", "posd", "api", "10.0.0.5", "8080", posdAnnotations),
		pod("posd-api-7d9f-abcde", "posd", "api", "10.0.0.5", "8081", posdAnnotations),
		pod("posd-projector-5c4b-xyz", "posd", "projector", "10.0.0.6", "8081", posdAnnotations),
		pod("node-exporter-q2w3e", "node-exporter", "", "10.0.0.7", "9100", map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "9100"}),
		// Not annotated: not scraped.
		pod("grafana-0", "grafana", "", "10.0.0.8", "3000", nil),
	})

	type want struct{ instance, component, address, path, target string }
	for _, tc := range []struct {
		name  string
		got   []scraped
		job   string
		wants []want
	}{
		{"compose posd", compose, "posd", []want{{"posd:8081", "all", "posd:8081", "/metrics", ""}}},
		{"compose probe", compose, "posd-readyz", []want{{"posd:8081", "all", "blackbox:9115", "/probe", "http://posd:8081/readyz"}}},
		{"kubernetes posd", k8s, "posd", []want{
			{"posd-api-7d9f-abcde", "api", "10.0.0.5:8081", "/metrics", ""},
			{"posd-api-7d9f-abcde", "api", "10.0.0.5:8081", "/metrics", ""},
			{"posd-projector-5c4b-xyz", "projector", "10.0.0.6:8081", "/metrics", ""},
		}},
		{"kubernetes probe", k8s, "posd-readyz", []want{
			{"posd-api-7d9f-abcde", "api", "blackbox:9115", "/probe", "http://10.0.0.5:8081/readyz"},
			{"posd-api-7d9f-abcde", "api", "blackbox:9115", "/probe", "http://10.0.0.5:8081/readyz"},
			{"posd-projector-5c4b-xyz", "projector", "blackbox:9115", "/probe", "http://10.0.0.6:8081/readyz"},
		}},
		{"kubernetes node exporter", k8s, "node-exporter", []want{{"node-exporter-q2w3e", "", "10.0.0.7:9100", "/metrics", ""}}},
	} {
		got := find(tc.got, tc.job)
		if len(got) != len(tc.wants) {
			t.Errorf("%s: %d targets of job %s, want %d: %+v", tc.name, len(got), tc.job, len(tc.wants), got)
			continue
		}
		for i, w := range tc.wants {
			g := got[i]
			if g.labels["instance"] != w.instance || g.labels["component"] != w.component || g.address != w.address || g.path != w.path || g.target != w.target {
				t.Errorf("%s target %d: instance %q component %q address %q path %q target %q, want %+v",
					tc.name, i, g.labels["instance"], g.labels["component"], g.address, g.path, g.target, w)
			}
		}
	}
	if n := len(find(k8s, "grafana")); n != 0 {
		t.Errorf("an unannotated pod is scraped (%d targets)", n)
	}
	// Every exporter job the rules name (ScrapeJobAbsent, ExporterDown) is scraped under compose.
	for _, job := range []string{"posd", "posd-readyz", "node-exporter", "postgres-exporter", "redis-exporter", "cadvisor", "alertmanager", "blackbox"} {
		if len(find(compose, job)) == 0 {
			t.Errorf("compose: no target of job %s", job)
		}
	}
}
