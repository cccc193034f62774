package main

import (
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/odata-pos/pos/api/httpx"
	"github.com/odata-pos/pos/eventstore"
	"github.com/odata-pos/pos/internal/config"
)

// APIPrefix is the base path of the versioned API.
const APIPrefix = "/api/v1"

// deps are the long-lived dependencies that the API and the workers are built from. run owns
// them and closes them after the server and the workers have stopped.
type deps struct {
	cfg        config.Config
	log        *slog.Logger
	store      eventstore.Store
	db         *pgxpool.Pool        // read models
	redis      *redis.Client        // nil when POS_REDIS_URL is empty
	registry   *prometheus.Registry // for the packages' own metrics
	responder  *httpx.Responder     // the one error → problem+json mapping
	signingKey []byte               // JWT signing key
}

// routes mounts the API of the other packages under /api/v1 on r. It is the one place where
// handlers meet their dependencies; /healthz, /readyz and /metrics are mounted by run.
//
// Each API package exposes a constructor taking what it needs from d and a method that
// registers its routes on the subrouter, e.g. auth.NewHandler(…).Register(api).
func routes(r *mux.Router, d *deps) {
	api := r.PathPrefix(APIPrefix).Subrouter()
	api.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		d.responder.Error(w, req, httpx.NotFound("route_not_found", "no such API route"))
	})
}
