package collect

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func responseError(status int, err error) error {
	return &awshttp.ResponseError{
		ResponseError: &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err},
		RequestID:     "req",
	}
}

func TestReasonAndAccessDenied(t *testing.T) {
	denied := &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "User: x is not authorized"}
	tests := []struct {
		name       string
		err        error
		wantReason string
		wantDenied bool
	}{
		{"api error", fmt.Errorf("operation error KMS: GetKeyPolicy: %w", responseError(400, denied)),
			"AccessDeniedException: User: x is not authorized", true},
		{"s3 code", responseError(403, &smithy.GenericAPIError{Code: "AccessDenied", Message: "Access Denied"}), "AccessDenied: Access Denied", true},
		{"code without message", &smithy.GenericAPIError{Code: "UnauthorizedOperation"}, "UnauthorizedOperation", true},
		{"xml body moto sends", responseError(403, &smithy.DeserializationError{Err: errors.New("invalid character '<'"),
			Snapshot: []byte(`<ErrorResponse><Errors><Error><Code>AccessDeniedException</Code><Message>no</Message></Error></Errors></ErrorResponse>`)}),
			"HTTP 403: AccessDeniedException: no", true},
		{"json body", responseError(400, &smithy.DeserializationError{Err: errors.New("bad"), Snapshot: []byte(`{"__type":"com.amazon#Oops","message":"m"}`)}),
			"HTTP 400: Oops: m", false},
		{"unreadable body", responseError(403, &smithy.DeserializationError{Err: errors.New("EOF")}), "HTTP 403: EOF", true},
		{"403 without body", responseError(403, errors.New("forbidden")), "HTTP 403: https response error StatusCode: 403, RequestID: req, forbidden", true},
		{"throttle after retries", &retry.MaxAttemptsError{Attempt: 8, Err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}},
			"ThrottlingException: Rate exceeded (gave up after 8 attempts)", false},
		{"not found", &smithy.GenericAPIError{Code: "NotFoundException", Message: "gone"}, "NotFoundException: gone", false},
		{"plain", errors.New("dial tcp: refused"), "dial tcp: refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reason(tt.err); got != tt.wantReason {
				t.Errorf("reason(%v) = %q, want %q", tt.err, got, tt.wantReason)
			}
			if got := isAccessDenied(tt.err); got != tt.wantDenied {
				t.Errorf("isAccessDenied(%v) = %t, want %t", tt.err, got, tt.wantDenied)
			}
		})
	}
}
