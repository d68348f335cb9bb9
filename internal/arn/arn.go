package arn

import "strings"

// IsAccountID reports whether s is a 12-digit AWS account ID.
func IsAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Split returns the first five colon-separated fields of an ARN and the
// rest (the resource part, which may hold further colons), with the number
// of fields found: 6 for a well-formed ARN ("arn", partition, service,
// region, account, resource).
func Split(s string) (f [6]string, n int) {
	for n < 5 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			break
		}
		f[n] = s[:i]
		s = s[i+1:]
		n++
	}
	f[n] = s
	return f, n + 1
}

// Account returns the account field of an ARN, or "" when s is not an ARN
// with six fields. The account of arn:aws:iam::111122223333:role/app is
// 111122223333; S3 bucket ARNs have none.
func Account(s string) string {
	if !strings.HasPrefix(s, "arn:") {
		return ""
	}
	f, n := Split(s)
	if n != 6 {
		return ""
	}
	return f[4]
}

// Partition returns the partition field of an ARN ("aws", "aws-cn",
// "aws-us-gov"), or "aws" when s is not an ARN.
func Partition(s string) string {
	if f, n := Split(s); n == 6 && f[0] == "arn" && f[1] != "" {
		return f[1]
	}
	return "aws"
}

// Root is the ARN of an account's root user, which in a Principal element
// stands for the whole account.
func Root(partition, account string) string {
	if partition == "" {
		partition = "aws"
	}
	return "arn:" + partition + ":iam::" + account + ":root"
}

// AccountOfPrincipal returns the account that a Principal value names as a
// whole: a bare account ID or an account's root ARN. It returns "" for any
// other value (a user, a role, "*", a service).
func AccountOfPrincipal(v string) string {
	if IsAccountID(v) {
		return v
	}
	if strings.HasSuffix(v, ":root") {
		if f, n := Split(v); n == 6 && f[0] == "arn" && f[2] == "iam" && f[5] == "root" && IsAccountID(f[4]) {
			return f[4]
		}
	}
	return ""
}

// IsServicePrincipal reports whether s is an AWS service principal such as
// cloudtrail.amazonaws.com (or the China partition's amazonaws.com.cn).
func IsServicePrincipal(s string) bool {
	return !strings.HasPrefix(s, "arn:") && (strings.HasSuffix(s, ".amazonaws.com") || strings.HasSuffix(s, ".amazonaws.com.cn"))
}

// Session is the role and session named by an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION).
type Session struct {
	Partition, Account, Role, Name string
}

// ParseSession reads an assumed-role session ARN.
func ParseSession(s string) (Session, bool) {
	f, n := Split(s)
	if n != 6 || f[0] != "arn" || f[2] != "sts" || !strings.HasPrefix(f[5], "assumed-role/") {
		return Session{}, false
	}
	role, name, ok := strings.Cut(f[5][len("assumed-role/"):], "/")
	if !ok || role == "" || name == "" || !IsAccountID(f[4]) {
		return Session{}, false
	}
	return Session{Partition: f[1], Account: f[4], Role: role, Name: name}, true
}

// RoleARN is the ARN of the session's role without its path, which the
// session ARN does not carry.
func (s Session) RoleARN() string {
	return "arn:" + s.Partition + ":iam::" + s.Account + ":role/" + s.Role
}

// IAMName splits an IAM user or role ARN into its kind ("user" or "role")
// and its name (the last path element): arn:aws:iam::1:role/a/b/app gives
// "role", "app".
func IAMName(s string) (kind, name string, ok bool) {
	f, n := Split(s)
	if n != 6 || f[0] != "arn" || f[2] != "iam" {
		return "", "", false
	}
	res := f[5]
	switch {
	case strings.HasPrefix(res, "user/"):
		kind = "user"
	case strings.HasPrefix(res, "role/"):
		kind = "role"
	default:
		return "", "", false
	}
	name = res[strings.LastIndexByte(res, '/')+1:]
	if name == "" {
		return "", "", false
	}
	return kind, name, true
}
