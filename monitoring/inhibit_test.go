package monitoring_test

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

// inhibitRule is one of alertmanager.yml's inhibit_rules.
type inhibitRule struct {
	SourceMatchers []string `yaml:"source_matchers"`
	TargetMatchers []string `yaml:"target_matchers"`
	Equal          []string `yaml:"equal"`
}

// matcherSyntax is the subset of Alertmanager's matcher syntax the file uses: name, operator
// and a double-quoted value.
var matcherSyntax = regexp.MustCompile(`^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*")$`)

// matches reports whether labels satisfy every matcher, as Alertmanager evaluates them
// (regular expressions anchored at both ends; a missing label is the empty string).
func matches(t *testing.T, matchers []string, ls map[string]string) bool {
	t.Helper()
	for _, m := range matchers {
		p := matcherSyntax.FindStringSubmatch(m)
		if p == nil {
			t.Fatalf("matcher %q: not name, operator, quoted value", m)
		}
		value, err := strconv.Unquote(p[3])
		if err != nil {
			t.Fatalf("matcher %q: %v", m, err)
		}
		got := ls[p[1]]
		var ok bool
		switch p[2] {
		case "=":
			ok = got == value
		case "!=":
			ok = got != value
		case "=~", "!~":
			re := regexp.MustCompile("^(?:" + value + ")$")
			ok = re.MatchString(got) == (p[2] == "=~")
		}
		if !ok {
			return false
		}
	}
	return true
}

// inhibited reports whether any rule lets a firing source mute target.
func inhibited(t *testing.T, rules []inhibitRule, source, target map[string]string) bool {
	t.Helper()
	for _, r := range rules {
		if !matches(t, r.SourceMatchers, source) || !matches(t, r.TargetMatchers, target) {
			continue
		}
		equal := true
		for _, l := range r.Equal {
			if source[l] != target[l] {
				equal = false
			}
		}
		if equal {
			return true
		}
	}
	return false
}

// alert is the labels of an alert on a series of target: the target's labels, the rule's
// labels and alertname.
func alert(target scraped, name string, extra map[string]string) map[string]string {
	ls := maps.Clone(target.labels)
	maps.Copy(ls, extra)
	ls["alertname"] = name
	return ls
}

// TestInhibitRulesMatch checks, on the labels Prometheus gives posd's targets under compose
// and Kubernetes, that a dead posd's PosdDown mutes the PosdNotReady of the same posd (the
// probe's instance used to be the URL, so it never matched) and not another posd's, and
// that the other inhibit rules match what the rules produce.
func TestInhibitRulesMatch(t *testing.T) {
	var am struct {
		InhibitRules []inhibitRule `yaml:"inhibit_rules"`
	}
	readYAML(t, "alertmanager/alertmanager.yml", &am)
	if len(am.InhibitRules) == 0 {
		t.Fatal("no inhibit_rules")
	}
	critical := map[string]string{"severity": "critical"}

	for name, ts := range map[string][]scraped{
		"compose":    scrapeAll(readScrapeFile(t, "prometheus/prometheus.yml"), nil),
		"kubernetes": scrapeAll(readScrapeFile(t, "prometheus/prometheus-kubernetes.yml"), []map[string]string{pod("posd-api-1", "posd", "api", "10.0.0.5", "8081", posdAnnotations), pod("posd-api-2", "posd", "api", "10.0.0.9", "8081", posdAnnotations)}),
	} {
		posd, probes := find(ts, "posd"), find(ts, "posd-readyz")
		if len(posd) == 0 || len(probes) != len(posd) {
			t.Fatalf("%s: %d posd targets, %d probes", name, len(posd), len(probes))
		}
		for _, probe := range probes {
			if !slices.ContainsFunc(posd, func(p scraped) bool { return p.labels["instance"] == probe.labels["instance"] }) {
				t.Errorf("%s: the probe of %s has instance %q, which no posd target has: PosdDown cannot mute its PosdNotReady", name, probe.target, probe.labels["instance"])
			}
		}
		down := alert(posd[0], "PosdDown", critical)
		for _, probe := range probes {
			notReady := alert(probe, "PosdNotReady", critical)
			same := probe.labels["instance"] == posd[0].labels["instance"]
			if got := inhibited(t, am.InhibitRules, down, notReady); got != same {
				t.Errorf("%s: PosdDown on %s mutes PosdNotReady on %s: %v, want %v", name, down["instance"], notReady["instance"], got, same)
			}
		}
		depDown := alert(posd[0], "PosdRequiredDependencyDown", map[string]string{"severity": "critical", "dependency": "eventstore", "required": "true"})
		if !inhibited(t, am.InhibitRules, down, depDown) {
			t.Errorf("%s: PosdDown does not mute the same posd's PosdRequiredDependencyDown", name)
		}
		if !inhibited(t, am.InhibitRules, depDown, alert(probes[0], "PosdNotReady", critical)) && probes[0].labels["instance"] == depDown["instance"] {
			t.Errorf("%s: PosdRequiredDependencyDown does not mute the same posd's PosdNotReady", name)
		}
		// A dead posd must not mute alerts about the whole read side or the business.
		for _, other := range []map[string]string{
			{"alertname": "PosdProjectionFailed", "severity": "critical", "job": "posd", "projection": "sales", "track": "live"},
			{"alertname": "PosdVoidsUnusuallyHigh", "severity": "warning", "audience": "business", "job": "posd", "store_id": "a"},
		} {
			if inhibited(t, am.InhibitRules, down, other) {
				t.Errorf("%s: PosdDown mutes %s", name, other["alertname"])
			}
		}
	}

	fast := map[string]string{"alertname": "PosdErrorBudgetBurnFast", "severity": "critical", "job": "posd", "slo": "commands"}
	slow := map[string]string{"alertname": "PosdErrorBudgetBurnSlow", "severity": "warning", "job": "posd", "slo": "commands"}
	slowQueries := maps.Clone(slow)
	slowQueries["slo"] = "queries"
	if !inhibited(t, am.InhibitRules, fast, slow) || inhibited(t, am.InhibitRules, fast, slowQueries) {
		t.Error("the fast burn of an SLO must mute the slow burn of the same SLO only")
	}
	disk := map[string]string{"instance": "node-exporter:9100", "mountpoint": "/data", "job": "node-exporter"}
	soon, day := maps.Clone(disk), maps.Clone(disk)
	soon["alertname"], day["alertname"] = "DiskWillFillIn4Hours", "DiskWillFillIn24Hours"
	otherDisk := maps.Clone(day)
	otherDisk["mountpoint"] = "/"
	if !inhibited(t, am.InhibitRules, soon, day) || inhibited(t, am.InhibitRules, soon, otherDisk) {
		t.Error("DiskWillFillIn4Hours must mute DiskWillFillIn24Hours of the same filesystem only")
	}
}
