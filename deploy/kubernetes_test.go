package deploy_test

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/intstr"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/odata-pos/pos/internal/config"
)

// namespace is where the kustomization puts everything.
const namespace = "odata-pos"

// renderKustomization renders deploy/kubernetes in-process (what `kubectl kustomize` does)
// and strictly decodes every object with the Kubernetes API types: an unknown or duplicate
// field, a wrong type or an unknown kind fails. It returns the objects by kind/name.
func renderKustomization(t *testing.T) map[string]runtime.Object {
	t.Helper()
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), "kubernetes")
	if err != nil {
		t.Fatalf("kustomize build deploy/kubernetes: %v", err)
	}
	rendered, err := resources.AsYaml()
	if err != nil {
		t.Fatal(err)
	}
	scheme := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, autoscalingv2.AddToScheme,
		networkingv1.AddToScheme, policyv1.AddToScheme} {
		if err := add(scheme); err != nil {
			t.Fatal(err)
		}
	}
	decoder := serializer.NewCodecFactory(scheme, serializer.EnableStrict).UniversalDeserializer()
	objects := map[string]runtime.Object{}
	docs := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(rendered)))
	for {
		doc, err := docs.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		obj, gvk, err := decoder.Decode(doc, nil, nil)
		if err != nil {
			t.Fatalf("strict decoding of a rendered object failed: %v\n%s", err, doc)
		}
		meta, ok := obj.(interface {
			GetName() string
			GetNamespace() string
		})
		if !ok {
			t.Fatalf("%s has no object metadata", gvk)
		}
		if meta.GetNamespace() != namespace {
			t.Errorf("%s/%s is in namespace %q, want %s", gvk.Kind, meta.GetName(), meta.GetNamespace(), namespace)
		}
		objects[gvk.Kind+"/"+meta.GetName()] = obj
	}
	return objects
}

// object returns the rendered object kind/name as T, failing the test when it is missing.
func object[T runtime.Object](t *testing.T, objects map[string]runtime.Object, key string) T {
	t.Helper()
	obj, ok := objects[key].(T)
	if !ok {
		t.Fatalf("%s missing from the rendered kustomization (have %v)", key, keys(objects))
	}
	return obj
}

func keys(m map[string]runtime.Object) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestKubernetesManifests renders the kustomization, strictly decodes it and checks what the
// deployment relies on: both Deployments run a pinned image under a ServiceAccount without an
// API token, carry the labels and scrape annotations the Prometheus relabeling keys on, probe
// the ops port and have a posd-accepted configuration; the API spreads over zones and nodes
// and is scaled by an HPA on CPU and request rate (the adapter rule serves that metric); the
// projector is a Recreate singleton; a NetworkPolicy limits ingress and egress.
func TestKubernetesManifests(t *testing.T) {
	objects := renderKustomization(t)
	cm := object[*corev1.ConfigMap](t, objects, "ConfigMap/posd")
	env := maps.Clone(cm.Data)
	// The Secret supplies these two.
	env["POS_DATABASE_URL"] = "postgres://posd:secret@postgres:5432/pos?sslmode=require"
	env["POS_JWT_SECRET"] = strings.Repeat("k", 44)

	sa := object[*corev1.ServiceAccount](t, objects, "ServiceAccount/posd")
	if sa.AutomountServiceAccountToken == nil || *sa.AutomountServiceAccountToken {
		t.Error("ServiceAccount posd mounts an API token")
	}

	for _, d := range []struct{ name, role string }{{"posd-api", "api"}, {"posd-projector", "projector"}} {
		dep := object[*appsv1.Deployment](t, objects, "Deployment/"+d.name)
		pod := dep.Spec.Template
		if pod.Labels["app.kubernetes.io/name"] != "posd" || pod.Labels["app.kubernetes.io/component"] != d.role {
			t.Errorf("%s pod labels %v, want app.kubernetes.io/name=posd, component=%s", d.name, pod.Labels, d.role)
		}
		for k, v := range map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8081", "prometheus.io/path": "/metrics"} {
			if pod.Annotations[k] != v {
				t.Errorf("%s annotation %s = %q, want %q", d.name, k, pod.Annotations[k], v)
			}
		}
		if pod.Spec.ServiceAccountName != sa.Name || pod.Spec.AutomountServiceAccountToken == nil || *pod.Spec.AutomountServiceAccountToken {
			t.Errorf("%s runs as %q with token automount %v, want posd without a token", d.name, pod.Spec.ServiceAccountName, pod.Spec.AutomountServiceAccountToken)
		}
		if len(pod.Spec.Containers) != 1 {
			t.Fatalf("%s has %d containers", d.name, len(pod.Spec.Containers))
		}
		c := pod.Spec.Containers[0]
		if !pinnedTag.MatchString(c.Image) || !strings.HasPrefix(c.Image, "ghcr.io/odata-pos/posd:") {
			t.Errorf("%s image %q is not a pinned release of ghcr.io/odata-pos/posd", d.name, c.Image)
		}
		if c.LivenessProbe == nil || c.LivenessProbe.HTTPGet == nil || c.LivenessProbe.HTTPGet.Path != "/healthz" {
			t.Errorf("%s liveness probe is not /healthz", d.name)
		}
		if c.ReadinessProbe == nil || c.ReadinessProbe.HTTPGet == nil || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("%s readiness probe is not /readyz", d.name)
		}
		for _, p := range []*corev1.Probe{c.LivenessProbe, c.ReadinessProbe, c.StartupProbe} {
			if p == nil || p.HTTPGet == nil || p.HTTPGet.Port != intstr.FromString("ops") {
				t.Errorf("%s has a probe off the ops port: %+v", d.name, p)
			}
		}
		var ports []string
		for _, p := range c.Ports {
			ports = append(ports, p.Name+":"+strconv.Itoa(int(p.ContainerPort)))
		}
		if !slices.Equal(ports, []string{"http:8080", "ops:8081"}) || env["POS_OPS_ADDR"] != "0.0.0.0:8081" {
			t.Errorf("%s ports %v with POS_OPS_ADDR %q, want http:8080 ops:8081", d.name, ports, env["POS_OPS_ADDR"])
		}
		if !slices.Equal(c.Args, []string{"--role", d.role}) {
			t.Errorf("%s args = %v", d.name, c.Args)
		}
		if grace := pod.Spec.TerminationGracePeriodSeconds; grace == nil || *grace <= 25 { // POS_SHUTDOWN_TIMEOUT 20s + preStop 5s
			t.Errorf("%s terminationGracePeriodSeconds = %v, too short for the graceful shutdown", d.name, grace)
		}
		if _, err := config.Load(c.Args, lookupIn(env), io.Discard); err != nil {
			t.Errorf("%s configuration is rejected by posd:\n%v", d.name, err)
		}
	}

	api := object[*appsv1.Deployment](t, objects, "Deployment/posd-api")
	if api.Spec.Replicas != nil {
		t.Errorf("posd-api sets replicas %d: the HPA owns the count", *api.Spec.Replicas)
	}
	var spreadKeys []string
	for _, c := range api.Spec.Template.Spec.TopologySpreadConstraints {
		spreadKeys = append(spreadKeys, c.TopologyKey)
		if c.LabelSelector == nil || c.LabelSelector.MatchLabels["app.kubernetes.io/component"] != "api" {
			t.Errorf("topology spread on %s does not select the API pods", c.TopologyKey)
		}
	}
	if !slices.Equal(spreadKeys, []string{"topology.kubernetes.io/zone", "kubernetes.io/hostname"}) {
		t.Errorf("posd-api spreads over %v, want zones then nodes", spreadKeys)
	}

	projector := object[*appsv1.Deployment](t, objects, "Deployment/posd-projector")
	if r := projector.Spec.Replicas; r == nil || *r != 1 || projector.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("posd-projector replicas %v strategy %s, want a Recreate singleton", r, projector.Spec.Strategy.Type)
	}

	hpa := object[*autoscalingv2.HorizontalPodAutoscaler](t, objects, "HorizontalPodAutoscaler/posd-api")
	pdb := object[*policyv1.PodDisruptionBudget](t, objects, "PodDisruptionBudget/posd-api")
	if ref := hpa.Spec.ScaleTargetRef; ref.Kind != "Deployment" || ref.Name != api.Name {
		t.Errorf("HPA scales %s/%s", ref.Kind, ref.Name)
	}
	if hpa.Spec.MinReplicas == nil || int(*hpa.Spec.MinReplicas) <= pdb.Spec.MinAvailable.IntValue() {
		t.Errorf("HPA minReplicas %v leaves no room for the PodDisruptionBudget's minAvailable %s", hpa.Spec.MinReplicas, pdb.Spec.MinAvailable.String())
	}
	var cpu bool
	var podMetric string
	for _, m := range hpa.Spec.Metrics {
		switch {
		case m.Type == autoscalingv2.ResourceMetricSourceType && m.Resource.Name == corev1.ResourceCPU:
			cpu = true
		case m.Type == autoscalingv2.PodsMetricSourceType:
			podMetric = m.Pods.Metric.Name
		}
	}
	if !cpu || podMetric == "" {
		t.Errorf("HPA metrics: cpu %v, per-pod metric %q; want both", cpu, podMetric)
	}
	var adapter struct {
		Rules []struct {
			SeriesQuery string `yaml:"seriesQuery"`
			Name        struct {
				As string `yaml:"as"`
			} `yaml:"name"`
			MetricsQuery string `yaml:"metricsQuery"`
		} `yaml:"rules"`
	}
	b, err := os.ReadFile("kubernetes/prometheus-adapter-rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &adapter); err != nil {
		t.Fatalf("prometheus-adapter-rules.yaml: %v", err)
	}
	if len(adapter.Rules) != 1 || adapter.Rules[0].Name.As != podMetric ||
		!strings.Contains(adapter.Rules[0].SeriesQuery, "pos_http_request_duration_seconds_count") {
		t.Errorf("the adapter rule %+v does not serve the HPA's metric %q", adapter.Rules, podMetric)
	}

	np := object[*networkingv1.NetworkPolicy](t, objects, "NetworkPolicy/posd")
	if np.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] != "posd" ||
		!slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}) {
		t.Errorf("NetworkPolicy selects %v for %v, want posd pods, ingress and egress", np.Spec.PodSelector.MatchLabels, np.Spec.PolicyTypes)
	}
	for _, rule := range np.Spec.Ingress {
		for _, p := range rule.Ports {
			if p.Port != nil && *p.Port == intstr.FromString("ops") && len(rule.From) == 0 {
				t.Error("NetworkPolicy opens the ops port (metrics, readiness details) to every pod")
			}
		}
	}
	var egressPorts []string
	for _, rule := range np.Spec.Egress {
		for _, p := range rule.Ports {
			egressPorts = append(egressPorts, p.Port.String())
		}
	}
	for _, want := range []string{"53", "5432", "2113", "6379"} {
		if !slices.Contains(egressPorts, want) {
			t.Errorf("NetworkPolicy egress lacks port %s (has %v)", want, egressPorts)
		}
	}
	object[*corev1.Service](t, objects, "Service/posd")
}
