// This file replaces esdb/containers_test.go of EventStore-Client-Go v4.2.0 when
// scripts/esdb-client-suite.sh runs that module's own tests (go test -overlay). It is the only
// file replaced. The original starts an EventStoreDB docker container per database; this one
// starts the project's in-process EventStoreDB emulator (eventstore/esdb/esdbtest) on a TCP
// port of 127.0.0.1 instead, one fresh emulator per CreateEmptyDatabase call, as the original
// starts one fresh container per call. Everything that does not start a container is kept as
// the original has it (same names, same connection strings, same admin wait).
//
// Differences from the original, all about containers:
//   - CreatePopulatedDatabase returns no container and a nil client: the pre-populated test
//     database is a docker image's data directory, which the emulator does not have. The
//     suites' tests that need it skip themselves when the populated client is nil.
//   - WaitForLeaderToBeElected is not called: it probes by creating a persistent subscription,
//     which the emulator deliberately lacks, and a single in-process node is always the leader.
//   - TLS (EVENTSTORE_INSECURE=false) and clusters (CLUSTER=true) are refused: the emulator
//     serves plain gRPC on one node only.
package esdb_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/goombaio/namegenerator"
	"github.com/odata-pos/pos/eventstore/esdb/esdbtest"
)

const (
	EVENTSTORE_DOCKER_TAG = "EVENTSTORE_DOCKER_TAG"
)

var (
	NAME_GENERATOR = namegenerator.NewNameGenerator(0)
)

// Container is the running emulator in place of a docker container.
type Container struct {
	Endpoint string
	server   *esdbtest.Server
}

func GetEnvOrDefault(key, defaultValue string) string {
	if value, exists := os.LookupEnv(key); exists {
		return value
	}
	return defaultValue
}

// IsESDBVersion20 is false as in the original when EVENTSTORE_DOCKER_TAG is unset: the
// emulator reports esdbtest.ServerVersion (24.10).
func IsESDBVersion20() bool {
	return false
}

// Close stops the emulator, as the original stops the container.
func (container *Container) Close() {
	container.server.Close()
}

func GetClient(t *testing.T, container *Container) *esdb.Client {
	return createTestClient("esdb://"+container.Endpoint+"?tls=false", container, t)
}

func CreateEmptyDatabase(t *testing.T) (*Container, *esdb.Client) {
	if GetEnvOrDefault("EVENTSTORE_INSECURE", "true") != "true" || GetEnvOrDefault("CLUSTER", "false") == "true" {
		t.Fatalf("the EventStoreDB emulator serves one insecure node only: unset EVENTSTORE_INSECURE and CLUSTER")
	}
	t.Logf("[debug] starting empty EventStoreDB emulator (eventstore/esdb/esdbtest) in place of a container...")
	server, err := esdbtest.Start(esdbtest.Options{})
	if err != nil {
		t.Fatalf("error when starting the EventStoreDB emulator: %v", err)
	}
	container := &Container{Endpoint: server.Addr(), server: server}
	client := GetClient(t, container)
	WaitForAdminToBeAvailable(t, client)
	return container, client
}

func CreatePopulatedDatabase(t *testing.T) (*Container, *esdb.Client) {
	t.Logf("[debug] no populated database: the emulator has no copy of the pre-populated test data image; tests needing it skip")
	return nil, nil
}

func createTestClient(conn string, container *Container, t *testing.T) *esdb.Client {
	config, err := esdb.ParseConnectionString(conn)
	if err != nil {
		t.Fatalf("Unexpected configuration error: %s", err.Error())
	}

	client, err := esdb.NewClient(config)
	if err != nil {
		t.Fatalf("Unexpected failure setting up test connection: %s", err.Error())
	}

	return client
}

func WaitForAdminToBeAvailable(t *testing.T, db *esdb.Client) {
	for count := 0; count < 50; count++ {
		ctx, cancel := context.WithTimeout(context.Background(), 1*time.Second)
		t.Logf("[debug] checking if admin user is available...%v/50", count)

		stream, err := db.ReadStream(ctx, "$users", esdb.ReadStreamOptions{}, 1)

		if ctx.Err() != nil {
			t.Log("[debug] request timed out, retrying...")
			cancel()
			time.Sleep(1 * time.Second)
			continue
		}

		if stream != nil {
			_, err = stream.Recv()
			if err == nil {
				t.Log("[debug] admin is available!")
				cancel()
				stream.Close()
				return
			}
		}

		if err != nil {
			if esdbError, ok := esdb.FromError(err); !ok {
				if esdbError.Code() == esdb.ErrorCodeResourceNotFound ||
					esdbError.Code() == esdb.ErrorCodeUnauthenticated ||
					esdbError.Code() == esdb.ErrorCodeDeadlineExceeded ||
					esdbError.Code() == esdb.ErrorUnavailable {
					time.Sleep(1 * time.Second)
					t.Logf("[debug] not available retrying...")
					cancel()
					continue
				}

				t.Fatalf("unexpected error when waiting the admin account to be available: %+v", esdbError)
			}

			t.Fatalf("unexpected error when waiting the admin account to be available: %+v", err)
		}
	}

	t.Fatalf("failed to access admin account in a timely manner")
}

func CreateClient(connStr string, t *testing.T) *esdb.Client {
	config, err := esdb.ParseConnectionString(connStr)

	if err != nil {
		t.Fatalf("Error when parsin connection string: %v", err)
	}

	client, err := esdb.NewClient(config)

	if err != nil {
		t.Fatalf("Error when creating an ESDB esdb: %v", err)
	}

	return client
}
