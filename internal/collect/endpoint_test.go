package collect

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestUnreachableEndpoint: an endpoint that refuses connections, or that
// drops them, fails the collection after firstCallAttempts attempts with
// an EndpointError naming it, instead of the retries meant for throttling.
func TestUnreachableEndpoint(t *testing.T) {
	dummyCredentials(t)

	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	// A server that accepts and hangs up at once.
	drop, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer drop.Close()
	var accepted atomic.Int32
	go func() {
		for {
			c, err := drop.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			c.Close()
		}
	}()

	for _, url := range []string{closed, "http://" + drop.Addr().String()} {
		snap, sum, err := Collect(context.Background(), Options{EndpointURL: url, Regions: []string{"us-east-1"}})
		var ee *EndpointError
		if !errors.As(err, &ee) || snap != nil || sum != nil {
			t.Fatalf("Collect(%s) = %v, %v, %v; want an EndpointError", url, snap, sum, err)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "cannot reach "+url+" (2 attempts, connect timeout 5s): ") {
			t.Errorf("error = %q", msg)
		}
	}
	if n := accepted.Load(); n != firstCallAttempts {
		t.Errorf("the endpoint was tried %d times, want %d", n, firstCallAttempts)
	}
}

// TestCheckRegion accepts the regions of every partition, and names of
// their form, and refuses the rest.
func TestCheckRegion(t *testing.T) {
	for _, ok := range []string{"us-east-1", "ap-northeast-3", "eu-west-9", "cn-north-1", "us-gov-west-1", "us-isob-east-1", "eusc-de-east-1", "mx-central-1"} {
		if err := CheckRegion(ok); err != nil {
			t.Errorf("CheckRegion(%s) = %v", ok, err)
		}
	}
	for _, bad := range []string{"mars-1", "us-east", "US-EAST-1", "aws-global", "us-east-1 ", "us-east-1\x1b[2J", "", "global"} {
		if err := CheckRegion(bad); err == nil {
			t.Errorf("CheckRegion(%q) = nil, want an error", bad)
		}
	}
	if _, _, err := Collect(context.Background(), Options{Regions: []string{"mars-1"}}); err == nil || !strings.Contains(err.Error(), `region "mars-1" is not an AWS region`) {
		t.Errorf("Collect(--region mars-1) = %v", err)
	}
}

// TestSDKLogIsWarned: the SDK's own log lines (here the instance metadata
// client's "falling back to IMDSv1", when the metadata service refuses a
// token) reach Options.Warn and never the process's stderr.
func TestSDKLogIsWarned(t *testing.T) {
	f := newFakeAWS(t)
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			http.Error(w, "forbidden", http.StatusForbidden)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			w.Write([]byte("reader"))
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/reader":
			w.Write([]byte(`{"Code": "Success", "AccessKeyId": "AKIAFAKE", "SecretAccessKey": "x", "Token": "t", "Expiration": "` +
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339) + `"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer imds.Close()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "false", "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.URL,
	} {
		t.Setenv(k, v)
	}

	// The SDK's default logger writes to os.Stderr: catch it.
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	var leaked strings.Builder
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			leaked.Write(buf[:n])
			if err != nil {
				return
			}
		}
	})

	var mu sync.Mutex
	var warnings []string
	_, _, err = Collect(context.Background(), Options{
		EndpointURL: f.URL, Regions: []string{"us-east-1"}, maxBackoff: time.Millisecond,
		Warn: func(s string) { mu.Lock(); warnings = append(warnings, s); mu.Unlock() },
	})
	os.Stderr = stderr
	w.Close()
	wg.Wait()
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	if leaked.Len() > 0 {
		t.Errorf("the SDK wrote to stderr: %q", leaked.String())
	}
	if len(warnings) == 0 || !strings.Contains(strings.Join(warnings, "\n"), "AWS SDK: falling back to IMDSv1") {
		t.Errorf("warnings = %q, want the SDK's IMDSv1 warning", warnings)
	}
}

// TestPartitionsMatchSDK compares partitions with the SDK's own table
// (internal to the SDK, so read from its source in the module cache).
func TestPartitionsMatchSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "internal", "endpoints", "awsrulesfn", "partitions.go"))
	if err != nil {
		t.Skipf("the SDK's source is not in the module cache: %v", err)
	}
	type partition struct {
		pattern string
		regions []string
	}
	want := map[string]*partition{}
	var cur *partition
	id := regexp.MustCompile(`^\t\tID:\s+"([^"]+)",$`)
	pattern := regexp.MustCompile(`^\t\tRegionRegex:\s+"(.+)",$`)
	region := regexp.MustCompile(`^\t\t\t"([^"]+)": \{$`)
	for line := range strings.Lines(string(src)) {
		line = strings.TrimRight(line, "\n")
		if m := id.FindStringSubmatch(line); m != nil {
			cur = &partition{}
			want[m[1]] = cur
		} else if m := pattern.FindStringSubmatch(line); m != nil && cur != nil {
			cur.pattern = strings.ReplaceAll(m[1], `\\`, `\`)
		} else if m := region.FindStringSubmatch(line); m != nil && cur != nil && !strings.HasSuffix(m[1], "-global") {
			cur.regions = append(cur.regions, m[1])
		}
	}
	got := map[string]*partition{}
	for _, p := range partitions {
		got[p.id] = &partition{pattern: p.pattern.String(), regions: p.regions}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(partition{}), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("partitions differ from the SDK's (-sdk +ours):\n%s", diff)
	}
}
