package collect

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/keywarden/keywarden/internal/inventory"
)

// notRead makes the Incomplete mark of an item whose call failed. op is the
// IAM action form of the call ("kms:GetKeyPolicy").
func notRead(op string, err error) *inventory.Incomplete {
	return &inventory.Incomplete{Reason: reason(err), Source: op}
}

// reason is the error text kept in a snapshot: the service's error code and
// message when there are any, not the SDK's wrapping ("operation error KMS:
// GetKeyPolicy, https response error StatusCode: 400, RequestID: ...").
func reason(err error) string {
	if err == nil {
		return ""
	}
	var text string
	var ae smithy.APIError
	var de *smithy.DeserializationError
	switch {
	case errors.As(err, &ae):
		text = ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" {
			text += ": " + m
		}
	case errors.As(err, &de):
		// moto answers some JSON-protocol errors (KMS AccessDenied among
		// them) with an XML body the SDK cannot decode, so there is no
		// APIError; the body is in the snapshot the SDK keeps
		// (dependencies.md §1).
		text = bodyError(de.Snapshot)
		if text == "" {
			text = de.Err.Error()
		}
		if st := httpStatus(err); st != 0 {
			text = fmt.Sprintf("HTTP %d: %s", st, text)
		}
	default:
		if st := httpStatus(err); st != 0 {
			text = fmt.Sprintf("HTTP %d: %v", st, err)
		} else {
			text = err.Error()
		}
	}
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		text += fmt.Sprintf(" (gave up after %d attempts)", me.Attempt)
	}
	return text
}

// isAccessDenied reports whether err is a refusal: an error code saying so,
// or HTTP 403 whatever the body.
func isAccessDenied(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		switch ae.ErrorCode() {
		case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation",
			"UnauthorizedAccess", "AuthorizationError", "Forbidden":
			return true
		}
	}
	return httpStatus(err) == 403
}

// hasCode reports whether err is a service error with one of the codes.
func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// bodyError extracts "Code: Message" from an error body in XML or JSON,
// or returns "".
func bodyError(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var code, msg string
	if body[0] == '{' {
		var j struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
			Msg     string `json:"Message"`
		}
		if json.Unmarshal(body, &j) != nil {
			return ""
		}
		code, msg = j.Type, j.Message+j.Msg
		if i := strings.LastIndexByte(code, '#'); i >= 0 {
			code = code[i+1:]
		}
	} else {
		d := xml.NewDecoder(bytes.NewReader(body))
		var cur string
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch t := tok.(type) {
			case xml.StartElement:
				cur = t.Name.Local
			case xml.EndElement:
				cur = ""
			case xml.CharData:
				switch {
				case cur == "Code" && code == "":
					code = strings.TrimSpace(string(t))
				case cur == "Message" && msg == "":
					msg = strings.TrimSpace(string(t))
				}
			}
		}
	}
	switch {
	case code != "" && msg != "":
		return code + ": " + msg
	case code != "":
		return code
	}
	return msg
}
