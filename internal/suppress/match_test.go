package suppress

import "testing"

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"*", "", true},
		{"*", "arn:aws:kms:ap-northeast-1:111122223333:key/1234", true},
		{"", "", true},
		{"", "x", false},
		{"arn:aws:kms:ap-northeast-1:111122223333:key/1234", "arn:aws:kms:ap-northeast-1:111122223333:key/1234", true},
		{"arn:aws:kms:ap-northeast-1:111122223333:key/1234", "arn:aws:kms:ap-northeast-1:111122223333:key/12345", false},
		// "*" crosses colons and slashes.
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:111122223333:key/abcd", true},
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:444455556666:key/abcd", false},
		{"arn:aws:iam::111122223333:*", "arn:aws:iam::111122223333:role/path/app", true},
		// "?" is exactly one character, a rune, not a byte.
		{"arn:aws:iam::11112222333?:root", "arn:aws:iam::111122223333:root", true},
		{"arn:aws:iam::11112222333?:root", "arn:aws:iam::11112222333:root", false},
		{"role/?", "role/日", true},
		{"role/??", "role/日", false},
		// Case counts: ARNs are case-sensitive in their resource part.
		{"arn:aws:iam::111122223333:role/App", "arn:aws:iam::111122223333:role/app", false},
		// Backtracking.
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"*key/*-prod", "arn:key/x-prod-key/y-prod", true},
		{"**", "abc", true},
		{"*?", "", false},
		{"*?", "a", true},
	}
	for _, tt := range tests {
		if got := match(tt.pattern, tt.name); got != tt.want {
			t.Errorf("match(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}
