package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/keywarden/keywarden/internal/checks"
)

var (
	screenshots = flag.String("screenshots", "", "write PNG screenshots of the HTML reports, at desktop and phone widths, to this directory")
	pagesDir    = flag.String("pages", "", "TestHTMLPagesInBrowser: also open every .html file of this directory (reports keywarden wrote), check their layout and count their printed pages")
)

// The widths the reports are read at: a desktop window, and a phone
// (420 CSS pixels, the brief's narrowest).
var widths = []struct {
	name          string
	width, height int64
}{
	{"desktop", 1280, 900},
	{"phone", 420, 900},
}

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

// browser starts headless Chromium for a test and returns a tab and the
// URLs the tab requested. It skips the test when no Chromium is installed
// (scripts/install-test-deps.sh installs it), or fails it when
// KEYWARDEN_REQUIRE_BROWSER is set, as CI does.
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	path, ok := findChromium()
	if !ok {
		msg := "no Chromium found on PATH (looked for " + strings.Join(chromiumNames, ", ") + ")"
		if os.Getenv("KEYWARDEN_REQUIRE_BROWSER") != "" {
			t.Fatal(msg + " and KEYWARDEN_REQUIRE_BROWSER is set; install it with scripts/install-test-deps.sh")
		}
		t.Skip(msg + "; skipping the browser test. Install it with scripts/install-test-deps.sh")
	}
	var (
		mu       sync.Mutex
		requests []string
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
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
		chromedp.WindowSize(1280, 900),
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
	// as long as the context of the first call. Each step has its own.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), requests...)
	}
}

// serve serves pages by path from a loopback server.
func serve(t *testing.T, pages map[string][]byte) *httptest.Server {
	t.Helper()
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
	return srv
}

// TestHTMLInBrowser opens the HTML reports in headless Chromium, served
// from a loopback server, at a desktop and a phone width, and reads them
// as a user would: the title, the summary counts and their links, the
// index, each finding's explanation and fix collapsed until opened, the
// fix's command whole and wrapped (its start never cut off), the copy
// button that the page's one script adds, the link from a finding to the
// fix it shares, no horizontal scrolling at 420 px, and the hostile
// report's markup shown as text. It also checks that the page fetched
// nothing but itself.
//
// With -screenshots DIR it writes report.LANG.WIDTH.png (the page as it
// opens, everything collapsed) and report.LANG.WIDTH.open.png (the first
// finding's fix and explanation opened).
func TestHTMLInBrowser(t *testing.T) {
	ctx, requests := browser(t)
	pages := map[string][]byte{}
	for _, lang := range []checks.Lang{checks.English, checks.Japanese} {
		r := testReport()
		r.Lang = lang
		pages["/report."+string(lang)+".html"] = htmlBytes(t, r)
	}
	pages["/hostile.html"] = htmlBytes(t, hostileReport())
	srv := serve(t, pages)

	tests := []struct {
		lang        checks.Lang
		title       string
		severities  map[string]string // data-severity → failed count
		statuses    map[string]string // data-status → count
		remediation string            // the critical finding's remediation summary
		cli         string
		copy        string // the copy button's label
	}{
		{
			lang:        checks.English,
			title:       "KMS access report — --input examples/account",
			severities:  map[string]string{"critical": "1", "high": "2", "medium": "1", "low": "1", "info": "1"},
			statuses:    map[string]string{"fail": "6", "unknown": "2", "pass": "2", "suppressed": "2", "expired": "1"},
			remediation: "Remove statement AllowEveryone from the key policy.",
			cli:         "aws kms put-key-policy \\\n  --key-id 1234abcd-12ab-34cd-56ef-1234567890ab",
			copy:        "Copy",
		},
		{
			lang:        checks.Japanese,
			title:       "KMS アクセスレポート — --input examples/account",
			severities:  map[string]string{"critical": "1", "high": "2", "medium": "1", "low": "1", "info": "1"},
			statuses:    map[string]string{"fail": "6", "unknown": "2", "pass": "2", "suppressed": "2", "expired": "1"},
			remediation: "キーポリシーからステートメント AllowEveryone を削除します。",
			cli:         "aws kms put-key-policy \\\n  --key-id 1234abcd-12ab-34cd-56ef-1234567890ab",
			copy:        "コピー",
		},
	}
	for _, tt := range tests {
		for _, w := range widths {
			t.Run(string(tt.lang)+"/"+w.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
				defer cancel()
				if err := chromedp.Do(ctx,
					chromedp.EmulateViewport(w.width, w.height),
					chromedp.Navigate(srv.URL+"/report."+string(tt.lang)+".html"),
				); err != nil {
					t.Fatalf("navigate: %v", err)
				}
				if title := eval[string](ctx, t, "document.title"); title != tt.title {
					t.Errorf("title = %q, want %q", title, tt.title)
				}
				if lang := eval[string](ctx, t, "document.documentElement.lang"); lang != string(tt.lang) {
					t.Errorf("html lang = %q, want %q", lang, tt.lang)
				}
				for sev, want := range tt.severities {
					if got := visibleText(ctx, t, `#summary li[data-severity="`+sev+`"] .count`); got != want {
						t.Errorf("summary count for %s = %q, want %q", sev, got, want)
					}
					// A card with failures links to its severity's section.
					if href := eval[string](ctx, t, `(document.querySelector('#summary li[data-severity="`+sev+`"] a')||{}).getAttribute?.("href")||""`); href != "#severity-"+sev {
						t.Errorf("the %s card links to %q, want #severity-%s", sev, href, sev)
					}
				}
				for st, want := range tt.statuses {
					if got := visibleText(ctx, t, `#summary li[data-status="`+st+`"] .count`); got != want {
						t.Errorf("summary count for %s = %q, want %q", st, got, want)
					}
				}
				checkLayout(ctx, t)

				// The index lists the 6 failed and 2 undecided findings,
				// each linking to its section.
				if n := eval[int](ctx, t, "document.querySelectorAll('#index tbody tr').length"); n != 8 {
					t.Errorf("the index has %d rows, want 8", n)
				}
				// Explanations and fixes are collapsed; the fix's summary
				// is readable without opening it.
				if n := eval[int](ctx, t, "document.querySelectorAll('details.fix[open], details.why[open], details.alt[open]').length"); n != 0 {
					t.Errorf("%d explanations or fixes are open when the page opens, want none", n)
				}
				if n := eval[int](ctx, t, "document.querySelectorAll('details.fix').length"); n < 5 {
					t.Errorf("only %d collapsed fixes", n)
				}
				const fix = "#severity-critical .finding details.fix"
				if got := visibleText(ctx, t, fix+" > summary .fix-summary"); got != tt.remediation {
					t.Errorf("critical finding's fix = %q, want %q", got, tt.remediation)
				}
				if eval[bool](ctx, t, `!!document.querySelector("`+fix+` pre.cli").checkVisibility()`) {
					t.Error("the command of a collapsed fix is visible")
				}
				// Open it, as a reader does: by its summary.
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fix+" > summary"), chromedp.NodeVisible)); err != nil {
					t.Fatal(err)
				}
				if got := visibleText(ctx, t, fix+" pre.cli"); !strings.HasPrefix(got, tt.cli) {
					t.Errorf("critical finding's AWS CLI fix = %q, want it to start with %q", got, tt.cli)
				}
				// The command wraps rather than scrolls or overflows: its
				// start is never cut off, at any width.
				if ok := eval[bool](ctx, t, `(()=>{const p=document.querySelector("`+fix+` pre.cli");return p.scrollWidth<=p.clientWidth && p.scrollLeft===0})()`); !ok {
					t.Error("the AWS CLI command does not fit its box: it scrolls sideways")
				}
				// The page's script (allowed by its CSP hash) added a copy
				// button to the command.
				if got := visibleText(ctx, t, fix+" .codehead button.copy"); got != tt.copy {
					t.Errorf("copy button = %q, want %q: did the CSP block the page's script?", got, tt.copy)
				}
				// Without the script, one click selects the whole command.
				if sel := eval[string](ctx, t, `getComputedStyle(document.querySelector("`+fix+` pre.cli code")).userSelect`); sel != "all" {
					t.Errorf("user-select of a command = %q, want all", sel)
				}
				if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(fix+" .codehead button.copy"), chromedp.NodeVisible)); err != nil {
					t.Fatal(err)
				}
				// Headless Chromium may refuse the clipboard; the button then
				// selects the command, ready to copy.
				// The clipboard answers asynchronously: wait for either.
				copied, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(done=>{const b=document.querySelector("`+fix+` .codehead button.copy");let n=0;`+
					`const check=()=>{if(b.textContent!==document.body.dataset.copy||getSelection().toString().startsWith("aws kms put-key-policy"))return done(true);if(++n>100)return done(false);setTimeout(check,50)};check()})`,
					chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				if !copied {
					t.Error("the copy button neither copied nor selected the command")
				}
				// The cross-account finding shares the fix: it links to it.
				if got := visibleText(ctx, t, "#severity-medium .finding p.fix-ref a"); got == "" {
					t.Error("the finding that shares a fix does not link to it")
				}
				checkLayout(ctx, t)

				if *screenshots != "" {
					name := "report." + string(tt.lang) + "." + w.name
					if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/report."+string(tt.lang)+".html")); err != nil {
						t.Fatal(err)
					}
					screenshot(ctx, t, name+".png")
					eval[int](ctx, t, `document.querySelector("`+fix+`").open=true, document.querySelector("#severity-critical details.why").open=true, 0`)
					screenshot(ctx, t, name+".open.png")
				}
			})
		}
	}

	t.Run("hostile", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(srv.URL+"/hostile.html")); err != nil {
			t.Fatalf("navigate: %v", err)
		}
		if n := eval[int](ctx, t, "document.querySelectorAll('img').length + [...document.scripts].filter(s => s.textContent !== "+jsString(copyScript)+").length"); n != 0 {
			t.Errorf("the page has %d img or foreign script elements; finding text became markup", n)
		}
		if got := visibleText(ctx, t, "#severity-critical .finding .message"); got != hostile {
			t.Errorf("message shown as %q, want the text %q", got, hostile)
		}
	})

	reqs := requests()
	if len(reqs) == 0 {
		t.Fatal("saw no network request at all: the request listener does not work")
	}
	for _, u := range reqs {
		if !strings.HasPrefix(u, srv.URL+"/") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page fetched %s; a report must fetch nothing", u)
		}
	}
}

// TestHTMLPagesInBrowser checks the layout of reports keywarden wrote,
// given with -pages DIR (for example the bundled example's, in English and
// Japanese): at every width no horizontal scrolling and every in-page link
// resolving. It logs each page's size and how many A4 pages it prints to,
// and with -screenshots writes NAME.WIDTH.png. Without -pages it is
// skipped.
func TestHTMLPagesInBrowser(t *testing.T) {
	if *pagesDir == "" {
		t.Skip("no -pages DIR given")
	}
	files, err := filepath.Glob(filepath.Join(*pagesDir, "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .html file in %s (%v)", *pagesDir, err)
	}
	ctx, _ := browser(t)
	pages := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pages["/"+filepath.Base(f)] = b
	}
	srv := serve(t, pages)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		t.Run(name, func(t *testing.T) {
			for _, w := range widths {
				ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height), chromedp.Navigate(srv.URL+"/"+name+".html")); err != nil {
					cancel()
					t.Fatal(err)
				}
				checkLayout(ctx, t)
				if *screenshots != "" {
					screenshot(ctx, t, name+"."+w.name+".png")
				}
				cancel()
			}
			ctx, cancel := context.WithTimeout(ctx, 120*time.Second)
			defer cancel()
			pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(func(p *page.PrintToPDFParams) { p.PaperWidth, p.PaperHeight = 8.27, 11.69 }))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d bytes of HTML, prints to %d A4 pages", name, len(pages["/"+name+".html"]), pdfPages(pdf))
		})
	}
}

// pdfPageObj counts the page objects of a PDF: "/Type /Page" but not
// "/Type /Pages".
var pdfPageObj = regexp.MustCompile(`/Type\s*/Page[^s]`)

func pdfPages(pdf []byte) int { return len(pdfPageObj.FindAll(pdf, -1)) }

// checkLayout fails when the page scrolls sideways, or when an in-page
// link points at no element.
func checkLayout(ctx context.Context, t *testing.T) {
	t.Helper()
	if over := eval[string](ctx, t, `(()=>{const d=document.documentElement;if(d.scrollWidth<=d.clientWidth)return "";`+
		`const wide=[...document.querySelectorAll("body *")].filter(e=>e.getBoundingClientRect().right>d.clientWidth+1).slice(0,3).map(e=>e.tagName+"."+e.className);`+
		`return d.scrollWidth+" > "+d.clientWidth+" "+wide.join(" ")})()`); over != "" {
		t.Errorf("the page scrolls sideways at %s: %s", eval[string](ctx, t, "String(window.innerWidth)"), over)
	}
	if broken := eval[[]string](ctx, t, `[...document.querySelectorAll('a[href^="#"]')].map(a=>a.getAttribute("href")).filter(h=>!document.getElementById(decodeURIComponent(h.slice(1))))`); len(broken) > 0 {
		t.Errorf("%d in-page links point at nothing: %v", len(broken), broken[:min(len(broken), 5)])
	}
}

// screenshot writes a full-page PNG to the -screenshots directory.
func screenshot(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(*screenshots, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](ctx context.Context, t *testing.T, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return fmt.Sprintf("%q", s)
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
