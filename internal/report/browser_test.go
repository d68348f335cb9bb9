package report

import (
	"bytes"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/keywarden/keywarden/internal/checks"
)

var screenshots = flag.String("screenshots", "", "write full-page PNG screenshots of the HTML reports to this directory")

// chromiumNames are the names a Chromium-based browser has on PATH, in
// the order they are tried. Debian's package installs "chromium".
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome"}

// findChromium looks the browser up on PATH.
func findChromium() (string, bool) {
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}

// TestHTMLInBrowser opens the HTML reports in headless Chromium, served
// from a loopback server, and reads them as a user would: the title, the
// summary counts, a remediation that must be visible, and the hostile
// report's markup shown as text. It also checks that the page fetched
// nothing but itself.
//
// It is skipped only when no Chromium is installed
// (scripts/install-test-deps.sh installs it); set
// KEYWARDEN_REQUIRE_BROWSER=1 to make that a failure instead, as CI does.
func TestHTMLInBrowser(t *testing.T) {
	browser, ok := findChromium()
	if !ok {
		msg := "no Chromium found on PATH (looked for " + strings.Join(chromiumNames, ", ") + ")"
		if os.Getenv("KEYWARDEN_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " and KEYWARDEN_REQUIRE_BROWSER is set; install it with scripts/install-test-deps.sh")
		}
		t.Skip(msg + "; skipping the browser test. Install it with scripts/install-test-deps.sh")
	}

	pages := map[string][]byte{}
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		r := testReport()
		r.Lang = lang
		pages["/report."+string(lang)+".html"] = htmlBytes(t, r)
	}
	pages["/hostile.html"] = htmlBytes(t, hostileReport())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		page, ok := pages[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(page)
	}))
	t.Cleanup(srv.Close)

	var (
		mu       sync.Mutex
		requests []string
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium keeps its singleton socket in a directory of its own
		// under TMPDIR and leaves it behind; keep it in the test's.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	}))
	t.Cleanup(cancelTab)
	// Start the browser on a context without a deadline: the browser lives
	// as long as the context of the first call. Each step below has its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}

	tests := []struct {
		lang        checks.Lang
		title       string
		severities  map[string]string // data-severity → failed count
		statuses    map[string]string // data-status → count
		remediation string            // the critical finding's remediation summary
		cli         string
	}{
		{
			lang:        checks.English,
			title:       "KMS access report — --input examples/account",
			severities:  map[string]string{"critical": "1", "high": "2", "medium": "1", "low": "1", "info": "1"},
			statuses:    map[string]string{"fail": "6", "unknown": "2", "pass": "2", "suppressed": "2", "expired": "1"},
			remediation: "Remove statement AllowEveryone from the key policy.",
			cli:         "aws kms put-key-policy \\\n  --key-id 1234abcd-12ab-34cd-56ef-1234567890ab",
		},
		{
			lang:        checks.Japanese,
			title:       "KMS アクセスレポート — --input examples/account",
			severities:  map[string]string{"critical": "1", "high": "2", "medium": "1", "low": "1", "info": "1"},
			statuses:    map[string]string{"fail": "6", "unknown": "2", "pass": "2", "suppressed": "2", "expired": "1"},
			remediation: "キーポリシーからステートメント AllowEveryone を削除します。",
			cli:         "aws kms put-key-policy \\\n  --key-id 1234abcd-12ab-34cd-56ef-1234567890ab",
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.lang), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report."+string(tt.lang)+".html")); err != nil {
				t.Fatalf("navigate: %v", err)
			}
			title, err := chromedp.Run(ctx, chromedp.Title())
			if err != nil {
				t.Fatal(err)
			}
			if title != tt.title {
				t.Errorf("title = %q, want %q", title, tt.title)
			}
			lang, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
			if err != nil {
				t.Fatal(err)
			}
			if lang != string(tt.lang) {
				t.Errorf("html lang = %q, want %q", lang, tt.lang)
			}
			for sev, want := range tt.severities {
				got := visibleText(ctx, t, `#summary li[data-severity="`+sev+`"] .count`)
				if got != want {
					t.Errorf("summary count for %s = %q, want %q", sev, got, want)
				}
			}
			for st, want := range tt.statuses {
				got := visibleText(ctx, t, `#summary li[data-status="`+st+`"] .count`)
				if got != want {
					t.Errorf("summary count for %s = %q, want %q", st, got, want)
				}
			}
			if got := visibleText(ctx, t, "#severity-critical .finding .remediation .summary"); got != tt.remediation {
				t.Errorf("critical finding's remediation = %q, want %q", got, tt.remediation)
			}
			if got := visibleText(ctx, t, "#severity-critical .finding .remediation pre.cli"); !strings.HasPrefix(got, tt.cli) {
				t.Errorf("critical finding's AWS CLI fix = %q, want it to start with %q", got, tt.cli)
			}
			if *screenshots != "" {
				// Open the collapsed sections so the picture shows everything.
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('details').forEach(d => d.open = true), 0")); err != nil {
					t.Fatal(err)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join(*screenshots, "report."+string(tt.lang)+".png")
				if err := os.WriteFile(path, png, 0o644); err != nil {
					t.Fatal(err)
				}
				t.Logf("wrote %s", path)
			}
		})
	}

	t.Run("hostile", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/hostile.html")); err != nil {
			t.Fatalf("navigate: %v", err)
		}
		scripts, err := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('script, img').length"))
		if err != nil {
			t.Fatal(err)
		}
		if scripts != 0 {
			t.Errorf("the page has %d script or img elements; finding text became markup", scripts)
		}
		if got := visibleText(ctx, t, "#severity-critical .finding .message"); got != hostile {
			t.Errorf("message shown as %q, want the text %q", got, hostile)
		}
	})

	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Fatal("saw no network request at all: the request listener does not work")
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page fetched %s; a report must fetch nothing", u)
		}
	}
}

// visibleText waits until the element is visible and returns its rendered
// text.
func visibleText(ctx context.Context, t *testing.T, selector string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		t.Fatalf("text of %s: %v", selector, err)
	}
	return strings.TrimSpace(s)
}

func htmlBytes(t *testing.T, r *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
