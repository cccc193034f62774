package monitoring

import "github.com/prometheus/client_golang/prometheus"

// RedisFallbacksName counts the work posd did in-process because Redis was down or disabled.
const RedisFallbacksName = "pos_redis_fallbacks_total"

// NewRedisFallbacks returns the (unregistered) counter of in-process fallbacks, by component
// (auth, ratelimit, reports).
func NewRedisFallbacks() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: RedisFallbacksName,
		Help: "Operations served in-process because Redis was down or disabled, by component.",
	}, []string{"component"})
}
