// Package deployment gives a deployment its identity: a random ID created once and stored in
// its PostgreSQL database, so that everything the deployment keeps outside that database (its
// Redis keys) can be namespaced by it, and two deployments sharing one Redis never see each
// other's keys. Every replica of a deployment shares the database, so they share the ID.
package deployment
