package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServerWritesJSONLogsToPOSLogFileAndStdout(t *testing.T) {
	env := testEnv(t)
	env["POS_REDIS_URL"] = ""
	path := filepath.Join(t.TempDir(), "logs", "posd.log") // the directory is created
	env["POS_LOG_FILE"] = path
	s := startServer(t, env, nil, nil)
	s.cancel()
	if err := s.wait(t); err != nil {
		t.Fatalf("posd: %v", err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read the log file: %v", err)
	}
	var msgs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var line struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Level == "" || line.Msg == "" {
			t.Fatalf("log file line is not a JSON log record (%v): %s", err, sc.Bytes())
		}
		msgs = append(msgs, line.Msg)
	}
	if len(msgs) < 2 || msgs[0] != "starting posd" {
		t.Fatalf("log file holds %q, want starting posd and the lines after it", msgs)
	}
	if !strings.Contains(s.logs.String(), `"msg":"starting posd"`) {
		t.Errorf("stdout lost the logs when POS_LOG_FILE is set:\n%s", s.logs)
	}
	if got := strings.Count(s.logs.String(), "\n"); got != len(msgs) {
		t.Errorf("stdout has %d lines, the file %d: want the same lines in both", got, len(msgs))
	}
}

func TestStartFailsWhenPOSLogFileCannotBeCreated(t *testing.T) {
	notADir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := testEnv(t)
	env["POS_LOG_FILE"] = filepath.Join(notADir, "posd.log")
	var stdout bytes.Buffer
	// Should posd start regardless, it stops as soon as it listens.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := runWith(ctx, nil, lookupIn(env), &stdout, &stdout, hooks{listening: func(net.Addr) { cancel() }})
	if err == nil || !strings.Contains(err.Error(), "log file") {
		t.Fatalf("run = %v, want a log file error", err)
	}
	if stdout.Len() != 0 {
		t.Errorf("posd logged although its log file cannot be written: %s", stdout.String())
	}
}
