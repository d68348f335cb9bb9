package arn

import "testing"

func TestIsAccountID(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"111122223333", true},
		{"000000000000", true},
		{"11112222333", false},
		{"1111222233334", false},
		{"11112222333a", false},
		{"", false},
		{"arn:aws:iam::111122223333:root", false},
	}
	for _, tt := range tests {
		if got := IsAccountID(tt.in); got != tt.want {
			t.Errorf("IsAccountID(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAccount(t *testing.T) {
	tests := []struct{ in, want string }{
		{"arn:aws:iam::111122223333:role/app", "111122223333"},
		{"arn:aws:kms:us-east-1:111122223333:key/1234", "111122223333"},
		{"arn:aws:s3:::bucket/key:with:colons", ""},
		{"arn:aws:iam::111122223333", ""},
		{"111122223333", ""},
		{"*", ""},
	}
	for _, tt := range tests {
		if got := Account(tt.in); got != tt.want {
			t.Errorf("Account(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAccountOfPrincipal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"111122223333", "111122223333"},
		{"arn:aws:iam::111122223333:root", "111122223333"},
		{"arn:aws-cn:iam::111122223333:root", "111122223333"},
		{"arn:aws:iam::111122223333:role/root", ""},
		{"arn:aws:iam::*:root", ""},
		{"arn:aws:sts::111122223333:root", ""},
		{"*", ""},
	}
	for _, tt := range tests {
		if got := AccountOfPrincipal(tt.in); got != tt.want {
			t.Errorf("AccountOfPrincipal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseSession(t *testing.T) {
	s, ok := ParseSession("arn:aws:sts::111122223333:assumed-role/app/i-0abc")
	if !ok || s.Role != "app" || s.Name != "i-0abc" || s.Account != "111122223333" || s.RoleARN() != "arn:aws:iam::111122223333:role/app" {
		t.Errorf("ParseSession = %+v, %v", s, ok)
	}
	for _, bad := range []string{"arn:aws:sts::111122223333:assumed-role/app", "arn:aws:iam::111122223333:role/app", "arn:aws:sts::1:assumed-role/a/b", "x"} {
		if _, ok := ParseSession(bad); ok {
			t.Errorf("ParseSession(%q) accepted", bad)
		}
	}
}

func TestIAMName(t *testing.T) {
	tests := []struct{ in, kind, name string }{
		{"arn:aws:iam::111122223333:role/a/b/app", "role", "app"},
		{"arn:aws:iam::111122223333:user/alice", "user", "alice"},
		{"arn:aws:iam::111122223333:root", "", ""},
		{"arn:aws:iam::111122223333:role/", "", ""},
	}
	for _, tt := range tests {
		k, n, _ := IAMName(tt.in)
		if k != tt.kind || n != tt.name {
			t.Errorf("IAMName(%q) = %q, %q, want %q, %q", tt.in, k, n, tt.kind, tt.name)
		}
	}
}

func TestIsServicePrincipal(t *testing.T) {
	for in, want := range map[string]bool{
		"cloudtrail.amazonaws.com":            true,
		"s3.cn-north-1.amazonaws.com.cn":      true,
		"arn:aws:iam::1:role/x.amazonaws.com": false,
		"example.com":                         false,
	} {
		if got := IsServicePrincipal(in); got != want {
			t.Errorf("IsServicePrincipal(%q) = %v, want %v", in, got, want)
		}
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::111122223333:role/app", "arn:aws:s3:::b/k:1", "a:b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, n := Split(s)
		if n < 1 || n > 6 {
			t.Fatalf("Split(%q) gave %d fields", s, n)
		}
		joined := fields[0]
		for i := 1; i < n; i++ {
			joined += ":" + fields[i]
		}
		if joined != s {
			t.Fatalf("Split(%q) fields rejoin to %q", s, joined)
		}
	})
}
