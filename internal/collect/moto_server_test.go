package collect

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// The integration tests run against moto_server (moto 5.2.1), which the
// machine image ships (shared/dependencies.md §3). One server serves the
// whole package on 127.0.0.1, started by the first test that needs it and
// reset before each such test; TestMain kills it.

// requireMotoEnv makes a missing moto_server a failure instead of a skip,
// so that CI on a machine that should have it cannot skip silently.
const requireMotoEnv = "KEYWARDEN_REQUIRE_MOTO"

var moto struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.cmd != nil && moto.cmd.Process != nil {
		moto.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { moto.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			moto.cmd.Process.Kill()
		}
	}
	os.Exit(code)
}

// motoURL returns the URL of a freshly reset moto_server, starting it on
// first use, and sets the environment of the test to dummy credentials with
// no shared config files and no instance metadata lookups, so that
// nothing but 127.0.0.1 is ever reached.
func motoURL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv(requireMotoEnv) == "1" {
			t.Fatal("moto_server not found: integration tests need it (it ships in the machine image)")
		}
		t.Skipf("moto_server not found on PATH: skipping the integration test (set %s=1 to make this a failure)", requireMotoEnv)
	}
	moto.once.Do(func() { moto.url, moto.err = startMoto(path) })
	if moto.err != nil {
		t.Fatalf("start moto_server: %v", moto.err)
	}
	resp, err := http.Post(moto.url+"/moto-api/reset", "text/plain", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset moto: %s", resp.Status)
	}
	dummyCredentials(t)
	return moto.url
}

// dummyCredentials sets the environment to static test credentials and
// keeps the SDK away from the user's files and from instance metadata.
func dummyCredentials(t testing.TB) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_REGION":                  "us-east-1",
		"AWS_DEFAULT_REGION":          "us-east-1",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL":            "",
		"AWS_RETRY_MODE":              "",
		"AWS_MAX_ATTEMPTS":            "",
	} {
		t.Setenv(k, v) // restores the old value after the test
		if v == "" {
			// Unset, not empty: the AWS CLI takes AWS_PROFILE="" for a
			// profile named "".
			os.Unsetenv(k)
		}
	}
}

var runningOn = regexp.MustCompile(`Running on (http://127\.0\.0\.1:[0-9]+)`)

func startMoto(path string) (string, error) {
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", "0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return "", err
	}
	moto.cmd = cmd
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			if m := runningOn.FindStringSubmatch(sc.Text()); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		// Keep draining so that moto never blocks on a full pipe.
	}()
	var url string
	select {
	case url = <-found:
	case <-time.After(30 * time.Second):
		return "", fmt.Errorf("no %q line on stderr within 30s", "Running on")
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return url, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("GET %s/moto-api/ did not answer 200 within 30s", url)
}

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
