// Package deploy holds no code: the directory has the deployment files of posd (Kubernetes
// manifests, a systemd unit), and this package's tests check them and the repository's
// docker-compose.yml: they parse, name the probes and ports posd serves, and carry
// configurations that posd's own validation accepts.
package deploy
