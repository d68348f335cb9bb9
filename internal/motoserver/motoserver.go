// Package motoserver starts moto_server (the AWS API emulator the machine
// image ships, moto 5.2.1) for integration tests: on 127.0.0.1 only, on a
// free port, one server per test binary, reset before each test that asks
// for it. Tests that need it call URL; when moto_server is not on PATH they
// skip, unless KEYWARDEN_REQUIRE_MOTO=1 makes that a failure (CI sets it).
//
// It also sets the test's environment to dummy credentials and keeps the
// AWS SDK and CLI away from the user's files and from instance metadata, so
// that nothing but 127.0.0.1 is ever reached.
package motoserver

import (
	"bufio"
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
)

// RequireEnv makes a missing moto_server a failure instead of a skip.
const RequireEnv = "KEYWARDEN_REQUIRE_MOTO"

var server struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  error
}

// URL returns the URL of a freshly reset moto_server, starting it on first
// use, and sets dummy credentials in the test's environment.
func URL(t *testing.T) string {
	t.Helper()
	path := lookPath(t)
	server.once.Do(func() { server.url, server.err = start(path) })
	if server.err != nil {
		t.Fatalf("start moto_server: %v", server.err)
	}
	resp, err := http.Post(server.url+"/moto-api/reset", "text/plain", nil)
	if err != nil {
		t.Fatalf("reset moto: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("reset moto: %s", resp.Status)
	}
	DummyCredentials(t)
	return server.url
}

// Stop ends the server; call it from TestMain after m.Run.
func Stop() { stopCmd(server.cmd) }

func stopCmd(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
	}
}

// DummyCredentials sets the environment to static test credentials and
// keeps the SDK and the AWS CLI away from the user's files and from
// instance metadata.
func DummyCredentials(t testing.TB) {
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

func start(path string) (string, error) {
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", "0")
	server.cmd = cmd
	return startCmd(cmd)
}

func startCmd(cmd *exec.Cmd) (string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return "", err
	}
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

// Dedicated starts a moto_server for one test and stops it when the test
// ends; for test binaries whose TestMain cannot call Stop (testscript's).
func Dedicated(t *testing.T) string { return DedicatedAccount(t, "") }

// DedicatedAccount is Dedicated with moto's account set to account (its
// default, 123456789012, when empty): tests that load an account into
// moto keep its ARNs.
func DedicatedAccount(t *testing.T, account string) string {
	t.Helper()
	cmd := exec.Command(lookPath(t), "-H", "127.0.0.1", "-p", "0")
	if account != "" {
		cmd.Env = append(os.Environ(), "MOTO_ACCOUNT_ID="+account)
	}
	url, err := startCmd(cmd)
	t.Cleanup(func() { stopCmd(cmd) })
	if err != nil {
		t.Fatalf("start moto_server: %v", err)
	}
	DummyCredentials(t)
	return url
}

// lookPath finds moto_server, or skips (fails, with RequireEnv) the test.
func lookPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal("moto_server not found: integration tests need it (it ships in the machine image)")
		}
		t.Skipf("moto_server not found on PATH: skipping the integration test (set %s=1 to make this a failure)", RequireEnv)
	}
	return path
}
