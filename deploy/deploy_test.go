package deploy_test

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/odata-pos/pos/internal/config"
)

// lookupIn adapts a map to config.LookupFunc.
func lookupIn(env map[string]string) config.LookupFunc {
	return func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
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
