package collect

import (
	"context"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/keywarden/keywarden/internal/motoserver"
)

// The integration tests run against moto_server through package
// motoserver: one server for the package on 127.0.0.1, reset before each
// test that needs it, stopped by TestMain.

func TestMain(m *testing.M) {
	code := m.Run()
	motoserver.Stop()
	os.Exit(code)
}

func motoURL(t *testing.T) string { return motoserver.URL(t) }

func dummyCredentials(t testing.TB) { motoserver.DummyCredentials(t) }

// sdkConfig is the configuration the seeding code uses: the environment's
// dummy credentials, the endpoint, and the SDK's default retries.
func sdkConfig(t *testing.T, endpoint string) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithBaseEndpoint(endpoint), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// must fails the test when a seeding call fails.
func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("seed: %s: %v", what, err)
		}
		return v
	}
}
