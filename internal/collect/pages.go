package collect

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// errTooManyPages is the error of a listing stopped by the page cap.
var errTooManyPages = fmt.Errorf("stopped after %d pages: the service kept sending a next-page token", maxPages)

// errRepeatedToken is the error of a listing whose service sent a
// next-page token it had sent before, which would loop forever.
var errRepeatedToken = errors.New("stopped: the service sent a next-page token it had already sent")

// eachPage reads the pages of an SDK paginator (given by its HasMorePages
// and NextPage methods) and passes each to fn. token returns a page's
// next-page token. It stops at the first error, and with errRepeatedToken or
// errTooManyPages when the listing would not end; the pages read before any
// of these have been passed to fn, so a caller keeps them and marks the
// listing incomplete. (The SDK's StopOnDuplicateToken would end such a
// listing silently, as if it were complete.)
func eachPage[O any](ctx context.Context, more func() bool, next func(context.Context) (O, error), token func(O) *string, fn func(O)) error {
	seen := map[string]bool{}
	for n := 0; more(); n++ {
		if n == maxPages {
			return errTooManyPages
		}
		page, err := next(ctx)
		if err != nil {
			return err
		}
		fn(page)
		if t := token(page); t != nil && *t != "" {
			if seen[*t] {
				return errRepeatedToken
			}
			seen[*t] = true
		}
	}
	return nil
}

// forEach calls fn for every item with at most n calls running at once,
// and returns when all are done. Once ctx ends no new call starts; the
// caller checks ctx.Err().
func forEach[T any](ctx context.Context, n int, items []T, fn func(context.Context, T)) {
	if n < 1 {
		n = 1
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for _, it := range items {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-sem }()
			fn(ctx, it)
		})
	}
	wg.Wait()
}
