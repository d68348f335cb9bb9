package collect

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fakeAWS is an httptest server on 127.0.0.1 that answers in the AWS wire
// formats: JSON 1.1 for KMS and Organizations, the Query protocol (XML) for
// IAM and STS, REST-XML for S3 and REST-JSON for the Account API. Tests
// script the answers per operation; what moto cannot do (KMS, GAAD and
// region-list pagination, throttling, AccessDenied on one item, the
// Account API, refusing a member account its organization's structure) is
// tested here.
type fakeAWS struct {
	t   testing.TB
	URL string

	mu       sync.Mutex
	handlers map[string]fakeHandler
	calls    map[string]int
}

// A fakeRequest is one call as the fake saw it.
type fakeRequest struct {
	Service, Op string
	// Account is the account of the credentials: ASIA<12 digits> access
	// keys (as the fake's AssumeRole issues) belong to that account, others
	// to fakeAccount.
	Account string
	// N counts the calls of this operation, from 1.
	N int
	// JSON is the decoded body of a JSON-protocol call, Form the parameters
	// of a Query call or the query string of a REST call, Path the path.
	JSON map[string]any
	Form url.Values
	Path string
}

// str returns a string parameter of a JSON call.
func (r fakeRequest) str(name string) string {
	s, _ := r.JSON[name].(string)
	return s
}

type fakeResponse struct {
	Status int
	Body   string
}

type fakeHandler func(fakeRequest) fakeResponse

const fakeAccount = "111122223333"

func newFakeAWS(t *testing.T) *fakeAWS { return newFakeAWSForBench(t) }

// newFakeAWSForBench starts a fake for a test or a benchmark.
func newFakeAWSForBench(t testing.TB) *fakeAWS {
	t.Helper()
	f := &fakeAWS{t: t, handlers: map[string]fakeHandler{}, calls: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	dummyCredentials(t)
	return f
}

// on sets the handler of an operation ("kms:ListKeys").
func (f *fakeAWS) on(op string, h fakeHandler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[op] = h
}

var (
	credentialScope = regexp.MustCompile(`Credential=([^/]+)/[0-9]+/[^/]+/([^/]+)/aws4_request`)
	assumedKey      = regexp.MustCompile(`^ASIA([0-9]{12})`)
)

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := fakeRequest{Account: fakeAccount, Path: r.URL.Path, Form: r.URL.Query()}
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.t.Errorf("fake AWS: unsigned request %s %s", r.Method, r.URL)
		http.Error(w, "unsigned", 400)
		return
	}
	req.Service = m[2]
	if a := assumedKey.FindStringSubmatch(m[1]); a != nil {
		req.Account = a[1]
	}
	switch target := r.Header.Get("X-Amz-Target"); {
	case target != "":
		req.Op = target[strings.LastIndexByte(target, '.')+1:]
		if len(body) > 0 {
			if err := json.Unmarshal(body, &req.JSON); err != nil {
				f.t.Errorf("fake AWS: %s: body: %v", target, err)
			}
		}
	case req.Service == "iam" || req.Service == "sts":
		form, _ := url.ParseQuery(string(body))
		req.Form, req.Op = form, form.Get("Action")
	case req.Service == "account":
		req.Op = map[string]string{"/listRegions": "ListRegions"}[r.URL.Path]
		if len(body) > 0 {
			json.Unmarshal(body, &req.JSON)
		}
	case req.Service == "s3":
		q := r.URL.Query()
		switch {
		case r.URL.Path == "/":
			req.Op = "ListBuckets"
		case q.Has("location"):
			req.Op = "GetBucketLocation"
		case q.Has("encryption"):
			req.Op = "GetBucketEncryption"
		case q.Has("policy"):
			req.Op = "GetBucketPolicy"
		}
	}
	op := req.Service + ":" + req.Op

	f.mu.Lock()
	f.calls[op]++
	req.N = f.calls[op]
	h, ok := f.handlers[op]
	f.mu.Unlock()
	if !ok {
		h, ok = fakeDefaults[op]
	}
	if !ok {
		f.t.Errorf("fake AWS: no answer for %s (%s %s)", op, r.Method, r.URL)
		http.Error(w, "not faked", 500)
		return
	}
	resp := h(req)
	if resp.Status == 0 {
		resp.Status = 200
	}
	switch {
	case strings.HasPrefix(resp.Body, "<"):
		w.Header().Set("Content-Type", "text/xml")
	case req.Service == "account":
		w.Header().Set("Content-Type", "application/json")
	default:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	}
	w.Header().Set("X-Amzn-RequestId", "fake-request")
	w.WriteHeader(resp.Status)
	io.WriteString(w, resp.Body)
}

// count returns how many times an operation was called.
func (f *fakeAWS) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// fakeDefaults answer what a test does not script: an empty account.
var fakeDefaults = map[string]fakeHandler{
	"sts:GetCallerIdentity": func(r fakeRequest) fakeResponse {
		return queryOK("GetCallerIdentity", "https://sts.amazonaws.com/doc/2011-06-15/",
			"<Arn>arn:aws:iam::"+r.Account+":user/audit</Arn><UserId>AIDAFAKE</UserId><Account>"+r.Account+"</Account>")
	},
	"iam:GetAccountAuthorizationDetails": func(fakeRequest) fakeResponse { return gaadPage("", "") },
	"kms:ListKeys":                       func(fakeRequest) fakeResponse { return jsonOK(`{"Keys":[],"Truncated":false}`) },
	"kms:ListAliases":                    func(fakeRequest) fakeResponse { return jsonOK(`{"Aliases":[],"Truncated":false}`) },
	"s3:ListBuckets": func(fakeRequest) fakeResponse {
		return fakeResponse{Body: `<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><Buckets></Buckets></ListAllMyBucketsResult>`}
	},
	"organizations:DescribeOrganization": func(fakeRequest) fakeResponse {
		return jsonError(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	},
	"account:ListRegions": func(fakeRequest) fakeResponse {
		return jsonOK(`{"Regions":[{"RegionName":"us-east-1","RegionOptStatus":"ENABLED_BY_DEFAULT"}]}`)
	},
}

func jsonOK(body string) fakeResponse { return fakeResponse{Body: body} }

// jsonError is a JSON 1.1 error, as KMS and Organizations send them (KMS
// sends AccessDeniedException and ThrottlingException with HTTP 400).
func jsonError(status int, code, msg string) fakeResponse {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	return fakeResponse{Status: status, Body: string(b)}
}

// queryOK is a Query-protocol answer.
func queryOK(op, ns, result string) fakeResponse {
	return fakeResponse{Body: fmt.Sprintf(`<%[1]sResponse xmlns="%[2]s"><%[1]sResult>%[3]s</%[1]sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%[1]sResponse>`, op, ns, result)}
}

// queryError is a Query-protocol error, as IAM and STS send them.
func queryError(status int, code, msg string) fakeResponse {
	return fakeResponse{Status: status, Body: fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, code, msg)}
}

// motoStyleDenied is how moto refuses a JSON-protocol call: HTTP 403 with
// an XML body, which the SDK cannot decode into an APIError.
func motoStyleDenied(action string) fakeResponse {
	return fakeResponse{Status: 403, Body: `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Errors><Error><Code>AccessDeniedException</Code><Message>User: arn:aws:iam::111122223333:user/audit is not authorized to perform: ` + action + `</Message></Error></Errors><RequestId>fake</RequestId></ErrorResponse>`}
}

// gaadPage is a GetAccountAuthorizationDetails page holding the given
// RoleDetailList members, with a marker when more pages follow.
func gaadPage(roles, marker string) fakeResponse {
	more := ""
	if marker != "" {
		more = "<Marker>" + marker + "</Marker>"
	}
	return queryOK("GetAccountAuthorizationDetails", "https://iam.amazonaws.com/doc/2010-05-08/",
		fmt.Sprintf("<IsTruncated>%t</IsTruncated>%s<UserDetailList/><GroupDetailList/><RoleDetailList>%s</RoleDetailList><Policies/>", marker != "", more, roles))
}

// gaadRole is one RoleDetailList member with a URL-encoded trust policy,
// as AWS sends it.
func gaadRole(account, name string) string {
	trust := url.PathEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	return fmt.Sprintf("<member><Path>/</Path><RoleName>%[2]s</RoleName><RoleId>AROA%[2]s</RoleId><Arn>arn:aws:iam::%[1]s:role/%[2]s</Arn><AssumeRolePolicyDocument>%[3]s</AssumeRolePolicyDocument><RolePolicyList/><AttachedManagedPolicies/></member>", account, name, trust)
}

// fakeKeys scripts the KMS calls of keys with the given IDs in every
// region: one page of keys, their metadata, a policy naming the key,
// no grants, rotation off and no tags.
func (f *fakeAWS) fakeKeys(account string, ids ...string) {
	keyARN := func(region, id string) string { return "arn:aws:kms:" + region + ":" + account + ":key/" + id }
	f.on("kms:ListKeys", func(r fakeRequest) fakeResponse {
		var entries []string
		for _, id := range ids {
			entries = append(entries, fmt.Sprintf(`{"KeyId":%q,"KeyArn":%q}`, id, keyARN("us-east-1", id)))
		}
		return jsonOK(`{"Keys":[` + strings.Join(entries, ",") + `],"Truncated":false}`)
	})
	f.on("kms:DescribeKey", func(r fakeRequest) fakeResponse {
		k := r.str("KeyId")
		return jsonOK(fmt.Sprintf(`{"KeyMetadata":{"KeyId":%q,"Arn":%q,"AWSAccountId":%q,"Enabled":true,"KeyState":"Enabled","KeySpec":"SYMMETRIC_DEFAULT","KeyUsage":"ENCRYPT_DECRYPT","Origin":"AWS_KMS","KeyManager":"CUSTOMER","CreationDate":1.7e9}}`, k[strings.LastIndexByte(k, '/')+1:], k, account))
	})
	f.on("kms:GetKeyPolicy", func(r fakeRequest) fakeResponse {
		b, _ := json.Marshal(map[string]string{"Policy": fakeKeyPolicy(r.str("KeyId")), "PolicyName": "default"})
		return jsonOK(string(b))
	})
	f.on("kms:ListGrants", func(fakeRequest) fakeResponse { return jsonOK(`{"Grants":[],"Truncated":false}`) })
	f.on("kms:GetKeyRotationStatus", func(fakeRequest) fakeResponse { return jsonOK(`{"KeyRotationEnabled":false}`) })
	f.on("kms:ListResourceTags", func(fakeRequest) fakeResponse { return jsonOK(`{"Tags":[],"Truncated":false}`) })
}

// fakeKeyPolicy is the policy fakeKeys gives a key: its ARN in the Sid
// tells the keys' policies apart.
func fakeKeyPolicy(keyARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"` + keyARN[strings.LastIndexByte(keyARN, '/')+1:] + `","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
}
