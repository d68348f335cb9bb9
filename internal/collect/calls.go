package collect

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// A callCounter counts calls and HTTP attempts per operation through two
// middlewares added to every client: one at the end of the Initialize step
// (once per call) and one at the end of the Finalize step, after the retry
// middleware (once per attempt).
type callCounter struct {
	mu   sync.Mutex
	byOp map[[2]string]*CallCount
}

func newCallCounter() *callCounter {
	return &callCounter{byOp: map[[2]string]*CallCount{}}
}

func (c *callCounter) register(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("keywardenCountCall",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			c.add(ctx, func(cc *CallCount) {
				cc.Calls++
				if err != nil {
					cc.Failed++
				}
			})
			return out, md, err
		}), middleware.After)
	if err != nil {
		return err
	}
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("keywardenCountAttempt",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			c.add(ctx, func(cc *CallCount) { cc.Attempts++ })
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

func (c *callCounter) add(ctx context.Context, f func(*CallCount)) {
	// Service IDs are "KMS", "IAM", "S3", "STS", "Organizations" and
	// "Account"; lower-cased they are the IAM action prefixes.
	svc := strings.ToLower(awsmiddleware.GetServiceID(ctx))
	op := awsmiddleware.GetOperationName(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	k := [2]string{svc, op}
	cc, ok := c.byOp[k]
	if !ok {
		cc = &CallCount{Service: svc, Operation: op}
		c.byOp[k] = cc
	}
	f(cc)
}

// counts returns a copy of the counts, sorted by service and operation.
func (c *callCounter) counts() []CallCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]CallCount, 0, len(c.byOp))
	for _, cc := range c.byOp {
		out = append(out, *cc)
	}
	slices.SortFunc(out, func(a, b CallCount) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Operation, b.Operation))
	})
	return out
}
